"""The voucher path as services: programs, providers and offerings, quotas (申领额度), bookings (申请使用) and
settlement (申请兑付 → 结算 → 拨付). Each is one transaction, checks permissions, and records its transition.

Lock order: program, quota, booking (ledger.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting
from kechuang.core.errors import DomainError
from kechuang.core.notifications import notify
from kechuang.core.permissions import require
from kechuang.core.text import clauses, enumeration
from kechuang.core.validators import validate_upload
from kechuang.core.workflow import Transition, Workflow
from kechuang.organizations.enums import OrganizationKind, OrganizationSize, QualificationKind
from kechuang.organizations.models import Organization, Qualification

from . import permissions as perm
from .amounts import Applicant, RuleError, eligibility_problems, grant_amount, parse_tiers, split_fee, yuan
from .enums import (
    BatchState,
    BookingState,
    CopayMode,
    EntryKind,
    ProgramState,
    ProviderState,
    QuotaState,
    ServiceCategory,
)
from .ledger import lock_program, lock_quota, move
from .models import ZERO, Booking, Offering, ProviderProfile, Quota, SettlementBatch, VoucherProgram

# ---------------------------------------------------------------------------------------------
# Workflows (the transitions; amounts move in the services below)

B = BookingState


def _enterprise(user, booking):
    return perm.as_enterprise(user, booking)


def _provider(user, booking):
    return perm.as_provider(user, booking)


def _issuing_bureau(user, booking):
    """Settlement steps, taken by the services of a settlement batch for the bureau of the issuing region."""
    return perm.can_manage_program(user, booking.quota.program)


BOOKING_WORKFLOW = Workflow(
    "voucher_booking",
    {
        (B.REQUESTED, "accept"): Transition(B.ACCEPTED, _provider),
        (B.REQUESTED, "decline"): Transition(B.DECLINED, _provider, needs_reason=True),
        (B.REQUESTED, "cancel"): Transition(B.CANCELLED, _enterprise),
        (B.ACCEPTED, "cancel"): Transition(B.CANCELLED, _enterprise, needs_reason=True),
        (B.ACCEPTED, "complete"): Transition(B.COMPLETED, _provider),
        (B.DISPUTED, "complete"): Transition(B.COMPLETED, _provider),
        (B.COMPLETED, "confirm"): Transition(B.CONFIRMED, _enterprise),
        (B.COMPLETED, "dispute"): Transition(B.DISPUTED, _enterprise, needs_reason=True),
        (B.CONFIRMED, "claim"): Transition(B.CLAIMED, _provider),
        (B.CLAIMED, "settle"): Transition(B.SETTLED, _issuing_bureau),
        (B.SETTLED, "pay"): Transition(B.PAID, _issuing_bureau),
    },
    state_labels=dict(BookingState.choices),
    action_labels={
        "accept": _("接受预约"),
        "decline": _("谢绝预约"),
        "cancel": _("取消预约"),
        "complete": _("登记服务完成"),
        "confirm": _("确认服务"),
        "dispute": _("提出异议"),
        "claim": _("申请兑付"),
        "settle": _("纳入结算"),
        "pay": _("拨付"),
    },
)


def _tell(organization_id: int, subject: str, body: str, *, link: str, key: str) -> None:
    """Notify the active users of an organization (once per `key`)."""
    from kechuang.accounts.models import User

    users = User.objects.filter(organization_id=organization_id, is_active=True)
    notify(recipients=users, subject=subject, body=body, link=link, dedupe_key=key)


def _tell_bureau(region_id: str, subject: str, body: str, *, link: str, key: str) -> None:
    """Notify the bureau staff of a region (once per `key`)."""
    from kechuang.accounts.models import User

    users = User.objects.filter(region_id=region_id, role__in=perm.BUREAU_EDITORS, is_active=True)
    notify(recipients=users, subject=subject, body=body, link=link, dedupe_key=key)


# ---------------------------------------------------------------------------------------------
# Programs


PROGRAM_FIELDS = (
    "name",
    "year",
    "starts_on",
    "ends_on",
    "description",
    "budget",
    "eligible_kinds",
    "eligible_sizes",
    "required_qualifications",
    "categories",
    "quota_per_application",
    "annual_cap",
    "copay_mode",
    "copay_tiers",
    "auto_approve",
)


def _check_terms(values: dict) -> None:
    try:
        parse_tiers(values.get("copay_tiers"))
    except RuleError as exc:
        raise DomainError(str(exc), field="copay_tiers") from None
    for name in ("budget", "quota_per_application", "annual_cap"):
        try:
            values[name] = yuan(values.get(name))
        except RuleError as exc:
            raise DomainError(str(exc), field=name) from None
    if values["quota_per_application"] <= 0 or values["annual_cap"] <= 0:
        raise DomainError(_("单次申领上限和年度累计上限须大于0元。"), field="quota_per_application")
    if values["quota_per_application"] > values["annual_cap"]:
        raise DomainError(_("单次申领上限不能高于年度累计上限。"), field="quota_per_application")
    if values["ends_on"] < values["starts_on"]:
        raise DomainError(_("截止日期不能早于开始日期。"), field="ends_on")
    unknown = set(values.get("categories") or ()) - set(ServiceCategory.values)
    if not values.get("categories") or unknown:
        raise DomainError(_("请选择可使用的服务类别。"), field="categories")
    if values.get("copay_mode", CopayMode.WHOLE_FEE) not in CopayMode.values:
        raise DomainError(_("请选择分档计算方式。"), field="copay_mode")
    if not values.get("eligible_kinds"):
        values["eligible_kinds"] = [OrganizationKind.ENTERPRISE]
    for name, choices in (
        ("eligible_kinds", OrganizationKind),
        ("eligible_sizes", OrganizationSize),
        ("required_qualifications", QualificationKind),
    ):
        if set(values.get(name) or ()) - set(choices.values):
            raise DomainError(_("所选条件中有无效的选项。"), field=name)


@acting
@transaction.atomic
def program_create(*, region, values: dict, partner_regions=(), by) -> VoucherProgram:
    """A draft program of `region` (its bureau)."""
    probe = VoucherProgram(region=region)
    require(perm.can_manage_program(by, probe))
    values = {k: values[k] for k in PROGRAM_FIELDS if k in values}
    _check_terms(values)
    program = VoucherProgram.objects.create(region=region, **values)
    program.partner_regions.set([r for r in partner_regions if r.pk != region.pk])
    return program


@acting
@transaction.atomic
def program_update(*, program: VoucherProgram, values: dict, partner_regions=None, expected_version=None, by):
    """Change a program's terms. The budget cannot drop below what is already issued."""
    require(perm.can_manage_program(by, program))
    locked = lock_program(program.pk)
    locked.check_version(expected_version)
    merged = {k: getattr(locked, k) for k in PROGRAM_FIELDS} | {
        k: values[k] for k in PROGRAM_FIELDS if k in values
    }
    _check_terms(merged)
    if merged["budget"] < locked.issued - locked.expired:
        raise DomainError(
            _("预算不能低于已发放且未收回的额度%(v)s元。") % {"v": locked.issued - locked.expired},
            field="budget",
        )
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.bump_version()
    locked.save()
    if partner_regions is not None:
        locked.partner_regions.set([r for r in partner_regions if r.pk != locked.region_id])
    return locked


PROGRAM_WORKFLOW = Workflow(
    "voucher_program",
    {
        (ProgramState.DRAFT, "open"): Transition(ProgramState.OPEN, perm.can_manage_program),
        (ProgramState.OPEN, "close"): Transition(ProgramState.CLOSED, perm.can_manage_program),
    },
    state_labels=dict(ProgramState.choices),
    action_labels={"open": _("开始受理"), "close": _("结束计划")},
)


@acting
@transaction.atomic
def program_open(*, program, by, expected_version=None) -> VoucherProgram:
    return PROGRAM_WORKFLOW.apply(instance=program, action="open", by=by, expected_version=expected_version)


@acting
@transaction.atomic
def program_close(*, program, by, expected_version=None, today: date | None = None) -> VoucherProgram:
    """End the program now: its unused quotas expire and return to the budget."""
    done = PROGRAM_WORKFLOW.apply(instance=program, action="close", by=by, expected_version=expected_version)
    expire_quotas(program=done, by=by, today=today, force=True)
    return done


def accepted_region_ids(program: VoucherProgram) -> set[str]:
    """Regions whose providers accept the program's vouchers: its own and the partners (通用通兑), each with
    the regions under it."""
    from kechuang.regions.selectors import regions_under

    codes = {program.region_id, *program.partner_regions.values_list("pk", flat=True)}
    return {c for code in codes for c in regions_under(code)}


# ---------------------------------------------------------------------------------------------
# Providers and offerings


@acting
@transaction.atomic
def provider_register(
    *, organization: Organization, values: dict, by, expected_version: int | None = None
) -> ProviderProfile:
    """An organization asks to be a voucher provider (or edits its request); the bureau of its region verifies."""
    require(perm.can_edit_provider(by, organization.pk))
    categories = [c for c in values.get("categories") or () if c in ServiceCategory.values]
    if not categories:
        raise DomainError(_("请选择至少一个服务类别。"), field="categories")
    profile, created = ProviderProfile.objects.select_for_update().get_or_create(
        organization=organization, defaults={"categories": categories}
    )
    if not created:
        profile.check_version(expected_version)
    profile.categories = categories
    for name in ("description", "contact_name", "contact_phone"):
        if name in values:
            setattr(profile, name, (values[name] or "").strip())
    if profile.state == ProviderState.REJECTED:
        profile.state = ProviderState.PENDING  # a corrected request is checked again
    if not created:
        profile.bump_version()
    profile.save()
    if created or profile.state == ProviderState.PENDING:
        _tell_bureau(
            organization.region_id,
            _("服务机构申请核验：%(name)s") % {"name": organization.name},
            "",
            link=f"/vouchers/bureau/providers/{profile.pk}/",
            key=f"voucher-provider-{profile.pk}-{profile.version}",
        )
    return profile


PROVIDER_WORKFLOW = Workflow(
    "voucher_provider",
    {
        (ProviderState.PENDING, "verify"): Transition(ProviderState.VERIFIED, perm.can_verify_provider),
        (ProviderState.PENDING, "reject"): Transition(
            ProviderState.REJECTED, perm.can_verify_provider, needs_reason=True
        ),
        (ProviderState.VERIFIED, "suspend"): Transition(
            ProviderState.SUSPENDED, perm.can_verify_provider, needs_reason=True
        ),
        (ProviderState.SUSPENDED, "verify"): Transition(ProviderState.VERIFIED, perm.can_verify_provider),
    },
    state_labels=dict(ProviderState.choices),
    action_labels={"verify": _("核验通过"), "reject": _("不予通过"), "suspend": _("暂停")},
)


@acting
@transaction.atomic
def provider_decide(*, profile: ProviderProfile, action: str, reason: str = "", by, expected_version=None):
    def change(locked):
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.reason = reason.strip()

    done = PROVIDER_WORKFLOW.apply(
        instance=profile,
        action=action,
        by=by,
        reason=reason,
        expected_version=expected_version,
        change=change,
    )
    _tell(
        done.organization_id,
        _("服务机构核验结果：%(state)s") % {"state": done.get_state_display()},
        reason,
        link="/vouchers/provider/",
        key=f"voucher-provider-decided-{done.pk}-{done.version}",
    )
    return done


OFFERING_FIELDS = (
    "kind",
    "category",
    "name",
    "description",
    "region",
    "address",
    "price",
    "unit",
    "availability",
    "booking_rules",
    "instrument_model",
    "manufacturer",
    "active",
)


def _offering_values(values: dict, provider: Organization) -> dict:
    out = {k: values[k] for k in OFFERING_FIELDS if k in values}
    if not (out.get("name") or "").strip():
        raise DomainError(_("请填写服务项目名称。"), field="name")
    if out.get("category") not in ServiceCategory.values:
        raise DomainError(_("请选择服务类别。"), field="category")
    try:
        out["price"] = yuan(out.get("price"))
    except RuleError as exc:
        raise DomainError(str(exc), field="price") from None
    out.setdefault("region", provider.region)
    return out


@acting
@transaction.atomic
def offering_create(*, provider: Organization, values: dict, by) -> Offering:
    require(perm.can_edit_provider(by, provider.pk))
    return Offering.objects.create(provider=provider, **_offering_values(values, provider))


@acting
@transaction.atomic
def offering_update(*, offering: Offering, values: dict, by, expected_version=None) -> Offering:
    require(perm.can_edit_provider(by, offering.provider_id))
    locked = Offering.objects.select_for_update().get(pk=offering.pk)
    locked.check_version(expected_version)
    merged = {k: getattr(locked, k) for k in OFFERING_FIELDS} | {
        k: v for k, v in values.items() if k in OFFERING_FIELDS
    }
    for k, v in _offering_values(merged, locked.provider).items():
        setattr(locked, k, v)
    locked.bump_version()
    locked.save()
    return locked


# ---------------------------------------------------------------------------------------------
# Quotas


def applicant_of(organization: Organization, on: date) -> Applicant:
    held = frozenset(
        Qualification.objects.filter(organization=organization).in_force(on).values_list("kind", flat=True)
    )
    return Applicant(kind=organization.kind, size=organization.size or "", qualifications=held)


def cap_left(program: VoucherProgram, organization_id: int, *, exclude: int | None = None) -> Decimal:
    """What is left of the organization's annual cap in the program: cap − (granted − expired) of its quotas.
    (Pending applications need not count: quota_apply allows one at a time, decided under the program's lock.)"""
    quotas = Quota.objects.filter(program=program, organization_id=organization_id).exclude(pk=exclude)
    granted = quotas.filter(state__in=(QuotaState.APPROVED, QuotaState.EXPIRED)).aggregate(
        g=Sum("granted"), e=Sum("expired")
    )
    used = (granted["g"] or ZERO) - (granted["e"] or ZERO)
    return program.annual_cap - used


@acting
@transaction.atomic
def quota_apply(
    *,
    program: VoucherProgram,
    organization: Organization,
    requested,
    purpose: str = "",
    by,
    today: date | None = None,
) -> Quota:
    """Apply for a quota. Refused when the program is not open or the organization not eligible; approved at
    once, for what the rules allow, when the program approves automatically."""
    today = today or timezone.localdate()
    require(perm.can_apply_for(by, organization.pk))
    locked = lock_program(program.pk)
    if locked.state != ProgramState.OPEN or not (locked.starts_on <= today <= locked.ends_on):
        raise DomainError(_("该创新券计划当前不在受理期内。"))
    from kechuang.regions.selectors import regions_under

    if organization.region_id not in regions_under(locked.region_id):
        raise DomainError(_("本计划只受理%(region)s辖内单位的申领。") % {"region": locked.region.name})
    problems = eligibility_problems(
        applicant_of(organization, today),
        kinds=locked.eligible_kinds,
        sizes=locked.eligible_sizes,
        qualifications=locked.required_qualifications,
    )
    if problems:
        raise DomainError(" ".join(problems))
    try:
        requested = yuan(requested)
    except RuleError as exc:
        raise DomainError(str(exc), field="requested") from None
    if requested <= 0:
        raise DomainError(_("申领金额须大于0元。"), field="requested")
    if requested > locked.quota_per_application:
        raise DomainError(
            _("单次申领不能超过%(v)s元。") % {"v": locked.quota_per_application}, field="requested"
        )
    if Quota.objects.filter(program=locked, organization=organization, state=QuotaState.APPLIED).exists():
        raise DomainError(_("贵单位已有一笔待审核的申领，请等待审核结果。"))
    quota = Quota.objects.create(
        program=locked,
        organization=organization,
        requested=requested,
        purpose=purpose.strip()[:300],
        applied_by=by,
    )
    if locked.auto_approve:
        quota = _grant(locked, quota, by=by, automatic=True)
    else:
        _tell_bureau(
            locked.region_id,
            _("创新券申领待审核：%(org)s %(amount)s元") % {"org": organization.name, "amount": requested},
            "",
            link=f"/vouchers/quotas/{quota.pk}/",
            key=f"voucher-quota-applied-{quota.pk}",
        )
    return quota


def _grant(
    program: VoucherProgram, quota: Quota, *, by, automatic: bool, amount: Decimal | None = None
) -> Quota:
    """Approve `quota` (locked program) for what the rules allow (at most `amount`), or reject it when they
    allow nothing; records the transition either way."""
    from kechuang.core.audit import record_transition

    quota = lock_quota(quota.pk)
    grant = grant_amount(
        requested=min(quota.requested, amount) if amount is not None else quota.requested,
        per_application=program.quota_per_application,
        cap_left=cap_left(program, quota.organization_id, exclude=quota.pk),
        budget_left=program.remaining,
    )
    source = quota.state
    quota.decided_by = by if getattr(by, "is_authenticated", False) else None
    quota.decided_at = timezone.now()
    who = _("系统按规则自动审核") if automatic else ""
    if grant.amount <= 0:
        quota.state = QuotaState.REJECTED
        quota.reason = clauses(filter(None, [who, _("已无可发放额度：") + enumeration(grant.limits)]))
        quota.bump_version()
        quota.save()
    else:
        quota.state = QuotaState.APPROVED
        limited = _("，受%(l)s限制") % {"l": enumeration(grant.limits)} if grant.limits else ""
        quota.reason = clauses(
            filter(None, [who, _("发放%(v)s元%(limited)s") % {"v": grant.amount, "limited": limited}])
        )
        quota.bump_version()
        quota.save()
        move(program=program, kind=EntryKind.ISSUE, amount=grant.amount, quota=quota, by=by)
    record_transition(instance=quota, by=by, from_state=source, to_state=quota.state, reason=quota.reason)
    _tell(
        quota.organization_id,
        _("创新券申领结果：%(state)s") % {"state": quota.get_state_display()},
        quota.reason,
        link=f"/vouchers/quotas/{quota.pk}/",
        key=f"voucher-quota-decided-{quota.pk}-{quota.version}",
    )
    return quota


@acting
@transaction.atomic
def quota_approve(*, quota: Quota, by, amount=None, expected_version=None) -> Quota:
    """An officer approves a pending application, for `amount` (default: what was asked) within the rules."""
    require(perm.can_decide_quota(by, quota))
    program = lock_program(quota.program_id)
    current = lock_quota(quota.pk)
    current.check_version(expected_version)
    if current.state != QuotaState.APPLIED:
        raise DomainError(_("该申领当前状态为“%(s)s”，不能审核。") % {"s": current.get_state_display()})
    if amount not in (None, ""):
        try:
            amount = yuan(amount)
        except RuleError as exc:
            raise DomainError(str(exc), field="amount") from None
        if amount <= 0:
            raise DomainError(_("发放金额须大于0元。"), field="amount")
    else:
        amount = None
    return _grant(program, current, by=by, automatic=False, amount=amount)


@acting
@transaction.atomic
def quota_reject(*, quota: Quota, reason: str, by, expected_version=None) -> Quota:
    from kechuang.core.audit import record_transition

    require(perm.can_decide_quota(by, quota))
    lock_program(quota.program_id)
    current = lock_quota(quota.pk)
    current.check_version(expected_version)
    if current.state != QuotaState.APPLIED:
        raise DomainError(_("该申领当前状态为“%(s)s”，不能审核。") % {"s": current.get_state_display()})
    if not reason.strip():
        raise DomainError(_("请填写理由。"), field="reason")
    current.state, current.reason = QuotaState.REJECTED, reason.strip()[:300]
    current.decided_by, current.decided_at = by, timezone.now()
    current.bump_version()
    current.save()
    record_transition(
        instance=current, by=by, from_state=QuotaState.APPLIED, to_state=current.state, reason=current.reason
    )
    _tell(
        current.organization_id,
        _("创新券申领未通过"),
        current.reason,
        link=f"/vouchers/quotas/{current.pk}/",
        key=f"voucher-quota-decided-{current.pk}-{current.version}",
    )
    return current


@transaction.atomic
def expire_quotas(
    *, program: VoucherProgram, by=None, today: date | None = None, force: bool = False
) -> Decimal:
    """After the program's period (or when it is closed: `force`), every approved quota's unused balance
    expires and returns to the budget; pending applications lapse. Bookings already made keep their money.
    Returns the amount returned."""
    from kechuang.core.audit import record_transition

    today = today or timezone.localdate()
    locked = lock_program(program.pk)
    if not force and today <= locked.ends_on:
        return ZERO
    returned = ZERO
    for quota_id in locked.quotas.filter(state__in=(QuotaState.APPROVED, QuotaState.APPLIED)).values_list(
        "pk", flat=True
    ):
        quota = lock_quota(quota_id)
        source = quota.state
        left = quota.available if source == QuotaState.APPROVED else ZERO
        move(program=locked, kind=EntryKind.EXPIRE, amount=left, quota=quota, by=by)
        returned += left
        quota.state = QuotaState.EXPIRED if source == QuotaState.APPROVED else QuotaState.WITHDRAWN
        quota.bump_version()
        quota.save()
        reason = (
            _("计划期满，未使用额度%(v)s元收回") % {"v": left}
            if source == QuotaState.APPROVED
            else _("计划期满，申领未审核")
        )
        record_transition(instance=quota, by=by, from_state=source, to_state=quota.state, reason=reason)
    return returned


def expire_due(*, today: date | None = None) -> Decimal:
    """The nightly job: expire the quotas of every program whose period ended."""
    today = today or timezone.localdate()
    total = ZERO
    for program in VoucherProgram.objects.filter(
        ends_on__lt=today, quotas__state__in=(QuotaState.APPROVED, QuotaState.APPLIED)
    ).distinct():
        total += expire_quotas(program=program, today=today)
    return total


# ---------------------------------------------------------------------------------------------
# Bookings


def _split(program: VoucherProgram, fee, available: Decimal):
    return split_fee(fee, parse_tiers(program.copay_tiers), program.copay_mode, available=available)


@acting
@transaction.atomic
def booking_create(
    *, quota: Quota, offering: Offering, fee=None, service_date: date, note: str = "", by, today=None
) -> Booking:
    """Book a service with a quota: the voucher's share of the fee is committed from the quota at once."""
    today = today or timezone.localdate()
    require(perm.can_apply_for(by, quota.organization_id))
    program = lock_program(quota.program_id)
    locked = lock_quota(quota.pk)
    if locked.state != QuotaState.APPROVED:
        raise DomainError(_("该额度当前状态为“%(s)s”，不能使用。") % {"s": locked.get_state_display()})
    if today > program.ends_on:
        raise DomainError(_("创新券计划已于%(d)s截止，额度不能再使用。") % {"d": program.ends_on})
    if service_date < today:
        raise DomainError(_("服务日期不能早于今天。"), field="service_date")
    offering = Offering.objects.select_related("provider").get(pk=offering.pk)
    profile = ProviderProfile.objects.filter(organization_id=offering.provider_id).first()
    if not offering.active or profile is None or profile.state != ProviderState.VERIFIED:
        raise DomainError(_("该服务项目当前不接受创新券预约。"))
    if offering.category not in program.categories:
        raise DomainError(_("本计划的创新券不能用于“%(c)s”类服务。") % {"c": offering.get_category_display()})
    if offering.region_id not in accepted_region_ids(program):
        raise DomainError(_("该服务机构所在地区不在本计划的通用通兑范围内。"))
    if offering.provider_id == locked.organization_id:
        raise DomainError(_("不能向本单位购买服务。"))
    fee = offering.price if fee in (None, "") else fee
    try:
        fee = yuan(fee)
    except RuleError as exc:
        raise DomainError(str(exc), field="fee") from None
    if fee <= 0:
        raise DomainError(_("服务费用须大于0元。"), field="fee")
    split = _split(program, fee, locked.available)
    if split.voucher <= 0:
        raise DomainError(_("额度余额为0，不能再预约。"))
    booking = Booking.objects.create(
        quota=locked,
        offering=offering,
        provider=offering.provider,
        issuing_region_id=program.region_id,
        service_region_id=offering.region_id,
        category=offering.category,
        service_date=service_date,
        fee=fee,
        voucher_amount=split.voucher,
        enterprise_amount=split.enterprise,
        note=note.strip()[:300],
        created_by=by,
    )
    move(program=program, kind=EntryKind.COMMIT, amount=split.voucher, quota=locked, booking=booking, by=by)
    from kechuang.core.audit import record_transition

    record_transition(
        instance=booking, by=by, from_state="", to_state=booking.state, reason=split.explanation
    )
    _tell(
        booking.provider_id,
        _("新的创新券预约：%(name)s") % {"name": offering.name},
        split.explanation,
        link=f"/vouchers/bookings/{booking.pk}/",
        key=f"voucher-booking-{booking.pk}",
    )
    from .fraud import check_booking

    check_booking(booking)
    return booking


def _booking_step(
    booking: Booking, action: str, *, by, reason: str = "", expected_version=None, check=None, change=None
):
    """Lock program and quota (lock order), then take the workflow step on the booking."""
    program = lock_program(booking.quota.program_id)
    quota = lock_quota(booking.quota_id)
    done = BOOKING_WORKFLOW.apply(
        instance=booking,
        action=action,
        by=by,
        reason=reason,
        expected_version=expected_version,
        check=check,
        change=(lambda locked: change(locked, program, quota)) if change else None,
    )
    return done, program, quota


def _release(program, quota, booking: Booking, amount: Decimal, by) -> None:
    """Give a booking's committed money back to its quota; once the quota has expired, on to the budget."""
    move(program=program, kind=EntryKind.RELEASE, amount=amount, quota=quota, booking=booking, by=by)
    if quota.state == QuotaState.EXPIRED:
        move(program=program, kind=EntryKind.EXPIRE, amount=amount, quota=quota, booking=booking, by=by)


def _release_all(locked: Booking, program, quota, by) -> None:
    _release(program, quota, locked, locked.voucher_amount, by)


@acting
@transaction.atomic
def booking_accept(*, booking: Booking, by, expected_version=None) -> Booking:
    done, *_rest = _booking_step(booking, "accept", by=by, expected_version=expected_version)
    _tell(
        done.quota.organization_id,
        _("服务机构已接受创新券预约"),
        "",
        link=f"/vouchers/bookings/{done.pk}/",
        key=f"voucher-booking-accepted-{done.pk}",
    )
    return done


@acting
@transaction.atomic
def booking_decline(*, booking: Booking, reason: str, by, expected_version=None) -> Booking:
    done, *_rest = _booking_step(
        booking,
        "decline",
        by=by,
        reason=reason,
        expected_version=expected_version,
        change=lambda locked, program, quota: _release_all(locked, program, quota, by),
    )
    _tell(
        done.quota.organization_id,
        _("服务机构谢绝了创新券预约"),
        reason,
        link=f"/vouchers/bookings/{done.pk}/",
        key=f"voucher-booking-declined-{done.pk}",
    )
    return done


@acting
@transaction.atomic
def booking_cancel(*, booking: Booking, reason: str = "", by, expected_version=None) -> Booking:
    done, *_rest = _booking_step(
        booking,
        "cancel",
        by=by,
        reason=reason,
        expected_version=expected_version,
        change=lambda locked, program, quota: _release_all(locked, program, quota, by),
    )
    _tell(
        done.provider_id,
        _("企业取消了创新券预约"),
        reason,
        link=f"/vouchers/bookings/{done.pk}/",
        key=f"voucher-booking-cancelled-{done.pk}",
    )
    return done


@acting
@transaction.atomic
def booking_complete(
    *,
    booking: Booking,
    fee=None,
    invoice_no: str,
    invoice_file=None,
    report_file=None,
    by,
    expected_version=None,
) -> Booking:
    """The provider records the service as done, with the invoice and the report, and the actual fee. A lower
    fee releases the difference; a higher one commits more from the quota, as far as it goes (the enterprise
    pays the rest)."""
    invoice_no = (invoice_no or "").strip()
    if not invoice_no:
        raise DomainError(_("请填写发票号码。"), field="invoice_no")
    if report_file is None and not booking.report_file:
        raise DomainError(_("请上传服务报告。"), field="report_file")
    for name, upload in (("invoice_file", invoice_file), ("report_file", report_file)):
        if upload is not None:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages), field=name) from None

    def change(locked, program, quota):
        actual = locked.fee if fee in (None, "") else fee
        try:
            actual = yuan(actual)
        except RuleError as exc:
            raise DomainError(str(exc), field="fee") from None
        if actual <= 0:
            raise DomainError(_("服务费用须大于0元。"), field="fee")
        split = _split(program, actual, quota.available + locked.voucher_amount)
        delta = split.voucher - locked.voucher_amount
        if delta > 0:
            move(program=program, kind=EntryKind.COMMIT, amount=delta, quota=quota, booking=locked, by=by)
        elif delta < 0:
            _release(program, quota, locked, -delta, by)
        locked.fee, locked.voucher_amount, locked.enterprise_amount = actual, split.voucher, split.enterprise
        locked.invoice_no = invoice_no[:40]
        if invoice_file is not None:
            locked.invoice_file = invoice_file
        if report_file is not None:
            locked.report_file = report_file
        locked.completed_at = timezone.now()

    done, *_rest = _booking_step(booking, "complete", by=by, expected_version=expected_version, change=change)
    _tell(
        done.quota.organization_id,
        _("服务已完成，请确认"),
        _("服务费用%(fee)s元，创新券支付%(v)s元，企业自付%(own)s元。")
        % {"fee": done.fee, "v": done.voucher_amount, "own": done.enterprise_amount},
        link=f"/vouchers/bookings/{done.pk}/",
        key=f"voucher-booking-completed-{done.pk}-{done.version}",
    )
    return done


@acting
@transaction.atomic
def booking_confirm(*, booking: Booking, by, expected_version=None) -> Booking:
    """The enterprise confirms the service: the voucher pays its share (committed → redeemed)."""

    def change(locked, program, quota):
        move(
            program=program,
            kind=EntryKind.REDEEM,
            amount=locked.voucher_amount,
            quota=quota,
            booking=locked,
            by=by,
        )
        locked.confirmed_at = timezone.now()

    done, *_rest = _booking_step(booking, "confirm", by=by, expected_version=expected_version, change=change)
    _tell(
        done.provider_id,
        _("企业已确认服务，可申请兑付"),
        "",
        link=f"/vouchers/bookings/{done.pk}/",
        key=f"voucher-booking-confirmed-{done.pk}",
    )
    from .fraud import check_provider

    check_provider(done.provider_id, program_id=done.quota.program_id, year=done.confirmed_at.year)
    return done


@acting
@transaction.atomic
def booking_dispute(*, booking: Booking, reason: str, by, expected_version=None) -> Booking:
    done, *_rest = _booking_step(booking, "dispute", by=by, reason=reason, expected_version=expected_version)
    _tell(
        done.provider_id,
        _("企业对服务有异议"),
        reason,
        link=f"/vouchers/bookings/{done.pk}/",
        key=f"voucher-booking-disputed-{done.pk}-{done.version}",
    )
    return done


@acting
@transaction.atomic
def booking_claim(*, booking: Booking, by, expected_version=None) -> Booking:
    """The provider claims the voucher's share (申请兑付) from the issuing region."""

    def change(locked, program, quota):
        locked.claimed_at = timezone.now()

    done, *_rest = _booking_step(booking, "claim", by=by, expected_version=expected_version, change=change)
    _tell_bureau(
        done.issuing_region_id,
        _("创新券兑付申请：%(v)s元") % {"v": done.voucher_amount},
        "",
        link=f"/vouchers/bookings/{done.pk}/",
        key=f"voucher-booking-claimed-{done.pk}",
    )
    return done


# ---------------------------------------------------------------------------------------------
# Settlement (the issuing region pays, 通用通兑 included)


@acting
@transaction.atomic
def batch_create(*, program: VoucherProgram, bookings=None, by) -> SettlementBatch:
    """A settlement batch of the program's claimed redemptions (all of them, or `bookings`)."""
    require(perm.can_manage_program(by, program))
    locked = lock_program(program.pk)
    claimed = Booking.objects.filter(quota__program=locked, state=BookingState.CLAIMED)
    if bookings is not None:
        claimed = claimed.filter(pk__in=[b.pk if hasattr(b, "pk") else b for b in bookings])
    ids = list(claimed.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise DomainError(_("没有待结算的兑付申请。"))
    batch = SettlementBatch.objects.create(program=locked, created_by=by)
    total = ZERO
    for booking_id in ids:
        item = Booking.objects.get(pk=booking_id)

        def change(b, batch=batch):
            b.batch = batch

        done = BOOKING_WORKFLOW.apply(instance=item, action="settle", by=by, change=change)
        move(
            program=locked,
            kind=EntryKind.SETTLE,
            amount=done.voucher_amount,
            booking=done,
            batch=batch,
            by=by,
        )
        total += done.voucher_amount
    batch.total = total
    batch.save(update_fields=["total", "updated_at"])
    return batch


BATCH_WORKFLOW = Workflow(
    "voucher_batch",
    {
        (BatchState.DRAFT, "approve"): Transition(
            BatchState.APPROVED, lambda u, b: perm.can_manage_program(u, b.program)
        ),
        (BatchState.APPROVED, "pay"): Transition(
            BatchState.PAID, lambda u, b: perm.can_manage_program(u, b.program)
        ),
    },
    state_labels=dict(BatchState.choices),
    action_labels={"approve": _("审定"), "pay": _("登记拨付")},
)


@acting
@transaction.atomic
def batch_approve(*, batch: SettlementBatch, by, expected_version=None) -> SettlementBatch:
    def change(locked):
        locked.approved_at = timezone.now()

    return BATCH_WORKFLOW.apply(
        instance=batch, action="approve", by=by, expected_version=expected_version, change=change
    )


@acting
@transaction.atomic
def batch_pay(
    *, batch: SettlementBatch, paid_on: date, reference: str, by, expected_version=None
) -> SettlementBatch:
    """Record the batch's payment: every booking in it is paid, and each provider is told."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("请填写拨付凭证号。"), field="reference")
    program = lock_program(batch.program_id)

    def change(locked):
        locked.paid_on, locked.payment_reference = paid_on, reference[:60]

    done = BATCH_WORKFLOW.apply(
        instance=batch, action="pay", by=by, expected_version=expected_version, change=change
    )
    for item in done.bookings.order_by("pk"):
        paid = BOOKING_WORKFLOW.apply(instance=item, action="pay", by=by)
        move(program=program, kind=EntryKind.PAY, amount=paid.voucher_amount, booking=paid, batch=done, by=by)
        _tell(
            paid.provider_id,
            _("创新券兑付款已拨付：%(v)s元") % {"v": paid.voucher_amount},
            _("拨付凭证号%(r)s") % {"r": reference},
            link=f"/vouchers/bookings/{paid.pk}/",
            key=f"voucher-booking-paid-{paid.pk}",
        )
    return done


# ---------------------------------------------------------------------------------------------
# Fraud flags (reviewed by the issuing region's bureau; a flag never blocks by itself)


@acting
@transaction.atomic
def flag_review(*, flag, state: str, note: str, by, expected_version=None):
    """Clear a flag (no problem found) or confirm it, with the officer's note."""
    from kechuang.core.audit import record_transition

    from .enums import FlagState
    from .models import Flag

    locked = Flag.objects.select_for_update(of=("self",)).select_related("program").get(pk=flag.pk)
    if locked.program is None or not perm.can_manage_program(by, locked.program):
        raise perm_denied()
    locked.check_version(expected_version)
    if state not in (FlagState.CLEARED, FlagState.CONFIRMED):
        raise DomainError(_("请选择核查结论。"), field="state")
    if not (note or "").strip():
        raise DomainError(_("请填写核查意见。"), field="note")
    source = locked.state
    locked.state, locked.review_note = state, note.strip()[:300]
    locked.reviewed_by, locked.reviewed_at = by, timezone.now()
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=source, to_state=state, reason=locked.review_note)
    return locked


def perm_denied():
    from kechuang.core.errors import PermissionDenied

    return PermissionDenied(_("只有发放地区科技局的业务人员可以核查风险提示。"))
