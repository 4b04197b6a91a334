"""Shared builders for the voucher tests: a program, a verified provider with an offering, a quota."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kechuang.vouchers import services
from kechuang.vouchers.enums import CopayMode, ServiceCategory

from ..factories import region

# 玉环-like terms (rules.md §6): 单次申领 2万元, 年度累计 10万元, under 1万元 fully paid, 50 % above.
TERMS = {
    "name": "2026年绍兴市科技创新券",
    "year": 2026,
    "budget": Decimal("1000000"),
    "eligible_kinds": ["enterprise"],
    "categories": [ServiceCategory.TESTING, ServiceCategory.INSTRUMENT, ServiceCategory.DESIGN],
    "quota_per_application": Decimal("20000"),
    "annual_cap": Decimal("100000"),
    "copay_mode": CopayMode.WHOLE_FEE,
    "copay_tiers": [["0", "1"], ["10000", "0.5"]],
    "auto_approve": True,
}


def today() -> date:
    return timezone.localdate()


def make_program(by, *, region_code="330600", open_=True, partners=(), **terms):
    values = {
        **TERMS,
        "starts_on": today() - timedelta(days=30),
        "ends_on": today() + timedelta(days=300),
        **terms,
    }
    program = services.program_create(
        region=region(region_code), values=values, partner_regions=[region(c) for c in partners], by=by
    )
    if open_:
        program = services.program_open(program=program, by=by)
    return program


def make_provider(
    provider_user, bureau_user, *, price="8000", category=ServiceCategory.TESTING, region_code=None
):
    """The provider user's organization registered, verified, with one offering; returns the offering."""
    organization = provider_user.organization
    profile = services.provider_register(
        organization=organization,
        values={"categories": [category], "description": "检测服务"},
        by=provider_user,
    )
    services.provider_decide(profile=profile, action="verify", by=bureau_user)
    values = {"category": category, "name": "材料成分检测", "price": price, "unit": "样"}
    if region_code:
        values["region"] = region(region_code)
    return services.offering_create(provider=organization, values=values, by=provider_user)


def make_quota(program, enterprise_user, amount="20000"):
    return services.quota_apply(
        program=program,
        organization=enterprise_user.organization,
        requested=amount,
        purpose="检测",
        by=enterprise_user,
    )
