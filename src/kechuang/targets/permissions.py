"""Who may do what in targets; each predicate returns Allowed or Denied(reason)."""


# --- targets ---
# The city's bureau (admin, staff) keeps the indicator catalogue. Bureau editors set the targets of their region
# and of the regions under it (a city's bureau its counties', a county's its own and its towns'); the same
# bureaus report a region's reported actuals. The organizing region's bureau runs its assessment; a published
# assessment is seen by the bureaus of the regions assessed. Leaders and officers read within their region.

from django.utils.translation import gettext as _  # noqa: E402

from kechuang.core.permissions import Allowed, Denied, in_region, is_bureau_editor  # noqa: E402


def _user_level(user) -> str | None:
    region = getattr(user, "region", None)
    return region.level if region is not None else None


def can_manage_indicators(user):
    if user.is_authenticated and (
        user.is_superuser
        or (is_bureau_editor(user, user.region_id) and _user_level(user) in ("province", "city"))
    ):
        return Allowed()
    return Denied(_("只有市科技局的管理员和业务人员可以维护考核指标。"))


def can_view_targets(user, region_code: str):
    if in_region(user, region_code):
        return Allowed()
    return Denied(_("您无权查看该地区的目标。"))


def can_set_target(user, region_code: str):
    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有本地区或上级地区科技局的业务人员可以设定该地区的目标。"))


def can_report_actual(user, region_code: str):
    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有本地区或上级地区科技局的业务人员可以填报该地区的完成值。"))


def can_manage_assessment(user, region_code: str):
    if user.is_authenticated and (
        user.is_superuser or (user.region_id == region_code and is_bureau_editor(user, region_code))
    ):
        return Allowed()
    return Denied(_("只有组织考核地区科技局的业务人员可以管理该考核。"))


def can_view_assessment(user, assessment):
    from kechuang.regions.selectors import regions_under

    from .enums import AssessmentState

    if in_region(user, assessment.region_id):
        return Allowed()
    if (
        assessment.state == AssessmentState.PUBLISHED
        and user.is_authenticated
        and user.is_region_scoped
        and user.region_id in regions_under(assessment.region_id)
    ):
        return Allowed()
    return Denied(_("您无权查看该考核。"))
