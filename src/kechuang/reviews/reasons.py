"""Words for the reason codes of the pure draw module, in the user's language.

`draw.py` has no Django and no translations: it returns codes (conflict reasons) and shortfall
dicts {"code": …, "drawn": n, "k": k, …}; pages, the API and services turn them into text here.
"""

from django.utils.translation import gettext as _

from .enums import ConflictReason


def conflict_reason_label(code: str) -> str:
    """The label of a conflict reason code; an unknown code is shown as it is."""
    return str(ConflictReason(code).label) if code in ConflictReason.values else code


def shortfall_text(shortfall, names: dict | None = None) -> str:
    """Why a panel has fewer than k experts, as one sentence; `names` maps expert ids to names.

    Draws recorded before reason codes existed stored the Chinese sentence itself: it is shown as is.
    """
    if isinstance(shortfall, str):
        return shortfall
    code = shortfall.get("code")
    head = _("仅抽到 %(drawn)d 位专家，少于 %(k)d 位") % {"drawn": shortfall["drawn"], "k": shortfall["k"]}
    if code == "no_candidates":
        why = _("回避后无可选专家")
    elif code == "few_families":
        why = _("回避后仅有 %(n)d 个不同单位（含上下级）的候选专家") % {"n": shortfall["families"]}
    elif code == "probability_cap":
        why = _(
            "每位专家抽中概率不超过 %(q)s 时至少需要 %(need)d 个不同单位的候选专家，回避后仅有 %(n)d 个"
        ) % {"q": f"{shortfall['q']:g}", "need": shortfall["need"], "n": shortfall["families"]}
    elif code == "load_cap":
        why = _("候选专家的评审任务已达负载上限")
    elif code == "no_replacement":
        why = _("专家 %(expert)s 无法参加，候选专家中已无符合回避、负载上限和同单位限制的替补") % {
            "expert": (names or {}).get(shortfall["expert"], shortfall["expert"])
        }
    else:
        why = str(code)
    return _("%(head)s：%(why)s") % {"head": head, "why": why}
