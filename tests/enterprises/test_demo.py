"""The enterprise demo: deterministic, idempotent, and calibrated to 绍兴's published 2019 figures."""

from collections import Counter
from datetime import date, timedelta
from functools import cache

import pytest

from kechuang.enterprises import demo
from kechuang.enterprises.demo import CALIBRATION, DemoEnterprise, calibration_figures, plan, seed
from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.figures import enterprises_by_tier, rd_expense
from kechuang.enterprises.models import AnnualData
from kechuang.enterprises.services import tiers_refresh_all
from kechuang.organizations.enums import QualificationKind, Tier
from kechuang.organizations.models import Organization, Qualification

from ..factories import credit_code

TOWNS = ("330603L01", "330603L02", "330602L01", "330681L01", "330604L01", "330624L01", "330683L01")
FIELDS = ("new_materials", "advanced_manufacturing", "electronic_information", "bio_medicine")
SIZES = ("small", "micro", "small", "medium")
# Enough enterprises of a high-tech field, old enough, for 2015–2019 (not for the later growth).
POPULATION = 1500


def synthetic(count: int = POPULATION) -> list[DemoEnterprise]:
    return [
        DemoEnterprise(
            id=n + 1,
            credit_code=credit_code(n + 1, TOWNS[n % len(TOWNS)][:6]),
            region_code=TOWNS[n % len(TOWNS)],
            founded_on=date(1995 + n % 18, 1 + n % 12, 1 + n % 28),
            size=SIZES[n % len(SIZES)],
            industry="C",
            tech_field=FIELDS[n % len(FIELDS)],
        )
        for n in range(count)
    ]


@cache
def full_plan():
    return plan(synthetic())


def counts_2019(planned) -> dict[str, int]:
    q = planned.qualifications

    def held(kind, day):
        return len({x.organization_id for x in q if x.kind == kind and x.in_force_on(day)})

    def new(kind):
        return sum(1 for x in q if x.kind == kind and x.valid_from.year == 2019)

    hnte = QualificationKind.HNTE
    return {
        "新认定高新技术企业": new(hnte),
        "高新技术企业净增": held(hnte, date(2019, 12, 31)) - held(hnte, date(2018, 12, 31)),
        "高新技术企业总数": held(hnte, date(2019, 12, 31)),
        "新增省科技型中小企业": new(QualificationKind.TSME),
        "新增省级企业研究院": new(QualificationKind.ENTERPRISE_INSTITUTE),
        "新增省级高新技术企业研究开发中心": new(QualificationKind.HNTE_RD_CENTER),
    }


def as_rows(planned):
    return [
        (q.organization_id, q.kind, q.valid_from, q.valid_until, q.certificate_no, q.revoked_on)
        for q in planned.qualifications
    ], [(a.organization_id, a.year, sorted(a.values.items())) for a in planned.annual]


# -- the plan (no database) -------------------------------------------------------------------------


def test_the_same_enterprises_and_seed_give_the_same_records():
    first = as_rows(plan(synthetic(200)))
    assert as_rows(plan(synthetic(200))) == first
    assert as_rows(plan(synthetic(200), seed=1)) != first


def test_enough_enterprises_give_the_published_2019_figures():
    planned = full_plan()
    assert planned.calibrated is True
    assert planned.scales["hnte_history"] == 1.0 and planned.scales["tsme_history"] == 1.0
    assert planned.scales["hnte_current"] < 1.0  # 1,500 cannot also grow to 2026 at full scale
    assert counts_2019(planned) == CALIBRATION


def test_the_2019_arithmetic_includes_renewals_lapses_revocations_and_returns():
    q = full_plan().qualifications
    hnte = [x for x in q if x.kind == QualificationKind.HNTE]
    issued_2019 = {x.organization_id for x in hnte if x.valid_from.year == 2019}
    held_2018 = {x.organization_id for x in hnte if x.in_force_on(date(2018, 12, 31))}
    earlier = {x.organization_id for x in hnte if x.valid_from.year < 2019}
    renewed = issued_2019 & held_2018
    returning = (issued_2019 & earlier) - held_2018
    revoked_2019 = [x for x in hnte if x.revoked_on and x.revoked_on.year == 2019]
    lost = held_2018 - {x.organization_id for x in hnte if x.in_force_on(date(2019, 12, 31))}
    assert len(renewed) > 0 and len(returning) == 45 and len(revoked_2019) > 0
    # 1346 = 967 − lost + (416 − renewed): the renewed ones were in force at both year ends.
    assert len(lost) == 37 - len(renewed)
    assert all(x.revoke_reason for x in revoked_2019)


def test_certificates_respect_the_rules_of_each_kind():
    pop = synthetic()
    founded = {e.id: e.founded_on for e in pop}
    size = {e.id: e.size for e in pop}
    planned = full_plan()
    by_kind = Counter(q.kind for q in planned.qualifications)
    assert set(by_kind) == {"hnte", "tsme", "ent_institute", "hnte_rd_center", "key_institute", "leader"}
    for q in planned.qualifications:
        if q.kind == QualificationKind.HNTE:
            # 注册成立一年以上; valid three years; GR + year + 33 + serial.
            assert founded[q.organization_id] <= q.valid_from - timedelta(days=365)
            assert q.valid_until == q.valid_from.replace(year=q.valid_from.year + 3) - timedelta(days=1)
            assert q.certificate_no.startswith(f"GR{q.valid_from.year}33") and len(q.certificate_no) == 14
        elif q.kind == QualificationKind.TSME:
            assert size[q.organization_id] != "large"
            assert q.valid_until == date(q.valid_from.year, 12, 31)
        else:
            assert q.valid_until == demo.NO_TERM
    numbers = [(q.kind, q.certificate_no) for q in planned.qualifications if q.certificate_no]
    assert len(numbers) == len(set(numbers))
    assert max(q.valid_from for q in planned.qualifications) < date(2026, 12, 1)


def test_research_centres_go_to_enterprises_holding_a_hnte_certificate_that_day():
    q = plan(synthetic()).qualifications
    hnte = [x for x in q if x.kind == QualificationKind.HNTE]
    for centre in (x for x in q if x.kind in ("ent_institute", "hnte_rd_center")):
        assert any(
            h.organization_id == centre.organization_id and h.in_force_on(centre.valid_from) for h in hnte
        )


def test_too_few_enterprises_scale_every_year_down_alike():
    planned = plan(synthetic(300))
    assert planned.calibrated is False
    assert 0 < planned.scales["hnte_history"] == planned.scales["hnte_current"] < 1
    counts = counts_2019(planned)
    assert 0 < counts["新认定高新技术企业"] < 416 and 0 < counts["新增省科技型中小企业"] < 1202


def test_the_named_demo_enterprises_keep_their_story_and_stay_out_of_2019():
    pop = synthetic(400) + [
        DemoEnterprise(
            9001,
            credit_code(9001),
            "330603L01",
            date(2008, 5, 18),
            "medium",
            "C",
            "new_materials",
            "ent_demo",
        ),
        DemoEnterprise(
            9002, credit_code(9002, "330681"), "330681L07", date(2017, 3, 9), "small", "C", "", "ent_demo2"
        ),
    ]
    planned = plan(pop)
    mine = sorted((q.kind, q.valid_from.year) for q in planned.qualifications if q.organization_id == 9001)
    assert [y for k, y in mine if k == "hnte"] == [2020, 2023, 2026]
    assert [y for k, y in mine if k == "tsme"] == list(range(2020, 2027))
    assert sorted(q.valid_from.year for q in planned.qualifications if q.organization_id == 9002) == [
        2023,
        2024,
        2025,
        2026,
    ]
    assert {a.year for a in planned.annual if a.organization_id == 9001} >= {2023, 2024, 2025}


# -- seeding the database ------------------------------------------------------------------------------


def create_population(count: int = POPULATION) -> list[DemoEnterprise]:
    specs = synthetic(count)
    Organization.objects.bulk_create(
        [
            Organization(
                kind="enterprise",
                name=f"绍兴演示{e.id}号科技有限公司",
                credit_code=e.credit_code,
                region_id=e.region_code,
                founded_on=e.founded_on,
                size=e.size,
                industry=e.industry,
                tech_field=e.tech_field,
                status="verified",
            )
            for e in specs
        ]
    )
    return demo.demo_enterprises()


@pytest.mark.django_db
def test_seeding_reproduces_the_published_2019_figures_once_with_plausible_annual_data():
    population = create_population()
    assert len(population) == POPULATION
    messages: list[str] = []

    result = seed(log=messages.append)

    assert result.calibrated is True
    assert calibration_figures("330600", 2019) == CALIBRATION
    assert result.figures == CALIBRATION
    assert result.qualifications_created == Qualification.objects.count()
    assert result.annual_created == AnnualData.objects.count()
    assert "新认定高新技术企业 416" in messages[-1]
    # Tiers are up to date, and on 2019-12-31 every 高企 stands on the 高企 rung or above.
    assert tiers_refresh_all() == 0
    tiers_2019 = enterprises_by_tier("330600", date(2019, 12, 31))
    assert (
        tiers_2019.counts[Tier.HNTE] + tiers_2019.counts[Tier.RD_INSTITUTION] + tiers_2019.counts[Tier.LEADER]
        >= CALIBRATION["高新技术企业总数"]
    )

    counts = (Qualification.objects.count(), AnnualData.objects.count())
    again = seed(log=messages.append)
    assert again.skipped is True
    assert messages[-1] == "企业演示数据已存在，跳过"
    assert (Qualification.objects.count(), AnnualData.objects.count()) == counts

    # The annual data: submitted, for the demo year, its growth base and the last three years.
    rows = AnnualData.objects.all()
    assert set(rows.values_list("year", flat=True)) == {2018, 2019, 2023, 2024, 2025}
    assert set(rows.values_list("status", flat=True)) == {AnnualDataStatus.SUBMITTED}
    assert rows.filter(submitted_at__isnull=True).count() == 0
    figures = rd_expense("330600", 2019)
    assert figures.hnte_total.value > figures.sd_total.value > 0  # 加计扣除口径 is narrower
    assert figures.growth.value is not None and figures.same_growth.value is not None
    # 高企 in force at the end of 2025 mostly meet the R&D ratio of condition (五) in their 2025 figures.
    hnte_2025 = set(
        Qualification.objects.in_force(date(2025, 12, 31))
        .filter(kind=QualificationKind.HNTE)
        .values_list("organization_id", flat=True)
    )
    meets = total = 0
    for row in rows.filter(year=2025, organization_id__in=hnte_2025):
        sales = row.main_revenue + row.other_revenue
        threshold = 5 if sales <= 50_000_000 else 4 if sales <= 200_000_000 else 3
        total += 1
        meets += row.hnte_rd_total * 100 >= sales * threshold
    assert total > 0 and meets / total > 0.8
