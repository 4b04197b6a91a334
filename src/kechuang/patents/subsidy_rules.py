"""The patent subsidy rules (专利资助) as pure functions: no database, so they are tested with plain values.

* A patent earns the policy's amount for its kind when it is granted (status granted) on a day within the
  policy's granted_from..granted_until (both days included) and the claiming organization is its patentee.
* A patent held by a claim (submitted, approved or paid; `holds`) cannot be claimed again under any policy.
* An organization receives at most the policy's cap_per_organization per year: what it already holds in
  other submitted/approved/paid claims under policies of the same region and year counts against the cap. The
  claim's items are taken in order; the one that reaches the cap is cut to what is left (to the fen), and those
  after it are refused, so they stay free for another year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

ZERO = Decimal("0.00")
FEN = Decimal("0.01")

KIND_AMOUNT_FIELD = {
    "invention": "invention_amount",
    "utility_model": "utility_model_amount",
    "design": "design_amount",
}


@dataclass(frozen=True)
class Hold:
    """A claim already holding a patent: its number, policy name and state label."""

    claim_id: int
    policy_name: str
    state_label: str


@dataclass(frozen=True)
class Verdict:
    """A patent under a policy: the amount it earns, or the reasons it earns nothing."""

    patent: object
    amount: Decimal
    reasons: tuple[str, ...]

    @property
    def eligible(self) -> bool:
        return not self.reasons


def yuan(value) -> Decimal:
    return Decimal(value or 0).quantize(FEN, rounding=ROUND_DOWN)


def kind_amount(policy, kind: str) -> Decimal:
    """The policy's amount for one patent of `kind` (0 when the policy does not fund the kind)."""
    field = KIND_AMOUNT_FIELD.get(kind)
    return yuan(getattr(policy, field)) if field else ZERO


def in_window(policy, granted_on: date | None) -> bool:
    return granted_on is not None and policy.granted_from <= granted_on <= policy.granted_until


def hold_reason(hold: Hold) -> str:
    return _("该专利已在资助申请第%(no)s号（%(policy)s，%(state)s）中，不能重复资助。") % {
        "no": hold.claim_id,
        "policy": hold.policy_name,
        "state": hold.state_label,
    }


def refusal_reasons(policy, patent, organization_id: int, hold: Hold | None) -> list[str]:
    """Why `patent` earns nothing under `policy` for `organization_id` (empty: it is eligible).

    `patent` needs kind, status, granted_on, organization_id (a Patent or any object with them).
    """
    reasons = []
    if patent.organization_id != organization_id:
        reasons.append(_("该专利的专利权人不是本单位。"))
    if patent.status != "granted":
        reasons.append(_("该专利不是已授权状态，不能申请资助。"))
    elif not in_window(policy, patent.granted_on):
        reasons.append(
            _("授权公告日%(day)s不在本政策的资助期（%(start)s至%(end)s）内。")
            % {
                "day": patent.granted_on or "—",
                "start": policy.granted_from,
                "end": policy.granted_until,
            }
        )
    if kind_amount(policy, patent.kind) <= 0:
        reasons.append(_("本政策不资助该类型的专利。"))
    if hold is not None:
        reasons.append(hold_reason(hold))
    return reasons


def cap_room(cap, held) -> Decimal:
    """What is left of the yearly cap after what the organization already holds (never below zero)."""
    return max(yuan(cap) - yuan(held), ZERO)


def assess(policy, patents, organization_id: int, holds: dict, room: Decimal) -> list[Verdict]:
    """Each patent's verdict, in the given order, with the yearly cap applied in that order.

    `holds` maps a patent id to the Hold of the claim that already has it.
    """
    verdicts = []
    left = yuan(room)
    for patent in patents:
        reasons = refusal_reasons(policy, patent, organization_id, holds.get(patent.pk))
        amount = ZERO
        if not reasons:
            full = kind_amount(policy, patent.kind)
            if left <= 0:
                reasons = [
                    _("本单位本年度的资助金额已达政策上限%(cap)s元。")
                    % {"cap": yuan(policy.cap_per_organization)}
                ]
            else:
                amount = min(full, left)
                left -= amount
        verdicts.append(Verdict(patent=patent, amount=amount, reasons=tuple(reasons)))
    return verdicts


def claim_total(verdicts: list[Verdict]) -> Decimal:
    return sum((v.amount for v in verdicts if v.eligible), ZERO)
