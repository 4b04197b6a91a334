"""Pages of market matching: the panel on a listing's page, the full list of a listing's matches, and the
bureau's recompute buttons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.views import render_denied

from .enums import ListingKind, MatchTargetKind
from .listings import listing_get_visible
from .match_forms import RecomputeForm
from .match_reasons import reason_lines
from .match_services import (
    TOP_EXPERTS,
    TOP_LISTINGS,
    TOP_ORGANIZATIONS,
    hide_left_listings,
    matches_recompute_request,
    matches_shown,
)
from .permissions import can_manage_market, can_recompute_matches, can_view_expert_matches, can_view_matches

PANEL_LIMITS = {MatchTargetKind.LISTING: 5, MatchTargetKind.ORGANIZATION: 3, MatchTargetKind.EXPERT: 3}
PAGE_LIMITS = {
    MatchTargetKind.LISTING: TOP_LISTINGS,
    MatchTargetKind.ORGANIZATION: TOP_ORGANIZATIONS,
    MatchTargetKind.EXPERT: TOP_EXPERTS,
}


def matches_context(user, listing, limits) -> dict:
    """What the panel and the page show of `listing`'s matches (the caller has checked can_view_matches)."""
    show_experts = bool(can_view_expert_matches(user, listing))
    groups: dict[str, list] = {kind: [] for kind in MatchTargetKind.values}
    rows = matches_shown(listing, limits=limits, experts=show_experts)
    hide_left_listings(rows)
    for match in rows:
        groups[match.target_kind].append(
            {
                "match": match,
                "percent": round(match.score * 100),
                "reasons": reason_lines(
                    match, listing_kind=listing.kind, tech_field=listing.tech_field, show_experts=show_experts
                ),
            }
        )
    is_demand = listing.kind == ListingKind.DEMAND
    return {
        "listing": listing,
        "listings": groups[MatchTargetKind.LISTING],
        "organizations": groups[MatchTargetKind.ORGANIZATION],
        "experts": groups[MatchTargetKind.EXPERT],
        "show_experts": show_experts,
        "computed_at": max((m.computed_at for m in rows), default=None),
        "semantic": any(m.semantic_score is not None for m in rows),
        "listings_title": _("匹配的科技成果") if is_demand else _("匹配的技术需求"),
        "organizations_title": _("相关高校院所") if is_demand else _("可能需要该成果的单位"),
        "url": reverse("market:listing_matches", args=[listing.pk]),
        "can_recompute": bool(can_recompute_matches(user, listing)),
        "recompute_url": reverse("market:listing_matches_recompute", args=[listing.pk]),
        "form": RecomputeForm(),
    }


def panel(user, listing):
    """The matches panel of a listing's page: for its owner and the bureau of its region, else nothing."""
    if not can_view_matches(user, listing):
        return None
    return matches_context(user, listing, PANEL_LIMITS)


@login_required
def listing_matches(request, pk):
    listing = listing_get_visible(user=request.user, pk=pk)
    if listing is None:
        return render_denied(request, _("该信息不存在或您无权查看。"), status=404)
    decision = can_view_matches(request.user, listing)
    if not decision:
        return render_denied(request, decision.reason)
    context = matches_context(request.user, listing, PAGE_LIMITS)
    context["can_recompute_all"] = bool(can_manage_market(request.user))
    context["recompute_all_url"] = reverse("market:matches_recompute")
    context["form_all"] = RecomputeForm()
    return render(request, "market/match_list.html", {"matches": context, "listing": listing})


def _next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _queue(request, form, listing):
    form.is_valid()
    done = perform(form, lambda: matches_recompute_request(listing=listing, by=request.user) or True)
    if done:
        messages.success(request, _("已提交重新计算匹配，稍后刷新页面查看结果。"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)


@login_required
@require_POST
def listing_matches_recompute(request, pk):
    listing = listing_get_visible(user=request.user, pk=pk)
    if listing is None:
        return render_denied(request, _("该信息不存在或您无权查看。"), status=404)
    decision = can_recompute_matches(request.user, listing)
    if not decision:
        return render_denied(request, decision.reason)
    _queue(request, RecomputeForm(request.POST), listing)
    return redirect(_next(request, reverse("market:listing_matches", args=[listing.pk])))


@login_required
@require_POST
def matches_recompute_all(request):
    decision = can_recompute_matches(request.user, None)
    if not decision:
        return render_denied(request, decision.reason)
    _queue(request, RecomputeForm(request.POST), None)
    return redirect(_next(request, reverse("market:home")))
