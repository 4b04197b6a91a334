"""Builders shared by the contract registration tests."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kechuang.market.contract_rules import CostItem, CostKind
from kechuang.market.contracts import ContractData, Party, contract_register, contract_submit
from kechuang.market.enums import ListingKind, ListingState
from kechuang.market.models import ContractRegistration, Listing

from ..factories import region

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_listing(organization, *, kind=ListingKind.ACHIEVEMENT, **extra) -> Listing:
    """A published listing of `organization`."""
    values = {
        "title": "高强度纤维低温染色技术",
        "description": "一种在低温下完成高强纤维染色的工艺。",
        "tech_field": "new_materials",
        "cooperation": "transfer",
        "expires_on": timezone.localdate() + timedelta(days=90),
        "contact_name": "李老师",
        "contact_phone": "0575-88000000",
        "published_at": timezone.now(),
        **extra,
    }
    return Listing.objects.create(
        kind=kind,
        organization=organization,
        region=organization.region,
        state=ListingState.PUBLISHED,
        **values,
    )


def pdf(name: str = "合同.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def example_items() -> list[CostItem]:
    """rules.md §5.3 constructed example: 120万 equipment, 30万 raw materials, 2 prototype sets at 20万."""
    return [
        CostItem(CostKind.EQUIPMENT, Decimal("1200000")),
        CostItem(CostKind.MATERIAL, Decimal("300000")),
        CostItem(CostKind.CARRIER_SET, Decimal("200000"), quantity=2, note="样机"),
    ]


def data(
    *,
    seller=None,
    buyer=None,
    seller_name="",
    seller_region=None,
    buyer_name="",
    buyer_region=None,
    contract_type="development",
    sub_type="commissioned_development",
    tech_field="new_materials",
    contract_amount="5000000",
    items=None,
    non_technical_amount=None,
    signed_on=None,
    with_file=True,
    **extra,
) -> ContractData:
    return ContractData(
        title=extra.pop("title", "高强纤维低温染色工艺技术开发合同"),
        contract_type=contract_type,
        sub_type=sub_type,
        seller=Party(
            organization=seller, name=seller_name, region=region(seller_region) if seller_region else None
        ),
        buyer=Party(
            organization=buyer, name=buyer_name, region=region(buyer_region) if buyer_region else None
        ),
        tech_field=tech_field,
        contract_amount=contract_amount,
        signed_on=signed_on or timezone.localdate() - timedelta(days=10),
        non_technical_items=items if items is not None else [],
        non_technical_amount=non_technical_amount,
        contract_file=pdf() if with_file else None,
        **extra,
    )


def submitted(world, *, by="ent_a", **kwargs) -> ContractRegistration:
    kwargs.setdefault("seller", world["org_a"])
    kwargs.setdefault("buyer", world["org_b"])
    return contract_submit(data=data(**kwargs), by=world[by] if isinstance(by, str) else by)


def registered(
    world, *, registrar="staff", on: date | None = None, by="ent_a", **kwargs
) -> ContractRegistration:
    """A registered contract; `on` moves its 登记日期 (the number keeps today's year)."""
    contract = contract_register(contract=submitted(world, by=by, **kwargs), by=world[registrar])
    if on is not None:
        ContractRegistration.objects.filter(pk=contract.pk).update(registered_on=on)
        contract.refresh_from_db()
    return contract
