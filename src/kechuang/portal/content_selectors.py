"""Reading the portal's content. Published items are for everyone; a bureau user also sees the drafts and
withdrawn items of the regions under it. A region filter shows what applies there: its own items and those of
the regions above it (a county sees its own policies and the city's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from kechuang.accounts.enums import BUREAU_ROLES
from kechuang.core.models import AuditLog
from kechuang.core.scoping import user_region_codes
from kechuang.regions.models import Region

from . import permissions as perm
from .enums import PublishState
from .models import Notice, Policy, ServiceGuide

POLICY_SEARCH_FIELDS = ("title", "summary", "conditions", "document_no")
NOTICE_SEARCH_FIELDS = ("title", "body")
GUIDE_SEARCH_FIELDS = ("name", "who_can_apply", "materials", "procedure")


def _visible(qs: QuerySet, user) -> QuerySet:
    """Published rows, plus every row of the bureau user's regions."""
    published = Q(state=PublishState.PUBLISHED)
    if not (user.is_authenticated and (user.is_superuser or user.role in BUREAU_ROLES)):
        return qs.filter(published)
    codes = user_region_codes(user)
    if codes is None:
        return qs
    return qs.filter(published | Q(region_id__in=codes))


def _matching(qs: QuerySet, q: str, fields) -> QuerySet:
    """Every word of `q` appears in one of `fields`."""
    for word in (q or "").split()[:8]:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        qs = qs.filter(condition)
    return qs


def region_and_above(code: str) -> list[str]:
    """`code` and the codes of the regions above it (from its path)."""
    path = Region.objects.filter(pk=code).values_list("path", flat=True).first()
    return [c for c in (path or "").split("/") if c] or [code]


def portal_regions() -> list[Region]:
    """The regions a visitor may filter by: the city and its counties."""
    return list(
        Region.objects.filter(Q(pk="330600") | Q(parent_id="330600", level="county")).order_by("path")
    )


# ---------------------------------------------------------------------------------------------------------
# Policies


def policies_listed(*, user, q: str = "", category: str = "", region: str = "") -> QuerySet:
    qs = _visible(Policy.objects.select_related("region"), user)
    if category:
        qs = qs.filter(category=category)
    if region:
        qs = qs.filter(region_id__in=region_and_above(region))
    return _matching(qs, q, POLICY_SEARCH_FIELDS).only(
        "id",
        "title",
        "document_no",
        "issuer",
        "category",
        "summary",
        "state",
        "published_at",
        "effective_from",
        "effective_until",
        "region__name",
        "region__code",
    )


def policy_get_visible(*, user, pk: int) -> Policy | None:
    policy = Policy.objects.select_related("region").filter(pk=pk).first()
    if policy is None:
        return None
    if policy.state != PublishState.PUBLISHED and not perm.can_see_drafts(user, policy.region_id):
        return None
    return policy


def policy_documents(policy: Policy) -> list:
    return list(policy.documents.order_by("id"))


def policy_related_calls(policy: Policy) -> list:
    return list(policy.related_calls.filter(is_published=True).order_by("-opens_at"))


def policy_open_payout_items(policy: Policy) -> list:
    """The payout items (政策兑现事项) of the policy that accept claims now."""
    from kechuang.payouts.enums import ItemState
    from kechuang.payouts.models import PayoutItem

    return list(PayoutItem.objects.filter(policy=policy, state=ItemState.OPEN).order_by("-year", "id"))


# ---------------------------------------------------------------------------------------------------------
# Notices and news


def notices_listed(*, user, kind: str = "", q: str = "", region: str = "") -> QuerySet:
    qs = _visible(Notice.objects.select_related("region"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region_id__in=region_and_above(region))
    return _matching(qs, q, NOTICE_SEARCH_FIELDS).defer("body")


def notice_get_visible(*, user, pk: int) -> Notice | None:
    notice = Notice.objects.select_related("region").filter(pk=pk).first()
    if notice is None:
        return None
    if notice.state != PublishState.PUBLISHED and not perm.can_see_drafts(user, notice.region_id):
        return None
    return notice


# ---------------------------------------------------------------------------------------------------------
# The service guide


def guides_listed(*, user, q: str = "", region: str = "") -> QuerySet:
    qs = _visible(ServiceGuide.objects.select_related("region"), user)
    if region:
        qs = qs.filter(region_id__in=region_and_above(region))
    return (
        _matching(qs, q, GUIDE_SEARCH_FIELDS)
        .only(
            "id",
            "name",
            "department",
            "time_limit_days",
            "fee",
            "state",
            "position",
            "region__name",
            "region__code",
        )
        .order_by("department", "position", "id")
    )


def guide_get_visible(*, user, pk: int) -> ServiceGuide | None:
    guide = ServiceGuide.objects.select_related("region").filter(pk=pk).first()
    if guide is None:
        return None
    if guide.state != PublishState.PUBLISHED and not perm.can_see_drafts(user, guide.region_id):
        return None
    return guide


# ---------------------------------------------------------------------------------------------------------
# Search and the home page


@dataclass
class SearchResults:
    policies: list
    notices: list
    guides: list

    @property
    def total(self) -> int:
        return len(self.policies) + len(self.notices) + len(self.guides)


SEARCH_LIMIT = 20


def content_search(*, user, q: str, limit: int = SEARCH_LIMIT) -> SearchResults:
    """Policies, notices and guide entries matching every word of `q` (the first `limit` of each)."""
    if not (q or "").strip():
        return SearchResults([], [], [])
    return SearchResults(
        policies=list(policies_listed(user=user, q=q)[:limit]),
        notices=list(notices_listed(user=user, q=q)[:limit]),
        guides=list(guides_listed(user=user, q=q)[:limit]),
    )


def latest_published(*, n: int = 5) -> dict:
    """The newest published policies and notices, for the portal's home page."""
    policies = Policy.objects.filter(state=PublishState.PUBLISHED).only("id", "title", "published_at")[:n]
    notices = Notice.objects.filter(state=PublishState.PUBLISHED).only("id", "title", "kind", "published_at")[
        :n
    ]
    return {"policies": list(policies), "notices": list(notices)}


# ---------------------------------------------------------------------------------------------------------
# History


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    from_label: str
    to_label: str
    reason: str


def content_history(instance) -> list[HistoryLine]:
    """The recorded publications and withdrawals of `instance`, oldest first."""
    labels = dict(PublishState.choices)
    lines = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        action=AuditLog.Action.TRANSITION,
    ).order_by("at", "id")
    return [
        HistoryLine(
            at=line.at,
            actor=line.actor_name,
            from_label=str(labels.get(line.from_state, line.from_state)) if line.from_state else "",
            to_label=str(labels.get(line.to_state, line.to_state)),
            reason=line.reason,
        )
        for line in lines
    ]
