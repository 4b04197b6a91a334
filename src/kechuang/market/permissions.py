"""Who may see and change what in the market; each predicate returns Allowed or Denied(reason).

* A published listing is public (the market is open to everyone); its contact details are not: they are
  shown to the owner's users, the bureau of the listing's region, and users the owner agreed to share
  them with (a granted ContactRequest).
* A listing that is not published is seen by the owner's users and the bureau of its region only.
* The owner's users (enterprise or institution) edit their listings; bureau staff and town officers of the
  region may draft one for an organization of theirs (a need from a liaison visit), never publish it
  without moderation.
* Moderation (publish, return with a reason) and contract registration are the bureau's staff of the region.
"""

from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.permissions import Allowed, Denied
from kechuang.core.scoping import region_within_user_scope
from kechuang.organizations.enums import OrganizationKind

from .enums import ContactRequestStatus, ListingKind, ListingState

# Bureau staff who moderate listings, run events and register contracts.
BUREAU_EDITORS = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_STAFF})
# Who may draft a listing for an organization of their region (from a liaison visit).
CULTIVATORS = BUREAU_EDITORS | {Role.OFFICER}
# Organization kinds that post each kind of listing.
POSTERS = {
    ListingKind.DEMAND: frozenset({OrganizationKind.ENTERPRISE, OrganizationKind.INSTITUTION}),
    ListingKind.ACHIEVEMENT: frozenset({OrganizationKind.INSTITUTION, OrganizationKind.ENTERPRISE}),
}
# Roles that act for their organization in the market.
MARKET_MEMBER_ROLES = frozenset({Role.ENTERPRISE, Role.INSTITUTION, Role.PROVIDER})


def _login(user) -> Denied | None:
    return None if user.is_authenticated else Denied(_("请先登录。"))


def in_region(user, region_code: str | None) -> bool:
    """A region-scoped user (bureau, officer) whose region contains `region_code`, or a superuser."""
    return user.is_authenticated and (
        user.is_superuser or (user.is_region_scoped and region_within_user_scope(user, region_code))
    )


def is_bureau_editor(user, region_code: str | None) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (user.role in BUREAU_EDITORS and in_region(user, region_code))
    )


def owns(user, listing) -> bool:
    """A user acting for the listing's organization."""
    return user.is_authenticated and user.active_organization_id == listing.organization_id


def can_view_listing(user, listing):
    if listing.state == ListingState.PUBLISHED:
        return Allowed()
    if owns(user, listing) or in_region(user, listing.region_id):
        return Allowed()
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    return Denied(_("该信息尚未发布，您无权查看。"))


def can_post_listing(user, organization, kind: str):
    """Create a listing of `kind` for `organization`."""
    if (denied := _login(user)) is not None:
        return denied
    if organization is None:
        return Denied(_("请先以单位身份登录。"))
    if organization.kind not in POSTERS[kind]:
        return Denied(_("%(kind)s只能由企业或高校院所发布。") % {"kind": ListingKind(kind).label})
    if user.active_organization_id == organization.pk and user.role in MARKET_MEMBER_ROLES:
        return Allowed()
    if user.is_superuser or (user.role in CULTIVATORS and in_region(user, organization.region_id)):
        return Allowed()
    return Denied(_("您只能为本单位发布供需信息。"))


def can_edit_listing(user, listing):
    """Edit, submit, withdraw and renew: the owner's users, or the region's bureau and officers."""
    if (denied := _login(user)) is not None:
        return denied
    if owns(user, listing) and user.role in MARKET_MEMBER_ROLES:
        return Allowed()
    if user.is_superuser or (user.role in CULTIVATORS and in_region(user, listing.region_id)):
        return Allowed()
    return Denied(_("您只能修改本单位的供需信息。"))


def can_moderate_listing(user, listing):
    if (denied := _login(user)) is not None:
        return denied
    if is_bureau_editor(user, listing.region_id):
        return Allowed()
    return Denied(_("只有属地科技局业务人员可以审核供需信息。"))


def can_see_contacts(user, listing, *, granted: bool | None = None):
    """The contact details: owner, the region's bureau, or a user whose request the owner granted.

    `granted` lets a caller that already knows (a list) skip the query.
    """
    if owns(user, listing) or in_region(user, listing.region_id):
        return Allowed()
    if (denied := _login(user)) is not None:
        return denied
    if granted is None:
        granted = listing.contact_requests.filter(
            requester=user, status=ContactRequestStatus.GRANTED
        ).exists()
    if granted:
        return Allowed()
    return Denied(_("联系方式在发布方同意后可见。"))


def can_request_contacts(user, listing):
    if (denied := _login(user)) is not None:
        return denied
    if listing.state != ListingState.PUBLISHED:
        return Denied(_("只能向已发布的信息申请联系方式。"))
    if owns(user, listing):
        return Denied(_("这是本单位发布的信息。"))
    if user.active_organization_id is None and user.role != Role.BROKER:
        return Denied(_("请以单位或技术经纪人身份申请联系方式。"))
    return Allowed()


def can_decide_contacts(user, listing):
    """Grant or decline a contact request: the owner's users."""
    if owns(user, listing) and user.role in MARKET_MEMBER_ROLES:
        return Allowed()
    return Denied(_("只有发布单位可以同意或拒绝联系方式申请。"))


def can_manage_market(user, region_code: str | None = None):
    """Events, contract registration, the funnel: the bureau's staff (of the region, when one is given)."""
    if (denied := _login(user)) is not None:
        return denied
    if user.is_superuser or (
        user.role in BUREAU_EDITORS and (region_code is None or in_region(user, region_code))
    ):
        return Allowed()
    return Denied(_("只有科技局业务人员可以办理此事项。"))


def can_view_market_figures(user):
    """The funnel and statistics: the bureau (leaders included) and officers, scoped by their region."""
    if (denied := _login(user)) is not None:
        return denied
    if user.is_superuser or user.is_region_scoped:
        return Allowed()
    return Denied(_("统计信息仅供科技局人员查看。"))
