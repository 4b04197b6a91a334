"""Pages of matchmaking events (对接活动): the list, the event, registration, the bureau's pairs and schedule,
the printable schedule and its .docx, outcomes, and the year's figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.views import act_and_redirect, paginate, render_denied
from kechuang.organizations.enums import TechField

from .enums import EventState, MeetingOutcome
from .event_export import schedule_docx
from .event_forms import (
    AddPairForm,
    EventForm,
    EventTransitionForm,
    FiguresForm,
    KeepPairsForm,
    OutcomeForm,
    RegistrationForm,
    VersionForm,
)
from .events import (
    EDITABLE_STATES,
    EVENT_FIELDS,
    EVENT_WORKFLOW,
    OUTCOME_STATES,
    PAIRING_STATES,
    EventAction,
    agenda,
    agendas_by_organization,
    event_figures,
    event_get_visible,
    event_proposals,
    event_save,
    event_schedule,
    event_transition,
    events_listed,
    meeting_record_outcome,
    meeting_remove,
    meetings_add,
    meetings_of_organization,
    meetings_visible_to,
    registered_listings,
    registrable_listings,
    registration_of,
    registration_save,
    registration_withdraw,
    registrations_of_event,
    report_sentence,
    slot_label,
)
from .models import Listing, Meeting
from .permissions import (
    can_manage_event,
    can_manage_market,
    can_record_meeting_outcome,
    can_register_for_event,
    can_view_event_schedule,
    can_view_market_figures,
)

PROPOSALS_SHOWN = 300


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _event(request, pk):
    event = event_get_visible(user=request.user, pk=pk)
    if event is None:
        raise Http404(_("该活动不存在。"))
    return event


def _managed(request, pk):
    """(event, None) when the user runs the event, else (None, a refusal page)."""
    event = _event(request, pk)
    decision = can_manage_event(request.user, event)
    return (event, None) if decision else (None, render_denied(request, decision.reason))


def _detail_url(event) -> str:
    return reverse("market:event_detail", args=[event.pk])


# ---------------------------------------------------------------------------------------------------------
# Events


def event_list(request):
    page = paginate(request, events_listed(user=request.user))
    return render(
        request,
        "market/event_list.html",
        {"page": page, "can_create": bool(can_manage_market(request.user))},
    )


@login_required
def event_create(request):
    decision = can_manage_market(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        event = perform(form, lambda: event_save(values=form.values(), by=request.user))
        if event is not None:
            messages.success(request, _("已创建对接活动“%(title)s”。") % {"title": event.title})
            return redirect(_detail_url(event))
    return render(request, "market/event_form.html", {"form": form, "event": None})


@login_required
def event_edit(request, pk):
    event, denied = _managed(request, pk)
    if denied:
        return denied
    if event.state not in EDITABLE_STATES:
        return render_denied(request, _("活动%(state)s，不能再修改。") % {"state": event.get_state_display()})
    initial = {name: getattr(event, name) for name in EVENT_FIELDS}
    initial["region"] = event.region_id
    initial["version"] = event.version
    form = EventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: event_save(
                event=event,
                values=form.values(),
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if done is not None:
            messages.success(request, _("活动已保存。"))
            return redirect(_detail_url(done))
    return render(request, "market/event_form.html", {"form": form, "event": event})


def event_detail(request, pk):
    event = _event(request, pk)
    user = request.user
    manage = bool(can_manage_event(user, event))
    registration = registration_of(event=event, user=user)
    may_register = can_register_for_event(user, event)
    acts_for_organization = user.is_authenticated and user.active_organization_id is not None
    actions = [
        (action, EventAction(action).label)
        for action in EVENT_WORKFLOW.available(event, user)
        if action != EventAction.SCHEDULE
    ]
    own_meetings = (
        list(meetings_of_organization(event=event, organization_id=user.active_organization_id))
        if acts_for_organization and event.state in OUTCOME_STATES
        else []
    )
    return render(
        request,
        "market/event_detail.html",
        {
            "event": event,
            "tech_field_labels": [TechField(f).label for f in event.tech_fields if f in TechField.values],
            "ends_at": slot_label(event, event.slot_count - 1).split("–")[-1] if event.slot_count else "",
            "manage": manage,
            "editable": manage and event.state in EDITABLE_STATES,
            "pairing": manage and event.state in PAIRING_STATES,
            "sees_schedule": bool(can_view_event_schedule(user, event)),
            "scheduled": event.state in OUTCOME_STATES,
            "actions": actions,
            "transition_form": EventTransitionForm(initial={"version": event.version}),
            "registration": registration,
            "may_register": bool(may_register),
            "register_refusal": "" if may_register or not acts_for_organization else may_register.reason,
            "own_meetings": [(m, slot_label(event, m.slot)) for m in own_meetings],
            "withdraw_form": VersionForm(),
        },
    )


@login_required
@require_POST
def event_transition_view(request, pk):
    event = _event(request, pk)
    form = EventTransitionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: event_transition(
            event=event,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda done: _("活动状态已改为“%(state)s”。") % {"state": done.get_state_display()},
        to=_detail_url(event),
    )


# ---------------------------------------------------------------------------------------------------------
# Registration


@login_required
def event_register(request, pk):
    event = _event(request, pk)
    decision = can_register_for_event(request.user, event)
    if not decision:
        return render_denied(request, decision.reason)
    registration = registration_of(event=event, user=request.user)
    initial = {}
    if registration is not None:
        initial = {
            "listings": [listing.pk for listing in registration.listings.all()],
            "attendee": registration.attendee,
            "phone": registration.phone,
            "version": registration.version,
        }
    else:
        initial = {"attendee": str(request.user), "phone": request.user.phone}
    choices = registrable_listings(organization_id=request.user.active_organization_id)
    form = RegistrationForm(request.POST or None, listings=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: registration_save(
                event=event,
                listings=form.cleaned_data["listings"],
                attendee=form.cleaned_data["attendee"],
                phone=form.cleaned_data["phone"],
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if done is not None:
            messages.success(request, _("报名信息已保存。"))
            return redirect(_detail_url(event))
    return render(
        request,
        "market/event_register.html",
        {"event": event, "form": form, "registration": registration, "has_choices": choices.exists()},
    )


@login_required
@require_POST
def event_withdraw(request, pk):
    event = _event(request, pk)
    registration = registration_of(event=event, user=request.user)
    if registration is None:
        return render_denied(request, _("本单位未报名该活动。"), status=404)
    form = VersionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: (
            registration_withdraw(
                registration=registration, by=request.user, expected_version=form.cleaned_data.get("version")
            )
            or True
        ),
        success=lambda _done: _("已撤回报名。"),
        to=_detail_url(event),
    )


@login_required
def event_registrations(request, pk):
    event = _event(request, pk)
    decision = can_view_event_schedule(request.user, event)
    if not decision:
        return render_denied(request, decision.reason)
    registrations = list(registrations_of_event(event=event))
    return render(
        request,
        "market/event_registrations.html",
        {
            "event": event,
            "manage": bool(can_manage_event(request.user, event)),
            "registrations": registrations,
            "demands": sum(1 for r in registrations for item in r.listings.all() if item.is_demand),
            "achievements": sum(1 for r in registrations for item in r.listings.all() if not item.is_demand),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Pairs


@login_required
def event_proposals_view(request, pk):
    event, denied = _managed(request, pk)
    if denied:
        return denied
    proposals = event_proposals(event=event)
    shown = proposals[:PROPOSALS_SHOWN]
    keep_form = KeepPairsForm(
        request.POST or None,
        keys=[p.key for p in proposals],
        initial={"pairs": [p.key for p in shown if p.suggested and p.meeting is None]},
    )
    if request.method == "POST" and keep_form.is_valid():
        done = perform(
            keep_form, lambda: meetings_add(event=event, pairs=keep_form.pair_ids(), by=request.user)
        )
        if done is not None:
            messages.success(request, _("已保留%(n)s组对接组合。") % {"n": len(done)})
            return redirect("market:event_proposals", pk=event.pk)
    demands, achievements = registered_listings(event=event)
    add_form = AddPairForm(
        demands=Listing.objects.filter(pk__in=[d.pk for d in demands]).select_related("organization"),
        achievements=Listing.objects.filter(pk__in=[a.pk for a in achievements]).select_related(
            "organization"
        ),
    )
    kept = list(meetings_visible_to(user=request.user, event=event).order_by("-score", "pk"))
    return render(
        request,
        "market/event_proposals.html",
        {
            "event": event,
            "proposals": shown,
            "open_proposals": sum(1 for p in shown if p.meeting is None),
            "more": len(proposals) - len(shown),
            "selected": set(keep_form["pairs"].value() or []),
            "keep_form": keep_form,
            "add_form": add_form,
            "kept": [(m, slot_label(event, m.slot)) for m in kept],
            "pairing": event.state in PAIRING_STATES,
            "remove_form": VersionForm(),
            "schedule_form": VersionForm(initial={"version": event.version}),
        },
    )


@login_required
@require_POST
def event_pair_add(request, pk):
    event, denied = _managed(request, pk)
    if denied:
        return denied
    demands, achievements = registered_listings(event=event)
    form = AddPairForm(
        request.POST,
        demands=Listing.objects.filter(pk__in=[d.pk for d in demands]),
        achievements=Listing.objects.filter(pk__in=[a.pk for a in achievements]),
    )
    return act_and_redirect(
        request,
        form,
        lambda: meetings_add(
            event=event,
            pairs=[(form.cleaned_data["demand"].pk, form.cleaned_data["achievement"].pk)],
            by=request.user,
        ),
        success=lambda done: _("已添加对接组合。") if done else _("该组合已在对接安排中。"),
        to=reverse("market:event_proposals", args=[event.pk]),
    )


@login_required
@require_POST
def event_pair_remove(request, pk, meeting_pk):
    event, denied = _managed(request, pk)
    if denied:
        return denied
    meeting = Meeting.objects.filter(event=event, pk=meeting_pk).first()
    if meeting is None:
        raise Http404
    form = VersionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: meeting_remove(meeting=meeting, by=request.user) or True,
        success=lambda _done: _("已删除对接组合。"),
        to=_back(request, reverse("market:event_proposals", args=[event.pk])),
    )


@login_required
@require_POST
def event_schedule_run(request, pk):
    event, denied = _managed(request, pk)
    if denied:
        return denied
    form = VersionForm(request.POST)
    if form.is_valid():
        result = perform(
            form,
            lambda: event_schedule(
                event=event, by=request.user, expected_version=form.cleaned_data.get("version")
            ),
        )
        if result is not None:
            messages.success(request, _("已排期：安排%(n)s场洽谈。") % {"n": result.placed})
            if result.unscheduled:
                messages.warning(
                    request,
                    _("%(n)s组对接组合未能排入日程（场次或洽谈桌不足），见日程页末尾。")
                    % {"n": len(result.unscheduled)},
                )
            return redirect("market:event_schedule", pk=event.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("market:event_proposals", pk=event.pk)


# ---------------------------------------------------------------------------------------------------------
# Schedule


def _schedule_scope(request, event):
    """(meetings, organization shown or None, whole schedule?) for the schedule pages, or a refusal."""
    user = request.user
    whole = bool(can_view_event_schedule(user, event))
    organization_pk = request.GET.get("organization")
    if whole and organization_pk and organization_pk.isdigit():
        meetings = list(meetings_of_organization(event=event, organization_id=int(organization_pk)))
        return meetings, int(organization_pk), whole
    if whole:
        return list(meetings_visible_to(user=user, event=event)), None, whole
    if user.active_organization_id is None:
        return None, None, False
    return list(meetings_visible_to(user=user, event=event)), user.active_organization_id, whole


@login_required
def event_schedule_view(request, pk):
    event = _event(request, pk)
    meetings, organization_id, whole = _schedule_scope(request, event)
    if meetings is None:
        return render_denied(request, str(can_view_event_schedule(request.user, event).reason))
    user = request.user
    manage = bool(can_manage_event(user, event))
    organization = None
    if organization_id is not None:
        organization = next(
            (
                party
                for m in meetings
                for party in (m.demand_party, m.supply_party)
                if party.pk == organization_id
            ),
            None,
        )
    shown = agenda(event, meetings)
    outcome_allowed = event.state in OUTCOME_STATES
    return render(
        request,
        "market/event_schedule.html",
        {
            "event": event,
            "agenda": shown,
            "whole": whole and organization_id is None,
            "organization": organization,
            "organization_id": organization_id,
            "manage": manage,
            "may_record": {
                m.pk
                for m in meetings
                if outcome_allowed and m.slot is not None and can_record_meeting_outcome(user, m, event)
            },
            "organizations": sorted(
                {p.pk: p for m in meetings for p in (m.demand_party, m.supply_party)}.values(),
                key=lambda o: o.name,
            )
            if whole and organization_id is None
            else [],
            "pending": MeetingOutcome.PENDING,
        },
    )


@login_required
def event_schedule_print(request, pk):
    event = _event(request, pk)
    meetings, organization_id, whole = _schedule_scope(request, event)
    if meetings is None:
        return render_denied(request, str(can_view_event_schedule(request.user, event).reason))
    per_organization = whole and organization_id is None and request.GET.get("by") == "organization"
    sheets = agendas_by_organization(event, meetings) if per_organization else []
    if organization_id is not None:
        sheets = [s for s in agendas_by_organization(event, meetings) if s[0].pk == organization_id]
    return render(
        request,
        "market/event_schedule_print.html",
        {
            "event": event,
            "agenda": agenda(event, meetings) if not sheets and organization_id is None else None,
            "sheets": sheets,
            "printed_at": timezone.localtime(),
        },
    )


@login_required
def event_schedule_docx(request, pk):
    event = _event(request, pk)
    meetings, organization_id, whole = _schedule_scope(request, event)
    if meetings is None:
        return render_denied(request, str(can_view_event_schedule(request.user, event).reason))
    content = schedule_docx(
        event, meetings, organization_id=None if whole and organization_id is None else organization_id
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    filename = _("%(title)s-对接日程.docx") % {"title": event.title}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
def event_outcome(request, pk, meeting_pk):
    event = _event(request, pk)
    meeting = meetings_visible_to(user=request.user, event=event).filter(pk=meeting_pk).first()
    if meeting is None:
        raise Http404
    decision = can_record_meeting_outcome(request.user, meeting, event)
    if not decision:
        return render_denied(request, decision.reason)
    form = OutcomeForm(
        request.POST or None,
        initial={
            "outcome": meeting.outcome,
            "amount": meeting.amount,
            "note": meeting.note,
            "version": meeting.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: meeting_record_outcome(
                meeting=meeting,
                outcome=form.cleaned_data["outcome"],
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if done is not None:
            messages.success(
                request, _("洽谈结果已登记：%(outcome)s。") % {"outcome": done.get_outcome_display()}
            )
            return redirect(_back(request, reverse("market:event_schedule", args=[event.pk])))
    return render(
        request,
        "market/event_outcome.html",
        {
            "event": event,
            "meeting": meeting,
            "time": slot_label(event, meeting.slot),
            "form": form,
            "next": _back(request, ""),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Figures


@login_required
def event_figures_view(request):
    decision = can_view_market_figures(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    form = FiguresForm(request.GET or None)
    year = form.year_or_current()
    region_code = None if request.user.is_superuser and not request.user.region_id else request.user.region_id
    figures = event_figures(year=year, region_code=region_code)
    return render(
        request,
        "market/event_figures.html",
        {
            "form": form,
            "figures": figures,
            "year": year,
            "sentence": report_sentence(figures),
            "region": request.user.region,
            "finished": EventState.FINISHED,
        },
    )
