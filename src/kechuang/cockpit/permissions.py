"""Who may do what in cockpit; each predicate returns Allowed or Denied(reason)."""


# --- dashboard ---
# 科技大脑: bureau users (admin, staff, leaders) and town officers, each for their own region and what lies under
# it; organizations' users never. The region of every page and drill-down is checked here, on the server.
# (Imports are local: other areas append their own blocks to this file.)


def can_view_dashboard(user):
    """May the user open the dashboard at all?"""
    from django.utils.translation import gettext as _

    from kechuang.accounts.enums import REGION_ROLES
    from kechuang.core.permissions import Allowed, Denied

    if user.is_authenticated and (user.is_superuser or user.role in REGION_ROLES):
        return Allowed()
    return Denied(_("科技大脑仅对科技局和属地科技干部开放。"))


def can_view_dashboard_region(user, region_code: str | None):
    """May the user see the figures (and their records) of this region (theirs, or one under it)?"""
    from django.utils.translation import gettext as _

    from kechuang.core.permissions import Allowed, Denied, in_region

    decision = can_view_dashboard(user)
    if not decision:
        return decision
    if in_region(user, region_code):
        return Allowed()
    return Denied(_("您只能查看本地区及下辖地区的数据。"))


# --- report ---
# 工作总结: bureau users, leaders and officers read the reports of their region and the regions under it; bureau
# admin and staff of the region generate them, write 存在问题 and edit the region's template. Organizations'
# users never see them. (Imports are local: other areas append their own blocks to this file.)


def can_view_reports(user):
    """May the user open the list of work summaries at all?"""
    from django.utils.translation import gettext as _

    from kechuang.core.permissions import Allowed, Denied

    if user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        return Allowed()
    return Denied(_("工作总结仅对科技局和属地科技干部开放。"))


def can_view_report(user, region_code: str | None):
    from django.utils.translation import gettext as _

    from kechuang.core.permissions import Allowed, Denied, in_region

    if in_region(user, region_code):
        return Allowed()
    return Denied(_("您只能查看本地区及下辖地区的工作总结。"))


def can_generate_report(user, region_code: str | None):
    from django.utils.translation import gettext as _

    from kechuang.core.permissions import Allowed, Denied, is_bureau_editor

    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有本地区科技局的管理员和工作人员可以生成工作总结。"))


def can_edit_report(user, region_code: str | None):
    from django.utils.translation import gettext as _

    from kechuang.core.permissions import Allowed, Denied, is_bureau_editor

    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有本地区科技局的管理员和工作人员可以修改工作总结。"))


def can_edit_report_template(user, region_code: str | None):
    from django.utils.translation import gettext as _

    from kechuang.core.permissions import Allowed, Denied, is_bureau_editor

    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有本地区科技局的管理员和工作人员可以修改工作总结模板。"))
