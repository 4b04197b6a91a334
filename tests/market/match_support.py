"""Helpers of the matching tests: listings created as they stand in the database (the listing workflow has
its own tests)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kechuang.market.enums import ListingKind, ListingState
from kechuang.market.models import Listing


def make_listing(
    organization, kind=ListingKind.ACHIEVEMENT, *, state=ListingState.PUBLISHED, **extra
) -> Listing:
    today = timezone.localdate()
    values = {
        "kind": kind,
        "organization": organization,
        "region_id": organization.region_id,
        "title": "测试成果",
        "description": "测试内容",
        "tech_field": "resources_environment",
        "cooperation": "license" if kind == ListingKind.ACHIEVEMENT else "transfer",
        "expires_on": today + timedelta(days=90),
        "contact_name": "张工",
        "contact_phone": "13800000000",
        "state": state,
        "published_at": timezone.now() if state == ListingState.PUBLISHED else None,
        "content_changed_at": timezone.now(),
    }
    if kind == ListingKind.ACHIEVEMENT:
        values.update({"maturity": 7, "price": Decimal("500000")})
    else:
        values.update({"budget_min": Decimal("100000"), "budget_max": Decimal("800000")})
    values.update(extra)
    return Listing.objects.create(**values)


DYEING_DEMAND = {
    "title": "印染废水COD深度处理",
    "description": "我们是印染企业，印染废水生化出水COD偏高，寻求印染废水深度处理技术，稳定达标排放。",
    "keywords": "印染废水 COD",
}
DYEING_ACHIEVEMENT = {
    "title": "印染废水臭氧催化氧化深度处理技术",
    "description": "针对印染废水生化出水，采用臭氧催化氧化深度处理，COD稳定低于50mg/L，已在多家印染企业应用。",
    "keywords": "印染废水 臭氧催化氧化",
}
BATTERY_ACHIEVEMENT = {
    "title": "固态锂电池电解质材料",
    "description": "硫化物固态电解质的制备方法，离子电导率高，用于动力电池。",
    "keywords": "固态电池",
    "tech_field": "new_energy",
}


def fill_market(organization, n: int = 60) -> None:
    """`n` published achievements of other subjects (the evaluation set's composed distractors), so that word
    weights are those of a market rather than of three listings."""
    from kechuang.market.match_eval import load

    _, achievements = load()
    fillers = [a for a in achievements if not a.topic][:n]
    for a in fillers:
        make_listing(
            organization, title=a.title, description=a.text, tech_field=a.tech_field, maturity=a.maturity
        )
