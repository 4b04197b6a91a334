"""Patent subsidies (专利资助) as services: policies (draft → open → closed) and claims
(submitted → approved → paid, or rejected / withdrawn).

Invariants:
* A patent is held by at most one claim in a holding state (submitted, approved, paid); rejecting or withdrawing a
  claim frees its patents (items' `holds` = False). The partial unique index `patent_subsidised_once` is the last
  guard; an IntegrityError from it becomes the same DomainError as the check before it.
* An organization's holdings per region and year never exceed the policy's cap: claim_submit locks the
  organization's row, so two claims of one organization are assessed one after the other.
* A paid claim is final: it can be neither paid again nor rejected.

Lock order: organization, claim (or policy), patents.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require
from kechuang.core.workflow import Transition, Workflow
from kechuang.organizations.models import Organization
from kechuang.regions.selectors import regions_under

from . import permissions as perm
from . import subsidy_rules as rules
from .enums import HOLDING_CLAIM_STATES, ClaimState, PolicyState
from .models import Patent, SubsidyClaim, SubsidyItem, SubsidyPolicy

POLICY_FIELDS = (
    "name",
    "year",
    "granted_from",
    "granted_until",
    "invention_amount",
    "utility_model_amount",
    "design_amount",
    "cap_per_organization",
    "description",
)


def _policy_manager(user, policy):
    return perm.can_manage_subsidy_policy(user, policy)


POLICY_WORKFLOW = Workflow(
    "patent_subsidy_policy",
    {
        (PolicyState.DRAFT, "open"): Transition(PolicyState.OPEN, _policy_manager),
        (PolicyState.OPEN, "close"): Transition(PolicyState.CLOSED, _policy_manager),
        (PolicyState.CLOSED, "open"): Transition(PolicyState.OPEN, _policy_manager),
    },
    state_labels=dict(PolicyState.choices),
    action_labels={"open": gettext_lazy("开始受理"), "close": gettext_lazy("结束受理")},
)


def _owner(user, claim):
    return perm.can_withdraw_subsidy_claim(user, claim)


def _bureau(user, claim):
    return perm.can_decide_subsidy_claim(user, claim)


C = ClaimState
CLAIM_WORKFLOW = Workflow(
    "patent_subsidy_claim",
    {
        (C.SUBMITTED, "withdraw"): Transition(C.WITHDRAWN, _owner),
        (C.SUBMITTED, "approve"): Transition(C.APPROVED, _bureau),
        (C.SUBMITTED, "reject"): Transition(C.REJECTED, _bureau, needs_reason=True),
        (C.APPROVED, "pay"): Transition(C.PAID, _bureau),
        (C.APPROVED, "reject"): Transition(C.REJECTED, _bureau, needs_reason=True),
    },
    state_labels=dict(ClaimState.choices),
    action_labels={
        "withdraw": gettext_lazy("撤回申请"),
        "approve": gettext_lazy("核准"),
        "reject": gettext_lazy("不予资助"),
        "pay": gettext_lazy("登记拨付"),
    },
)


# ---------------------------------------------------------------------------------------------
# Policies


def _check_policy(values: dict) -> None:
    if values["granted_until"] < values["granted_from"]:
        raise DomainError(_("授权日止不能早于授权日起。"), field="granted_until")
    for name in ("invention_amount", "utility_model_amount", "design_amount", "cap_per_organization"):
        values[name] = rules.yuan(values.get(name))
        if values[name] < 0:
            raise DomainError(_("金额不能为负数。"), field=name)
    if values["cap_per_organization"] <= 0:
        raise DomainError(_("每家单位年度上限须大于0元。"), field="cap_per_organization")
    if not (values.get("name") or "").strip():
        raise DomainError(_("请填写政策名称。"), field="name")


@acting
@transaction.atomic
def policy_create(*, region, values: dict, by) -> SubsidyPolicy:
    """A draft subsidy policy of `region` (its bureau's editors)."""
    require(perm.can_manage_subsidy_policy(by, SubsidyPolicy(region=region)))
    values = {k: values[k] for k in POLICY_FIELDS if k in values}
    _check_policy(values)
    return SubsidyPolicy.objects.create(region=region, **values)


@acting
@transaction.atomic
def policy_update(*, policy: SubsidyPolicy, values: dict, expected_version=None, by) -> SubsidyPolicy:
    """Change a policy's terms; the amounts of claims already made stay as they were."""
    locked = SubsidyPolicy.objects.select_for_update().get(pk=policy.pk)
    require(perm.can_manage_subsidy_policy(by, locked))
    locked.check_version(expected_version)
    merged = {k: getattr(locked, k) for k in POLICY_FIELDS} | {
        k: values[k] for k in POLICY_FIELDS if k in values
    }
    _check_policy(merged)
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.bump_version()
    locked.save()
    return locked


@acting
def policy_open(*, policy: SubsidyPolicy, expected_version=None, by) -> SubsidyPolicy:
    """Start taking claims (also reopens a closed policy)."""
    return POLICY_WORKFLOW.apply(instance=policy, action="open", by=by, expected_version=expected_version)


@acting
def policy_close(*, policy: SubsidyPolicy, expected_version=None, by) -> SubsidyPolicy:
    """Stop taking claims; claims already made go on being decided and paid."""
    return POLICY_WORKFLOW.apply(instance=policy, action="close", by=by, expected_version=expected_version)


# ---------------------------------------------------------------------------------------------
# Claims: assessing


def holds_of(patent_ids) -> dict[int, rules.Hold]:
    """The claims now holding these patents, by patent id."""
    labels = dict(ClaimState.choices)
    items = SubsidyItem.objects.filter(patent_id__in=list(patent_ids), holds=True).select_related(
        "claim__policy"
    )
    return {
        item.patent_id: rules.Hold(
            claim_id=item.claim_id,
            policy_name=item.claim.policy.name,
            state_label=str(labels.get(item.claim.state, item.claim.state)),
        )
        for item in items
    }


def held_this_year(
    *, policy: SubsidyPolicy, organization_id: int, exclude_claim_id: int | None = None
) -> Decimal:
    """What the organization holds in claims under policies of the policy's region and year."""
    claims = SubsidyClaim.objects.filter(
        organization_id=organization_id,
        policy__region_id=policy.region_id,
        policy__year=policy.year,
        state__in=HOLDING_CLAIM_STATES,
    )
    if exclude_claim_id is not None:
        claims = claims.exclude(pk=exclude_claim_id)
    total = rules.ZERO
    for state, claimed, approved in claims.values_list("state", "amount_claimed", "amount_approved"):
        total += approved if state != ClaimState.SUBMITTED and approved is not None else claimed
    return total


def policy_covers(policy: SubsidyPolicy, organization: Organization) -> bool:
    return organization.region_id in regions_under(policy.region_id)


def assess_patents(*, policy: SubsidyPolicy, organization: Organization, patents) -> list[rules.Verdict]:
    """Each patent's amount under `policy` for `organization`, or why it earns nothing (cap applied)."""
    patents = list(patents)
    room = rules.cap_room(
        policy.cap_per_organization, held_this_year(policy=policy, organization_id=organization.pk)
    )
    return rules.assess(policy, patents, organization.pk, holds_of(p.pk for p in patents), room)


# ---------------------------------------------------------------------------------------------
# Claims: the workflow


def _free_patents(claim: SubsidyClaim) -> None:
    SubsidyItem.objects.filter(claim=claim, holds=True).update(holds=False)


@acting
@transaction.atomic
def claim_submit(*, policy: SubsidyPolicy, organization: Organization, patent_ids, by) -> SubsidyClaim:
    """Claim the subsidy for the chosen patents of `organization`; amounts come from the patent records."""
    require(perm.can_claim_subsidy(by, organization.pk))
    ids = sorted({int(pk) for pk in patent_ids})
    if not ids:
        raise DomainError(_("请至少选择一件专利。"), field="patents")
    # Two claims of one organization are assessed one after the other, so together they stay within the cap.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    policy = SubsidyPolicy.objects.get(pk=policy.pk)
    if policy.state != PolicyState.OPEN:
        raise DomainError(_("该资助政策当前不受理申请。"))
    if not policy_covers(policy, organization):
        raise DomainError(_("本单位不在该资助政策的适用地区内。"))
    patents = list(Patent.objects.select_for_update().filter(pk__in=ids).order_by("granted_on", "pk"))
    if len(patents) != len(ids):
        raise DomainError(_("所选专利中有不存在的记录。"), field="patents")
    verdicts = assess_patents(policy=policy, organization=organization, patents=patents)
    refused = [v for v in verdicts if not v.eligible]
    if refused:
        raise DomainError(
            "；".join(f"{v.patent.application_no}：{' '.join(v.reasons)}" for v in refused), field="patents"
        )
    claim = SubsidyClaim.objects.create(
        policy=policy, organization=organization, amount_claimed=rules.claim_total(verdicts)
    )
    try:
        with transaction.atomic():
            SubsidyItem.objects.bulk_create(
                [SubsidyItem(claim=claim, patent=v.patent, amount=v.amount) for v in verdicts]
            )
    except IntegrityError:
        # Another claim took one of these patents after the check above (only possible without row locks).
        holds = holds_of(ids)
        reason = next(iter(holds.values()), None)
        raise DomainError(
            rules.hold_reason(reason) if reason else _("所选专利已在其他资助申请中，不能重复资助。"),
            field="patents",
        ) from None
    record_transition(instance=claim, by=by, from_state="", to_state=ClaimState.SUBMITTED)
    return claim


@acting
def claim_withdraw(*, claim: SubsidyClaim, reason: str = "", expected_version=None, by) -> SubsidyClaim:
    """The organization takes back a claim not yet decided; its patents are free again."""
    return CLAIM_WORKFLOW.apply(
        instance=claim,
        action="withdraw",
        by=by,
        reason=reason,
        expected_version=expected_version,
        change=_free_patents,
    )


@acting
def claim_approve(
    *, claim: SubsidyClaim, amount: Decimal | None = None, note: str = "", expected_version=None, by
) -> SubsidyClaim:
    """The bureau approves the claim at `amount` (blank: as claimed), never more than claimed."""

    def check(locked):
        value = locked.amount_claimed if amount is None else rules.yuan(amount)
        if value <= 0:
            raise DomainError(_("核准金额须大于0元；不予资助请选择“不予资助”。"), field="amount")
        if value > locked.amount_claimed:
            raise DomainError(
                _("核准金额不能高于申请金额%(v)s元。") % {"v": locked.amount_claimed}, field="amount"
            )
        locked.amount_approved = value

    def change(locked):
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = note[:300]

    return CLAIM_WORKFLOW.apply(
        instance=claim,
        action="approve",
        by=by,
        reason=note,
        expected_version=expected_version,
        check=check,
        change=change,
    )


@acting
def claim_reject(*, claim: SubsidyClaim, reason: str, expected_version=None, by) -> SubsidyClaim:
    """The bureau refuses the claim (with a reason); its patents are free again."""

    def change(locked):
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = reason[:300]
        _free_patents(locked)

    return CLAIM_WORKFLOW.apply(
        instance=claim,
        action="reject",
        by=by,
        reason=reason,
        expected_version=expected_version,
        change=change,
    )


@acting
def claim_pay(
    *, claim: SubsidyClaim, paid_on: date, reference: str = "", expected_version=None, by
) -> SubsidyClaim:
    """Record the payment of an approved claim; a paid claim stays paid."""

    def check(locked):
        if paid_on is None:
            raise DomainError(_("请填写拨付日期。"), field="paid_on")
        if paid_on > timezone.localdate():
            raise DomainError(_("拨付日期不能晚于今天。"), field="paid_on")

    def change(locked):
        locked.paid_on = paid_on
        locked.payment_reference = (reference or "").strip()[:60]

    return CLAIM_WORKFLOW.apply(
        instance=claim,
        action="pay",
        by=by,
        reason=reference or "",
        expected_version=expected_version,
        check=check,
        change=change,
    )
