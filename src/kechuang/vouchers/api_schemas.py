"""Schemas of the voucher API. Amounts are Decimal yuan, written as strings in JSON ("12000.00"); an amount sent
in is read as text and checked by the services (amounts.yuan), so a bad one is refused with a Chinese message
(400) rather than a schema error."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator

from .enums import CopayMode, OfferingKind


def _as_text(value):
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


Money = Annotated[
    str, BeforeValidator(_as_text), Field(description='金额（元），如 "12000.00"', examples=["12000.00"])
]


# --- shared


class OrganizationRef(Schema):
    id: int
    name: str


class TransitionOut(Schema):
    at: datetime
    actor: str
    from_state: str
    to_state: str
    reason: str

    @staticmethod
    def resolve_actor(obj):
        return str(obj.actor) if obj.actor_id and obj.actor else obj.actor_name


class VersionIn(Schema):
    version: int | None = Field(None, description="读取时的版本；已被他人修改时返回 409")


class ReasonIn(VersionIn):
    reason: str = ""


# --- programs


class LedgerFiguresOut(Schema):
    budget: Decimal
    issued: Decimal
    expired: Decimal
    committed: Decimal
    redeemed: Decimal
    settled: Decimal
    paid: Decimal
    remaining: Decimal = Field(description="预算中尚未发放的部分（到期收回的额度回到预算）")
    outstanding: Decimal = Field(description="已发放、尚未使用或到期的额度")


class ProgramOut(Schema):
    id: int
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    name: str
    year: int
    starts_on: date
    ends_on: date
    state: str
    state_label: str
    description: str
    budget: Decimal
    eligible_kinds: list[str]
    eligible_sizes: list[str]
    required_qualifications: list[str]
    categories: list[str]
    quota_per_application: Decimal
    annual_cap: Decimal
    copay_mode: str
    copay_tiers: list[list[str]] = Field(description="[[起点（元）, 创新券支付比例], …]")
    auto_approve: bool
    partner_region_codes: list[str]
    version: int

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_copay_tiers(obj):
        return [[str(start), str(ratio)] for start, ratio in obj.copay_tiers]

    @staticmethod
    def resolve_partner_region_codes(obj):
        return sorted(region.pk for region in obj.partner_regions.all())


class ProgramDetailOut(ProgramOut):
    tiers_text: str = Field(description="创新券支付比例，一句话")
    books: LedgerFiguresOut | None = Field(None, description="台账数字，仅发放地区科技局可见")
    actions: list[str] = Field(description="调用者现在可执行的操作")

    @staticmethod
    def resolve_tiers_text(obj):
        return obj.api_tiers_text

    @staticmethod
    def resolve_books(obj):
        return obj.api_books

    @staticmethod
    def resolve_actions(obj):
        return obj.api_actions


class ProgramFilters(Schema):
    state: str | None = None
    year: int | None = None
    region: str | None = None


class ProgramIn(Schema):
    region_code: str | None = Field(None, description="发放地区；默认调用者所在地区")
    name: str
    year: int
    starts_on: date
    ends_on: date
    description: str = ""
    budget: Money
    eligible_kinds: list[str] = []
    eligible_sizes: list[str] = []
    required_qualifications: list[str] = []
    categories: list[str]
    quota_per_application: Money
    annual_cap: Money
    copay_mode: CopayMode = CopayMode.WHOLE_FEE
    copay_tiers: list[list[Money]] = Field(description='[["0", "1"], ["10000", "0.5"]]')
    auto_approve: bool = True
    partner_region_codes: list[str] = []


class ProgramPatch(Schema):
    """The fields to change (the others are kept), and the version they were read at."""

    version: int
    name: str | None = None
    year: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    description: str | None = None
    budget: Money | None = None
    eligible_kinds: list[str] | None = None
    eligible_sizes: list[str] | None = None
    required_qualifications: list[str] | None = None
    categories: list[str] | None = None
    quota_per_application: Money | None = None
    annual_cap: Money | None = None
    copay_mode: CopayMode | None = None
    copay_tiers: list[list[Money]] | None = None
    auto_approve: bool | None = None
    partner_region_codes: list[str] | None = None


class SplitOut(Schema):
    fee: Decimal
    voucher: Decimal = Field(description="创新券支付")
    enterprise: Decimal = Field(description="企业自付")
    explanation: str


class ReconcileOut(Schema):
    balanced: bool
    problems: list[str] = Field(description="台账合计与计划、额度记录不一致之处（为空即平衡）")


# --- providers and offerings


class ProviderOut(Schema):
    id: int
    organization: OrganizationRef
    region_code: str = Field(alias="organization.region_id")
    region_name: str = Field(alias="organization.region.name")
    state: str
    state_label: str
    categories: list[str]
    description: str
    contact_name: str
    contact_phone: str
    reason: str
    decided_at: datetime | None
    version: int

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class ProviderFilters(Schema):
    state: str | None = None
    region: str | None = None
    q: str | None = None


class ProviderIn(Schema):
    categories: list[str]
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class ProviderDecideIn(ReasonIn):
    action: str = Field(description="verify 核验通过 · reject 不予通过 · suspend 暂停（后两者须填理由）")


class OfferingOut(Schema):
    id: int
    provider: OrganizationRef
    kind: str
    category: str
    category_label: str
    name: str
    description: str
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    address: str
    price: Decimal
    unit: str
    availability: str
    booking_rules: str
    instrument_model: str
    manufacturer: str
    active: bool
    version: int

    @staticmethod
    def resolve_category_label(obj):
        return str(obj.get_category_display())


class OfferingFilters(Schema):
    category: str | None = None
    kind: str | None = None
    region: str | None = Field(None, description="区划代码，含下级区划")
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    provider: int | None = None
    q: str | None = Field(None, description="名称、内容、型号或机构名称中的关键词")


class OfferingIn(Schema):
    kind: OfferingKind = OfferingKind.SERVICE
    category: str
    name: str
    description: str = ""
    region_code: str | None = Field(None, description="所在地区；默认服务机构所在地区")
    address: str = ""
    price: Money
    unit: str = "次"
    availability: str = ""
    booking_rules: str = ""
    instrument_model: str = ""
    manufacturer: str = ""
    active: bool = True


class OfferingPatch(Schema):
    version: int
    kind: OfferingKind | None = None
    category: str | None = None
    name: str | None = None
    description: str | None = None
    region_code: str | None = None
    address: str | None = None
    price: Money | None = None
    unit: str | None = None
    availability: str | None = None
    booking_rules: str | None = None
    instrument_model: str | None = None
    manufacturer: str | None = None
    active: bool | None = None


# --- quotas


class QuotaOut(Schema):
    id: int
    program_id: int
    program_name: str = Field(alias="program.name")
    organization: OrganizationRef
    state: str
    state_label: str
    requested: Decimal
    granted: Decimal
    committed: Decimal
    redeemed: Decimal
    expired: Decimal
    available: Decimal
    purpose: str
    reason: str
    decided_at: datetime | None
    created_at: datetime
    version: int

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class QuotaDetailOut(QuotaOut):
    history: list[TransitionOut]
    actions: list[str]

    @staticmethod
    def resolve_history(obj):
        return obj.api_history

    @staticmethod
    def resolve_actions(obj):
        return obj.api_actions


class QuotaFilters(Schema):
    state: str | None = None
    program: int | None = None


class QuotaIn(Schema):
    program_id: int
    requested: Money
    purpose: str = ""


class QuotaApproveIn(VersionIn):
    amount: Money | None = Field(None, description="发放金额；默认按申领金额，在规则允许的范围内")


# --- bookings


class BookingOut(Schema):
    id: int
    state: str
    state_label: str
    quota_id: int
    program_id: int = Field(alias="quota.program_id")
    program_name: str = Field(alias="quota.program.name")
    enterprise: OrganizationRef = Field(alias="quota.organization")
    provider: OrganizationRef
    offering_id: int
    offering_name: str = Field(alias="offering.name")
    category: str
    service_date: date
    fee: Decimal
    voucher_amount: Decimal
    enterprise_amount: Decimal
    note: str
    invoice_no: str
    issuing_region_code: str = Field(alias="issuing_region_id")
    service_region_code: str = Field(alias="service_region_id")
    cross_region: bool
    batch_id: int | None
    created_at: datetime
    completed_at: datetime | None
    confirmed_at: datetime | None
    claimed_at: datetime | None
    version: int

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class BookingDetailOut(BookingOut):
    invoice_url: str | None
    report_url: str | None
    history: list[TransitionOut]
    actions: list[str] = Field(description="调用者现在可执行的操作")

    @staticmethod
    def resolve_invoice_url(obj):
        return obj.api_invoice_url

    @staticmethod
    def resolve_report_url(obj):
        return obj.api_report_url

    @staticmethod
    def resolve_history(obj):
        return obj.api_history

    @staticmethod
    def resolve_actions(obj):
        return obj.api_actions


class BookingFilters(Schema):
    state: str | None = None
    program: int | None = None
    quota: int | None = None
    category: str | None = None
    side: str | None = Field(None, description="made 本单位预约的 · received 本单位承接的")


class BookingIn(Schema):
    quota_id: int
    offering_id: int
    service_date: date
    fee: Money | None = Field(None, description="服务费用；默认按服务项目的价格")
    note: str = ""


class CompleteForm(VersionIn):
    invoice_no: str = ""
    fee: Money | None = Field(None, description="实际服务费用；默认按预约时的费用")


# --- settlement and flags


class BatchOut(Schema):
    id: int
    program_id: int
    program_name: str = Field(alias="program.name")
    state: str
    state_label: str
    total: Decimal
    booking_count: int
    created_at: datetime
    approved_at: datetime | None
    paid_on: date | None
    payment_reference: str
    version: int

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class BatchDetailOut(BatchOut):
    bookings: list[BookingOut]

    @staticmethod
    def resolve_bookings(obj):
        return obj.api_bookings


class BatchFilters(Schema):
    state: str | None = None
    program: int | None = None


class BatchIn(Schema):
    booking_ids: list[int] | None = Field(None, description="纳入的兑付申请；默认全部待结算的")


class BatchPayIn(VersionIn):
    paid_on: date
    reference: str


class EntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: Decimal
    quota_id: int | None
    booking_id: int | None
    batch_id: int | None
    created_at: datetime
    created_by: str

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_created_by(obj):
        return str(obj.created_by) if obj.created_by_id else ""


class EntryFilters(Schema):
    kind: str | None = None
    quota: int | None = None
    booking: int | None = None
    batch: int | None = None


class FlagOut(Schema):
    id: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    program_id: int | None
    provider: OrganizationRef
    enterprise: OrganizationRef | None
    booking_id: int | None
    detail: str
    evidence: dict
    review_note: str
    reviewed_at: datetime | None
    created_at: datetime
    version: int

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class FlagFilters(Schema):
    state: str | None = None
    kind: str | None = None
    program: int | None = None


class FlagReviewIn(VersionIn):
    state: str = Field(description="cleared 核查无异常 · confirmed 确认违规")
    note: str
