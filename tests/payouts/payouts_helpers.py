"""Records the payout tests build: a published policy, items through the services, and the source records
(qualifications, patents, carriers, contracts) other modules own."""

from datetime import date
from decimal import Decimal
from itertools import count

from django.utils import timezone

from kechuang.carriers.models import Carrier
from kechuang.market.models import ContractRegistration
from kechuang.organizations.models import Qualification
from kechuang.patents.models import Patent
from kechuang.payouts import services
from kechuang.portal.models import Policy

_serial = count(1)
BASIS_FROM, BASIS_UNTIL = date(2025, 1, 1), date(2025, 12, 31)


def make_policy(region_code="330600", state="published") -> Policy:
    return Policy.objects.create(
        region_id=region_code,
        title=f"关于加快科技创新的若干政策{next(_serial)}",
        summary="要点",
        state=state,
        published_at=timezone.now() if state == "published" else None,
    )


def make_item(by, *, region_code="330600", trigger="qualification", parameters=None, open_=True, **values):
    today = timezone.localdate()
    terms = {
        "name": values.pop("name", f"兑现事项{next(_serial)}"),
        "year": 2025,
        "trigger": trigger,
        "parameters": parameters if parameters is not None else {"qualification_kind": "hnte"},
        "basis_from": BASIS_FROM,
        "basis_until": BASIS_UNTIL,
        "amount": Decimal("200000"),
        "applies_from": today.replace(month=1, day=1),
        "applies_until": today.replace(month=12, day=31),
        **values,
    }
    policy = make_policy(region_code)
    from kechuang.regions.models import Region

    item = services.item_create(policy=policy, region=Region.objects.get(pk=region_code), values=terms, by=by)
    if open_:
        item = services.item_open(item=item, by=by)
    return item


def qualification(
    org, *, kind="hnte", level="national", valid_from=date(2025, 6, 1), **extra
) -> Qualification:
    return Qualification.objects.create(
        organization=org,
        kind=kind,
        level=level,
        certificate_no=f"GR{next(_serial):08d}",
        valid_from=valid_from,
        valid_until=valid_from.replace(year=valid_from.year + 3),
        **extra,
    )


def patent(org, *, kind="invention", granted_on=date(2025, 6, 1), status="granted") -> Patent:
    n = next(_serial)
    return Patent.objects.create(
        application_no=f"20251{n:07d}.X",
        kind=kind,
        title=f"一种测试装置{n}",
        organization=org,
        filed_on=date(2024, 3, 1),
        granted_on=granted_on,
        status=status,
    )


def carrier(
    org, *, kind="maker_space", level="provincial", recognized_on=date(2025, 6, 1), **extra
) -> Carrier:
    return Carrier.objects.create(
        kind=kind,
        level=level,
        name=f"测试空间{next(_serial)}",
        operator=org,
        region=org.region,
        recognized_on=recognized_on,
        **extra,
    )


def contract(seller, buyer=None, *, amount="1000000", registered_on=date(2025, 6, 1), state="registered"):
    n = next(_serial)
    return ContractRegistration.objects.create(
        registration_no=f"3306002025{n:06d}",
        title=f"测试技术开发合同{n}",
        contract_type="development",
        sub_type="commissioned_development",
        seller=seller,
        seller_name=seller.name,
        seller_region=seller.region,
        buyer=buyer,
        buyer_name=buyer.name if buyer else "某公司",
        buyer_region=buyer.region if buyer else None,
        tech_field="electronic_information",
        contract_amount=Decimal(amount),
        transaction_amount=Decimal(amount),
        signed_on=registered_on,
        state=state,
        registered_on=registered_on,
    )
