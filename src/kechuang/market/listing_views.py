"""Pages of the market's listings: the market itself, a listing with its actions and panels, posting and editing,
我的供需信息, the bureau's moderation queue and the owners' contact-request inbox."""

from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.panels import collect_panels
from kechuang.core.views import act_and_redirect, paginate, render_denied

from .enums import ContactRequestStatus, ListingKind, ListingState
from .listing_filters import ListingFilter
from .listing_forms import (
    ContactDecideForm,
    ContactRequestForm,
    ListingForm,
    RenewForm,
    ReturnForm,
    VersionForm,
    WithdrawForm,
)
from .listings import (
    FIELDS,
    contact_request_create,
    contact_request_decide,
    contact_request_of,
    contact_requests_received,
    contact_requests_sent,
    contacts_visible,
    listing_actions,
    listing_counts,
    listing_create,
    listing_publish,
    listing_renew,
    listing_return,
    listing_submit,
    listing_trail,
    listing_update,
    listing_viewed,
    listing_withdraw,
    listings_for_moderation,
    listings_of_organization,
    listings_published,
)
from .models import Listing
from .permissions import (
    BUREAU_EDITORS,
    can_edit_listing,
    can_moderate_listing,
    can_post_listing,
    can_request_contacts,
    can_view_listing,
)
from .search import MAX_RESULTS, search

# Other areas' panels on a listing's page, in page order: (context name, module, template). Each module offers
# `panel(user, listing)`, returning what its template needs, or None to show nothing.
PANELS = (
    ("matches", "kechuang.market.match_views", "market/_panel_matches.html"),
    ("threads", "kechuang.market.thread_views", "market/_panel_threads.html"),
)
# How a state is coloured, with the status classes the stylesheet has.
STATE_CLASS = {
    ListingState.PUBLISHED: "verified",
    ListingState.PENDING: "pending",
    ListingState.RETURNED: "rejected",
}


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _listing(pk) -> Listing | None:
    return Listing.objects.select_related("organization", "region", "source_need").filter(pk=pk).first()


def _visible_or_denied(request, pk):
    """(listing, None) when the user may see it, else (None, the page saying why)."""
    listing = _listing(pk)
    if listing is None:
        return None, render_denied(request, _("该信息不存在。"), status=404)
    decision = can_view_listing(request.user, listing)
    if not decision:
        return None, render_denied(request, decision.reason)
    return listing, None


def _with(query: QueryDict, **values) -> str:
    params = query.copy()
    params.pop("page", None)
    for key, value in values.items():
        if value:
            params[key] = value
        else:
            params.pop(key, None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _trail(listing: Listing) -> list:
    """(audit line, from-state label, to-state label) of each transition, oldest first."""
    labels = dict(ListingState.choices)
    return [
        (log, labels.get(log.from_state, log.from_state), labels.get(log.to_state, log.to_state))
        for log in listing_trail(listing).select_related("actor")
    ]


# ---------------------------------------------------------------------------------------------------------
# The market


PER_PAGE = 20


class _Found:
    """One page of a search's listings with the search's total, as Django's Paginator reads a list."""

    def __init__(self, found):
        self.found = found

    def __len__(self) -> int:
        return min(self.found.total, MAX_RESULTS)

    def __getitem__(self, window: slice):
        return [hit.listing for hit in self.found.hits]  # the page the search was asked for


def _market_page(request, filterset) -> Page:
    """The page of published listings the filters ask for, from the search index (newest first): at 500,000
    listings a database COUNT alone takes longer than the page should."""
    data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    asked = {
        "kind": data.get("kind") or None,
        "tech_field": data.get("tech_field") or None,
        "region_code": data.get("region") or None,
        "cooperation": data.get("cooperation") or None,
        "maturity_min": data.get("maturity_min"),
        "price_min": data.get("amount_min"),
        "price_max": data.get("amount_max"),
    }
    found = search(query="", page=number, per_page=PER_PAGE, **asked)
    if number > found.num_pages:  # past the end: show the last page, as Paginator.get_page does
        number = found.num_pages
        found = search(query="", page=number, per_page=PER_PAGE, **asked)
    return Paginator(_Found(found), PER_PAGE).page(number)


def home(request):
    """技术市场: published demands and achievements, by kind, filtered and paginated (open to everyone)."""
    filterset = ListingFilter(
        request.GET, queryset=listings_published(), request=request, hide=("kind", "state")
    )
    page = _market_page(request, filterset)
    kind = request.GET.get("kind", "")
    tabs = [
        ("", _("全部"), _with(request.GET, kind="")),
        *((value, label, _with(request.GET, kind=value)) for value, label in ListingKind.choices),
    ]
    context = {
        "filter": filterset,
        "page": page,
        "tabs": tabs,
        "kind": kind if kind in ListingKind.values else "",
        "search_url": reverse("market:home") + "search/",
        "can_post": request.user.is_authenticated and bool(request.user.active_organization_id),
    }
    template = "market/listing_results.html" if getattr(request, "htmx", False) else "market/home.html"
    return render(request, template, context)


def listing_detail(request, pk):
    listing, denied = _visible_or_denied(request, pk)
    if denied:
        return denied
    user = request.user
    listing_viewed(listing, user)
    may_edit = bool(can_edit_listing(user, listing)) and listing.state != ListingState.WITHDRAWN
    may_moderate = bool(can_moderate_listing(user, listing))
    show_contacts = contacts_visible(listing, user)
    my_request = None if show_contacts else contact_request_of(listing, user)
    panel_list, panel_context = collect_panels(PANELS, user=user, listing=listing)
    today = timezone.localdate()
    return render(
        request,
        "market/listing_detail.html",
        {
            "listing": listing,
            "state_class": STATE_CLASS.get(listing.state, ""),
            "actions": listing_actions(listing, user),
            "may_edit": may_edit,
            "may_moderate": may_moderate,
            "show_contacts": show_contacts,
            "my_request": my_request,
            "can_request": my_request is None
            and not show_contacts
            and bool(can_request_contacts(user, listing)),
            "needs_login": not user.is_authenticated,
            "trail": _trail(listing) if may_edit or may_moderate else None,
            "login_url": reverse("accounts:login") + "?next=" + quote(request.get_full_path()),
            # Liaison is internal to the bureau and the officers: enterprise users never see where it came from.
            "source_need": listing.source_need
            if user.is_authenticated and (user.is_superuser or user.is_region_scoped)
            else None,
            "action_form": VersionForm(initial={"version": listing.version}),
            "return_form": ReturnForm(initial={"version": listing.version}),
            "withdraw_form": WithdrawForm(initial={"version": listing.version}),
            "renew_form": RenewForm(
                initial={
                    "version": listing.version,
                    "expires_on": max(listing.expires_on, today) + timedelta(days=90),
                }
            ),
            "contact_form": ContactRequestForm(),
            "panels": panel_context,
            "panel_list": panel_list,
            **panel_context,
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Posting and editing


def _initial_contacts(user) -> dict:
    return {
        "contact_name": str(user)[:50],
        "contact_phone": user.phone,
        "contact_email": user.email,
        "expires_on": timezone.localdate() + timedelta(days=90),
    }


@login_required
def listing_create_view(request):
    user = request.user
    organization = user.organization if user.active_organization_id else None
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind not in ListingKind.values:
        choices = [
            (value, label, bool(can_post_listing(user, organization, value)))
            for value, label in ListingKind.choices
        ]
        if not any(allowed for _v, _l, allowed in choices):
            return render_denied(request, can_post_listing(user, organization, ListingKind.DEMAND).reason)
        return render(request, "market/listing_choose.html", {"choices": choices})
    decision = can_post_listing(user, organization, kind)
    if not decision:
        return render_denied(request, decision.reason)
    form = ListingForm(request.POST or None, kind=kind, initial=_initial_contacts(user))
    if request.method == "POST" and form.is_valid():
        listing = perform(
            form,
            lambda: listing_create(organization=organization, kind=kind, data=form.listing_data(), by=user),
        )
        if listing is not None:
            messages.success(request, _("已保存为草稿。请核对后提交审核，经科技局审核后发布。"))
            return redirect("market:listing_detail", pk=listing.pk)
    return render(
        request,
        "market/listing_form.html",
        {"form": form, "kind": kind, "kind_label": ListingKind(kind).label, "listing": None},
    )


@login_required
def listing_edit(request, pk):
    listing, denied = _visible_or_denied(request, pk)
    if denied:
        return denied
    decision = can_edit_listing(request.user, listing)
    if not decision:
        return render_denied(request, decision.reason)
    if listing.state == ListingState.WITHDRAWN:
        return render_denied(request, _("已撤回的信息不能修改。"))
    initial = {name: getattr(listing, name) for name in FIELDS}
    form = ListingForm(
        request.POST or None, kind=listing.kind, initial={**initial, "version": listing.version}
    )
    if request.method == "POST" and form.is_valid():
        before = listing.state
        done = perform(
            form,
            lambda: listing_update(
                listing=listing,
                data=form.listing_data(),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            if done.state == ListingState.PENDING and before != ListingState.PENDING:
                messages.success(request, _("已保存。内容有修改，已重新提交科技局审核。"))
            else:
                messages.success(request, _("已保存。"))
            return redirect("market:listing_detail", pk=listing.pk)
    return render(
        request,
        "market/listing_form.html",
        {
            "form": form,
            "kind": listing.kind,
            "kind_label": listing.get_kind_display(),
            "listing": listing,
            "goes_to_review": listing.state in (ListingState.PUBLISHED, ListingState.EXPIRED),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Transitions (small POST forms that go back to the page they came from)


def _act(request, pk, form_class, action, success):
    listing, denied = _visible_or_denied(request, pk)
    if denied:
        return denied
    form = form_class(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: action(listing, form.cleaned_data),
        success=success,
        to=_next(request, reverse("market:listing_detail", args=[listing.pk])),
    )


@login_required
@require_POST
def listing_submit_view(request, pk):
    return _act(
        request,
        pk,
        VersionForm,
        lambda listing, data: listing_submit(
            listing=listing, by=request.user, expected_version=data.get("version")
        ),
        lambda done: _("已提交审核：%(title)s") % {"title": done.title},
    )


@login_required
@require_POST
def listing_publish_view(request, pk):
    return _act(
        request,
        pk,
        VersionForm,
        lambda listing, data: listing_publish(
            listing=listing, by=request.user, expected_version=data.get("version")
        ),
        lambda done: _("已发布：%(title)s") % {"title": done.title},
    )


@login_required
@require_POST
def listing_return_view(request, pk):
    return _act(
        request,
        pk,
        ReturnForm,
        lambda listing, data: listing_return(
            listing=listing, reason=data["reason"], by=request.user, expected_version=data.get("version")
        ),
        lambda done: _("已退回：%(title)s") % {"title": done.title},
    )


@login_required
@require_POST
def listing_withdraw_view(request, pk):
    return _act(
        request,
        pk,
        WithdrawForm,
        lambda listing, data: listing_withdraw(
            listing=listing,
            reason=data.get("reason", ""),
            by=request.user,
            expected_version=data.get("version"),
        ),
        lambda done: _("已撤回：%(title)s") % {"title": done.title},
    )


@login_required
@require_POST
def listing_renew_view(request, pk):
    return _act(
        request,
        pk,
        RenewForm,
        lambda listing, data: listing_renew(
            listing=listing,
            expires_on=data["expires_on"],
            by=request.user,
            expected_version=data.get("version"),
        ),
        lambda done: (
            _("已续期至%(day)s。") % {"day": done.expires_on.isoformat()}
            + (_("内容有修改，需重新审核。") if done.state == ListingState.PENDING else "")
        ),
    )


# ---------------------------------------------------------------------------------------------------------
# Lists of one's own and the bureau's


@login_required
def my_listings(request):
    """我的供需信息: the organization's listings in every state, with how many are in each."""
    if not request.user.active_organization_id:
        return render_denied(request, _("请先以单位身份登录。"))
    listings = listings_of_organization(user=request.user)
    filterset = ListingFilter(request.GET, queryset=listings, request=request, hide=("state",))
    state = request.GET.get("state", "")
    counts = listing_counts(listings)
    tabs = [("", _("全部"), sum(counts.values()), _with(request.GET, state=""))] + [
        (value, label, counts[value], _with(request.GET, state=value))
        for value, label in ListingState.choices
    ]
    return render(
        request,
        "market/listing_mine.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "tabs": tabs,
            "state": state,
            "state_class": STATE_CLASS,
        },
    )


@login_required
def moderation(request):
    """审核: pending listings of the user's region, oldest first, each with publish and return."""
    user = request.user
    if not (user.is_superuser or user.role in BUREAU_EDITORS):
        return render_denied(request, _("只有科技局业务人员可以审核供需信息。"))
    filterset = ListingFilter(
        request.GET, queryset=listings_for_moderation(user=user), request=request, hide=("state",)
    )
    return render(
        request,
        "market/listing_moderation.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "action_form": VersionForm(),
            "return_form": ReturnForm(),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Contact details


@login_required
@require_POST
def contact_request_view(request, pk):
    listing, denied = _visible_or_denied(request, pk)
    if denied:
        return denied
    form = ContactRequestForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: contact_request_create(
            listing=listing, message=form.cleaned_data["message"], by=request.user
        ),
        success=lambda done: _("已申请查看联系方式，发布单位同意后可见。"),
        to=reverse("market:listing_detail", args=[listing.pk]),
    )


@login_required
def contact_requests(request):
    """Requests to see the contacts of the organization's listings (grant or decline), and the user's own."""
    return render(
        request,
        "market/listing_contact_requests.html",
        {
            "received": paginate(request, contact_requests_received(user=request.user), 30),
            "sent": list(contact_requests_sent(user=request.user)[:30]),
            "decide_form": ContactDecideForm(),
            "is_owner": bool(request.user.active_organization_id),
        },
    )


@login_required
@require_POST
def contact_request_decide_view(request, pk):
    found = contact_requests_received(user=request.user).filter(pk=pk).first()
    if found is None:
        return render_denied(request, _("该申请不存在或不是向本单位提出的。"), status=404)
    form = ContactDecideForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: contact_request_decide(
            request=found,
            grant=form.cleaned_data["grant"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda done: (
            (
                _("已同意%(who)s查看联系方式。")
                if done.status == ContactRequestStatus.GRANTED
                else _("已拒绝%(who)s的申请。")
            )
            % {"who": done.organization.name if done.organization_id else str(done.requester)}
        ),
        to=reverse("market:contact_requests"),
    )
