"""The reasons of a match in the user's language: matching.py and match_services store codes and figures
(Match.reasons); pages and the API turn them into sentences here."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from kechuang.organizations.enums import Industry, TechField

from .enums import Cooperation, ListingKind, MatchTargetKind


def _money(value) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"


def _label(choices, code) -> str:
    return str(choices(code).label) if code in choices.values else str(code)


def reason_lines(match, *, listing_kind: str, tech_field: str = "", show_experts: bool = False) -> list[str]:
    """The reasons of `match` (a Match of a listing of `listing_kind`) as short sentences, strongest first."""
    reasons = match.reasons or {}
    lines = []
    if reasons.get("terms"):
        lines.append(_("共同用词：%(terms)s") % {"terms": "、".join(reasons["terms"])})
    if reasons.get("semantic") is not None and match.target_kind == MatchTargetKind.LISTING:
        lines.append(_("语义相近（相似度 %(value).2f）") % {"value": reasons["semantic"]})
    if reasons.get("same_field") and tech_field:
        lines.append(_("同属“%(field)s”领域") % {"field": _label(TechField, tech_field)})
    if maturity := reasons.get("maturity"):
        values = {
            "level": maturity["level"],
            "needs": maturity["needs"],
            "cooperation": _label(Cooperation, maturity.get("cooperation", "")),
        }
        if maturity["fits"]:
            lines.append(_("成熟度 %(level)d 级，满足%(cooperation)s的要求（%(needs)d 级以上）") % values)
        else:
            lines.append(
                _("成熟度 %(level)d 级，%(cooperation)s通常需要 %(needs)d 级以上，尚需进一步开发") % values
            )
    if budget := reasons.get("budget"):
        if "fits" in budget:
            values = {"price": _money(budget["price"]), "budget": _money(budget["budget_max"])}
            if budget["fits"]:
                lines.append(_("挂牌价 %(price)s 元，在预算上限 %(budget)s 元以内") % values)
            else:
                lines.append(_("挂牌价 %(price)s 元，高于预算上限 %(budget)s 元") % values)
        elif budget.get("negotiable"):
            lines.append(_("价格面议"))
    if related := reasons.get("listings"):
        titles = "；".join(item["title"] for item in related)
        count = reasons.get("listing_count", len(related))
        if listing_kind == ListingKind.DEMAND:
            text = _("相关成果：%(titles)s") % {"titles": titles}
        else:
            text = _("相关需求：%(titles)s") % {"titles": titles}
        if count > len(related):
            text += _("等 %(n)d 项") % {"n": count}
        lines.append(text)
    if reasons.get("experts") and show_experts:
        lines.append(_("相关专家 %(n)d 位") % {"n": reasons["experts"]})
    if reasons.get("registry"):
        lines.append(_("企业库中同领域的企业，尚未发布相关需求"))
    if reasons.get("industry"):
        lines.append(_("所属行业：%(industry)s") % {"industry": _label(Industry, reasons["industry"])})
    return lines
