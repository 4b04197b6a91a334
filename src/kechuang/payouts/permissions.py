"""Who may do what in payouts; each predicate returns Allowed or Denied(reason)."""

# --- payouts ---
# Items are run by the bureau (admin, staff) of the item's region; leaders and officers of the region read. An
# open or closed item is public. A claim is seen by its organization's users and by the region-scoped users of
# the item's region or of the organization's region (a county sees its enterprises' claims to city items); only
# the item region's bureau decides and pays, only the organization withdraws.

from django.utils.translation import gettext as _  # noqa: E402

from kechuang.accounts.enums import Role  # noqa: E402
from kechuang.core.permissions import Allowed, Denied, acts_for, in_region, is_bureau_editor  # noqa: E402

CLAIMANT_ROLES = frozenset({Role.ENTERPRISE, Role.INSTITUTION})


def can_manage_item(user, item):
    if is_bureau_editor(user, item.region_id):
        return Allowed()
    return Denied(_("只有兑现地区科技局的业务人员可以管理该兑现事项。"))


def can_view_item(user, item):
    if item.state != "draft" or in_region(user, item.region_id):
        return Allowed()
    return Denied(_("该兑现事项尚未发布。"))


def can_claim_for(user, organization_id: int | None):
    if acts_for(user, organization_id) and user.role in CLAIMANT_ROLES:
        return Allowed()
    return Denied(_("只有申请单位本单位的企业或高校院所用户可以申请政策兑现。"))


def can_view_claim(user, claim):
    if (
        acts_for(user, claim.organization_id)
        or in_region(user, claim.item.region_id)
        or in_region(user, claim.organization.region_id)
    ):
        return Allowed()
    return Denied(_("您无权查看该兑现申请。"))


def as_claimant(user, claim):
    if acts_for(user, claim.organization_id):
        return Allowed()
    return Denied(_("只有申请单位可以执行此操作。"))


def can_decide_claim(user, claim):
    if is_bureau_editor(user, claim.item.region_id):
        return Allowed()
    return Denied(_("只有兑现地区科技局的业务人员可以审核和拨付该兑现申请。"))


def can_oversee_payouts(user):
    if user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        return Allowed()
    return Denied(_("只有科技局和属地科技干部可以查看兑现申请台账。"))
