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

from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.permissions import Allowed, Denied
from kechuang.core.scoping import region_within_user_scope
from kechuang.organizations.enums import OrganizationKind

from .enums import ContactRequestStatus, ContractState, EventState, ListingKind, ListingState, ThreadState

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


# --- threads ---
# A negotiation thread (洽谈) is private to its two organizations' users and, while assigned, its broker;
# the bureau (and officers) of the listing's region read it, and the bureau's staff may assign a broker.

OPEN_THREAD_STATES = frozenset(
    {ThreadState.CONTACTED, ThreadState.NEGOTIATING, ThreadState.INTENT, ThreadState.CONTRACT}
)


def thread_side(user, thread) -> str | None:
    """The side `user` acts for in the thread ("owner" or "party"), or None."""
    if not user.is_authenticated or user.role not in MARKET_MEMBER_ROLES:
        return None
    organization_id = user.active_organization_id
    if organization_id is None:
        return None
    if organization_id == thread.owner_id:
        return "owner"
    if organization_id == thread.party_id:
        return "party"
    return None


def is_thread_broker(user, thread) -> bool:
    """The broker assigned to the thread now (a broker removed from it loses access)."""
    return (
        user.is_authenticated
        and user.role == Role.BROKER
        and thread.broker_id is not None
        and user.pk == thread.broker_id
    )


def can_view_thread(user, thread):
    """Read the thread and download its attachments: both parties, its broker, the listing region's bureau."""
    if (denied := _login(user)) is not None:
        return denied
    if thread_side(user, thread) is not None or is_thread_broker(user, thread):
        return Allowed()
    if in_region(user, thread.listing.region_id):
        return Allowed()
    return Denied(_("您不是该洽谈的参与方，无权查看。"))


def can_start_thread(user, listing):
    """Start a negotiation about a published listing, for one's own organization (not the listing's)."""
    if (denied := _login(user)) is not None:
        return denied
    if listing.state != ListingState.PUBLISHED:
        return Denied(_("只能就已发布的供需信息发起洽谈。"))
    if owns(user, listing):
        return Denied(_("不能与本单位发布的信息洽谈。"))
    if user.active_organization_id is None or user.role not in MARKET_MEMBER_ROLES:
        return Denied(_("请以单位身份登录后发起洽谈。"))
    return Allowed()


def can_post_in_thread(user, thread):
    """Post a message: the users of both parties and the assigned broker, while the thread is open."""
    if (denied := _login(user)) is not None:
        return denied
    if thread_side(user, thread) is None and not is_thread_broker(user, thread):
        return Denied(_("只有洽谈双方和指定的技术经纪人可以发送消息。"))
    if thread.state not in OPEN_THREAD_STATES:
        return Denied(_("该洽谈已结束，不能再发送消息。"))
    return Allowed()


def can_move_thread(user, thread):
    """Move the thread along its workflow: either party (the broker and the bureau follow, they do not decide)."""
    if (denied := _login(user)) is not None:
        return denied
    if thread_side(user, thread) is not None:
        return Allowed()
    return Denied(_("只有洽谈双方可以变更洽谈状态。"))


def can_set_thread_broker(user, thread):
    """Invite (a party) or assign (the bureau's staff of the listing's region) a broker, or remove one."""
    if (denied := _login(user)) is not None:
        return denied
    if thread_side(user, thread) is not None or is_bureau_editor(user, thread.listing.region_id):
        return Allowed()
    return Denied(_("只有洽谈双方或属地科技局业务人员可以指定技术经纪人。"))


# --- events ---
# 对接活动: the bureau of the event's region runs it; enterprises and institutions register with their own
# published listings; the region's bureau and officers see the whole schedule, each party only its meetings.

EVENT_REGISTRANT_KINDS = frozenset({OrganizationKind.ENTERPRISE, OrganizationKind.INSTITUTION})
EVENT_REGISTRANT_ROLES = frozenset({Role.ENTERPRISE, Role.INSTITUTION})


def can_manage_event(user, event):
    """Edit, open, schedule, finish or cancel an event, review its pairs: the bureau staff of its region."""
    return can_manage_market(user, event.region_id)


def can_view_event(user, event):
    """An event in preparation is the bureau's; once open it is public."""
    if event.state != EventState.DRAFT or in_region(user, event.region_id):
        return Allowed()
    return Denied(_("该活动尚在筹备中。"))


def can_view_event_schedule(user, event):
    """The whole schedule and every registration: the bureau (leaders too) and officers of the region."""
    if (denied := _login(user)) is not None:
        return denied
    if in_region(user, event.region_id):
        return Allowed()
    return Denied(_("完整的对接日程仅供主办科技局查看；参会单位可查看本单位的洽谈安排。"))


def can_register_for_event(user, event, *, today=None):
    """Register (or change, or withdraw) one's own enterprise or institution while registration is open."""
    if (denied := _login(user)) is not None:
        return denied
    organization = getattr(user, "organization", None) if user.active_organization_id else None
    if (
        organization is None
        or user.role not in EVENT_REGISTRANT_ROLES
        or organization.kind not in EVENT_REGISTRANT_KINDS
    ):
        return Denied(_("只有企业和高校院所的用户可以为本单位报名。"))
    if event.state != EventState.OPEN:
        return Denied(_("该活动当前不在报名期内。"))
    last_day = event.registration_closes_on or event.held_on
    if (today or timezone.localdate()) > last_day:
        return Denied(_("报名已于%(day)s截止。") % {"day": last_day.isoformat()})
    return Allowed()


def can_record_meeting_outcome(user, meeting, event):
    """The outcome of a meeting: the event's bureau, or a user of either party."""
    if (denied := _login(user)) is not None:
        return denied
    if can_manage_event(user, event):
        return Allowed()
    if user.role in MARKET_MEMBER_ROLES and user.active_organization_id in (
        meeting.demand_party_id,
        meeting.supply_party_id,
    ):
        return Allowed()
    return Denied(_("只有主办科技局或洽谈双方可以登记洽谈结果。"))


# --- contracts ---
# 技术合同认定登记 (rules.md §5). Registration is where the seller (技术输出方) is: the registrar is bureau staff
# whose region contains the seller's region. The parties' users see their contracts; the bureau, leaders and
# officers see those whose seller (输出) or buyer (吸纳) is in their region.


def is_contract_party(user, contract) -> bool:
    """A user acting for the seller or the buyer of the contract."""
    organization_id = user.active_organization_id if user.is_authenticated else None
    return organization_id is not None and organization_id in (contract.seller_id, contract.buyer_id)


def can_submit_contract(user):
    """Apply for registration: a user acting for an organization, or the bureau's staff (registrar) entering
    a contract directly. Which contracts each may enter is checked by the service (party / seller's region)."""
    if (denied := _login(user)) is not None:
        return denied
    if user.role in MARKET_MEMBER_ROLES and user.active_organization_id:
        return Allowed()
    if user.is_superuser or user.role in BUREAU_EDITORS:
        return Allowed()
    return Denied(_("只有合同当事方单位的用户或科技局登记人员可以申请技术合同登记。"))


def can_view_contract(user, contract):
    if (denied := _login(user)) is not None:
        return denied
    if is_contract_party(user, contract):
        return Allowed()
    if in_region(user, contract.seller_region_id) or (
        contract.buyer_region_id and in_region(user, contract.buyer_region_id)
    ):
        return Allowed()
    return Denied(_("您无权查看该技术合同。"))


def can_register_contract(user, contract):
    """Register, return or refuse: the bureau's staff of the seller's region."""
    if (denied := _login(user)) is not None:
        return denied
    if is_bureau_editor(user, contract.seller_region_id):
        return Allowed()
    return Denied(_("只有卖方（技术输出方）所在地科技局的登记人员可以认定登记该合同。"))


def can_edit_contract(user, contract):
    """Correct a contract not yet decided: the parties' users, or the registrar of the seller's region."""
    if (denied := _login(user)) is not None:
        return denied
    if contract.state not in (ContractState.SUBMITTED, ContractState.RETURNED):
        return Denied(_("已登记或不予登记的合同不能修改。"))
    if is_contract_party(user, contract) and user.role in MARKET_MEMBER_ROLES:
        return Allowed()
    if is_bureau_editor(user, contract.seller_region_id):
        return Allowed()
    return Denied(_("只有合同当事方或卖方所在地科技局登记人员可以修改该合同。"))


def can_resubmit_contract(user, contract):
    """Send a returned contract back for registration: the parties' users or whoever submitted it."""
    if (denied := _login(user)) is not None:
        return denied
    if is_contract_party(user, contract) and user.role in MARKET_MEMBER_ROLES:
        return Allowed()
    if contract.submitted_by_id == user.pk:
        return Allowed()
    return Denied(_("只有合同当事方可以重新提交该合同。"))


# --- matching ---
# A listing's matches tell who else is active on the same subject: they are shown to the listing's owner and to
# the bureau of its region, never to the public or to the other parties. Experts of the review pool (专家库) are
# confidential (who reviews is not disclosed to applicants), so expert matches are shown to the bureau only.


def can_view_matches(user, listing):
    if (denied := _login(user)) is not None:
        return denied
    if owns(user, listing) or in_region(user, listing.region_id):
        return Allowed()
    return Denied(_("匹配结果仅发布单位和属地科技局可见。"))


def can_view_expert_matches(user, listing):
    if (denied := _login(user)) is not None:
        return denied
    if user.is_superuser or (user.is_bureau and in_region(user, listing.region_id)):
        return Allowed()
    return Denied(_("专家库信息仅科技局人员可见。"))


def can_recompute_matches(user, listing=None):
    """Queue a recompute: of one listing, the bureau's staff of its region; of the whole market, the bureau's staff."""
    if listing is None:
        return can_manage_market(user)
    if (denied := _login(user)) is not None:
        return denied
    if is_bureau_editor(user, listing.region_id):
        return Allowed()
    return Denied(_("只有属地科技局业务人员可以重新计算匹配。"))
