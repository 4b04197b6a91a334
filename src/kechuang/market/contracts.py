"""技术合同认定登记 (contract registration, rules.md §5): services and selectors.

* A user acting for an organization applies for the registration of a contract their organization is party to,
  as 卖方 (技术输出方: developer, transferor, licensor, consultant, service provider) or 买方 (技术吸纳方); the
  bureau's staff (登记员) may also enter one directly for a seller of their region. A party is a registered
  organization or a name with a region; a buyer outside the province may have no region in our table.
* Both amounts are kept on every contract: 合同成交额 and 技术交易额 = 合同成交额 − 非技术性费用, computed by
  `contract_rules.amounts` (rules.md §5.3). The itemised non-technical costs and their note are kept in words
  (`non_technical_detail`), so the registrar sees what was deducted.
* Registration is where the seller is (按地域一次登记, 管理办法 第六条 [mem]): the registrar is bureau staff whose
  region contains the seller's region. From 待认定 the registrar registers it (登记号 and 登记日期 assigned), returns
  it with a reason (the submitter corrects and resubmits) or refuses it with a reason (不予登记, e.g. not a
  technology contract per rules.md §5.2). Every transition goes through CONTRACT_WORKFLOW.apply (lock, state
  check, role check, audit line); a stale `version` is refused with ConflictError.
* 登记号 (contract_rules): year + the 6-digit code of the registering bureau's region + a 6-digit sequence per
  region and year, assigned inside the registering transaction under a lock per region and year, so numbers
  are unique and have no gaps (a rolled-back registration leaves its number to the next one).
* Visibility: the parties' users see their contracts; bureau staff, leaders and officers see those whose
  seller (输出) or buyer (吸纳) is in their region.
* Statistics count registered contracts by 登记日期, either by 输出 (the seller's region is in the user's region)
  or by 吸纳 (the buyer's), grouped by region, type, sub-type, field or month.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.core.audit import acting, record
from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.core.jobs import enqueue
from kechuang.core.models import AuditLog
from kechuang.core.permissions import require
from kechuang.core.scoping import user_region_codes
from kechuang.core.validators import validate_upload
from kechuang.core.workflow import Transition, Workflow
from kechuang.organizations.enums import TechField, VerificationStatus
from kechuang.organizations.models import Organization
from kechuang.regions.enums import RegionLevel
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from . import contract_jobs  # noqa: F401  registers market.contract_notify where the services run
from . import contract_rules as rules
from .enums import ContractState, ContractSubType, ContractType
from .models import ContractRegistration, Listing, Meeting, Thread
from .permissions import (
    MARKET_MEMBER_ROLES,
    can_edit_contract,
    can_register_contract,
    can_resubmit_contract,
    can_submit_contract,
    can_view_market_figures,
    is_bureau_editor,
)

User = get_user_model()
S = ContractState


class ContractAction(models.TextChoices):
    REGISTER = "register", gettext_lazy("认定登记")
    RETURN = "return", gettext_lazy("退回修改")
    REJECT = "reject", gettext_lazy("不予登记")
    RESUBMIT = "resubmit", gettext_lazy("重新提交")


A = ContractAction

CONTRACT_WORKFLOW = Workflow(
    "contract",
    {
        (S.SUBMITTED, A.REGISTER): Transition(S.REGISTERED, can_register_contract),
        (S.SUBMITTED, A.RETURN): Transition(S.RETURNED, can_register_contract, needs_reason=True),
        (S.SUBMITTED, A.REJECT): Transition(S.REJECTED, can_register_contract, needs_reason=True),
        (S.RETURNED, A.RESUBMIT): Transition(S.SUBMITTED, can_resubmit_contract),
    },
    state_labels={s.value: s.label for s in S},
    action_labels={a.value: a.label for a in A},
)

# The audit line key under which the itemised non-technical costs are kept (text, old → new).
# PostgreSQL advisory locks take two int4 keys: this namespace and year * 10^6 + region code.
_LOCK_NAMESPACE = 5_020_601


# ---------------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class Party:
    """One side of a contract: a registered organization, or a name with (for a seller, always) a region."""

    organization: Organization | None = None
    name: str = ""
    region: Region | None = None


@dataclass
class ContractData:
    """What a submission or a correction carries. Either `non_technical_items` or `non_technical_amount`."""

    title: str
    contract_type: str
    sub_type: str
    seller: Party
    buyer: Party
    tech_field: str
    contract_amount: Decimal | str
    signed_on: date | None
    non_technical_items: list[rules.CostItem] = field(default_factory=list)
    non_technical_amount: Decimal | str | None = None
    non_technical_note: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    listing: Listing | None = None
    thread: Thread | None = None
    meeting: Meeting | None = None
    contract_file: object | None = None  # an uploaded file; None keeps the one stored


COST_KIND_LABELS = {
    rules.CostKind.EQUIPMENT: gettext_lazy("购置设备"),
    rules.CostKind.INSTRUMENT: gettext_lazy("购置仪器"),
    rules.CostKind.PART: gettext_lazy("零部件"),
    rules.CostKind.MATERIAL: gettext_lazy("原材料"),
    rules.CostKind.OTHER: gettext_lazy("其他非技术性费用"),
    rules.CostKind.CARRIER: gettext_lazy("技术载体（技术文件、软件载体、样品等，合理数量）"),
    rules.CostKind.CARRIER_SET: gettext_lazy("成套技术设备/试验装置"),
}


def describe_costs(items: Iterable[rules.CostItem], *, figure=None, note: str = "") -> str:
    """The non-technical costs as one line of text for the audit trail (always in Chinese)."""
    with translation.override("zh-hans"):
        parts = []
        for item in items:
            text = f"{COST_KIND_LABELS[rules.CostKind(item.kind)]} {item.amount:.2f}元"
            extras = ([_("%(n)s套") % {"n": item.quantity}] if item.quantity else []) + (
                [item.note] if item.note else []
            )
            if extras:
                text += f"（{'，'.join(extras)}）"
            if item.kind not in rules.DEDUCTED_KINDS:
                taken = rules.deducted(item)
                text += _("，扣除%(amount)s元") % {"amount": f"{taken:.2f}"} if taken else _("，不扣除")
            parts.append(text)
        if not parts and figure is not None:
            parts.append(_("非技术性费用合计 %(amount)s元") % {"amount": f"{Decimal(figure):.2f}"})
        if note:
            parts.append(_("说明：%(note)s") % {"note": note})
        return "；".join(parts)


# ---------------------------------------------------------------------------------------------------------
# Reads


def contracts_visible_to(*, user) -> QuerySet[ContractRegistration]:
    """Contracts `user` may see: their organization's (as seller or buyer), and for bureau staff, leaders and
    officers those whose seller (输出) or buyer (吸纳) is in their region."""
    qs = ContractRegistration.objects.all()
    if not user.is_authenticated:
        return qs.none()
    scope = Q(pk__in=[])
    if user.is_superuser or user.is_region_scoped:
        codes = user_region_codes(user)
        if codes is None:
            return qs
        scope = Q(seller_region_id__in=codes) | Q(buyer_region_id__in=codes)
    organization_id = user.active_organization_id
    if organization_id:
        scope |= Q(seller_id=organization_id) | Q(buyer_id=organization_id)
    return qs.filter(scope)


def contracts_listed(*, user) -> QuerySet[ContractRegistration]:
    """The contracts list: what a row shows in one query, latest activity first."""
    return (
        contracts_visible_to(user=user)
        .select_related("seller_region", "buyer_region", "registrar")
        .order_by("-state_since", "-pk")
    )


def contract_get_visible(*, user, pk) -> ContractRegistration | None:
    return (
        contracts_visible_to(user=user)
        .select_related(
            "seller",
            "seller_region",
            "buyer",
            "buyer_region",
            "listing",
            "thread",
            "meeting",
            "submitted_by",
            "registrar",
        )
        .filter(pk=pk)
        .first()
    )


def contracts_of_thread(thread) -> QuerySet[ContractRegistration]:
    """The registered contracts that came from a negotiation thread (shown on the thread's page)."""
    return ContractRegistration.objects.filter(thread=thread, state=S.REGISTERED).order_by(
        "registered_on", "pk"
    )


def contract_timeline(contract: ContractRegistration) -> list[AuditLog]:
    """The contract's transitions (submitted, returned, resubmitted, registered …) with who, when and why."""
    return list(
        AuditLog.objects.filter(
            content_type__app_label="market",
            content_type__model="contractregistration",
            object_id=str(contract.pk),
            action=AuditLog.Action.TRANSITION,
        ).order_by("at", "pk")
    )


def contract_cost_detail(contract: ContractRegistration) -> str:
    """The itemised non-technical costs (and note) last given for the contract, as text ("" if none)."""
    return contract.non_technical_detail


def organization_by_credit_code(code: str) -> Organization | None:
    """A registered organization (not refused) by its 统一社会信用代码, for picking a party."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return (
        Organization.objects.select_related("region")
        .exclude(status=VerificationStatus.REJECTED)
        .filter(credit_code=code)
        .first()
    )


def contract_sources(*, user) -> tuple[QuerySet, QuerySet, QuerySet]:
    """Listings, threads and meetings a contract of `user`'s organization may come from (its own and those it
    negotiated about); for the bureau, those of its region."""
    from kechuang.core.scoping import scope_by_region

    listings = Listing.objects.all()
    threads = Thread.objects.select_related("listing", "owner", "party")
    meetings = Meeting.objects.select_related("demand", "achievement", "demand_party", "supply_party")
    organization_id = user.active_organization_id if user.is_authenticated else None
    if organization_id and not user.is_region_scoped:
        threads = threads.filter(Q(owner_id=organization_id) | Q(party_id=organization_id))
        meetings = meetings.filter(Q(demand_party_id=organization_id) | Q(supply_party_id=organization_id))
        listings = listings.filter(
            Q(organization_id=organization_id)
            | Q(pk__in=threads.values("listing_id"))
            | Q(pk__in=meetings.values("demand_id"))
            | Q(pk__in=meetings.values("achievement_id"))
        )
    elif user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        listings = scope_by_region(listings, user)
        threads = scope_by_region(threads, user, field="listing__region")
        meetings = scope_by_region(meetings, user, field="event__region")
    else:
        return listings.none(), threads.none(), meetings.none()
    return (
        listings.order_by("-pk"),
        threads.order_by("-pk"),
        meetings.order_by("-pk"),
    )


# ---------------------------------------------------------------------------------------------------------
# Writes


def _party(
    party: Party, *, side: str, region_required: bool
) -> tuple[Organization | None, str, Region | None]:
    label = _("卖方") if side == "seller" else _("买方")
    if party.organization is not None:
        organization = party.organization
        if organization.status == VerificationStatus.REJECTED:
            raise DomainError(_("%(side)s单位未通过核验，不能作为合同当事方。") % {"side": label}, field=side)
        return organization, organization.name, organization.region
    name = (party.name or "").strip()
    if not name:
        raise DomainError(_("请填写%(side)s名称，或填写其统一社会信用代码。") % {"side": label}, field=side)
    if region_required and party.region is None:
        raise DomainError(_("请选择%(side)s所在区划。") % {"side": label}, field=f"{side}_region")
    return None, name[:100], party.region


def _check_submitter(by, seller: Organization | None, buyer: Organization | None, seller_region: Region):
    """A party's user enters only contracts of their organization; the bureau only those sold in its region."""
    if is_bureau_editor(by, seller_region.code):
        return
    organization_id = by.active_organization_id
    if by.role in MARKET_MEMBER_ROLES and organization_id:
        if organization_id in {seller and seller.pk, buyer and buyer.pk}:
            return
        raise DomainError(_("本单位须为合同的卖方或买方。"))
    raise PermissionDenied(_("卖方（技术输出方）不在您的登记范围内。"))


def _check_sources(data: ContractData, seller_id: int | None, buyer_id: int | None) -> Listing | None:
    """The source listing is one party's; a source thread or meeting is between exactly the two parties."""
    parties = {seller_id, buyer_id}
    listing = data.listing
    if data.thread is not None:
        if None in parties or {data.thread.owner_id, data.thread.party_id} != parties:
            raise DomainError(_("来源洽谈的双方须与合同双方一致。"), field="thread")
        listing = listing or data.thread.listing
    if data.meeting is not None:
        if None in parties or {data.meeting.demand_party_id, data.meeting.supply_party_id} != parties:
            raise DomainError(_("来源对接洽谈的双方须与合同双方一致。"), field="meeting")
    if listing is not None and listing.organization_id not in parties - {None}:
        raise DomainError(_("来源供需信息须为合同一方发布的信息。"), field="listing")
    return listing


def _apply(contract: ContractRegistration, data: ContractData, *, by) -> str:
    """Check `data` and set it on `contract` (not saved); returns the cost detail text for the audit line."""
    title = (data.title or "").strip()
    if not title:
        raise DomainError(_("请填写合同名称。"), field="title")
    rules.check_type(data.contract_type, data.sub_type)
    if data.tech_field not in TechField.values:
        raise DomainError(_("请选择技术领域。"), field="tech_field")
    figure = data.non_technical_amount
    computed = rules.amounts(
        data.contract_amount,
        items=data.non_technical_items,
        non_technical_amount=None if data.non_technical_items else figure,
    )
    rules.check_dates(
        signed_on=data.signed_on,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        today=timezone.localdate(),
    )
    seller, seller_name, seller_region = _party(data.seller, side="seller", region_required=True)
    buyer, buyer_name, buyer_region = _party(data.buyer, side="buyer", region_required=False)
    if seller is not None and buyer is not None and seller.pk == buyer.pk:
        raise DomainError(_("卖方和买方不能是同一单位。"), field="buyer")
    _check_submitter(by, seller, buyer, seller_region)
    listing = _check_sources(data, seller and seller.pk, buyer and buyer.pk)
    if data.contract_file is not None:
        try:
            validate_upload(data.contract_file)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="contract_file") from exc
        contract.contract_file = data.contract_file
    contract.title = title[:200]
    contract.contract_type = data.contract_type
    contract.sub_type = data.sub_type
    contract.seller, contract.seller_name, contract.seller_region = seller, seller_name, seller_region
    contract.buyer, contract.buyer_name, contract.buyer_region = buyer, buyer_name, buyer_region
    contract.tech_field = data.tech_field
    contract.contract_amount = computed.contract_amount
    contract.non_technical_amount = computed.non_technical_amount
    contract.transaction_amount = computed.transaction_amount
    contract.signed_on = data.signed_on
    contract.valid_from = data.valid_from
    contract.valid_until = data.valid_until
    contract.listing = listing
    contract.thread = data.thread
    contract.meeting = data.meeting
    note = (data.non_technical_note or "").strip()[:300]
    contract.non_technical_detail = describe_costs(
        computed.items, figure=None if computed.items else computed.non_technical_amount, note=note
    )
    return contract.non_technical_detail


def _notify(contract: ContractRegistration) -> None:
    enqueue("market.contract_notify", contract_id=contract.pk, version=contract.version)


@acting
@transaction.atomic
def contract_submit(*, data: ContractData, by) -> ContractRegistration:
    """Apply for the registration of a technology contract (待认定), both amounts computed by rules.md §5.3."""
    require(can_submit_contract(by))
    contract = ContractRegistration(submitted_by=by, state=S.SUBMITTED, state_since=timezone.now())
    _apply(contract, data, by=by)
    contract.save()
    record(
        action=AuditLog.Action.TRANSITION,
        instance=contract,
        by=by,
        from_state="",
        to_state=S.SUBMITTED,
        reason=_("提交认定登记申请"),
        changes={"state": ["", S.SUBMITTED]},
    )
    _notify(contract)
    return contract


@acting
@transaction.atomic
def contract_update(
    *, contract: ContractRegistration, data: ContractData, by, expected_version: int | None = None
) -> ContractRegistration:
    """Correct a contract not yet decided (待认定 or 已退回) without changing its state."""
    locked = ContractRegistration.objects.select_for_update().get(pk=contract.pk)
    require(can_edit_contract(by, locked))
    locked.check_version(expected_version)
    _apply(locked, data, by=by)
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def contract_resubmit(
    *,
    contract: ContractRegistration,
    by,
    data: ContractData | None = None,
    expected_version: int | None = None,
) -> ContractRegistration:
    """Send a returned contract back for registration, with the corrections in `data` if given."""

    def change(locked):
        if data is not None:
            _apply(locked, data, by=by)
        locked.return_reason = ""

    done = CONTRACT_WORKFLOW.apply(
        instance=contract, action=A.RESUBMIT, by=by, expected_version=expected_version, change=change
    )
    _notify(done)
    return done


def registry_region_code(*, registrar, seller_region: Region) -> str:
    """The 6-digit code in a registration number: the registering bureau's region (the registrar's, or for a
    superuser without one the seller's county), going up past towns and local codes."""
    region = registrar.region if registrar.region_id else seller_region
    while region is not None and (
        region.is_local_code or region.level == RegionLevel.TOWN or not re.fullmatch(r"\d{6}", region.code)
    ):
        region = region.parent
    if region is None:
        raise DomainError(_("无法确定登记机构所在区划，不能编号。"))
    return region.code


def _lock_registration_numbers(region_code: str, year: int) -> None:
    """Serialise number assignment per region and year until the transaction ends.

    PostgreSQL: a transaction-level advisory lock on (namespace, year·10⁶ + code), which blocks nothing else.
    Elsewhere: the region's row (SQLite already runs one writing transaction at a time).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::int4, %s::int4)",
                [_LOCK_NAMESPACE, year * 1_000_000 + int(region_code)],
            )
    else:
        list(Region.objects.select_for_update().filter(pk=region_code).values_list("pk"))


def next_registration_no(region_code: str, year: int) -> str:
    """The next 登记号 of a region and year; call inside the registering transaction (it takes the lock)."""
    _lock_registration_numbers(region_code, year)
    prefix = f"{year:04d}{region_code}"
    last = (
        ContractRegistration.objects.filter(
            registration_no__startswith=prefix, registration_no__regex=rf"^{prefix}[0-9]{{6}}$"
        )
        .order_by("-registration_no")
        .values_list("registration_no", flat=True)
        .first()
    )
    return rules.next_registration_no(year, region_code, last)


def _registrable(locked: ContractRegistration) -> None:
    if not locked.contract_file:
        raise DomainError(_("合同文本尚未上传，不能登记。"), field="contract_file")
    rules.check_type(locked.contract_type, locked.sub_type)
    if locked.transaction_amount != locked.contract_amount - locked.non_technical_amount:
        raise DomainError(_("技术交易额与合同成交额、非技术性费用不符。"))


@acting
@transaction.atomic
def contract_register(
    *, contract: ContractRegistration, by, reason: str = "", expected_version: int | None = None
) -> ContractRegistration:
    """认定登记: assign the registration number and date; only the registrar of the seller's region."""
    today = timezone.localdate()

    def change(locked):
        region = Region.objects.select_related("parent__parent").get(pk=locked.seller_region_id)
        code = registry_region_code(registrar=by, seller_region=region)
        locked.registration_no = next_registration_no(code, today.year)
        locked.registered_on = today
        locked.registrar = by
        locked.return_reason = ""

    done = CONTRACT_WORKFLOW.apply(
        instance=contract,
        action=A.REGISTER,
        by=by,
        reason=(reason or "").strip(),
        expected_version=expected_version,
        check=_registrable,
        change=change,
    )
    _notify(done)
    return done


def _decline(*, contract, action: str, by, reason: str, expected_version: int | None):
    reason = (reason or "").strip()

    def change(locked):
        locked.return_reason = reason[:500]

    done = CONTRACT_WORKFLOW.apply(
        instance=contract,
        action=action,
        by=by,
        reason=reason,
        expected_version=expected_version,
        change=change,
    )
    _notify(done)
    return done


@acting
@transaction.atomic
def contract_return(
    *, contract: ContractRegistration, by, reason: str, expected_version: int | None = None
) -> ContractRegistration:
    """退回修改: back to the submitter with the reason; they correct the contract and resubmit it."""
    return _decline(
        contract=contract, action=A.RETURN, by=by, reason=reason, expected_version=expected_version
    )


@acting
@transaction.atomic
def contract_reject(
    *, contract: ContractRegistration, by, reason: str, expected_version: int | None = None
) -> ContractRegistration:
    """不予登记: refused with the reason, e.g. not a technology contract (rules.md §5.2 exclusions)."""
    return _decline(
        contract=contract, action=A.REJECT, by=by, reason=reason, expected_version=expected_version
    )


def contract_transition(
    *, contract: ContractRegistration, action: str, by, reason: str = "", expected_version: int | None = None
) -> ContractRegistration:
    """Take one workflow action by its name (for the page's and the API's one transition endpoint)."""
    if action == A.REGISTER:
        return contract_register(contract=contract, by=by, reason=reason, expected_version=expected_version)
    if action == A.RETURN:
        return contract_return(contract=contract, by=by, reason=reason, expected_version=expected_version)
    if action == A.REJECT:
        return contract_reject(contract=contract, by=by, reason=reason, expected_version=expected_version)
    if action == A.RESUBMIT:
        return contract_resubmit(contract=contract, by=by, expected_version=expected_version)
    raise DomainError(_("未知的操作：%(action)s") % {"action": action}, field="action")


@acting
@transaction.atomic
def contract_attach_file(
    *, contract: ContractRegistration, upload, by, expected_version: int | None = None
) -> ContractRegistration:
    """Upload (or replace) the contract's text (PDF or scan) while it is not yet decided."""
    locked = ContractRegistration.objects.select_for_update().get(pk=contract.pk)
    require(can_edit_contract(by, locked))
    locked.check_version(expected_version)
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="contract_file") from exc
    locked.contract_file = upload
    locked.bump_version()
    locked.save()
    return locked


def contract_actions(contract: ContractRegistration, user) -> list[str]:
    """The workflow actions `user` may take on the contract now (for buttons)."""
    return CONTRACT_WORKFLOW.available(contract, user)


# ---------------------------------------------------------------------------------------------------------
# Statistics

GROUPINGS = ("region_out", "region_in", "type", "sub_type", "field", "month")
DIRECTIONS = ("out", "in")
GROUPING_LABELS = {
    "region_out": gettext_lazy("按输出地区（卖方所在地）"),
    "region_in": gettext_lazy("按吸纳地区（买方所在地）"),
    "type": gettext_lazy("按合同类型"),
    "sub_type": gettext_lazy("按合同子类"),
    "field": gettext_lazy("按技术领域"),
    "month": gettext_lazy("按月份"),
}
DIRECTION_LABELS = {
    "out": gettext_lazy("输出（卖方在本地区）"),
    "in": gettext_lazy("吸纳（买方在本地区）"),
}
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class StatisticsRow:
    """One line of the statistics: a group's number of contracts and both amounts (Decimal yuan)."""

    key: str
    label: str
    count: int
    contract_amount: Decimal
    transaction_amount: Decimal


@dataclass(frozen=True)
class ContractStatistics:
    group_by: str
    direction: str
    date_from: date | None
    date_to: date | None
    region: Region | None  # the region whose contracts are counted (None: no limit)
    rows: list[StatisticsRow]
    total: StatisticsRow


def _statistics_scope(user, region) -> tuple[str | None, list[str] | None]:
    """(root region code, codes counted or None for no limit) for the user and an optional region."""
    require(can_view_market_figures(user))
    codes = user_region_codes(user)
    if region:
        code = region.code if isinstance(region, Region) else str(region)
        if not Region.objects.filter(pk=code).exists():
            raise DomainError(_("区划不存在。"), field="region")
        if codes is not None and code not in codes:
            raise PermissionDenied(_("该区划不在您的管辖范围内。"))
        return code, regions_under(code)
    if codes is None:
        top = Region.objects.filter(parent__isnull=True).order_by("path").values_list("code", flat=True)
        return (top[0] if len(top) == 1 else None), None
    return user.region_id, codes


def _direction(group_by: str, direction: str | None) -> str:
    if group_by == "region_out":
        return "out"
    if group_by == "region_in":
        return "in"
    direction = direction or "out"
    if direction not in DIRECTIONS:
        raise DomainError(_("统计口径只能是输出或吸纳。"), field="direction")
    return direction


def contracts_counted(
    *,
    user,
    date_from: date | None = None,
    date_to: date | None = None,
    direction: str = "out",
    contract_type: str | None = None,
    sub_type: str | None = None,
    tech_field: str | None = None,
    region=None,
) -> QuerySet[ContractRegistration]:
    """The registered contracts the statistics count: registered in the period, seller (输出) or buyer (吸纳)
    in the user's region (or in `region`, which must be in it), of the type and field asked."""
    return _counted(
        user=user,
        date_from=date_from,
        date_to=date_to,
        direction=_direction("", direction),
        contract_type=contract_type,
        sub_type=sub_type,
        tech_field=tech_field,
        region=region,
    )[1]


def _counted(*, user, date_from, date_to, direction, contract_type, sub_type, tech_field, region):
    root, codes = _statistics_scope(user, region)
    if date_from and date_to and date_to < date_from:
        raise DomainError(_("统计截止日期不能早于起始日期。"), field="date_to")
    qs = ContractRegistration.objects.filter(state=S.REGISTERED)
    if date_from:
        qs = qs.filter(registered_on__gte=date_from)
    if date_to:
        qs = qs.filter(registered_on__lte=date_to)
    if codes is not None:
        qs = qs.filter(**{("seller_region_id" if direction == "out" else "buyer_region_id") + "__in": codes})
    if contract_type:
        qs = qs.filter(contract_type=contract_type)
    if sub_type:
        qs = qs.filter(sub_type=sub_type)
    if tech_field:
        qs = qs.filter(tech_field=tech_field)
    return root, qs


def _yuan(value) -> Decimal:
    return (value or Decimal("0")).quantize(_CENT, ROUND_HALF_UP)


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def contract_statistics(
    *,
    user,
    date_from: date | None,
    date_to: date | None,
    group_by: str,
    direction: str | None = None,
    contract_type: str | None = None,
    sub_type: str | None = None,
    tech_field: str | None = None,
    region=None,
) -> ContractStatistics:
    """Registered contracts counted and summed (合同成交额, 技术交易额) by region, type, sub-type, field or month.

    `region_out` groups by the seller's region (输出) and counts contracts sold from the user's region;
    `region_in` by the buyer's (吸纳), counting contracts bought into it. The other groupings count by
    `direction` (输出 by default). A region grouping shows each region directly under the user's region (or
    under `region`), a line for the region itself when a contract names it directly, and for a user without a
    region limit a line for buyers with no region in our table (outside the province).
    """
    if group_by not in GROUPINGS:
        raise DomainError(_("不支持的分组方式。"), field="group_by")
    direction = _direction(group_by, direction)
    root, qs = _counted(
        user=user,
        date_from=date_from,
        date_to=date_to,
        direction=direction,
        contract_type=contract_type,
        sub_type=sub_type,
        tech_field=tech_field,
        region=region,
    )
    measures = {
        "n": Count("pk"),
        "contract": Sum("contract_amount"),
        "transaction": Sum("transaction_amount"),
    }
    if group_by in ("region_out", "region_in"):
        key_field = "seller_region_id" if direction == "out" else "buyer_region_id"
        grouped = {row[key_field]: row for row in qs.values(key_field).annotate(**measures).order_by()}
        rows = _region_rows(root, grouped)
    elif group_by == "month":
        grouped = {
            f"{row['month']:%Y-%m}": row
            for row in qs.annotate(month=TruncMonth("registered_on"))
            .values("month")
            .annotate(**measures)
            .order_by()
        }
        if date_from and date_to:
            keys = _months(date_from, date_to)
            keys += sorted(set(grouped) - set(keys))
        else:
            keys = sorted(grouped)
        rows = [_row(key, key, grouped.get(key)) for key in keys]
    else:
        key_field, choices = {
            "type": ("contract_type", ContractType.choices),
            "sub_type": ("sub_type", ContractSubType.choices),
            "field": ("tech_field", TechField.choices),
        }[group_by]
        grouped = {row[key_field]: row for row in qs.values(key_field).annotate(**measures).order_by()}
        rows = [_row(value, str(label), grouped.get(value)) for value, label in choices]
        rows += [_row(key, key, row) for key, row in grouped.items() if key not in dict(choices)]
    total = StatisticsRow(
        key="",
        label=_("合计"),
        count=sum(r.count for r in rows),
        contract_amount=sum((r.contract_amount for r in rows), Decimal("0.00")),
        transaction_amount=sum((r.transaction_amount for r in rows), Decimal("0.00")),
    )
    return ContractStatistics(
        group_by=group_by,
        direction=direction,
        date_from=date_from,
        date_to=date_to,
        region=Region.objects.filter(pk=root).first() if root else None,
        rows=rows,
        total=total,
    )


def _row(key, label: str, aggregate: dict | None) -> StatisticsRow:
    aggregate = aggregate or {}
    return StatisticsRow(
        key=key or "",
        label=label,
        count=aggregate.get("n") or 0,
        contract_amount=_yuan(aggregate.get("contract")),
        transaction_amount=_yuan(aggregate.get("transaction")),
    )


def _region_rows(root: str | None, grouped: dict) -> list[StatisticsRow]:
    """Fold per-region sums into the regions directly under `root` (every one listed, zeros included)."""
    paths = dict(Region.objects.filter(code__in=[c for c in grouped if c]).values_list("code", "path"))
    root_region = Region.objects.filter(pk=root).first() if root else None
    root_path = root_region.path if root_region else ""
    children = list(
        Region.objects.filter(parent_id=root) if root else Region.objects.filter(parent__isnull=True)
    )
    buckets: dict[str, list] = {child.code: [child.name, []] for child in children}
    # Lines beyond the regions under root, in this order: root itself, other regions, no region.
    extra: dict[str, list] = {}
    if root_region is not None:
        extra[root_region.code] = [_("%(name)s（本级）") % {"name": root_region.name}, []]
    extra["~other"] = [_("其他地区"), []]
    extra[""] = [_("省外或未登记区划"), []]
    for code, aggregate in grouped.items():
        path = paths.get(code) if code else None
        if path is None:
            extra[""][1].append(aggregate)
            continue
        below = path[len(root_path) :].split("/")[0] if path.startswith(root_path) else None
        if below and below in buckets:
            buckets[below][1].append(aggregate)
        elif below == "" and root_region is not None:
            extra[root_region.code][1].append(aggregate)
        else:
            extra["~other"][1].append(aggregate)

    def merged(aggregates: list[dict]) -> dict:
        return {
            "n": sum(a["n"] for a in aggregates),
            "contract": sum((a["contract"] or Decimal("0") for a in aggregates), Decimal("0")),
            "transaction": sum((a["transaction"] or Decimal("0") for a in aggregates), Decimal("0")),
        }

    rows = [_row(code, name, merged(items)) for code, (name, items) in buckets.items()]
    rows += [_row(key, name, merged(items)) for key, (name, items) in extra.items() if items]
    return rows
