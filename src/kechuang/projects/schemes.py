"""Checks on a call's review scheme and stage time limits (pure)."""

from django.utils.translation import gettext as _

AGGREGATIONS = ("trimmed_mean", "mean")


def review_scheme_problems(scheme) -> list[str]:
    if not isinstance(scheme, dict):
        return [_("评审方案应为对象。")]
    problems = []
    criteria = scheme.get("criteria") or []
    if not criteria:
        problems.append(_("评审方案至少需要一项评审指标。"))
    keys = [c.get("key") for c in criteria if isinstance(c, dict)]
    if len(keys) != len(set(keys)) or any(not k for k in keys):
        problems.append(_("评审指标的 key 不能为空或重复。"))
    try:
        total = sum(float(c.get("weight", 0)) for c in criteria)
    except (TypeError, ValueError):
        total = None
        problems.append(_("评审指标的权重应为数字。"))
    if total is not None and criteria and abs(total - 100) > 1e-9:
        problems.append(_("评审指标权重之和应为 100，当前为 %(total)s。") % {"total": f"{total:g}"})
    k = scheme.get("experts_per_application")
    if not isinstance(k, int) or not 1 <= k <= 15:
        problems.append(_("每份申报书的评审专家人数应为 1—15。"))
    if scheme.get("aggregation") not in AGGREGATIONS:
        problems.append(_("汇总方式只能是 trimmed_mean（去掉最高最低分）或 mean（平均）。"))
    return problems


def stage_days_problems(stage_days) -> list[str]:
    if not isinstance(stage_days, dict) or not all(
        isinstance(v, int) and 0 < v <= 365 for v in stage_days.values()
    ):
        return [_("各环节时限应为“状态: 天数”，天数为 1—365 的整数。")]
    return []
