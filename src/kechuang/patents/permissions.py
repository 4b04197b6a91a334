"""Who may do what in patents; each predicate returns Allowed or Denied(reason). Areas append blocks."""


# --- ipfinance ---
# Subsidy policies and claims, pledge financing, enforcement cases. The bureau (admin and staff) of a region runs
# what lies in it; leaders and officers of the region read; an organization's users claim subsidies and record
# pledges for their own organization and see only those.

from django.utils.translation import gettext as _  # noqa: E402

from kechuang.accounts.enums import Role  # noqa: E402
from kechuang.core.permissions import Allowed, Denied, acts_for, in_region, is_bureau_editor  # noqa: E402

CLAIMING_ROLES = (Role.ENTERPRISE, Role.INSTITUTION)


def can_manage_subsidy_policy(user, policy):
    if is_bureau_editor(user, policy.region_id):
        return Allowed()
    return Denied(_("只有政策所属地区科技局的业务人员可以管理专利资助政策。"))


def can_claim_subsidy(user, organization_id: int | None):
    if acts_for(user, organization_id) and user.role in CLAIMING_ROLES:
        return Allowed()
    return Denied(_("只有专利权人单位本单位的用户可以申请专利资助。"))


def can_view_subsidy_claim(user, claim):
    if acts_for(user, claim.organization_id) or in_region(user, claim.policy.region_id):
        return Allowed()
    return Denied(_("您无权查看该资助申请。"))


def can_withdraw_subsidy_claim(user, claim):
    return can_claim_subsidy(user, claim.organization_id)


def can_decide_subsidy_claim(user, claim):
    if is_bureau_editor(user, claim.policy.region_id):
        return Allowed()
    return Denied(_("只有政策所属地区科技局的业务人员可以审核资助申请。"))


def can_edit_pledge(user, organization):
    """Record or correct a pledge: the organization's users, or the bureau of its region."""
    if is_bureau_editor(user, organization.region_id) or acts_for(user, organization.pk):
        return Allowed()
    return Denied(_("只有出质单位本单位的用户或属地科技局的业务人员可以登记质押融资。"))


def can_settle_pledge(user, pledge):
    """Release or default: the bureau of the organization's region."""
    if is_bureau_editor(user, pledge.organization.region_id):
        return Allowed()
    return Denied(_("只有出质单位所在地区科技局的业务人员可以办理解押或违约处置。"))


def can_view_pledge(user, pledge):
    if acts_for(user, pledge.organization_id) or in_region(user, pledge.organization.region_id):
        return Allowed()
    return Denied(_("您无权查看该质押融资记录。"))


def can_handle_case(user, region_code: str | None):
    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有受理地区科技局的业务人员可以办理专利执法案件。"))


def can_view_case(user, case):
    if in_region(user, case.region_id):
        return Allowed()
    return Denied(_("您无权查看该专利执法案件。"))


# --- registry ---
# A patent belongs to its organization (the first applicant). The organization's own users (enterprise or
# institution) keep their records; the bureau (admin, staff) of the organization's region edits them and alone
# deletes; leaders and officers of the region read.

from django.utils.translation import gettext as _  # noqa: E402, F811  (each block imports what it uses)

from kechuang.accounts.enums import Role  # noqa: E402, F811
from kechuang.core.permissions import (  # noqa: E402, F811
    Allowed,
    Denied,
    acts_for,
    in_region,
    is_bureau_editor,
)

PATENT_OWNER_ROLES = frozenset({Role.ENTERPRISE, Role.INSTITUTION})


def can_view_patent(user, patent):
    if acts_for(user, patent.organization_id) or in_region(user, patent.organization.region_id):
        return Allowed()
    return Denied(_("您无权查看该专利。"))


def can_edit_patents_of(user, organization):
    """Create or change the patents of `organization`."""
    if acts_for(user, organization.pk) and user.role in PATENT_OWNER_ROLES:
        return Allowed()
    if is_bureau_editor(user, organization.region_id):
        return Allowed()
    return Denied(_("只有专利权人本单位的用户或其所在地区科技局的业务人员可以维护该单位的专利。"))


def can_delete_patent(user, patent):
    if is_bureau_editor(user, patent.organization.region_id):
        return Allowed()
    return Denied(_("只有专利权人所在地区科技局的业务人员可以删除专利记录。"))


def can_import_patents(user):
    """An organization's clerk imports its own list; a bureau editor imports for the organizations of its region."""
    if user.is_authenticated and (
        user.is_superuser
        or (user.role in PATENT_OWNER_ROLES and user.active_organization_id)
        or (user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF) and user.region_id)
    ):
        return Allowed()
    return Denied(_("只有单位用户或科技局业务人员可以导入专利清单。"))


def can_view_patent_figures(user, region_code):
    if in_region(user, region_code):
        return Allowed()
    return Denied(_("您无权查看该地区的专利统计。"))


def can_record_population(user, region_code):
    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有该地区科技局的业务人员可以登记常住人口。"))
