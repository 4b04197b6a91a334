"""targets/progress.py and the assessment's scoring: met and unmet, a share indicator, a stretch pair; scores at
the boundaries (exactly at target, above it capped, lower-is-better, missing actual) and ranks with ties."""

from decimal import Decimal

import pytest

from kechuang.core.errors import DomainError
from kechuang.targets import services
from kechuang.targets.computations import COMPUTATIONS, Computation
from kechuang.targets.models import Indicator
from kechuang.targets.progress import progress

pytestmark = pytest.mark.django_db
D = Decimal


def ind(code):
    return Indicator.objects.get(code=code)


def fake(monkeypatch, key, value):
    monkeypatch.setitem(COMPUTATIONS, key, Computation(key, key, "", lambda region, year: (D(value), None)))


def test_progress_met_unmet_share_and_stretch(world, monkeypatch):
    admin = world["admin"]
    fake(monkeypatch, "patent_applications", 40)
    fake(monkeypatch, "invention_applications", 5)
    services.target_set(
        year=2019,
        by=admin,
        cells=[
            {"region": "330603", "indicator": ind("award_provincial"), "value": 1, "stretch_value": 2},
            {"region": "330603", "indicator": ind("award_city"), "value": 5},
            {"region": "330603", "indicator": ind("patent_applications"), "value": 40},
            {"region": "330603", "indicator": ind("invention_share"), "value": 10},
            {"region": "330603", "indicator": ind("rd_gdp"), "value": "2.3"},
        ],
    )
    services.actual_report(
        indicator=ind("award_provincial"), region_code="330603", year=2019, value=1, by=admin
    )
    services.actual_report(indicator=ind("award_city"), region_code="330603", year=2019, value=4, by=admin)

    lines = {line.indicator.code: line for line in progress("330603", 2019)}

    award = lines["award_provincial"]
    assert (award.target, award.stretch, award.actual, award.met, award.stretch_met) == (
        D(1),
        D(2),
        D(1),
        True,
        False,
    )
    assert award.ratio == D("1.0000") and award.records is None
    city = lines["award_city"]
    assert (city.actual, city.ratio, city.met) == (D(4), D("0.8000"), False)
    share = lines["invention_share"]  # 5 of 40 applications = 12.5 %, target 10 %
    assert (share.actual, share.met, share.ratio) == (D("12.5000"), True, D("1.2500"))
    assert lines["patent_applications"].met is True  # exactly at the target
    assert lines["rd_gdp"].actual is None and lines["rd_gdp"].met is None and lines["rd_gdp"].ratio is None
    assert progress("330681", 2019) == []


def test_target_set_refuses_a_stretch_below_the_target(world):
    with pytest.raises(DomainError):
        services.target_set(
            year=2019,
            by=world["admin"],
            cells=[{"region": "330603", "indicator": ind("award_city"), "value": 5, "stretch_value": 4}],
        )


def test_score_boundaries():
    assert services.score_of(D(20), D(5), D(5), True) == D("20.00")  # exactly at target
    assert services.score_of(D(20), D(9), D(5), True) == D("20.00")  # above: capped
    assert services.score_of(D(20), D(4), D(5), True) == D("16.00")
    assert services.score_of(D(20), None, D(5), True) == D("0.00")  # missing actual
    assert services.score_of(D(20), D(3), None, True) == D("0.00")  # missing target
    assert services.score_of(D(10), D(4), D(2), False) == D("5.00")  # lower is better: 2 / 4
    assert services.score_of(D(10), D(1), D(2), False) == D("10.00")
    assert services.score_of(D(10), D(1), D(3), True) == D("3.33")


def test_rank_ties_share_a_rank():
    ranks = services.rank({"a": D("90"), "b": D("95"), "c": D("90"), "d": D("80")})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_assessment_weights_must_sum_to_100(world):
    with pytest.raises(DomainError, match="100"):
        services.assessment_create(
            region_code="330600",
            year=2019,
            name="考核",
            weights={ind("award_city"): 60, ind("award_provincial"): 39},
            by=world["admin"],
        )


def test_assessment_compute_scores_ranks_and_publish(world):
    admin = world["admin"]
    lower = services.indicator_create(
        code="energy_use",
        name="单位能耗",
        unit="吨",
        measure="ratio",
        source="reported",
        higher_is_better=False,
        by=admin,
    )
    city, prov = ind("award_city"), ind("award_provincial")
    cells, actuals = (
        [],
        {
            # county: (award_city actual, award_provincial actual, energy actual); targets 10, 2, 4
            "330602": (10, 2, 4),  # all exactly at target: 100
            "330603": (20, 3, 2),  # above, capped: 100
            "330604": (5, 1, 8),  # 30 + 15 + 5 = 50
            "330624": (None, 2, None),  # 30
        },
    )
    for county in ("330602", "330603", "330604", "330624", "330681", "330683"):
        cells += [
            {"region": county, "indicator": city, "value": 10},
            {"region": county, "indicator": prov, "value": 2},
            {"region": county, "indicator": lower, "value": 4},
        ]
    services.target_set(year=2019, cells=cells, by=admin)
    for county, values in actuals.items():
        for indicator, value in zip((city, prov, lower), values, strict=True):
            if value is not None:
                services.actual_report(
                    indicator=indicator, region_code=county, year=2019, value=value, by=admin
                )
    assessment = services.assessment_create(
        region_code="330600", year=2019, name="2019考核", weights={city: 60, prov: 30, lower: 10}, by=admin
    )
    assessment = services.assessment_compute(assessment=assessment, by=admin)
    results = {r.region_id: (r.score, r.rank) for r in assessment.results.all()}
    assert results == {
        "330602": (D("100.00"), 1),
        "330603": (D("100.00"), 1),
        "330604": (D("50.00"), 3),
        "330624": (D("30.00"), 4),
        "330681": (D("0.00"), 5),
        "330683": (D("0.00"), 5),
    }
    detail = assessment.results.get(region_id="330604").detail
    assert [(d["indicator"], d["actual"], d["target"], d["score"]) for d in detail] == [
        ("energy_use", "8.0000", "4.0000", "5.00"),  # position 0: first
        ("award_provincial", "1.0000", "2.0000", "15.00"),
        ("award_city", "5.0000", "10.0000", "30.00"),
    ]
    published = services.assessment_publish(assessment=assessment, by=admin)
    assert published.state == "published" and published.published_at is not None
    with pytest.raises(DomainError):
        services.assessment_compute(assessment=published, by=admin)
