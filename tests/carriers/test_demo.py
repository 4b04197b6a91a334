"""The carriers demo: deterministic, 2019 calibrated to 绍兴's published figures (新增省级众创空间28家, 新认定国家级
星创天地4家, 产业创新服务综合体30家, 新增外国专家工作站10家), evaluations scored from the reports, idempotent."""

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import pytest

from kechuang.carriers import demo
from kechuang.carriers.demo import CALIBRATION, Indicator, plan
from kechuang.demo import generator
from kechuang.market.demo import DemoOrg, DemoUser, in_city

D = Decimal
INDICATORS = {
    "incubator": [
        Indicator("incubatees", "在孵企业数", "家", "integer", 1),
        Indicator("revenue", "在孵企业总收入", "万元", "decimal", 2),
        Indicator("staff", "专职孵化服务人员", "人", "integer", 3),
    ],
    "maker_space": [Indicator("members", "入驻团队和企业数", "家", "integer", 4)],
}


def registry(size: str = "tiny", seed: int = generator.DEFAULT_SEED):
    """The registry `manage.py demo_data --size <size>` writes, as the demos read it (no database); the talent
    and patents demo tests use it too."""
    regions = generator.regions_from_json()
    dataset = generator.generate(size, seed, regions)
    fixed = generator.fixed_organizations(regions)
    story = {
        spec.credit_code: org["key"] for org, spec in zip(generator.FIXED_ORGANIZATIONS, fixed, strict=True)
    }
    ids, organizations = {}, []
    for n, o in enumerate([*dataset.organizations, *fixed], start=1):
        ids[o.credit_code] = n
        if o.status == "verified" and o.kind in ("enterprise", "institution", "provider", "agency"):
            organizations.append(
                DemoOrg(n, o.kind, o.name, o.region_code, o.founded_on, o.tech_field, o.institution_type,
                        o.contact_phone, story.get(o.credit_code, ""))
            )  # fmt: skip
    by_key = {story[code]: ids[code] for code in story}
    users = [
        DemoUser(10_000 + n, x.username, x.role, x.full_name, x.phone, "", x.region_code,
                 by_key.get(x.organization_key))
        for n, x in enumerate(generator.NAMED_LOGINS)
        if x.membership_status == "active"
    ]  # fmt: skip
    users += [
        DemoUser(20_000 + n, u.username, u.role, u.last_name, u.phone, u.email, u.region_code,
                 ids.get(u.organization_code))
        for n, u in enumerate(dataset.users)
        if u.membership_status == "active"
    ]  # fmt: skip
    return organizations, users


@cache
def tiny_registry():
    return registry()


@cache
def tiny_plan() -> demo.CarrierPlan:
    return plan(*tiny_registry(), INDICATORS)


def counted(planned: demo.CarrierPlan, year: int = 2019) -> dict[str, int]:
    """The calibrated figures from the plan, by the definitions of demo-calibration.md."""
    city = [c for c in planned.carriers if in_city(c["region_id"])]
    end = date(year, 12, 31)
    return {
        "新增省级众创空间": sum(
            c["kind"] == "maker_space" and c["level"] == "provincial" and c["recognized_on"].year == year
            for c in city
        ),
        "新认定国家级星创天地": sum(
            c["kind"] == "star_space" and c["level"] == "national" and c["recognized_on"].year == year
            for c in city
        ),
        "产业创新服务综合体": sum(
            c["kind"] == "complex"
            and c["level"] in ("city", "county")
            and c["state"] == "active"
            and c["recognized_on"] <= end
            for c in city
        ),
        "新增外国专家工作站": sum(
            c["kind"] == "foreign_workstation" and c["recognized_on"].year == year for c in city
        ),
    }


# -- the plan (no database) -------------------------------------------------------------------------------


def test_the_same_registry_and_seed_give_the_same_records_and_the_published_2019_figures():
    planned = tiny_plan()
    assert plan(*tiny_registry(), INDICATORS).tables() == planned.tables()
    assert plan(*tiny_registry(), INDICATORS, seed=7).tables()["carriers"] != planned.tables()["carriers"]
    assert (
        counted(planned)
        == CALIBRATION
        == {
            "新增省级众创空间": 28,
            "新认定国家级星创天地": 4,
            "产业创新服务综合体": 30,
            "新增外国专家工作站": 10,
        }
    )
    assert {c["recognized_on"].year for c in planned.carriers} == set(range(2015, 2022))
    assert {c["kind"] for c in planned.carriers} == set(demo.CarrierKind.values)
    assert {c["level"] for c in planned.carriers} == {"national", "provincial", "city", "county"}


def test_incubated_companies_and_reports_are_consistent():
    planned = tiny_plan()
    incubating = {
        c["_key"] for c in planned.carriers if c["kind"] in ("incubator", "maker_space", "star_space")
    }
    assert {i["_carrier"] for i in planned.incubatees} == incubating
    states = {i["state"] for i in planned.incubatees}
    assert states == {"incubating", "graduated", "left"}
    for i in planned.incubatees:
        assert (i["exited_on"] is None) == (i["state"] == "incubating")
        assert i["exited_on"] is None or i["exited_on"] > i["entered_on"]
    linked = [i["organization_id"] for i in planned.incubatees if i["organization_id"]]
    assert linked and len(linked) == len(set(linked)) and len(linked) < len(planned.incubatees)
    years = [(r["_incubatee"], r["year"]) for r in planned.revenues]
    assert len(years) == len(set(years))
    # Reports for kinds with indicators only; the count indicator is the companies in incubation at year end.
    assert {planned.carriers[r["_carrier"]]["kind"] for r in planned.reports} == {"incubator", "maker_space"}
    for r in planned.reports:
        carrier = planned.carriers[r["_carrier"]]
        assert carrier["recognized_on"].year <= r["year"]
        assert (r["submitted_at"] is None) == (r["state"] == "draft")
        if carrier["kind"] == "incubator" and r["state"] != "draft":
            end = date(r["year"], 12, 31)
            inside = [i for i in planned.incubatees if i["_carrier"] == carrier["_key"]
                      and i["entered_on"] <= end and (i["exited_on"] is None or i["exited_on"] > end)]  # fmt: skip
            assert r["values"]["incubatees"] == str(len(inside))
    stories = {name: planned.reports[n]["state"] for name in ("inst_maker_space", "ent_maker_space")
               for n, r in enumerate(planned.reports)
               if r["_carrier"] == planned.stories[name] and r["year"] == 2019}  # fmt: skip
    assert stories == {"inst_maker_space": "returned", "ent_maker_space": "draft"}


def test_evaluations_are_scored_from_the_accepted_reports_and_failing_twice_removes():
    planned = tiny_plan()
    assert [(s["year"], s["state"]) for s in planned.schemes] == [(2018, "published"), (2019, "published")]
    for key, scheme in enumerate(planned.schemes):
        weights = [s for s in planned.scheme_indicators if s["_scheme"] == key]
        assert sum(s["weight"] for s in weights) == D(100)
        results = [e for e in planned.evaluations if e["_scheme"] == key]
        for e in results:  # competition ranking: 1 + how many scored higher
            assert e["rank"] == 1 + sum(other["score"] > e["score"] for other in results)
        for e in results:
            report = planned.reports[e["_report"]]
            assert report["state"] == "accepted" and report["year"] == scheme["year"]
            # weight × min(value / target, 1), summed (carriers/evaluation.py)
            expected = sum(
                s["weight"] * min(D(report["values"][ind.code]) / s["target"], D(1))
                for ind, s in zip(INDICATORS["incubator"], weights, strict=True)
            )
            assert e["score"] == expected.quantize(D("0.01"), ROUND_HALF_UP)
            assert abs(e["score"] - sum(D(v) for v in e["breakdown"].values())) <= D("0.02")
        grades = Counter(e["grade"] for e in results)
        assert grades["fail"] >= 1 and grades["excellent"] + grades["good"] + grades["pass"] >= 1
    weak = planned.stories["failed_twice"]
    grades = [(e["grade"], e["consequence"]) for e in planned.evaluations if e["_carrier"] == weak]
    assert grades == [("fail", "warning"), ("fail", "removal")]
    removed = [c for c in planned.carriers if c["state"] == "removed"]
    assert removed == [planned.carriers[weak]]
    assert removed[0]["removal_reason"] == demo.REMOVAL_REASON and removed[0]["removed_on"].year == 2020


# -- seeding the database ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seeding_writes_the_published_figures_once():
    from kechuang.carriers.models import AnnualReport, Carrier, Evaluation, Incubatee, ReportIndicator

    generator.load("tiny", log=lambda _message: None)
    messages: list[str] = []
    result = demo.seed(log=messages.append)

    assert result.skipped is False and result.created["carriers"] == Carrier.objects.count()
    city = Carrier.objects.filter(region__path__contains="330600/")
    assert city.count() == Carrier.objects.count()
    counts = {
        "新增省级众创空间": city.filter(
            kind="maker_space", level="provincial", recognized_on__year=2019
        ).count(),
        "新认定国家级星创天地": city.filter(
            kind="star_space", level="national", recognized_on__year=2019
        ).count(),
        "产业创新服务综合体": city.filter(
            kind="complex",
            level__in=("city", "county"),
            state="active",
            recognized_on__lte=date(2019, 12, 31),
        ).count(),
        "新增外国专家工作站": city.filter(kind="foreign_workstation", recognized_on__year=2019).count(),
    }
    assert counts == result.figures == CALIBRATION
    # The figures module (which the annual report quotes) gives the same, by the same definitions.
    from kechuang.carriers.figures import calibration_figures

    assert calibration_figures("330600", 2019) == CALIBRATION
    # Every kind with indicators (migration 0002 gives all of them some) has 2019 reports; the incubators'
    # evaluation removed the one that failed twice.
    kinds = set(ReportIndicator.objects.filter(active=True).values_list("kind", flat=True))
    assert set(AnnualReport.objects.filter(year=2019).values_list("carrier__kind", flat=True)) == kinds
    removal = Evaluation.objects.get(consequence="removal")
    assert (removal.scheme.year, removal.carrier.state) == (2019, "removed")
    assert Evaluation.objects.get(carrier=removal.carrier, scheme__year=2018).grade == "fail"
    inst = Carrier.objects.filter(operator__name="绍兴演示理工研究院")
    assert set(inst.values_list("kind", flat=True)) == {"incubator", "maker_space"}
    assert Incubatee.objects.filter(organization__name="诸暨演示五金机械有限公司", state="graduated").exists()
    assert "新增省级众创空间 28" in messages[-1]

    again = demo.seed(log=messages.append)
    assert again.skipped is True and messages[-1] == "创新载体演示数据已存在，跳过"
    assert Carrier.objects.count() == result.created["carriers"]
