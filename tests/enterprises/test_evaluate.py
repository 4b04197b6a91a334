"""The self-assessment read from the database and stored (evaluate.py); the rules themselves are tested in
test_assessment.py. Expected figures are computed by hand from rules.md §1–§3 (see assessment_data.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kechuang.enterprises.assessment import YearData
from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.evaluate import (
    assess_all,
    assess_enterprise,
    assess_one,
    facts_for,
    inputs_for,
    store_result,
    year_data,
    years_for,
)
from kechuang.enterprises.models import AnnualData, AssessmentResult
from kechuang.organizations.models import Qualification

from ..factories import OrganizationFactory
from .assessment_data import FOUNDED, ON, RD_SHORT, WAN, example_a_year, make_example_a

pytestmark = pytest.mark.django_db


def _qualification(
    organization, kind, level, *, since=ON - timedelta(days=100), until=ON + timedelta(days=100), **extra
):
    return Qualification.objects.create(
        organization=organization, kind=kind, level=level, valid_from=since, valid_until=until, **extra
    )


def test_annual_data_row_maps_to_year_data_field_by_field(world):
    record = example_a_year(world["org_a"], 2025, ip_software=3, has_major_incident=True, enhanced_rate=True)
    data = year_data(record)
    assert data == YearData(
        year=2025,
        total_income=5100 * WAN,
        non_taxable_income=100 * WAN,
        investment_income=Decimal("0"),
        main_revenue=5000 * WAN,
        other_revenue=Decimal("0"),
        hitech_revenue=3000 * WAN,
        cost_total=4000 * WAN,
        hnte_rd_personnel=250 * WAN,
        sd_rd_personnel=250 * WAN,
        staff_total=Decimal(200),
        st_staff=Decimal(20),
        net_assets=1500 * WAN,
        total_assets=3000 * WAN,
        ip_invention=1,
        ip_software=3,
        achievements_transformed=3,
        has_major_incident=True,
        enhanced_rate=True,
    )
    record.refresh_from_db()  # the values as the database returns them (Decimal places) map the same way
    assert year_data(record) == data
    assert years_for(world["org_a"], ON) == {2025: data}


def test_only_submitted_years_count_unless_drafts_are_asked_for(world):
    org = world["org_a"]
    example_a_year(org, 2024)
    example_a_year(org, 2025, status=AnnualDataStatus.DRAFT)
    example_a_year(org, 2019)  # more than five years before 2026: never read
    assert sorted(years_for(org, ON)) == [2024]
    preview = inputs_for(organization=org, on=ON, include_drafts=True)
    assert sorted(preview.years) == [2024, 2025]
    assert preview.drafts == [2025]


def test_facts_from_qualifications_in_force_on_the_day(world):
    org = world["org_a"]
    org.founded_on, org.tech_field, org.industry = FOUNDED, "electronic_information", "C"
    org.save()
    facts = facts_for(org, ON)
    assert (facts.founded_on, facts.tech_field, facts.industry) == (FOUNDED, "electronic_information", "C")
    assert (facts.valid_hnte, facts.provincial_rd_institution) == (False, False)

    _qualification(org, "hnte", "national", until=ON - timedelta(days=1))  # expired the day before
    _qualification(org, "ent_institute", "city")  # a city-level institute is not 省部级以上
    _qualification(org, "city_rd_center", "city")
    _qualification(org, "tech_center", "provincial", revoked_on=ON - timedelta(days=5))
    assert (facts_for(org, ON).valid_hnte, facts_for(org, ON).provincial_rd_institution) == (False, False)

    _qualification(org, "hnte", "national", until=ON)  # valid through the application day
    assert facts_for(org, ON).valid_hnte is True
    assert facts_for(org, ON + timedelta(days=1)).valid_hnte is False


@pytest.mark.parametrize(
    ("kind", "level", "counts"),
    [
        ("ent_institute", "provincial", True),
        ("key_institute", "provincial", True),
        ("hnte_rd_center", "provincial", True),
        ("tech_center", "national", True),
        ("tech_center", "provincial", True),
        ("tech_center", "city", False),
        ("city_rd_center", "city", False),
        ("patent_demo", "provincial", False),
    ],
)
def test_provincial_rd_institution_means_a_research_institution_at_provincial_level_or_above(
    world, kind, level, counts
):
    """115号 第八条（三）、第九条: 省部级以上研发机构."""
    _qualification(world["org_a"], kind, level)
    assert facts_for(world["org_a"], ON).provincial_rd_institution is counts


def test_award_and_standard_flags_count_for_five_fiscal_years(world):
    org = world["org_a"]
    example_a_year(org, 2020, led_standard=True)  # 2026 − 6: too old
    assert facts_for(org, ON).led_standard is False
    example_a_year(org, 2021, national_award_top3=True)  # 2026 − 5: within 近五年
    facts = facts_for(org, ON)
    assert (facts.national_award_top3, facts.led_standard) == (True, False)


def test_misconduct_record_in_the_previous_or_current_year_is_an_integrity_breach(world):
    from kechuang.projects.models import IntegrityRecord

    org = world["org_a"]
    IntegrityRecord.objects.create(
        organization=org,
        reason="旧记录",
        starts_on=date(2020, 1, 1),
        ends_on=date(2024, 12, 31),
        kind="misconduct",
    )
    IntegrityRecord.objects.create(
        organization=org, reason="验收不通过", starts_on=date(2025, 3, 1), ends_on=date(2027, 3, 1)
    )
    assert facts_for(org, ON).integrity_breach is False
    IntegrityRecord.objects.create(
        organization=org,
        reason="数据造假",
        starts_on=date(2025, 3, 1),
        ends_on=date(2028, 3, 1),
        kind="misconduct",
    )
    assert facts_for(org, ON).integrity_breach is True


def test_worked_example_a_fails_only_the_rd_ratio_with_its_shortfall(world):
    """rules.md §1.6 A: 590 ÷ 12000 = 4.92 % < 5 % (最近一年销售收入5000万元（含）以下), 还差 10 万元."""
    org = world["org_a"]
    make_example_a(org)
    hnte, tsme, deduction = assess_enterprise(organization=org, on=ON)

    assert hnte.years == [2023, 2024, 2025]
    outcome = {c.code: c.passed for c in hnte.checks}
    assert outcome == {
        "hnte.resident": True,
        "hnte.registration": True,
        "hnte.ip": True,
        "hnte.tech_field": True,
        "hnte.st_staff": True,  # 20 ÷ 200 = 10 %, 不低于10%
        "hnte.rd_ratio": False,
        "hnte.rd_domestic": True,
        "hnte.hitech_income": True,  # 3000 ÷ (5100 − 100) = 60 %
        "hnte.innovation": None,  # experts decide: 33–82 points
        "hnte.no_incident": True,
    }
    rd = next(c for c in hnte.checks if c.code == "hnte.rd_ratio")
    assert (rd.figure, rd.message) == ("4.92%", RD_SHORT)
    assert (hnte.eligible, hnte.failed, hnte.undetermined) == (False, 1, 1)
    # 知识产权 8–30 (Ⅰ类 → 7–8 + 自主研发 1–6 + experts), 成果转化 avg 3 → C 13–18, 组织管理 0–20,
    # 成长性: 净资产 ½(1.2 + 1.25) − 1 = 22.5 % → C 5–6, 销售收入 ½(4/3 + 5/4) − 1 = 29.2 % → B 7–8.
    assert [(p.code, p.low, p.high) for p in hnte.score.parts] == [
        ("hnte.ip", 8, 30),
        ("hnte.achievement", 13, 18),
        ("hnte.org", 0, 20),
        ("hnte.growth", 12, 14),
    ]
    assert (hnte.score.low, hnte.score.high, hnte.score.estimate) == (33, 82, Decimal("57.5"))

    # 科小 on 2025: 科技人员 10 % → 4; R&D 250 ÷ 5000 = 5 % → 40 (方式二 250 ÷ 4000 = 6.25 % → 0); Ⅰ类 → 30.
    assert [(p.code, p.low) for p in tsme.score.parts] == [("tsme.st", 4), ("tsme.rd", 40), ("tsme.ip", 30)]
    assert tsme.score.parts[1].choice == "sales"
    assert (tsme.score.value, tsme.eligible, tsme.route) == (Decimal(74), True, "score")
    # 加计扣除 2025: 250 万元 费用化 × 100 %.
    assert (deduction.year, deduction.extra_deduction, deduction.total_extra) == (2025, 250 * WAN, 250 * WAN)


def test_missing_years_are_named(world):
    org = world["org_a"]
    make_example_a(org, count=0)
    example_a_year(org, 2025)
    result = assess_enterprise(organization=org, on=ON)
    assert (result.hnte_missing_years, result.tsme_missing_years) == ([2023, 2024], [])
    assert result.missing_years == [2023, 2024]
    rd = next(c for c in result.hnte.checks if c.code == "hnte.rd_ratio")
    assert rd.passed is None

    empty = assess_enterprise(organization=world["org_b"], on=ON)
    assert empty.tsme_missing_years == [2025]
    assert (empty.deduction, empty.deduction_problem) == (None, "缺少2025年度数据")


def test_result_is_stored_only_from_submitted_data_on_today(world, monkeypatch):
    org = world["org_a"]
    make_example_a(org, count=2)
    example_a_year(org, 2025, status=AnnualDataStatus.DRAFT)
    monkeypatch.setattr("kechuang.enterprises.evaluate._today", lambda: ON)

    preview = assess_enterprise(organization=org, on=ON, include_drafts=True)
    assert preview.drafts == [2025]
    assert store_result(organization=org, result=preview) is False
    assert not AssessmentResult.objects.exists()

    later = assess_enterprise(organization=org, on=ON + timedelta(days=30))
    assert store_result(organization=org, result=later) is False

    submitted = assess_enterprise(organization=org, on=ON)
    assert store_result(organization=org, result=submitted) is True
    rows = {r.kind: r for r in AssessmentResult.objects.filter(organization=org)}
    assert sorted(rows) == ["hnte", "tsme"]
    hnte = rows["hnte"]
    assert (hnte.assessed_on, hnte.data_year, hnte.ruleset) == (ON, 2025, "hnte-2016")
    assert hnte.result["missing_years"] == [2025]
    assert hnte.result["passed"][0] == "hnte.resident"
    undecided = [c["code"] for c in hnte.result["checks"] if c["passed"] is None]
    assert undecided[0] == "hnte.ip"  # 2025 missing: the latest year's figures cannot be judged


def test_stored_json_keeps_the_full_text_of_the_checks_not_passed_and_the_codes_of_the_rest(
    world, monkeypatch
):
    org = world["org_a"]
    make_example_a(org)
    monkeypatch.setattr("kechuang.enterprises.evaluate._today", lambda: ON)
    store_result(organization=org, result=assess_enterprise(organization=org, on=ON))
    row = AssessmentResult.objects.get(organization=org, kind="hnte")
    assert (row.eligible, row.failed, row.undetermined, row.score) == (False, 1, 1, Decimal("57.50"))
    checks = {c["code"]: c for c in row.result["checks"]}
    assert sorted(checks) == ["hnte.innovation", "hnte.rd_ratio"]
    assert len(row.result["passed"]) == 8
    assert checks["hnte.rd_ratio"] == {
        "code": "hnte.rd_ratio",
        "rule": "国科发火〔2016〕32号 第十一条（五）；工作指引（国科发火〔2016〕195号） 三（五）",
        "label": "近三个会计年度研究开发费用总额占同期销售收入总额的比例",
        "passed": False,
        "figure": "4.92%",
        "threshold": "≥5%（最近一年销售收入5000万元（含）以下）",
        "message": RD_SHORT,
    }
    assert row.result["missing"][0] == "近三个会计年度（2023–2025年）研发费用（高企口径）还差约10.00万元"
    assert [(p["code"], p["low"], p["high"]) for p in row.result["parts"]] == [
        ("hnte.ip", 8, 30),
        ("hnte.achievement", 13, 18),
        ("hnte.org", 0, 20),
        ("hnte.growth", 12, 14),
    ]
    assert row.result["score"] == {"low": "33", "high": "82", "estimate": "57.5", "value": None}


def test_assess_all_writes_one_row_per_enterprise_and_kind_and_is_idempotent(world):
    make_example_a(world["org_a"])
    others = OrganizationFactory.create_batch(3)
    institution = world["institution"].organization  # not an enterprise: not assessed

    summary = assess_all(on=ON)
    enterprises = [world["org_a"], world["org_b"], *others]
    assert summary == {"enterprises": 5, "rows": 10, "hnte_eligible": 0, "tsme_eligible": 1}
    first = {
        (r.organization_id, r.kind): (r.eligible, r.score, r.failed, r.undetermined, r.result)
        for r in AssessmentResult.objects.all()
    }
    assert sorted(first) == sorted((o.pk, k) for o in enterprises for k in ("hnte", "tsme"))
    assert not AssessmentResult.objects.filter(organization=institution).exists()

    assert assess_all(on=ON) == summary
    again = {
        (r.organization_id, r.kind): (r.eligible, r.score, r.failed, r.undetermined, r.result)
        for r in AssessmentResult.objects.all()
    }
    assert again == first
    assert first[(world["org_a"].pk, "tsme")][:2] == (True, Decimal("74.00"))


def test_assess_all_reads_only_submitted_data_and_the_region(world):
    make_example_a(world["org_a"], status=AnnualDataStatus.DRAFT)
    assess_all(on=ON, region_code="330603")
    rows = AssessmentResult.objects.all()
    assert {r.organization_id for r in rows} == {world["org_a"].pk}
    hnte = rows.get(kind="hnte")
    assert hnte.result["missing_years"] == [2023, 2024, 2025]  # the drafts do not count


def test_assess_all_matches_the_single_enterprise_result(world, monkeypatch):
    monkeypatch.setattr("kechuang.enterprises.evaluate._today", lambda: ON)
    make_example_a(world["org_a"])
    Qualification.objects.create(
        organization=world["org_a"], kind="tech_center", level="provincial", valid_from=ON, valid_until=ON
    )
    assess_all(on=ON)
    batch = {r.kind: r.result for r in AssessmentResult.objects.filter(organization=world["org_a"])}
    AssessmentResult.objects.all().delete()
    assess_one(organization_id=world["org_a"].pk)
    single = {r.kind: r.result for r in AssessmentResult.objects.filter(organization=world["org_a"])}
    assert single == batch
    assert batch["tsme"]["route"] == "direct"  # 第八条（三）: 省级企业技术中心


def _enterprises_with_data(n):
    organizations = OrganizationFactory.create_batch(n)
    AnnualData.objects.bulk_create(
        AnnualData(organization=o, year=y, status=AnnualDataStatus.SUBMITTED, main_revenue=1000 * WAN)
        for o in organizations
        for y in (2023, 2024, 2025)
    )
    for o in organizations[:3]:
        Qualification.objects.create(
            organization=o, kind="hnte", level="national", valid_from=ON, valid_until=ON
        )


def test_assess_all_query_count_does_not_grow_with_the_enterprises(db):
    _enterprises_with_data(5)
    with CaptureQueriesContext(connection) as small:
        assess_all(on=ON)
    _enterprises_with_data(45)
    with CaptureQueriesContext(connection) as large:
        assess_all(on=ON)
    assert AssessmentResult.objects.count() == 100

    def reads(captured):
        return [q for q in captured.captured_queries if q["sql"].startswith("SELECT")]

    # enterprises, qualifications in force, integrity records, annual data of the one chunk
    assert len(reads(small)) == len(reads(large)) == 4
    # and a few statements to write (SQLite: one per 90 rows, it binds at most 999 values; PostgreSQL: COPY
    # into a temporary table and one INSERT … ON CONFLICT, in a savepoint)
    assert len(small.captured_queries) <= 10 and len(large.captured_queries) <= 10


def test_assess_all_chunks_read_and_write_per_chunk(db):
    _enterprises_with_data(7)
    with CaptureQueriesContext(connection) as one:
        assess_all(on=ON, chunk=10)
    with CaptureQueriesContext(connection) as three:
        assert assess_all(on=ON, chunk=3)["rows"] == 14
    # three reads before the chunks; then each chunk reads its annual data once and writes its results
    per_chunk = len(one.captured_queries) - 3
    assert len(three.captured_queries) == 3 + 3 * per_chunk
    assert per_chunk <= 6
    assert AssessmentResult.objects.count() == 14


def test_jobs_are_registered_and_run(world):
    from kechuang.core.jobs import registered_jobs, run_job_now

    make_example_a(world["org_a"])
    assert run_job_now(
        "enterprises.assess_one", {"organization_id": world["org_a"].pk, "day": ON.isoformat()}
    ) == {
        "organization_id": world["org_a"].pk,
        "assessed": True,
        "hnte_eligible": False,
        "tsme_eligible": True,
    }
    assert run_job_now("enterprises.assess_all", {"day": ON.isoformat()})["rows"] == 4
    assert AssessmentResult.objects.count() == 4
    assert {"enterprises.assess_all", "enterprises.assess_one"} <= set(registered_jobs())


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_assess_all_in_worker_processes_gives_the_same_rows_as_in_one():
    """On PostgreSQL the batch splits the enterprises between worker processes (assessment_worker)."""
    _enterprises_with_data(12)
    make_example_a(OrganizationFactory())
    serial = assess_all(on=ON, chunk=4, workers=1)
    one = {
        (r.organization_id, r.kind): (r.eligible, r.score, r.result) for r in AssessmentResult.objects.all()
    }
    AssessmentResult.objects.all().delete()
    parallel = assess_all(on=ON, chunk=4, workers=3)
    assert parallel == serial == {"enterprises": 13, "rows": 26, "hnte_eligible": 0, "tsme_eligible": 1}
    many = {
        (r.organization_id, r.kind): (r.eligible, r.score, r.result) for r in AssessmentResult.objects.all()
    }
    assert many == one


def test_stored_results_keep_text_that_the_bulk_write_must_escape(db):
    """On PostgreSQL the write builds COPY's text format by hand: a backslash, tab, newline or quote in a
    message must come back as it was written (on SQLite the same call goes through bulk_create)."""
    from kechuang.enterprises.evaluate import _RESULT_COLUMNS, _write

    org = OrganizationFactory()
    tricky = 'C:\\路径\t"引号"\n第二行 \\N \\\\ 100%'
    result = {"checks": [{"code": "x", "message": tricky, "figure": None}], "missing": [tricky], "n": 1.5}
    values = (org.pk, "hnte", ON, 2025, "hnte-2016", None, Decimal("12.50"), 0, 2, result)
    _write([values])
    row = AssessmentResult.objects.get(organization=org, kind="hnte")
    assert {
        name: getattr(row, name + "_id" if name == "organization" else name) for name in _RESULT_COLUMNS
    } == {
        "organization_id": org.pk,
        "kind": "hnte",
        "assessed_on": ON,
        "data_year": 2025,
        "ruleset": "hnte-2016",
        "eligible": None,
        "score": Decimal("12.50"),
        "failed": 0,
        "undetermined": 2,
        "result": result,
    }
    _write([(*values[:5], True, Decimal("80"), 0, 0, {"missing": []})])  # the second write updates the row
    row.refresh_from_db()
    assert (row.eligible, row.score, row.result) == (True, Decimal("80.00"), {"missing": []})


def test_chunk_queue_hands_out_every_range_once_to_concurrent_takers(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from kechuang.enterprises.evaluate import ChunkQueue

    ids = [2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]
    queue = ChunkQueue.create(str(tmp_path), ids, 3)

    def drain(_):
        taken = []
        while (r := ChunkQueue(queue.path).take()) is not None:
            taken.append(r)
        return taken

    with ThreadPoolExecutor(4) as pool:
        taken = [r for part in pool.map(drain, range(4)) for r in part]
    assert sorted(taken) == [(2, 5), (8, 21), (34, 89), (144, 233)]
    assert queue.take() is None


def test_the_batch_pauses_the_cycle_collector_and_restores_it(db, monkeypatch):
    import gc

    seen = []
    real = __import__("kechuang.enterprises.evaluate", fromlist=["_write"])._write

    def spy(rows):
        seen.append(gc.isenabled())
        return real(rows)

    monkeypatch.setattr("kechuang.enterprises.evaluate._write", spy)
    _enterprises_with_data(2)
    assert gc.isenabled()
    assess_all(on=ON)
    assert seen == [False] and gc.isenabled()

    def broken(rows):
        raise RuntimeError("写入失败")

    monkeypatch.setattr("kechuang.enterprises.evaluate._write", broken)
    with pytest.raises(RuntimeError):
        assess_all(on=ON)
    assert gc.isenabled()  # back on after a failure too
