"""Who may do what in carriers; each predicate returns Allowed or Denied(reason). Areas append blocks."""

# --- carriers ---
#
# * The bureau (admin and staff) of the carrier's region recognizes, edits, removes and restores it, confirms or
#   returns its annual report, and keeps its incubated companies; leaders and officers of the region only read.
# * The users of the carrier's operator organization see their own carriers, keep their incubated companies and
#   fill and submit the annual report.
# * An evaluation scheme is run by the bureau of its region; the kinds' report indicators are configured by a city
#   (or province) bureau, since every county reports against the same lines.

from django.utils.translation import gettext as _  # noqa: E402

from kechuang.core.permissions import Allowed, Denied, acts_for, in_region, is_bureau_editor  # noqa: E402


def can_view_carrier(user, carrier):
    if in_region(user, carrier.region_id) or acts_for(user, carrier.operator_id):
        return Allowed()
    return Denied(_("您无权查看该创新载体。"))


def can_manage_carrier(user, carrier):
    if is_bureau_editor(user, carrier.region_id):
        return Allowed()
    return Denied(_("只有载体所在地区科技局的业务人员可以管理该创新载体。"))


def can_keep_carrier_records(user, carrier):
    """Incubated companies and their revenue: the operator's users or the bureau of the region."""
    if acts_for(user, carrier.operator_id) or is_bureau_editor(user, carrier.region_id):
        return Allowed()
    return Denied(_("只有载体运营单位的用户或所在地区科技局可以维护在孵企业。"))


def can_fill_report(user, carrier):
    if acts_for(user, carrier.operator_id) or is_bureau_editor(user, carrier.region_id):
        return Allowed()
    return Denied(_("只有载体运营单位的用户可以填报年报。"))


def can_review_report(user, report):
    if is_bureau_editor(user, report.carrier.region_id):
        return Allowed()
    return Denied(_("只有载体所在地区科技局的业务人员可以审核年报。"))


def can_configure_indicators(user):
    city_wide = (
        bool(getattr(user, "region_id", None)) and len(user.region_id) == 6 and user.region_id.endswith("00")
    )
    if user.is_authenticated and (
        user.is_superuser or (city_wide and is_bureau_editor(user, user.region_id))
    ):
        return Allowed()
    return Denied(_("只有市科技局的业务人员可以配置年报指标。"))


def can_view_scheme(user, scheme):
    if in_region(user, scheme.region_id):
        return Allowed()
    return Denied(_("您无权查看该绩效评价。"))


def can_manage_scheme(user, scheme):
    if is_bureau_editor(user, scheme.region_id):
        return Allowed()
    return Denied(_("只有组织评价地区科技局的业务人员可以管理该绩效评价。"))


def can_oversee_carriers(user):
    """Region-wide carrier pages (schemes, figures): bureaus and officers."""
    if user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        return Allowed()
    return Denied(_("只有科技局和属地科技干部可以查看。"))
