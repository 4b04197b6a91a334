"""The talent demo: commissioners dispatched to 绍兴's towns whose 2019 work logs add up to the bureau's figures
(实施项目96个，推广新技术72项，举办培训256期), the talent program, foreign experts at the 2019 workstations."""

from collections import Counter
from datetime import date
from functools import cache

import pytest

from kechuang.demo import generator
from kechuang.talent import demo
from kechuang.talent.demo import plan
from tests.carriers.test_demo import tiny_registry

TODAY = date(2026, 12, 1)


@cache
def towns() -> list[tuple[str, str]]:
    return [
        (r.code, r.name) for r in generator.regions_from_json() if r.level == "town" and r.code[:4] == "3306"
    ]


@cache
def tiny_plan() -> demo.TalentPlan:
    stations = [demo.Workstation(900 + n, 1, date(2019, 5, n + 1), "纺织新材料") for n in range(10)]
    return plan(*tiny_registry(), towns(), stations, today=TODAY)


def test_the_plan_is_deterministic_and_its_2019_logs_add_up_to_the_published_figures():
    planned = tiny_plan()
    assert plan(*tiny_registry(), towns(), today=TODAY).tables()["logs"] == planned.tables()["logs"]
    assert plan(*tiny_registry(), towns(), seed=7, today=TODAY).tables()["logs"] != planned.tables()["logs"]
    totals = Counter()
    for log in planned.logs:
        dispatch = planned.dispatches[log["_dispatch"]]
        assert (
            dispatch["starts_on"] <= log["happened_on"] <= dispatch["ends_on"] and log["happened_on"] < TODAY
        )
        if log["happened_on"].year == 2019:
            totals[log["kind"]] += log["quantity"]
    assert (totals["project"], totals["technology"], totals["training"]) == (96, 72, 256)
    assert totals["visit"] > 0 and all(log["attendance"] for log in planned.logs if log["kind"] == "training")
    assert Counter(c["kind"] for c in planned.commissioners) == {
        "individual": 28,
        "team": 8,
        "legal_person": 4,
    }
    assert {d["town_id"] for d in planned.dispatches} <= {code for code, _name in towns()}
    assert {d["starts_on"].year for d in planned.dispatches} == {2018, 2019, 2020, TODAY.year}
    active = [d for d in planned.dispatches if d["state"] == "active"]
    assert [d["starts_on"] for d in active] == [date(TODAY.year, 3, 1)]  # inst_demo's, serving now
    assert len(planned.talents) == 30 and {t["year"] for t in planned.talents} == {2017, 2018, 2019, 2020}
    at_2019 = Counter(e["workstation_id"] for e in planned.experts if e["workstation_id"])
    assert len(planned.experts) == 25 and len(at_2019) == 10  # every 2019 workstation has an expert
    assert all(e["ends_on"] >= e["starts_on"] for e in planned.experts)


@pytest.mark.django_db
def test_seeding_writes_the_published_figures_once():
    from django.db.models import Sum

    from kechuang.carriers.demo import seed as seed_carriers
    from kechuang.talent.models import Commissioner, Dispatch, ForeignExpert, WorkLog

    generator.load("tiny", log=lambda _message: None)
    seed_carriers(log=lambda _message: None)
    messages: list[str] = []
    result = demo.seed(today=TODAY, log=messages.append)

    assert result.skipped is False and result.created["logs"] == WorkLog.objects.count()
    in_city = WorkLog.objects.filter(
        happened_on__year=2019, dispatch__town__level="town", dispatch__town__path__contains="330600/"
    )
    totals = dict(in_city.values_list("kind").annotate(total=Sum("quantity")))
    assert (totals["project"], totals["technology"], totals["training"]) == (96, 72, 256)
    assert result.figures == {"实施项目": 96, "推广新技术": 72, "举办培训": 256}
    from kechuang.talent.summaries import commissioner_figures

    figures = commissioner_figures(region_code="330600", year=2019)
    assert (figures["projects"], figures["technologies"], figures["trainings"]) == (96, 72, 256)
    assert figures["sentence"].startswith("实施项目96个，推广新技术72项，举办培训256期，培训")
    assert set(Dispatch.objects.values_list("town__level", flat=True)) == {"town"}
    stations = ForeignExpert.objects.filter(workstation__recognized_on__year=2019)
    assert stations.values("workstation").distinct().count() == 10
    assert all(e.organization_id == e.workstation.operator_id for e in stations.select_related("workstation"))
    assert Commissioner.objects.filter(
        organization__name="绍兴演示理工研究院", dispatches__state="active"
    ).exists()
    assert "举办培训 256" in messages[-1]

    again = demo.seed(today=TODAY, log=messages.append)
    assert again.skipped is True and messages[-1] == "人才与科技特派员演示数据已存在，跳过"
    assert WorkLog.objects.count() == result.created["logs"]
