"""The amount rules of a voucher program, as plain functions (no database): who may apply, how much a quota
can be, and how a fee is split between the voucher and the enterprise.

The published rules (rules.md §6) leave the numbers to each city and year — 玉环: 单次申领 2万元, 年度累计最高
10万元, services under 1万元 paid fully by the voucher — so every number here comes from the program.

Boundaries: a tier applies from its amount on (a fee exactly at a threshold is in the upper tier: "1万元以下"
is below 10,000.00); a quota may reach the cap exactly. The voucher's share is rounded down to the fen, so
public money never pays a fraction more than its ratio.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from kechuang.core.text import clauses, enumeration

from .enums import CopayMode

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal("1")


class RuleError(ValueError):
    """A program's terms or a request that the rules refuse; the message is for the user."""


@dataclass(frozen=True)
class Tier:
    start: Decimal  # yuan: the tier applies to fees (or slices of a fee) from here on
    ratio: Decimal  # the share the voucher pays, 0…1


MAX_YUAN = Decimal("999999999999.99")  # what a money column holds (14 digits, 2 after the point)


def yuan(value) -> Decimal:
    """An amount of money as Decimal yuan to the fen; refuses what is not a number, negative, finer than a fen
    or too large to store."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
        if not amount.is_finite():
            raise InvalidOperation
        if amount < 0:
            raise RuleError(_("金额不能为负数。"))
        if amount > MAX_YUAN:
            raise RuleError(_("金额过大。"))
        if amount != amount.quantize(CENT):
            raise RuleError(_("金额最多保留两位小数（到分）。"))
    except (InvalidOperation, ValueError) as exc:
        if isinstance(exc, RuleError):
            raise
        raise RuleError(_("金额“%(value)s”不是有效的数字。") % {"value": value}) from None
    return abs(amount).quantize(CENT)  # abs: "-0" is 0.00, not -0.00


def parse_tiers(raw: Iterable) -> list[Tier]:
    """The program's co-payment tiers from their stored form [[start, ratio], …]; checked.

    The first tier starts at 0; starts rise strictly; each ratio is between 0 and 1.
    """
    tiers = []
    for index, item in enumerate(raw or ()):
        try:
            start, ratio = item
            tier = Tier(yuan(start), Decimal(str(ratio)))
            if not tier.ratio.is_finite():
                raise InvalidOperation
        except (TypeError, ValueError, InvalidOperation):
            raise RuleError(_("第%(n)s档的起点或比例无效。") % {"n": index + 1}) from None
        if not (ZERO <= tier.ratio <= ONE):
            raise RuleError(_("第%(n)s档的比例须在0到1之间。") % {"n": index + 1})
        if tiers and tier.start <= tiers[-1].start:
            raise RuleError(_("各档起点须从小到大排列（第%(n)s档）。") % {"n": index + 1})
        tiers.append(tier)
    if not tiers:
        raise RuleError(_("请至少设置一档创新券支付比例。"))
    if tiers[0].start != ZERO:
        raise RuleError(_("第一档须从0元起。"))
    return tiers


def tiers_text(tiers: Sequence[Tier], mode: str) -> str:
    """The rule in one Chinese sentence, for the program page: "10,000.00元以下全额支付；10,000.00元及以上支付50%"."""
    parts = []
    for index, tier in enumerate(tiers):
        share = _("全额支付") if tier.ratio == ONE else _("支付%(pct)s%%") % {"pct": _pct(tier.ratio)}
        if index + 1 < len(tiers):
            upper = tiers[index + 1].start
            if index == 0:
                span = _("%(upper)s元以下") % {"upper": _money(upper)}
            else:
                span = _("%(low)s元至%(upper)s元以下") % {"low": _money(tier.start), "upper": _money(upper)}
        else:
            span = _("%(low)s元及以上") % {"low": _money(tier.start)} if index else _("不论金额")
        parts.append(f"{span}{share}")
    how = _("（分段累进计算）") if mode == CopayMode.MARGINAL and len(tiers) > 1 else ""
    return clauses(parts) + how


@dataclass(frozen=True)
class Split:
    fee: Decimal
    voucher: Decimal  # paid by the voucher
    enterprise: Decimal  # paid by the enterprise
    explanation: str  # how, in Chinese, with the numbers
    limited_by_quota: bool = False  # the quota's balance was less than the voucher's share


def split_fee(fee: Decimal, tiers: Sequence[Tier], mode: str, *, available: Decimal | None = None) -> Split:
    """Split `fee` between the voucher and the enterprise under the program's tiers.

    WHOLE_FEE: the ratio of the tier the fee falls in applies to the whole fee. MARGINAL: each slice of the
    fee is paid at its own tier's ratio. With `available` (the quota's balance), the voucher pays at most
    that and the enterprise the rest.
    """
    fee = yuan(fee)
    if mode == CopayMode.MARGINAL:
        share = ZERO
        for index, tier in enumerate(tiers):
            if fee <= tier.start:
                break
            top = tiers[index + 1].start if index + 1 < len(tiers) else fee
            share += (min(fee, top) - tier.start) * tier.ratio
        how = _("分段累进计算")
    else:
        tier = tiers[0]
        for candidate in tiers:
            if fee >= candidate.start:
                tier = candidate
        share = fee * tier.ratio
        how = _("按%(pct)s%%计") % {"pct": _pct(tier.ratio)}
    voucher = share.quantize(CENT, ROUND_DOWN)
    explanation = _("服务费用%(fee)s元，%(how)s，创新券支付%(voucher)s元") % {
        "fee": _money(fee),
        "how": how,
        "voucher": _money(voucher),
    }
    limited = available is not None and voucher > available
    if limited:
        voucher = max(available, ZERO)
        explanation += _("；额度余额仅%(left)s元，创新券支付%(left)s元") % {"left": _money(voucher)}
    enterprise = fee - voucher
    explanation += _("，企业自付%(own)s元。") % {"own": _money(enterprise)}
    return Split(fee, voucher, enterprise, explanation, limited)


@dataclass(frozen=True)
class Grant:
    amount: Decimal  # 0 when nothing can be granted
    limits: list[str]  # which limits made it less than requested, in Chinese


def grant_amount(
    *, requested: Decimal, per_application: Decimal, cap_left: Decimal, budget_left: Decimal
) -> Grant:
    """How much of a quota request the rules allow: the least of the request, the per-application quota, what
    is left of the enterprise's annual cap, and what is left of the budget. Each limit that bit is named."""
    requested = yuan(requested)
    if requested <= ZERO:
        raise RuleError(_("申领金额须大于0元。"))
    amount, limits = requested, []
    for limit, text in (
        (per_application, _("单次申领上限%(v)s元")),
        (cap_left, _("本年度累计上限剩余%(v)s元")),
        (budget_left, _("计划预算剩余%(v)s元")),
    ):
        limit = max(limit, ZERO)
        if limit < amount:
            amount = limit
            limits.append(text % {"v": _money(limit)})
    return Grant(amount, limits)


@dataclass(frozen=True)
class Applicant:
    kind: str  # OrganizationKind
    size: str  # OrganizationSize ("" unknown)
    qualifications: frozenset[str]  # QualificationKind values in force


def eligibility_problems(
    applicant: Applicant, *, kinds: Sequence[str], sizes: Sequence[str], qualifications: Sequence[str]
) -> list[str]:
    """What keeps `applicant` out of the program, in Chinese (empty: eligible)."""
    from kechuang.organizations.enums import OrganizationKind, OrganizationSize, QualificationKind

    problems = []
    if kinds and applicant.kind not in kinds:
        problems.append(
            _("本计划面向%(kinds)s，贵单位为%(kind)s。")
            % {"kinds": _labels(OrganizationKind, kinds), "kind": _labels(OrganizationKind, [applicant.kind])}
        )
    if sizes and applicant.size not in sizes:
        size = _labels(OrganizationSize, [applicant.size]) if applicant.size else _("未填写规模")
        problems.append(
            _("本计划面向%(sizes)s企业，贵单位为%(size)s。")
            % {"sizes": _labels(OrganizationSize, sizes), "size": size}
        )
    if qualifications and not applicant.qualifications & set(qualifications):
        problems.append(
            _("本计划要求具备以下资质之一：%(list)s。") % {"list": _labels(QualificationKind, qualifications)}
        )
    return problems


def _labels(choices, values) -> str:
    names = dict(choices.choices)
    return enumeration(str(names.get(v, v)) for v in values)


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT):,}"


def _pct(ratio: Decimal) -> str:
    text = f"{(ratio * 100).quantize(CENT)}".rstrip("0").rstrip(".")
    return text or "0"
