"""Listings of the market — 技术需求 (demands) and 科技成果 (achievements) — and the requests to see their contacts:
services (writes) and selectors (reads), shared by the pages, the API and the jobs.

The life of a listing is LISTING_WORKFLOW:

    draft ─submit─▶ pending ─publish─▶ published ─(nightly, past expires_on)─▶ expired ─renew─▶ published
                     │   ▲                │                                       └─renew (content changed)─▶ pending
            return ◀─┘   └─submit─ returned ◀─return (taken down, with a reason)
                                          └─revise (public content edited)─▶ pending
    every state but withdrawn ─withdraw─▶ withdrawn (final)

Invariants:
* The market shows a listing only while it is published and `expires_on` is today or later; in every other
  state only the owner's users and the bureau and officers of its region see it (permissions.can_view_listing).
* A listing's region is its organization's region when it is created; the bureau of that region moderates it.
* Editing what the public sees (everything but the contact details and the date) of a published or expired
  listing sends it back to 待审核; the contacts and the date are changed without moderation.
* `content_changed_at` moves when the title, description, keywords or field change (search and matching
  re-index what changed).
* Every state change is an audit transition (who, from, to, why); every content or state change enqueues
  `market.listing_changed` after commit.
* Contact details leave the server only when permissions.can_see_contacts allows.
"""

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.accounts.enums import MembershipStatus
from kechuang.accounts.models import User
from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.models import AuditLog
from kechuang.core.notifications import notify
from kechuang.core.permissions import Allowed, Denied, require
from kechuang.core.scoping import user_region_codes
from kechuang.core.workflow import Transition, Workflow
from kechuang.organizations.enums import TechField
from kechuang.organizations.models import Organization

from .enums import ACHIEVEMENT_COOPERATION, ContactRequestStatus, Cooperation, ListingKind, ListingState
from .models import ContactRequest, Listing
from .permissions import (
    BUREAU_EDITORS,
    can_decide_contacts,
    can_edit_listing,
    can_moderate_listing,
    can_post_listing,
    can_request_contacts,
    can_see_contacts,
    can_view_listing,
)

S = ListingState

# A listing is shown for at most this long from the day it is posted or renewed.
MAX_VALIDITY_DAYS = 365
# A demand drafted from a liaison visit's need gets this deadline.
NEED_DEMAND_DAYS = 90
MAX_KEYWORDS = 10
KEYWORD_SEPARATORS = re.compile(r"[,，、;；\s]+")


class ListingAction(models.TextChoices):
    SUBMIT = "submit", gettext_lazy("提交审核")
    PUBLISH = "publish", gettext_lazy("审核发布")
    RETURN = "return", gettext_lazy("退回修改")
    WITHDRAW = "withdraw", gettext_lazy("撤回")
    REVISE = "revise", gettext_lazy("修改后重新审核")
    EXPIRE = "expire", gettext_lazy("到期下架")
    RENEW = "renew", gettext_lazy("续期")
    RENEW_FOR_REVIEW = "renew_for_review", gettext_lazy("续期并重新审核")


A = ListingAction


def _system_only(user, listing):
    """Expiry is the nightly job's, never a person's."""
    return Allowed() if user is None else Denied(_("信息到期由系统每日自动处理。"))


LISTING_WORKFLOW = Workflow(
    "listing",
    {
        (S.DRAFT, A.SUBMIT): Transition(S.PENDING, can_edit_listing),
        (S.RETURNED, A.SUBMIT): Transition(S.PENDING, can_edit_listing),
        (S.PENDING, A.PUBLISH): Transition(S.PUBLISHED, can_moderate_listing),
        (S.PENDING, A.RETURN): Transition(S.RETURNED, can_moderate_listing, needs_reason=True),
        (S.PUBLISHED, A.RETURN): Transition(S.RETURNED, can_moderate_listing, needs_reason=True),
        (S.PUBLISHED, A.REVISE): Transition(S.PENDING, can_edit_listing),
        (S.EXPIRED, A.REVISE): Transition(S.PENDING, can_edit_listing),
        (S.PUBLISHED, A.EXPIRE): Transition(S.EXPIRED, _system_only),
        (S.PUBLISHED, A.RENEW): Transition(S.PUBLISHED, can_edit_listing),
        (S.EXPIRED, A.RENEW): Transition(S.PUBLISHED, can_edit_listing),
        (S.EXPIRED, A.RENEW_FOR_REVIEW): Transition(S.PENDING, can_edit_listing),
        **{
            (state, A.WITHDRAW): Transition(S.WITHDRAWN, can_edit_listing)
            for state in (S.DRAFT, S.PENDING, S.RETURNED, S.PUBLISHED, S.EXPIRED)
        },
    },
    state_labels={s.value: s.label for s in S},
    action_labels={a.value: a.label for a in A},
)

# What a form or API client may set. The text fields are what search and matching index.
FIELDS = (
    "title",
    "description",
    "tech_field",
    "keywords",
    "cooperation",
    "budget_min",
    "budget_max",
    "maturity",
    "ip_numbers",
    "price",
    "negotiable",
    "expires_on",
    "contact_name",
    "contact_phone",
    "contact_email",
)
TEXT_FIELDS = frozenset({"title", "description", "keywords", "tech_field"})
# Changed without moderation on a published listing.
UNMODERATED_FIELDS = frozenset({"expires_on", "contact_name", "contact_phone", "contact_email"})
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")
PHONE = re.compile(r"^[0-9+()\-\s]{7,30}$")


# ---------------------------------------------------------------------------------------------------------
# Validation


def normalize_keywords(value) -> str:
    """Keywords split on commas, 顿号, semicolons and spaces, deduplicated (case-insensitively, first spelling
    kept), joined with "，"; more than MAX_KEYWORDS is refused."""
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value)
    seen, kept = set(), []
    for word in KEYWORD_SEPARATORS.split(value or ""):
        word = word.strip()
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            kept.append(word)
    if len(kept) > MAX_KEYWORDS:
        raise DomainError(
            _("关键词最多%(max)s个，您填写了%(n)s个。") % {"max": MAX_KEYWORDS, "n": len(kept)},
            field="keywords",
        )
    joined = "，".join(kept)
    if len(joined) > Listing._meta.get_field("keywords").max_length:
        raise DomainError(_("关键词太长，请精简。"), field="keywords")
    return joined


def _money(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("请填写正确的金额。"), field=field) from None
    if not amount.is_finite() or amount < 0:
        raise DomainError(_("金额不能为负数。"), field=field)
    if amount >= Decimal(10) ** 14:
        raise DomainError(_("金额过大。"), field=field)
    return amount.quantize(Decimal("0.01"))


def _date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("请填写正确的日期。"), field=field) from None


def check_expiry(expires_on: date | None, *, today: date, new: bool) -> None:
    """A new date (posting, renewing, changing it) lies after today and within MAX_VALIDITY_DAYS; a date kept
    from before must not have passed."""
    if expires_on is None:
        raise DomainError(_("请填写有效期至（技术需求为需求截止日期）。"), field="expires_on")
    if new:
        if expires_on <= today:
            raise DomainError(_("有效期至须晚于今天。"), field="expires_on")
        if expires_on > today + timedelta(days=MAX_VALIDITY_DAYS):
            raise DomainError(
                _("有效期最长%(days)s天，请填写%(last)s或更早的日期。")
                % {"days": MAX_VALIDITY_DAYS, "last": today + timedelta(days=MAX_VALIDITY_DAYS)},
                field="expires_on",
            )
    elif expires_on < today:
        raise DomainError(_("有效期已过，请填写新的有效期至。"), field="expires_on")


def _clean(kind: str, raw: dict, *, today: date, date_is_new: bool, contacts: bool = True) -> dict:
    """The listing's fields from `raw` checked by the rules of its kind; raises DomainError on the first fault.

    Demand: budget range with min ≤ max (either may be empty: 面议), any form of cooperation. Achievement:
    maturity 1–9, a transfer mode of ACHIEVEMENT_COOPERATION, a price ≥ 0 or 面议. Fields of the other kind are
    cleared.
    """
    values = {name: raw.get(name) for name in FIELDS}
    for name in ("title", "description", "ip_numbers", *CONTACT_FIELDS):
        values[name] = (values[name] or "").strip()
    if not values["title"]:
        raise DomainError(_("请填写名称。"), field="title")
    if len(values["title"]) > Listing._meta.get_field("title").max_length:
        raise DomainError(_("名称最多120个字。"), field="title")
    if not values["description"]:
        raise DomainError(
            _("请填写需求描述。") if kind == ListingKind.DEMAND else _("请填写成果简介。"),
            field="description",
        )
    if values["tech_field"] not in TechField.values:
        raise DomainError(_("请选择技术领域。"), field="tech_field")
    values["keywords"] = normalize_keywords(values["keywords"])
    values["expires_on"] = _date(values["expires_on"], "expires_on")
    check_expiry(values["expires_on"], today=today, new=date_is_new)
    if kind == ListingKind.DEMAND:
        if values["cooperation"] not in Cooperation.values:
            raise DomainError(_("请选择希望的合作方式。"), field="cooperation")
        values["budget_min"] = _money(values["budget_min"], "budget_min")
        values["budget_max"] = _money(values["budget_max"], "budget_max")
        low, high = values["budget_min"], values["budget_max"]
        if low is not None and high is not None and low > high:
            raise DomainError(_("预算下限不能高于预算上限。"), field="budget_max")
        values.update(maturity=None, ip_numbers="", price=None, negotiable=False)
    else:
        if values["cooperation"] not in ACHIEVEMENT_COOPERATION:
            raise DomainError(
                _("转化方式须为技术转让、技术许可、合作开发或作价入股之一。"), field="cooperation"
            )
        try:
            maturity = int(values["maturity"]) if values["maturity"] not in (None, "") else None
        except (TypeError, ValueError):
            maturity = 0
        if maturity is None or not 1 <= maturity <= 9:
            raise DomainError(_("技术成熟度须为1至9级。"), field="maturity")
        values["maturity"] = maturity
        values["price"] = _money(values["price"], "price")
        values["negotiable"] = bool(values["negotiable"])
        if values["price"] is None and not values["negotiable"]:
            raise DomainError(_("请填写挂牌价格，或选择价格面议。"), field="price")
        if len(values["ip_numbers"]) > Listing._meta.get_field("ip_numbers").max_length:
            raise DomainError(_("相关知识产权最多300个字。"), field="ip_numbers")
        values.update(budget_min=None, budget_max=None)
    if contacts:
        _check_contacts(values)
    return values


def _check_contacts(values: dict) -> None:
    if not values["contact_name"]:
        raise DomainError(_("请填写联系人。"), field="contact_name")
    if len(values["contact_name"]) > 50:
        raise DomainError(_("联系人最多50个字。"), field="contact_name")
    if not PHONE.match(values["contact_phone"] or ""):
        raise DomainError(_("请填写正确的联系电话。"), field="contact_phone")
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            raise DomainError(_("请填写正确的电子邮箱。"), field="contact_email") from None


def _current(listing: Listing) -> dict:
    return {name: getattr(listing, name) for name in FIELDS}


def _check_complete(listing: Listing) -> None:
    """Everything a listing needs before the bureau sees it (a draft from a need may lack some of it)."""
    _clean(listing.kind, _current(listing), today=timezone.localdate(), date_is_new=False)


# ---------------------------------------------------------------------------------------------------------
# Notifications and hooks


def _changed(listing: Listing) -> None:
    """Search and matching pick the listing up once the transaction commits."""
    enqueue("market.listing_changed", listing_id=listing.pk)


def owner_users(organization_id: int) -> QuerySet:
    """The owner's users who receive its listings' messages."""
    return User.objects.filter(
        organization_id=organization_id, is_active=True, membership_status=MembershipStatus.ACTIVE
    ).order_by("pk")


def _detail_link(listing) -> str:
    return reverse("market:listing_detail", args=[listing.pk])


def _notify_owner(listing: Listing, subject: str, body: str = "", *, key: str = "") -> int:
    return notify(
        recipients=owner_users(listing.organization_id),
        subject=subject,
        body=body,
        link=_detail_link(listing),
        dedupe_key=key,
    )


# ---------------------------------------------------------------------------------------------------------
# Listings: writes


@acting
@transaction.atomic
def listing_create(*, organization: Organization, kind: str, data: dict, by) -> Listing:
    """Draft a listing of `kind` for `organization` (its region becomes the listing's region)."""
    if kind not in ListingKind.values:
        raise DomainError(_("请选择发布类型。"), field="kind")
    require(can_post_listing(by, organization, kind))
    values = _clean(kind, data, today=timezone.localdate(), date_is_new=True)
    listing = Listing.objects.create(
        kind=kind,
        organization=organization,
        region_id=organization.region_id,
        created_by=by,
        content_changed_at=timezone.now(),
        **values,
    )
    record_transition(instance=listing, by=by, from_state="", to_state=S.DRAFT, reason=_("新建草稿"))
    _changed(listing)
    return listing


def _field_names(names) -> str:
    return "、".join(str(Listing._meta.get_field(name).verbose_name) for name in FIELDS if name in names)


@acting
@transaction.atomic
def listing_update(*, listing: Listing, data: dict, expected_version: int | None, by) -> Listing:
    """Change a listing's fields (those in `data`; the others are kept).

    A published or expired listing whose public content changes goes back to 待审核 (recorded as a transition
    with the fields changed); changing only the contacts or the date keeps it published. Changing the date of an
    expired listing renews it (see listing_renew). A withdrawn listing is not changed.
    """
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    require(can_edit_listing(by, locked))
    locked.check_version(expected_version)
    if locked.state == S.WITHDRAWN:
        raise DomainError(_("已撤回的信息不能修改。"))
    current = _current(locked)
    merged = {**current, **{k: v for k, v in data.items() if k in FIELDS}}
    new_date = _date(merged.get("expires_on"), "expires_on") != current["expires_on"]
    values = _clean(locked.kind, merged, today=timezone.localdate(), date_is_new=new_date)
    changed = {name for name in FIELDS if values[name] != current[name]}
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, values[name])
    now = timezone.now()
    if changed & TEXT_FIELDS:
        locked.content_changed_at = now
    source, action, reason = locked.state, None, ""
    moderated = changed - UNMODERATED_FIELDS
    if source in (S.PUBLISHED, S.EXPIRED) and moderated:
        action = A.REVISE
        reason = _("修改了%(fields)s，重新提交审核") % {"fields": _field_names(moderated)}
    elif source == S.EXPIRED and "expires_on" in changed:
        action = _renew_action(locked)
        reason = _("续期至%(day)s") % {"day": locked.expires_on.isoformat()}
    if action is not None:
        transition = LISTING_WORKFLOW.transitions[(source, action)]
        require(transition.allowed(by, locked))
        locked.state = transition.target
        locked.state_since = now
        if transition.target == S.PENDING:
            locked.submitted_at = now
    locked.bump_version()
    locked.save()
    if locked.state != source:
        record_transition(instance=locked, by=by, from_state=source, to_state=locked.state, reason=reason)
    _changed(locked)
    return locked


@acting
@transaction.atomic
def listing_submit(*, listing: Listing, by, expected_version: int | None = None) -> Listing:
    """Send a draft or returned listing to the bureau of its region for moderation (待审核)."""

    def change(locked):
        locked.submitted_at = timezone.now()

    done = LISTING_WORKFLOW.apply(
        instance=listing,
        action=A.SUBMIT,
        by=by,
        expected_version=expected_version,
        check=_check_complete,
        change=change,
    )
    _changed(done)
    return done


@acting
@transaction.atomic
def listing_publish(*, listing: Listing, by, expected_version: int | None = None) -> Listing:
    """Publish a pending listing on the market (the bureau of its region); tells the owner."""

    def check(locked):
        if locked.expires_on < timezone.localdate():
            raise DomainError(_("该信息的有效期已过，请退回发布单位修改有效期。"))

    def change(locked):
        locked.published_at = timezone.now()
        locked.return_reason = ""

    done = LISTING_WORKFLOW.apply(
        instance=listing,
        action=A.PUBLISH,
        by=by,
        expected_version=expected_version,
        check=check,
        change=change,
    )
    _notify_owner(
        done,
        _("%(kind)s已发布：%(title)s") % {"kind": done.get_kind_display(), "title": done.title},
        key=f"listing-published-{done.pk}-{done.version}",
    )
    _changed(done)
    return done


@acting
@transaction.atomic
def listing_return(*, listing: Listing, reason: str, by, expected_version: int | None = None) -> Listing:
    """Return a pending listing (or take a published one down) to its owner with a reason."""
    reason = (reason or "").strip()[:500]

    def change(locked):
        locked.return_reason = reason

    done = LISTING_WORKFLOW.apply(
        instance=listing,
        action=A.RETURN,
        by=by,
        reason=reason,
        expected_version=expected_version,
        change=change,
    )
    _notify_owner(
        done,
        _("%(kind)s被退回：%(title)s") % {"kind": done.get_kind_display(), "title": done.title},
        _("退回理由：%(reason)s") % {"reason": reason},
        key=f"listing-returned-{done.pk}-{done.version}",
    )
    _changed(done)
    return done


@acting
@transaction.atomic
def listing_withdraw(
    *, listing: Listing, by, reason: str = "", expected_version: int | None = None
) -> Listing:
    """Withdraw a listing for good (the owner, or the bureau and officers of its region)."""
    done = LISTING_WORKFLOW.apply(
        instance=listing,
        action=A.WITHDRAW,
        by=by,
        reason=(reason or "").strip(),
        expected_version=expected_version,
    )
    _changed(done)
    return done


def _renew_action(listing: Listing) -> str:
    """Renewing an expired listing republishes it when its content has not changed since it was published,
    and sends it to moderation otherwise."""
    if (
        listing.state == S.EXPIRED
        and listing.published_at is not None
        and listing.content_changed_at <= listing.published_at
    ):
        return A.RENEW
    return A.RENEW_FOR_REVIEW if listing.state == S.EXPIRED else A.RENEW


@acting
@transaction.atomic
def listing_renew(*, listing: Listing, expires_on: date, by, expected_version: int | None = None) -> Listing:
    """Give a published or expired listing a new 有效期至, after today and at most MAX_VALIDITY_DAYS ahead.

    Chosen rule: a published listing stays published; an expired one goes back to published when its text has
    not changed since it was published (`content_changed_at` ≤ `published_at`: the bureau has seen exactly
    this), else to 待审核. Both are recorded in the audit trail as a transition with the new date as reason.
    """
    expires_on = _date(expires_on, "expires_on")
    current = Listing.objects.only("state", "published_at", "content_changed_at").get(pk=listing.pk)
    action = _renew_action(current)

    def check(locked):
        check_expiry(expires_on, today=timezone.localdate(), new=True)

    def change(locked):
        locked.expires_on = expires_on
        if locked.state == S.PENDING:
            locked.submitted_at = timezone.now()

    done = LISTING_WORKFLOW.apply(
        instance=listing,
        action=action,
        by=by,
        reason=_("续期至%(day)s") % {"day": expires_on.isoformat()},
        expected_version=expected_version,
        check=check,
        change=change,
    )
    _changed(done)
    return done


def listing_viewed(listing: Listing, user) -> None:
    """Count a view of a published listing by anyone but its owner (no audit: a counter, not a change)."""
    if listing.state == S.PUBLISHED and not (
        user.is_authenticated and user.active_organization_id == listing.organization_id
    ):
        Listing.objects.filter(pk=listing.pk).update(view_count=F("view_count") + 1)


# ---------------------------------------------------------------------------------------------------------
# The liaison hook: a need from a visit becomes a draft demand


def _enterprise_contact(organization: Organization) -> dict:
    """Contact details from the enterprise's record: its admin user, the legal representative, its phone."""
    admin = (
        owner_users(organization.pk)
        .order_by("-is_org_admin", "pk")
        .only("last_name", "first_name", "phone", "email")
    ).first()
    name = organization.legal_representative or (str(admin) if admin else "")
    return {
        "contact_name": name[:50],
        "contact_phone": (organization.contact_phone or (admin.phone if admin else ""))[:30],
        "contact_email": admin.email if admin else "",
    }


@acting
@transaction.atomic
def demand_from_need(draft, *, by) -> str:
    """Create the DRAFT demand of an enterprise's need (enterprises.liaison.need_to_demand's `create_demand`).

    The enterprise's users complete and submit it; its deadline is NEED_DEMAND_DAYS ahead, its contacts come
    from the enterprise's record, its field from the enterprise's. Returns the listing's number (the need's
    `demand_ref`, which links to the demand's page).
    """
    organization = Organization.objects.get(pk=draft.organization_id)
    require(can_post_listing(by, organization, ListingKind.DEMAND))
    listing = Listing.objects.create(
        kind=ListingKind.DEMAND,
        organization=organization,
        region_id=organization.region_id,
        created_by=by,
        title=draft.title[:120],
        description=draft.description,
        tech_field=organization.tech_field or "",
        cooperation=Cooperation.JOINT_DEVELOPMENT,
        expires_on=timezone.localdate() + timedelta(days=NEED_DEMAND_DAYS),
        source_need_id=draft.need_id,
        content_changed_at=timezone.now(),
        **_enterprise_contact(organization),
    )
    record_transition(instance=listing, by=by, from_state="", to_state=S.DRAFT, reason=_("由走访需求转入"))
    _notify_owner(
        listing,
        _("科技局已根据走访需求为贵单位起草技术需求：%(title)s") % {"title": listing.title},
        _("请完善需求内容、核对联系方式后提交审核。"),
        key=f"listing-from-need-{listing.pk}",
    )
    _changed(listing)
    return str(listing.pk)


# ---------------------------------------------------------------------------------------------------------
# Listings: reads


def _listed() -> QuerySet[Listing]:
    # The contact columns never reach a list.
    return Listing.objects.select_related("organization", "region").defer(*CONTACT_FIELDS)


def listings_published(*, today: date | None = None) -> QuerySet[Listing]:
    """The market: published listings whose date has not passed, newest first."""
    return _listed().filter(state=S.PUBLISHED, expires_on__gte=today or timezone.localdate())


def listings_visible_to(*, user, today: date | None = None) -> QuerySet[Listing]:
    """What `user` may see: the market, the user's organization's listings in every state, and for the bureau
    and officers every listing of their region."""
    seen = Q(state=S.PUBLISHED, expires_on__gte=today or timezone.localdate())
    if user.is_authenticated:
        if user.active_organization_id:
            seen |= Q(organization_id=user.active_organization_id)
        if user.is_superuser or user.is_region_scoped:
            codes = user_region_codes(user)
            if codes is None:
                return _listed()
            seen |= Q(region_id__in=codes)
    return _listed().filter(seen)


def listing_get_visible(*, user, pk) -> Listing | None:
    """One listing with its contact fields, if `user` may see it (the caller still decides on the contacts)."""
    if not str(pk).isdigit():
        return None
    listing = (
        Listing.objects.select_related("organization", "region", "source_need", "source_need__visit")
        .filter(pk=pk)
        .first()
    )
    if listing is None:
        return None
    return listing if can_view_listing(user, listing) else None


def listings_of_organization(*, user) -> QuerySet[Listing]:
    """我的供需信息: every listing of the user's organization, in every state."""
    if not (user.is_authenticated and user.active_organization_id):
        return Listing.objects.none()
    return _listed().filter(organization_id=user.active_organization_id).order_by("-updated_at", "-pk")


def listing_counts(queryset: QuerySet[Listing]) -> dict[str, int]:
    """How many listings of `queryset` are in each state (every state present, zero included)."""
    counts = dict(queryset.order_by().values_list("state").annotate(n=Count("pk")))
    return {state: counts.get(state, 0) for state in S.values}


def listings_for_moderation(*, user) -> QuerySet[Listing]:
    """The moderation queue: pending listings of the user's region, oldest submission first (bureau only)."""
    if not (user.is_authenticated and (user.is_superuser or user.role in BUREAU_EDITORS)):
        return Listing.objects.none()
    codes = user_region_codes(user)
    qs = _listed().filter(state=S.PENDING)
    if codes is not None:
        qs = qs.filter(region_id__in=codes)
    return qs.order_by("submitted_at", "pk")


def listing_trail(listing: Listing) -> QuerySet[AuditLog]:
    """The listing's transitions, oldest first: who, when, from, to, why."""
    return AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Listing),
        object_id=str(listing.pk),
        action=AuditLog.Action.TRANSITION,
    ).order_by("at", "pk")


def listing_actions(listing: Listing, user) -> list[str]:
    """The buttons to show `user` on the listing (the services check again)."""
    hidden = {A.EXPIRE, A.REVISE, A.RENEW_FOR_REVIEW}
    actions = [a for a in LISTING_WORKFLOW.available(listing, user) if a not in hidden]
    if listing.state == S.EXPIRED and A.RENEW not in actions and can_edit_listing(user, listing):
        actions.append(A.RENEW)
    return actions


def contacts_visible(listing: Listing, user) -> bool:
    return bool(can_see_contacts(user, listing))


# ---------------------------------------------------------------------------------------------------------
# Contact requests


@acting
@transaction.atomic
def contact_request_create(*, listing: Listing, message: str, by) -> ContactRequest:
    """Ask the owner of a published listing to share its contact details; the owner's users are told."""
    require(can_request_contacts(by, listing))
    existing = ContactRequest.objects.filter(listing=listing, requester=by).first()
    if existing is not None:
        raise DomainError(
            {
                ContactRequestStatus.PENDING: _("您已申请过，请等待发布单位同意。"),
                ContactRequestStatus.GRANTED: _("发布单位已同意，联系方式见信息页面。"),
                ContactRequestStatus.DECLINED: _("发布单位已拒绝您的申请。"),
            }[existing.status]
        )
    try:
        with transaction.atomic():
            request = ContactRequest.objects.create(
                listing=listing,
                requester=by,
                organization_id=by.active_organization_id,
                message=(message or "").strip()[:500],
            )
    except IntegrityError:
        raise DomainError(_("您已申请过，请等待发布单位同意。")) from None
    who = request.organization.name if request.organization_id else str(by)
    notify(
        recipients=owner_users(listing.organization_id),
        subject=_("%(who)s申请查看联系方式：%(title)s") % {"who": who, "title": listing.title},
        body=request.message,
        link=reverse("market:contact_requests"),
        dedupe_key=f"contact-request-{request.pk}",
    )
    return request


@acting
@transaction.atomic
def contact_request_decide(
    *, request: ContactRequest, grant: bool, by, expected_version: int | None = None
) -> ContactRequest:
    """Grant or decline a contact request (the owner's users); the requester is told."""
    locked = ContactRequest.objects.select_for_update().select_related("listing").get(pk=request.pk)
    require(can_decide_contacts(by, locked.listing))
    locked.check_version(expected_version)
    if locked.status != ContactRequestStatus.PENDING:
        raise DomainError(
            _("该申请已处理（%(status)s）。") % {"status": locked.get_status_display()}, field="grant"
        )
    source = locked.status
    locked.status = ContactRequestStatus.GRANTED if grant else ContactRequestStatus.DECLINED
    locked.decided_at = timezone.now()
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=source, to_state=locked.status)
    title = locked.listing.title
    notify(
        recipients=[locked.requester],
        subject=(
            _("发布单位已同意您查看联系方式：%(title)s")
            if grant
            else _("发布单位未同意您查看联系方式：%(title)s")
        )
        % {"title": title},
        link=_detail_link(locked.listing),
        dedupe_key=f"contact-decided-{locked.pk}",
    )
    return locked


def contact_requests_received(*, user) -> QuerySet[ContactRequest]:
    """Requests to the user's organization, pending first, newest first."""
    if not (user.is_authenticated and user.active_organization_id):
        return ContactRequest.objects.none()
    return (
        ContactRequest.objects.filter(listing__organization_id=user.active_organization_id)
        .select_related("listing", "requester", "organization")
        .order_by(
            models.Case(models.When(status=ContactRequestStatus.PENDING, then=0), default=1),
            "-created_at",
            "-pk",
        )
    )


def contact_requests_sent(*, user) -> QuerySet[ContactRequest]:
    """The user's own requests, newest first."""
    if not user.is_authenticated:
        return ContactRequest.objects.none()
    return (
        ContactRequest.objects.filter(requester=user)
        .select_related("listing", "listing__organization")
        .order_by("-created_at", "-pk")
    )


def contact_request_of(listing: Listing, user) -> ContactRequest | None:
    if not user.is_authenticated:
        return None
    return ContactRequest.objects.filter(listing=listing, requester=user).first()
