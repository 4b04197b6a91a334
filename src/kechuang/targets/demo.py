"""Demo of 目标责任制考核: targets of 2019 and 2020 for 绍兴市 and its six counties (2020's city targets are those
the bureau set, demo-calibration.md), reported actuals of 2019 and the published 2019 assessment of the counties.

Written through the services as the city's bureau administrator (sx_admin); a second run adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

CITY = "330600"
COUNTIES = {  # share of the city's count targets
    "330602": Decimal("0.15"),
    "330603": Decimal("0.22"),
    "330604": Decimal("0.18"),
    "330624": Decimal("0.12"),
    "330681": Decimal("0.20"),
    "330683": Decimal("0.13"),
}
# code: (city 2019 target, stretch or None, split among counties? else same target for every county)
TARGETS_2019 = {
    "rd_gdp": (Decimal("2.6"), None, False),
    "rd_revenue_ratio": (Decimal("1.6"), None, False),
    "hitech_output_share": (Decimal("28"), None, False),
    "new_product_share": (Decimal("30"), None, False),
    "new_hnte": (Decimal("350"), None, True),
    "new_tsme": (Decimal("1000"), None, True),
    "new_rd_center": (Decimal("40"), None, True),
    "award_provincial": (Decimal("6"), Decimal("12"), True),
    "award_city": (Decimal("30"), None, True),
    "provincial_projects": (Decimal("500"), None, True),
    "provincial_projects_major": (Decimal("50"), None, True),
    "higher_funds": (Decimal("3600"), None, True),
    "patent_applications": (Decimal("14000"), None, True),
    "invention_share": (Decimal("10"), None, False),
    "patent_grants": (Decimal("9600"), None, True),
    "events_held": (Decimal("30"), None, True),
    "intents_reached": (Decimal("120"), None, True),
    "transaction_amount": (Decimal("45"), None, True),
    "incubatees": (Decimal("270"), None, True),
    "vouchers_issued": (Decimal("4000"), None, True),
}
# demo-calibration.md: the targets the bureau set for 2020 (the city's).
CITY_2020 = {
    "rd_gdp": (Decimal("2.8"), "about"),
    "hitech_investment_growth": (Decimal("10"), "gte"),
    "hitech_value_added_share": (Decimal("46"), "gte"),
    "new_hnte": (Decimal("300"), "gte"),
    "new_tsme": (Decimal("1000"), "gte"),
    "transaction_amount": (Decimal("45"), "gte"),
}
WEIGHTS_2019 = {
    "new_hnte": 20,
    "new_tsme": 15,
    "patent_applications": 15,
    "invention_share": 10,
    "transaction_amount": 10,
    "events_held": 10,
    "rd_gdp": 10,
    "award_provincial": 10,
}
ASSESSMENT_NAME = "2019年度各区、县（市）科技工作目标责任制考核"


def _split(value: Decimal, share: Decimal) -> Decimal:
    places = Decimal("1") if value == value.to_integral() else Decimal("0.1")
    return max((value * share).quantize(places, ROUND_HALF_UP), places)


def seed(*, seed: int = 2019, log: Callable[[str], None] = print, **kwargs) -> bool:
    """Write the demo once; returns False when it was there already (or the demo users are missing)."""
    from django.contrib.auth import get_user_model

    from . import services
    from .enums import Source
    from .models import Assessment, Indicator

    if Assessment.objects.filter(region_id=CITY, year=2019).exists():
        log("targets: demo already there")
        return False
    admin = get_user_model().objects.filter(username="sx_admin").first()
    if admin is None:
        log("targets: user sx_admin missing, run the demo generator first")
        return False
    rng = random.Random(seed)
    indicators = {i.code: i for i in Indicator.objects.all()}
    cells = []
    for code, (value, stretch, split) in TARGETS_2019.items():
        cells.append(
            {"region": CITY, "indicator": indicators[code], "value": value, "stretch_value": stretch}
        )
        for county, share in COUNTIES.items():
            cells.append(
                {
                    "region": county,
                    "indicator": indicators[code],
                    "value": _split(value, share) if split else value,
                    "stretch_value": _split(stretch, share) if stretch and split else stretch,
                }
            )
    services.target_set(year=2019, cells=cells, by=admin)
    cells = []
    for code, (value, comparator) in CITY_2020.items():
        cells.append(
            {"region": CITY, "indicator": indicators[code], "value": value, "comparator": comparator}
        )
    for code, (value, _stretch, split) in TARGETS_2019.items():
        if code in CITY_2020:
            value = CITY_2020[code][0]
        for county, share in COUNTIES.items():
            cells.append(
                {
                    "region": county,
                    "indicator": indicators[code],
                    "value": _split(value, share) if split else value,
                }
            )
    services.target_set(year=2020, cells=cells, by=admin)
    reported = 0
    for code, (value, _stretch, split) in TARGETS_2019.items():
        indicator = indicators[code]
        if indicator.source != Source.REPORTED:
            continue
        for region, share in [(CITY, Decimal(1)), *COUNTIES.items()]:
            target = _split(value, share) if split else value
            factor = Decimal(rng.randint(85, 125)) / 100
            services.actual_report(
                indicator=indicator,
                region_code=region,
                year=2019,
                value=(target * factor).quantize(Decimal("0.01"), ROUND_HALF_UP),
                source_note="统计部门 2019 年统计公报"
                if code in ("rd_gdp", "hitech_output_share")
                else "地区填报",
                by=admin,
            )
            reported += 1
    assessment = services.assessment_create(
        region_code=CITY,
        year=2019,
        name=ASSESSMENT_NAME,
        weights={indicators[code]: weight for code, weight in WEIGHTS_2019.items()},
        by=admin,
    )
    assessment = services.assessment_compute(assessment=assessment, by=admin)
    services.assessment_publish(assessment=assessment, by=admin)
    log(
        f"targets: {len(TARGETS_2019) * 7 + len(CITY_2020)}+ targets, {reported} reported actuals, 1 assessment"
    )
    return True
