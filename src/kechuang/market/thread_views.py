"""Pages of negotiation threads (洽谈): start one from a listing, the thread itself (timeline, htmx posting,
state bar, broker), 我的洽谈, the protected attachment download, the bureau's funnel, and the listing panel."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.enums import Role
from kechuang.core.forms import perform
from kechuang.core.views import act_and_redirect, paginate, render_denied

from .enums import ListingKind, ListingState, ThreadState
from .models import Listing, Message
from .permissions import (
    OPEN_THREAD_STATES,
    can_post_in_thread,
    can_set_thread_broker,
    can_start_thread,
    can_submit_contract,
    can_view_listing,
    can_view_market_figures,
    can_view_thread,
    is_thread_broker,
    owns,
    thread_side,
)
from .thread_filters import ThreadFilter
from .thread_forms import BrokerForm, FunnelForm, MessageForm, ThreadStartForm, TransitionForm
from .threads import (
    STAGES,
    brokers_available,
    message_post,
    thread_actions,
    thread_contracts,
    thread_funnel,
    thread_get,
    thread_of,
    thread_set_broker,
    thread_start,
    thread_timeline,
    thread_transition,
    threads_for_funnel,
    threads_visible_to,
)

# How a state is coloured, with the status classes the stylesheet has.
STATE_CLASS = {
    ThreadState.CONTACTED: "pending",
    ThreadState.NEGOTIATING: "pending",
    ThreadState.INTENT: "verified",
    ThreadState.CONTRACT: "verified",
    ThreadState.CLOSED: "verified",
    ThreadState.FAILED: "rejected",
}


def _thread_or_denied(request, pk):
    thread = thread_get(pk=pk)
    if thread is None:
        return None, render_denied(request, _("该洽谈不存在。"), status=404)
    decision = can_view_thread(request.user, thread)
    if not decision:
        return None, render_denied(request, decision.reason)
    return thread, None


def _counterpart(thread, user):
    """The organization on the other side from the viewer's (the party for the bureau and brokers)."""
    return thread.owner if thread_side(user, thread) == "party" else thread.party


def _stage_bar(thread) -> list[dict]:
    """The funnel stages with the thread's position, for the state bar."""
    labels = dict(ThreadState.choices)
    position = STAGES.index(thread.state) if thread.state in STAGES else -1
    return [
        {"state": s, "label": labels[s], "done": i < position, "current": i == position}
        for i, s in enumerate(STAGES)
    ]


def _main_context(request, thread, *, message_form=None) -> dict:
    """What the live part of the thread page (state bar, timeline, message form) shows."""
    user = request.user
    may_post = bool(can_post_in_thread(user, thread))
    return {
        "thread": thread,
        "state_class": STATE_CLASS.get(thread.state, ""),
        "stage_bar": _stage_bar(thread),
        "timeline": thread_timeline(thread),
        "side": thread_side(user, thread),
        "may_post": may_post,
        "message_form": (message_form or MessageForm()) if may_post else None,
        "actions": thread_actions(thread, user),
        "transition_form": TransitionForm(initial={"version": thread.version}),
    }


# States in which the parties have agreed and may register their technology contract from the thread.
CONTRACT_READY_STATES = (ThreadState.INTENT, ThreadState.CONTRACT, ThreadState.CLOSED)


def _contract_url(user, thread) -> str:
    """The contract form filled in from the thread ("登记技术合同"), for a party once they reached an intent."""
    if thread.state not in CONTRACT_READY_STATES or thread_side(user, thread) is None:
        return ""
    if not can_submit_contract(user):
        return ""
    return reverse("market:contract_create") + "?" + urlencode({"thread": thread.pk})


@login_required
def thread_detail(request, pk):
    thread, denied = _thread_or_denied(request, pk)
    if denied:
        return denied
    user = request.user
    may_set_broker = bool(can_set_thread_broker(user, thread)) and thread.state in OPEN_THREAD_STATES
    context = _main_context(request, thread)
    context.update(
        {
            "listing": thread.listing,
            "counterpart": _counterpart(thread, user),
            "is_broker": is_thread_broker(user, thread),
            "contracts": thread_contracts(thread),
            "contract_url": _contract_url(user, thread),
            "broker_form": BrokerForm(
                brokers=brokers_available(),
                initial={"version": thread.version, "broker": thread.broker_id},
            )
            if may_set_broker
            else None,
        }
    )
    return render(request, "market/thread_detail.html", context)


@login_required
@require_POST
def thread_post_view(request, pk):
    """Post a message; with htmx the live part of the page is returned, otherwise back to the page."""
    thread, denied = _thread_or_denied(request, pk)
    if denied:
        return denied
    form = MessageForm(request.POST, request.FILES)
    posted = None
    if form.is_valid():
        posted = perform(
            form,
            lambda: message_post(
                thread=thread,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
                by=request.user,
            ),
        )
    if request.htmx:
        if posted is not None:
            thread, form = thread_get(pk=pk), None  # the owner's first reply may have moved the state
        return render(request, "market/_thread_main.html", _main_context(request, thread, message_form=form))
    if posted is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("market:thread", pk=pk)
    return redirect(reverse("market:thread", args=[pk]) + f"#m{posted.pk}")


@login_required
@require_POST
def thread_transition_view(request, pk):
    thread, denied = _thread_or_denied(request, pk)
    if denied:
        return denied
    form = TransitionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: thread_transition(
            thread=thread,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            intent_amount=form.cleaned_data["intent_amount"],
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda done: _("洽谈状态已改为“%(state)s”。") % {"state": done.get_state_display()},
        to=reverse("market:thread", args=[pk]),
    )


@login_required
@require_POST
def thread_broker_view(request, pk):
    thread, denied = _thread_or_denied(request, pk)
    if denied:
        return denied
    form = BrokerForm(request.POST, brokers=brokers_available())
    return act_and_redirect(
        request,
        form,
        lambda: thread_set_broker(
            thread=thread,
            broker=form.cleaned_data["broker"],
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda done: (
            _("已指定技术经纪人：%(broker)s。") % {"broker": done.broker}
            if done.broker
            else _("已取消技术经纪人。")
        ),
        to=reverse("market:thread", args=[pk]),
    )


@login_required
def message_attachment(request, pk):
    """A message's attachment, for the thread's participants and the bureau of the listing's region only."""
    message = Message.objects.select_related("thread__listing").filter(pk=pk).first()
    if message is None or not message.attachment:
        return render_denied(request, _("该附件不存在。"), status=404)
    decision = can_view_thread(request.user, message.thread)
    if not decision:
        return render_denied(request, decision.reason)
    response = FileResponse(
        message.attachment.open("rb"),
        as_attachment=True,
        filename=message.attachment_name or message.attachment.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------------------
# Starting a thread


def _counter_listings(user, listing):
    """The user's organization's published listings of the other kind, to link a thread to."""
    other = ListingKind.ACHIEVEMENT if listing.kind == ListingKind.DEMAND else ListingKind.DEMAND
    return Listing.objects.filter(
        organization_id=user.active_organization_id, kind=other, state=ListingState.PUBLISHED
    ).order_by("-published_at", "-pk")


@login_required
def thread_start_view(request, listing):
    target = Listing.objects.select_related("organization", "region").filter(pk=listing).first()
    if target is None or not can_view_listing(request.user, target):
        return render_denied(request, _("该信息不存在或尚未发布。"), status=404)
    user = request.user
    existing = thread_of(listing=target, organization_id=user.active_organization_id)
    if existing is not None:
        messages.info(request, _("本单位已就该信息发起洽谈，请在此继续。"))
        return redirect("market:thread", pk=existing.pk)
    decision = can_start_thread(user, target)
    if not decision:
        return render_denied(request, decision.reason)
    counter = request.GET.get("counter")
    form = ThreadStartForm(
        request.POST or None,
        request.FILES or None,
        counter_listings=_counter_listings(user, target),
        initial={"counter_listing": counter if counter and counter.isdigit() else None},
    )
    if request.method == "POST" and form.is_valid():
        thread = perform(
            form,
            lambda: thread_start(
                listing=target,
                message=form.cleaned_data["message"],
                counter_listing=form.cleaned_data.get("counter_listing"),
                attachment=form.cleaned_data["attachment"],
                by=user,
            ),
        )
        if thread is not None:
            messages.success(request, _("已发起洽谈，发布方会收到通知。"))
            return redirect("market:thread", pk=thread.pk)
    return render(request, "market/thread_start.html", {"form": form, "listing": target})


# ---------------------------------------------------------------------------------------------------------
# Lists and the funnel


def _list_title(user) -> str:
    if user.is_superuser or user.is_region_scoped:
        return _("洽谈列表")
    if user.role == Role.BROKER:
        return _("我跟进的洽谈")
    return _("我的洽谈")


@login_required
def thread_list(request):
    """我的洽谈 (the organization's threads), a broker's threads, or the bureau's scoped list (funnel drill-down)."""
    user = request.user
    if not (
        user.is_superuser
        or user.is_region_scoped
        or user.role == Role.BROKER
        or (user.active_organization_id and user.acts_for_organization)
    ):
        return render_denied(request, _("请以单位或技术经纪人身份查看洽谈。"))
    filterset = ThreadFilter(request.GET, queryset=threads_visible_to(user=user), request=request)
    page = paginate(request, filterset.qs)
    rows = [
        {
            "thread": t,
            "counterpart": _counterpart(t, user),
            "side": thread_side(user, t),
            "state_class": STATE_CLASS.get(t.state, ""),
        }
        for t in page
    ]
    return render(
        request,
        "market/thread_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "title": _list_title(user),
            "is_bureau": user.is_superuser or user.is_region_scoped,
            "funnel_allowed": bool(can_view_market_figures(user)),
        },
    )


@login_required
def funnel(request):
    """The bureau's funnel: threads by stage for a period, the user's region, a kind and a field."""
    decision = can_view_market_figures(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    form = FunnelForm(request.GET or None)
    since, until = form.period()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = {
        "since": since,
        "until": until,
        "kind": data.get("kind", ""),
        "tech_field": data.get("tech_field", ""),
    }
    result = thread_funnel(threads_for_funnel(user=request.user, **filters))
    base = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
    list_url = reverse("market:threads")

    def link(**extra) -> str:
        return f"{list_url}?{urlencode({**base, **extra})}"

    rows = [
        {
            "stage": stage,
            "reached_url": link(reached=stage.state),
            "current_url": link(state=stage.state),
            "width": round(stage.reached * 100 / result.total) if result.total else 0,
        }
        for stage in result.stages
    ]
    if not form.is_bound:
        form = FunnelForm(initial={"since": since, "until": until})
    return render(
        request,
        "market/funnel.html",
        {
            "form": form,
            "funnel": result,
            "rows": rows,
            "since": since,
            "until": until,
            "total_url": link(),
            "failed_url": link(state=ThreadState.FAILED),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# The panel on a listing's page


def panel(user, listing) -> dict | None:
    """The thread panel of a listing's page (`market/_panel_threads.html`, passed as `threads`): the viewer's
    threads about the listing and a "发起洽谈" button when they may start one; None when there is nothing."""
    start_url = reverse("market:thread_start", args=[listing.pk])
    if not user.is_authenticated:
        if listing.state != ListingState.PUBLISHED:
            return None
        return {"threads": [], "login_url": reverse("accounts:login") + "?" + urlencode({"next": start_url})}
    threads = list(
        threads_visible_to(user=user).filter(listing=listing).order_by("-last_message_at", "-pk")[:20]
    )
    mine = next((t for t in threads if t.party_id == user.active_organization_id), None)
    can_start = mine is None and bool(can_start_thread(user, listing))
    if not threads and not can_start:
        return None
    return {
        "threads": [
            {"thread": t, "counterpart": _counterpart(t, user), "state_class": STATE_CLASS.get(t.state, "")}
            for t in threads
        ],
        "more_url": reverse("market:threads") + "?" + urlencode({"listing": listing.pk})
        if len(threads) == 20
        else "",
        "is_owner": owns(user, listing),
        "can_start": can_start,
        "start_url": start_url,
    }
