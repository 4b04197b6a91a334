"""The patents demo: valid application numbers, statuses that follow the dates, subsidy claims in every state
with a patent held by at most one claim, pledges, cases with steps, population, idempotent."""

from collections import Counter
from datetime import date
from functools import cache

import pytest

from kechuang.demo import generator
from kechuang.patents import demo, numbers
from kechuang.patents.demo import plan
from tests.carriers.test_demo import tiny_registry

TODAY = date(2026, 12, 1)


@cache
def tiny_plan() -> demo.PatentPlan:
    return plan(*tiny_registry(), today=TODAY)


def test_numbers_are_valid_and_statuses_follow_the_dates():
    planned = tiny_plan()
    assert plan(*tiny_registry(), today=TODAY).tables() == planned.tables()
    numbers_ = [p["application_no"] for p in planned.patents]
    assert len(set(numbers_)) == len(numbers_)
    for p in planned.patents:
        assert (
            numbers.normalize(p["application_no"]) == p["application_no"]
        )  # rules.md §7b: the check character
        assert numbers.kind_of(p["application_no"]) == p["kind"]
        assert numbers.filing_year(p["application_no"]) == p["filed_on"].year
        granted, lapsed = p["granted_on"], p["lapsed_on"]
        assert (granted is not None) == (p["status"] in ("granted", "lapsed"))
        assert (lapsed is not None) == (p["status"] == "lapsed")
        assert granted is None or p["filed_on"] < granted < TODAY
        assert lapsed is None or granted < lapsed < TODAY
    assert {p["filed_on"].year for p in planned.patents} == set(range(2014, 2021)) | {TODAY.year - 1}
    assert set(Counter(p["status"] for p in planned.patents)) == {"applied", "granted", "lapsed", "rejected"}


def test_claims_hold_each_patent_at_most_once_and_the_named_organizations_have_their_stories():
    planned = tiny_plan()
    orgs, _users = tiny_registry()
    story = {o.story: o.id for o in orgs if o.story}
    assert {c["state"] for c in planned.claims} == {"submitted", "approved", "rejected", "withdrawn", "paid"}
    held = Counter()
    for item in planned.items:
        claim, patent = planned.claims[item["_claim"]], planned.patents[item["_patent"]]
        assert patent["organization_id"] == claim["organization_id"]
        assert date(2019, 1, 1) <= patent["granted_on"] <= date(2019, 12, 31)
        assert item["holds"] == (claim["state"] in ("submitted", "approved", "paid"))
        held[item["_patent"]] += item["holds"]
    assert max(held.values()) == 1
    for claim in planned.claims:
        items = [i for i in planned.items if i["_claim"] == claim["_key"]]
        assert (
            claim["amount_claimed"] == sum(i["amount"] for i in items) <= demo.POLICY["cap_per_organization"]
        )
        assert (claim["paid_on"] is not None) == (claim["state"] == "paid")
        assert (claim["decided_at"] is not None) == (claim["state"] in ("approved", "rejected", "paid"))
    claimed_by = {c["organization_id"]: c["state"] for c in planned.claims}
    assert story["ent_demo"] not in claimed_by and claimed_by[story["ent_demo2"]] == "submitted"
    assert claimed_by[story["inst_demo"]] == "paid"
    waiting = [p for p in planned.patents if p["organization_id"] == story["ent_demo"]
               and p["status"] == "granted" and p["granted_on"].year == 2019]  # fmt: skip
    assert len(waiting) >= 5  # ent_demo can claim them
    # Pledged patents were granted (and in force) when the pledge began.
    for pledge, patent in planned.pledged:
        row, loan = planned.patents[patent], planned.pledges[pledge]
        assert row["organization_id"] == loan["organization_id"] and row["granted_on"] < loan["starts_on"]
    assert {c["state"] for c in planned.cases} == {"closed", "investigating", "received"}
    assert all(any(s["_case"] == c["_key"] for s in planned.steps) for c in planned.cases)
    population = {(r["region_id"], r["year"]): r["population"] for r in planned.populations}
    assert population[("330600", 2019)] == 5_035_000
    for year in (2018, 2019, 2020):
        counties = [v for (code, y), v in population.items() if y == year and code != "330600"]
        assert sum(counties) == population[("330600", year)] and len(counties) == 6


@pytest.mark.django_db
def test_seeding_writes_valid_numbers_once():
    from kechuang.patents.models import Patent, SubsidyClaim, SubsidyItem
    from kechuang.regions.models import Population

    generator.load("tiny", log=lambda _message: None)
    Population.objects.create(region_id="330602", year=2019, population=900_000)  # kept as it is
    result = demo.seed(today=TODAY, log=lambda _message: None)

    assert result.skipped is False and result.created["patents"] == Patent.objects.count() > 0
    for number in Patent.objects.values_list("application_no", flat=True):
        assert numbers.normalize(number) == number
    assert set(SubsidyClaim.objects.values_list("state", flat=True)) == {
        "submitted", "approved", "rejected", "withdrawn", "paid",
    }  # fmt: skip
    assert SubsidyItem.objects.filter(holds=True).values("patent").distinct().count() == (
        SubsidyItem.objects.filter(holds=True).count()
    )
    assert Population.objects.get(region_id="330600", year=2019).population == 5_035_000
    assert Population.objects.get(region_id="330602", year=2019).population == 900_000
    assert Population.objects.count() == 21

    messages: list[str] = []
    again = demo.seed(today=TODAY, log=messages.append)
    assert again.skipped is True and messages == ["专利演示数据已存在，跳过"]
    assert Patent.objects.count() == result.created["patents"]
