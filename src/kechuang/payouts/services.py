"""政策兑现 as services: payout items (the bureau) and claims (the organization picks a qualifying record; the
bureau approves, rejects and pays). Each is one transaction, checks permissions and records its transition.

Lock order: item, then claim. claim_submit locks the item, so two claims of one organization cannot both fit
under its cap; the partial unique index `payout_basis_paid_once` is the last guard against a record paying
twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.notifications import notify
from kechuang.core.permissions import require
from kechuang.core.workflow import Transition, Workflow

from . import eligibility
from . import permissions as perm
from .enums import ClaimState, ItemState, Trigger
from .models import PayoutClaim, PayoutItem

ITEM_FIELDS = (
    "name",
    "year",
    "trigger",
    "parameters",
    "basis_from",
    "basis_until",
    "amount",
    "cap_per_organization",
    "applies_from",
    "applies_until",
    "description",
)


def _tell(organization_id: int, subject: str, body: str, *, link: str, key: str) -> None:
    from kechuang.accounts.models import User

    users = User.objects.filter(organization_id=organization_id, is_active=True)
    notify(recipients=users, subject=subject, body=body, link=link, dedupe_key=key)


def _tell_bureau(region_id: str, subject: str, *, link: str, key: str) -> None:
    from kechuang.accounts.enums import Role
    from kechuang.accounts.models import User

    users = User.objects.filter(
        region_id=region_id, role__in=(Role.BUREAU_ADMIN, Role.BUREAU_STAFF), is_active=True
    )
    notify(recipients=users, subject=subject, link=link, dedupe_key=key)


def _claim_link(claim) -> str:
    return f"/payouts/claims/{claim.pk}/"


# ---------------------------------------------------------------------------------------------------------
# Items


def _money(value, field: str, *, optional: bool = False) -> Decimal | None:
    if value in (None, "") and optional:
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError):
        raise DomainError(_("请填写有效的金额。"), field=field) from None
    if amount < 0:
        raise DomainError(_("金额不能为负数。"), field=field)
    return amount


def clean_parameters(trigger: str, parameters: dict | None) -> dict:
    """The trigger's terms, checked: only the keys the trigger reads, with valid values."""
    from kechuang.carriers.enums import CarrierKind
    from kechuang.organizations.enums import QualificationKind, QualificationLevel
    from kechuang.patents.enums import PatentKind

    given = {k: v for k, v in (parameters or {}).items() if v not in (None, "")}
    level = given.get("level")
    if level and level not in QualificationLevel.values:
        raise DomainError(_("请选择有效的级别。"), field="level")
    if trigger == Trigger.QUALIFICATION:
        if given.get("qualification_kind") not in QualificationKind.values:
            raise DomainError(_("请选择资质类型。"), field="qualification_kind")
        out = {"qualification_kind": given["qualification_kind"]}
        return out | ({"level": level} if level else {})
    if trigger == Trigger.PATENT_GRANT:
        if given.get("patent_kind") not in PatentKind.values:
            raise DomainError(_("请选择专利类型。"), field="patent_kind")
        return {"patent_kind": given["patent_kind"]}
    if trigger == Trigger.CARRIER:
        if given.get("carrier_kind") not in CarrierKind.values:
            raise DomainError(_("请选择载体类型。"), field="carrier_kind")
        return {"carrier_kind": given["carrier_kind"]} | ({"level": level} if level else {})
    if trigger == Trigger.CONTRACT:
        out = {"side": "buyer" if given.get("side") == "buyer" else "seller"}
        if "rate" in given:
            rate = eligibility.rate_of({"rate": given["rate"]})
            if rate is None or rate > 1:
                raise DomainError(_("兑现比例须为大于0且不超过1的小数，例如0.01。"), field="rate")
            out["rate"] = str(rate)
        return out
    raise DomainError(_("请选择兑现依据。"), field="trigger")


def _check_item(values: dict) -> dict:
    if not (values.get("name") or "").strip():
        raise DomainError(_("请填写兑现事项名称。"), field="name")
    values["name"] = values["name"].strip()
    values["parameters"] = clean_parameters(values.get("trigger"), values.get("parameters"))
    values["amount"] = _money(values.get("amount"), "amount")
    values["cap_per_organization"] = _money(
        values.get("cap_per_organization"), "cap_per_organization", optional=True
    )
    if values["amount"] <= 0 and not (
        values["trigger"] == Trigger.CONTRACT and eligibility.rate_of(values["parameters"])
    ):
        raise DomainError(_("每项兑现金额须大于0元。"), field="amount")
    for start, end, field in (
        ("basis_from", "basis_until", "basis_until"),
        ("applies_from", "applies_until", "applies_until"),
    ):
        if not values.get(start) or not values.get(end):
            raise DomainError(_("请填写起止日期。"), field=field)
        if values[end] < values[start]:
            raise DomainError(_("截止日期不能早于开始日期。"), field=field)
    return values


def _published(policy) -> None:
    from kechuang.portal.enums import PublishState

    if policy.state != PublishState.PUBLISHED:
        raise DomainError(_("只能依据已发布的政策设立兑现事项。"), field="policy")


@acting
@transaction.atomic
def item_create(*, policy, region, values: dict, by) -> PayoutItem:
    """A draft payout item of `region` under a published policy (the region's bureau)."""
    require(perm.can_manage_item(by, PayoutItem(region=region)))
    _published(policy)
    values = _check_item({k: values[k] for k in ITEM_FIELDS if k in values})
    return PayoutItem.objects.create(policy=policy, region=region, **values)


@acting
@transaction.atomic
def item_update(*, item: PayoutItem, values: dict, policy=None, expected_version=None, by) -> PayoutItem:
    """Change an item's terms; a closed item is final, and an item with claims keeps its trigger and terms."""
    require(perm.can_manage_item(by, item))
    locked = PayoutItem.objects.select_for_update().get(pk=item.pk)
    locked.check_version(expected_version)
    if locked.state == ItemState.CLOSED:
        raise DomainError(_("已结束的兑现事项不能修改。"))
    merged = _check_item(
        {k: getattr(locked, k) for k in ITEM_FIELDS} | {k: values[k] for k in ITEM_FIELDS if k in values}
    )
    if locked.claims.exists() and any(
        merged[k] != getattr(locked, k)
        for k in ("trigger", "parameters", "basis_from", "basis_until", "amount")
    ):
        raise DomainError(_("已有单位申请，不能再修改兑现依据、依据日期和金额。"))
    if policy is not None and policy.pk != locked.policy_id:
        _published(policy)
        locked.policy = policy
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.bump_version()
    locked.save()
    return locked


def _policy_still_published(locked) -> None:
    _published(locked.policy)


ITEM_WORKFLOW = Workflow(
    "payout_item",
    {
        (ItemState.DRAFT, "open"): Transition(ItemState.OPEN, perm.can_manage_item),
        (ItemState.OPEN, "close"): Transition(ItemState.CLOSED, perm.can_manage_item),
    },
    state_labels=dict(ItemState.choices),
    action_labels={"open": _("开始受理"), "close": _("结束受理")},
)


@acting
@transaction.atomic
def item_open(*, item, by, expected_version=None) -> PayoutItem:
    return ITEM_WORKFLOW.apply(
        instance=item, action="open", by=by, expected_version=expected_version, check=_policy_still_published
    )


@acting
@transaction.atomic
def item_close(*, item, by, expected_version=None) -> PayoutItem:
    """Stop taking claims; claims already made are still decided and paid."""
    return ITEM_WORKFLOW.apply(instance=item, action="close", by=by, expected_version=expected_version)


# ---------------------------------------------------------------------------------------------------------
# Claims


C = ClaimState


def _owner(user, claim):
    return perm.as_claimant(user, claim)


CLAIM_WORKFLOW = Workflow(
    "payout_claim",
    {
        (C.SUBMITTED, "withdraw"): Transition(C.WITHDRAWN, _owner),
        (C.SUBMITTED, "approve"): Transition(C.APPROVED, perm.can_decide_claim),
        (C.SUBMITTED, "reject"): Transition(C.REJECTED, perm.can_decide_claim, needs_reason=True),
        (C.APPROVED, "pay"): Transition(C.PAID, perm.can_decide_claim),
    },
    state_labels=dict(ClaimState.choices),
    action_labels={"withdraw": _("撤回"), "approve": _("核准"), "reject": _("不予通过"), "pay": _("拨付")},
)


@acting
@transaction.atomic
def claim_submit(
    *, item: PayoutItem, organization, basis_key: str, bank_account: str = "", by, today: date | None = None
) -> PayoutClaim:
    """Claim the payout for one of the organization's qualifying records (picked from its eligible list)."""
    from kechuang.regions.selectors import regions_under

    today = today or timezone.localdate()
    require(perm.can_claim_for(by, organization.pk))
    locked = PayoutItem.objects.select_for_update().get(pk=item.pk)
    if locked.state != ItemState.OPEN or not (locked.applies_from <= today <= locked.applies_until):
        raise DomainError(_("该兑现事项当前不在受理期内。"))
    if organization.region_id not in regions_under(locked.region_id):
        raise DomainError(_("本事项只受理%(region)s辖内单位的申请。") % {"region": locked.region.name})
    record = eligibility.find(locked, organization, basis_key)
    if record is None:
        raise DomainError(_("所选记录不符合本事项的兑现条件。"), field="basis_key")
    if not record.claimable:
        raise DomainError(record.reason, field="basis_key")
    try:
        with transaction.atomic():
            claim = PayoutClaim.objects.create(
                item=locked,
                organization=organization,
                basis_key=record.basis_key,
                basis_label=record.label[:200],
                amount_claimed=record.amount,
                bank_account=(bank_account or "").strip()[:60],
            )
    except IntegrityError:
        raise DomainError(_("该记录已申请过本事项，同一记录只能兑现一次。"), field="basis_key") from None
    record_transition(instance=claim, by=by, from_state="", to_state=C.SUBMITTED)
    _tell_bureau(
        locked.region_id,
        _("新的政策兑现申请：%(org)s · %(item)s") % {"org": organization.name, "item": locked.name},
        link=_claim_link(claim),
        key=f"payout-claim-{claim.pk}",
    )
    return claim


@acting
@transaction.atomic
def claim_withdraw(*, claim: PayoutClaim, by, expected_version=None) -> PayoutClaim:
    """The organization takes back a claim not yet decided; the record is free again."""

    def change(locked):
        locked.holds = False

    return CLAIM_WORKFLOW.apply(
        instance=claim, action="withdraw", by=by, expected_version=expected_version, change=change
    )


def _decided(locked, by, note: str) -> None:
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = (note or "").strip()[:300]


def _tell_decision(done: PayoutClaim, note: str = "") -> None:
    _tell(
        done.organization_id,
        _("政策兑现申请%(state)s：%(item)s") % {"state": done.get_state_display(), "item": done.item.name},
        note,
        link=_claim_link(done),
        key=f"payout-claim-{done.pk}-{done.state}",
    )


@acting
@transaction.atomic
def claim_approve(*, claim: PayoutClaim, amount, note: str = "", by, expected_version=None) -> PayoutClaim:
    """The bureau approves the claim for `amount` (at most what was claimed)."""
    value = _money(amount, "amount")

    def check(locked):
        if value <= 0 or value > locked.amount_claimed:
            raise DomainError(
                _("核准金额须大于0元且不超过申请金额%(v)s元。") % {"v": locked.amount_claimed}, field="amount"
            )

    def change(locked):
        locked.amount_approved = value
        _decided(locked, by, note)

    done = CLAIM_WORKFLOW.apply(
        instance=claim,
        action="approve",
        by=by,
        reason=note,
        expected_version=expected_version,
        check=check,
        change=change,
    )
    _tell_decision(done, note)
    return done


@acting
@transaction.atomic
def claim_reject(*, claim: PayoutClaim, reason: str, by, expected_version=None) -> PayoutClaim:
    """The bureau refuses the claim (with the reason); the record is free again."""

    def change(locked):
        locked.holds = False
        _decided(locked, by, reason)

    done = CLAIM_WORKFLOW.apply(
        instance=claim,
        action="reject",
        by=by,
        reason=reason,
        expected_version=expected_version,
        change=change,
    )
    _tell_decision(done, reason)
    return done


@acting
@transaction.atomic
def claim_pay(
    *, claim: PayoutClaim, paid_on: date, reference: str, by, expected_version=None, today: date | None = None
) -> PayoutClaim:
    """The bureau records the payment of an approved claim (once: a paid claim cannot be paid again)."""
    today = today or timezone.localdate()
    reference = (reference or "").strip()

    def check(locked):
        if not paid_on:
            raise DomainError(_("请填写兑现日期。"), field="paid_on")
        if paid_on > today:
            raise DomainError(_("兑现日期不能晚于今天。"), field="paid_on")
        if locked.decided_at and paid_on < timezone.localdate(locked.decided_at):
            raise DomainError(_("兑现日期不能早于核准日期。"), field="paid_on")
        if not reference:
            raise DomainError(_("请填写拨付凭证号。"), field="reference")

    def change(locked):
        locked.paid_on = paid_on
        locked.payment_reference = reference[:60]

    done = CLAIM_WORKFLOW.apply(
        instance=claim, action="pay", by=by, expected_version=expected_version, check=check, change=change
    )
    _tell_decision(
        done, _("兑现金额%(v)s元，拨付凭证号%(ref)s。") % {"v": done.amount_approved, "ref": reference}
    )
    return done
