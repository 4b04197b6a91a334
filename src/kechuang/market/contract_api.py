"""API of contract registration (技术合同登记), mounted at /api/market: the same selectors, filter set and
services as the pages. Amounts are Decimal yuan, serialised as strings with two decimals."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import filtered
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require
from kechuang.organizations.enums import VerificationStatus
from kechuang.organizations.models import Organization
from kechuang.regions.models import Region

from . import contract_rules as rules
from .contract_filters import ContractFilter
from .contracts import (
    ContractData,
    Party,
    contract_actions,
    contract_attach_file,
    contract_cost_detail,
    contract_get_visible,
    contract_sources,
    contract_statistics,
    contract_submit,
    contract_timeline,
    contract_transition,
    contract_update,
    contracts_listed,
    organization_by_credit_code,
)
from .permissions import can_submit_contract

router = Router(tags=["market"])


class ContractOut(Schema):
    id: int
    registration_no: str | None
    title: str
    contract_type: str
    sub_type: str
    seller_id: int | None
    seller_name: str
    seller_region: str = Field(alias="seller_region_id")
    buyer_id: int | None
    buyer_name: str
    buyer_region: str | None = Field(alias="buyer_region_id")
    tech_field: str
    contract_amount: Decimal
    non_technical_amount: Decimal
    transaction_amount: Decimal
    signed_on: date
    valid_from: date | None
    valid_until: date | None
    listing_id: int | None
    thread_id: int | None
    meeting_id: int | None
    has_file: bool
    state: str
    state_since: datetime
    registered_on: date | None
    registrar_id: int | None
    return_reason: str
    version: int

    @staticmethod
    def resolve_has_file(obj):
        return bool(obj.contract_file)


class TimelineOut(Schema):
    at: datetime
    actor: str = Field(alias="actor_name")
    from_state: str
    to_state: str
    reason: str


class ContractDetailOut(ContractOut):
    cost_detail: str
    actions: list[str]
    timeline: list[TimelineOut]


class ContractFilters(Schema):
    q: str | None = None
    state: str | None = None
    contract_type: str | None = None
    sub_type: str | None = None
    tech_field: str | None = None
    seller_region: str | None = None
    buyer_region: str | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    signed_from: date | None = None
    signed_to: date | None = None


class PartyIn(Schema):
    organization_id: int | None = Field(None, description="a registered organization, or…")
    credit_code: str | None = Field(None, description="…its 统一社会信用代码, or…")
    name: str = Field("", description="…a name with (for the seller, required) a region code")
    region: str | None = None


class CostItemIn(Schema):
    kind: rules.CostKind
    amount: Decimal
    quantity: int | None = Field(None, description="sets, for carrier_set (2 or fewer are not deducted)")
    note: str = ""


class ContractIn(Schema):
    title: str
    contract_type: str
    sub_type: str
    seller: PartyIn
    buyer: PartyIn
    tech_field: str
    contract_amount: Decimal
    non_technical_items: list[CostItemIn] = Field(
        [], description="itemised costs; or give non_technical_amount as one figure"
    )
    non_technical_amount: Decimal | None = None
    non_technical_note: str = ""
    signed_on: date
    valid_from: date | None = None
    valid_until: date | None = None
    listing_id: int | None = None
    thread_id: int | None = None
    meeting_id: int | None = None


class ContractUpdateIn(ContractIn):
    version: int | None = None


class TransitionIn(Schema):
    action: str = Field(description="register, return, reject or resubmit")
    reason: str = ""
    version: int | None = None


class VersionIn(Schema):
    version: int | None = None


class StatisticsQuery(Schema):
    date_from: date | None = None
    date_to: date | None = None
    group_by: str = "region_out"
    direction: str | None = None
    contract_type: str | None = None
    sub_type: str | None = None
    tech_field: str | None = None
    region: str | None = None


class StatisticsRowOut(Schema):
    key: str
    label: str
    count: int
    contract_amount: Decimal
    transaction_amount: Decimal


class StatisticsOut(Schema):
    group_by: str
    direction: str
    date_from: date | None
    date_to: date | None
    region: str | None
    rows: list[StatisticsRowOut]
    total: StatisticsRowOut

    @staticmethod
    def resolve_region(obj):
        return obj.region.code if obj.region else None


def _party(payload: PartyIn, *, field: str) -> Party:
    if payload.organization_id is not None:
        organization = (
            Organization.objects.select_related("region")
            .exclude(status=VerificationStatus.REJECTED)
            .filter(pk=payload.organization_id)
            .first()
        )
        if organization is None:
            raise DomainError(_("单位不存在。"), field=field)
        return Party(organization=organization)
    if payload.credit_code:
        organization = organization_by_credit_code(payload.credit_code)
        if organization is None:
            raise DomainError(_("本平台未找到该统一社会信用代码的单位。"), field=field)
        return Party(organization=organization)
    region = None
    if payload.region:
        region = Region.objects.filter(pk=payload.region).first()
        if region is None:
            raise DomainError(_("区划不存在。"), field=f"{field}_region")
    return Party(name=payload.name, region=region)


def _source(queryset, pk: int | None, *, field: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise DomainError(_("来源记录不存在或您无权引用。"), field=field)
    return found


def _data(request, payload: ContractIn) -> ContractData:
    listings, threads, meetings = contract_sources(user=request.user)
    return ContractData(
        title=payload.title,
        contract_type=payload.contract_type,
        sub_type=payload.sub_type,
        seller=_party(payload.seller, field="seller"),
        buyer=_party(payload.buyer, field="buyer"),
        tech_field=payload.tech_field,
        contract_amount=payload.contract_amount,
        signed_on=payload.signed_on,
        non_technical_items=[
            rules.CostItem(kind=i.kind, amount=i.amount, quantity=i.quantity, note=i.note)
            for i in payload.non_technical_items
        ],
        non_technical_amount=payload.non_technical_amount,
        non_technical_note=payload.non_technical_note,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        listing=_source(listings, payload.listing_id, field="listing_id"),
        thread=_source(threads, payload.thread_id, field="thread_id"),
        meeting=_source(meetings, payload.meeting_id, field="meeting_id"),
    )


def _contract(request, pk: int):
    contract = contract_get_visible(user=request.user, pk=pk)
    if contract is None:
        raise Http404
    return contract


def _detail(request, pk: int) -> dict:
    contract = _contract(request, pk)
    contract.cost_detail = contract_cost_detail(contract)
    contract.actions = contract_actions(contract, request.user)
    contract.timeline = contract_timeline(contract)
    return contract


@router.get("/contracts", response=list[ContractOut], summary="技术合同列表")
@paginate(PageNumberPagination, page_size=50)
def contract_list_api(request, filters: Query[ContractFilters]):
    """Contracts the caller may see: their organization's, or for the bureau those sold from (输出) or bought
    into (吸纳) their region; the same filters as the page."""
    return filtered(ContractFilter, filters, contracts_listed(user=request.user), request)


@router.post("/contracts", response={201: ContractDetailOut}, summary="申请技术合同登记")
def contract_submit_api(request, payload: ContractIn):
    """Submit a contract for registration. Upload its text with POST /contracts/{id}/file before it can be
    registered."""
    require(can_submit_contract(request.user))
    contract = contract_submit(data=_data(request, payload), by=request.user)
    return Status(201, _detail(request, contract.pk))


@router.get("/contracts/statistics", response=StatisticsOut, summary="技术合同登记统计")
def contract_statistics_api(request, query: Query[StatisticsQuery]):
    """Registered contracts counted with both amounts, by region_out (输出), region_in (吸纳), type, sub_type,
    field or month, within the caller's region."""
    return contract_statistics(user=request.user, **query.dict())


@router.get("/contracts/{pk}", response=ContractDetailOut, summary="技术合同详情")
def contract_detail_api(request, pk: int):
    return _detail(request, pk)


@router.put("/contracts/{pk}", response=ContractDetailOut, summary="修改技术合同")
def contract_update_api(request, pk: int, payload: ContractUpdateIn):
    """Correct a contract not yet decided (待认定 or 已退回); send `version` to be told of a concurrent change."""
    contract = _contract(request, pk)
    contract_update(
        contract=contract, data=_data(request, payload), by=request.user, expected_version=payload.version
    )
    return _detail(request, pk)


@router.post(
    "/contracts/{pk}/transitions", response=ContractDetailOut, summary="登记、退回、不予登记或重新提交"
)
def contract_transition_api(request, pk: int, payload: TransitionIn):
    contract = _contract(request, pk)
    contract_transition(
        contract=contract,
        action=payload.action,
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(request, pk)


@router.post("/contracts/{pk}/file", response=ContractDetailOut, summary="上传合同文本")
def contract_file_api(request, pk: int, file: File[UploadedFile], form: Form[VersionIn]):
    """The contract's text, PDF or scan (PNG, JPG), multipart; replaces the one uploaded before."""
    contract = _contract(request, pk)
    contract_attach_file(contract=contract, upload=file, by=request.user, expected_version=form.version)
    return _detail(request, pk)
