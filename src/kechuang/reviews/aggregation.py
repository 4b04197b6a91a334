"""Scores of one application's reviews → its result (rules of the call's review scheme). Pure."""

from decimal import ROUND_HALF_UP, Decimal
from statistics import mean, pstdev

from django.utils.translation import gettext as _

TWO = Decimal("0.01")


def weighted_total(scores: dict[str, int], criteria: list[dict]) -> Decimal:
    """Σ weight × score / 100, each criterion scored 0–100."""
    total = sum(Decimal(str(c["weight"])) * Decimal(scores[c["key"]]) for c in criteria) / 100
    return total.quantize(TWO, rounding=ROUND_HALF_UP)


def aggregate(totals: list[Decimal], *, rule: str = "trimmed_mean") -> Decimal:
    """Drop the highest and the lowest when there are at least 5 reviews (trimmed_mean), else the mean."""
    values = sorted(totals)
    if rule == "trimmed_mean" and len(values) >= 5:
        values = values[1:-1]
    return (sum(values) / len(values)).quantize(TWO, rounding=ROUND_HALF_UP)


def deviation_flags(totals_by_expert: dict[str, Decimal], *, threshold: Decimal = Decimal("15")) -> list[str]:
    """Reviews far from the others: more than `threshold` points from the mean of the rest, in Chinese."""
    flags = []
    if len(totals_by_expert) < 3:
        return flags
    for name, value in totals_by_expert.items():
        others = [float(v) for n, v in totals_by_expert.items() if n != name]
        gap = Decimal(str(abs(float(value) - mean(others)))).quantize(TWO)
        spread = pstdev(others) if len(others) > 1 else 0.0
        if gap > threshold and gap > Decimal(str(2 * spread)).quantize(TWO):
            flags.append(
                _("%(expert)s 的评分 %(score)s 与其他专家平均分相差 %(gap)s 分")
                % {"expert": name, "score": value, "gap": gap}
            )
    return flags


def score_problems(scores: dict, criteria: list[dict]) -> list[str]:
    problems = []
    for c in criteria:
        value = scores.get(c["key"])
        if value is None or value == "":
            problems.append(_("请为“%(name)s”打分。") % {"name": c.get("name", c["key"])})
            continue
        try:
            number = int(str(value))
        except ValueError:
            problems.append(_("“%(name)s”的分数应为 0—100 的整数。") % {"name": c.get("name", c["key"])})
            continue
        if not 0 <= number <= 100:
            problems.append(_("“%(name)s”的分数应为 0—100 的整数。") % {"name": c.get("name", c["key"])})
    return problems
