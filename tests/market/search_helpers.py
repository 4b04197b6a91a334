"""Listings for the search tests, written straight to the database (the listing services are tested elsewhere)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kechuang.market import search as search_module
from kechuang.market.models import Listing

from ..factories import OrganizationFactory, region

_counter = {"n": 0}


def make_listing(
    title: str,
    description: str = "",
    *,
    organization=None,
    kind: str = "achievement",
    state: str = "published",
    tech_field: str = "resources_environment",
    region_code: str = "330603L01",
    cooperation: str = "transfer",
    maturity: int | None = None,
    price=None,
    budget_min=None,
    budget_max=None,
    keywords: str = "",
    published_days_ago: float = 0,
    expires_in_days: int = 90,
) -> Listing:
    _counter["n"] += 1
    now = timezone.now()
    organization = organization or OrganizationFactory(region=region(region_code))
    return Listing.objects.create(
        kind=kind,
        organization=organization,
        region=region(region_code),
        title=title,
        description=description or f"{title}。",
        tech_field=tech_field,
        keywords=keywords,
        cooperation=cooperation,
        maturity=maturity,
        price=None if price is None else Decimal(price),
        budget_min=None if budget_min is None else Decimal(budget_min),
        budget_max=None if budget_max is None else Decimal(budget_max),
        expires_on=timezone.localdate() + timedelta(days=expires_in_days),
        contact_name="张三",
        contact_phone="13800000000",
        state=state,
        published_at=now - timedelta(days=published_days_ago, seconds=_counter["n"])
        if state == "published"
        else None,
        content_changed_at=now,
    )


def found(**kwargs) -> list[str]:
    """The titles a search returns, in rank order."""
    return [hit.listing.title for hit in search_module.search(**kwargs).hits]
