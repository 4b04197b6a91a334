"""Pages of the 科技信箱 (mounted at /inquiries/).

Public (no login): write a letter, its receipt (tracking number and access code, shown once), 查询办理进度 (the
tracking number and code open the letter's page for this browser session: thread, answer, follow-up and
rating), and the published letters with their answers. Logged in: my letters. Bureau: the queue with
filters, a letter's page with assign / reassign / answer / close, and the figures per department.

Views are thin: they find the letter through a scoped selector (404 when it may not be seen), run one service
inside `perform` and render.
"""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.enums import Department
from kechuang.core.forms import perform
from kechuang.core.permissions import in_region
from kechuang.core.views import paginate, render_denied

from . import permissions as perm
from . import routing, services
from .calendar import WorkCalendar, answer_days
from .enums import InquiryState
from .figures import department_figures
from .inquiry_filters import InquiryQueueFilter
from .inquiry_forms import (
    AnswerForm,
    AssignForm,
    CloseForm,
    FollowUpForm,
    InquiryForm,
    RateForm,
    ReassignForm,
    TrackForm,
)
from .inquiry_selectors import (
    OPEN_STATES,
    inquiries_for_bureau,
    inquiries_of_user,
    inquiries_published,
    inquiry_by_tracking_no,
    inquiry_get_for_bureau,
    thread,
)

SESSION_CODES = "inquiry_codes"  # {tracking_no: access code} the browser proved it holds
SESSION_RECEIPT = "inquiry_receipt"
SESSION_SUBMITS = "inquiry_submits"
SUBMITS_PER_HOUR = 5


def _codes(request) -> dict:
    return request.session.get(SESSION_CODES, {})


def _remember_code(request, tracking_no: str, code: str) -> None:
    codes = dict(_codes(request))
    codes[tracking_no] = code
    request.session[SESSION_CODES] = dict(list(codes.items())[-20:])


def _submits_left(request) -> tuple[list[float], bool]:
    now = time.time()
    recent = [t for t in request.session.get(SESSION_SUBMITS, []) if now - t < 3600]
    return recent, len(recent) < SUBMITS_PER_HOUR


# ---------------------------------------------------------------------------------------------
# Public


def submit(request):
    initial = {}
    if request.user.is_authenticated:  # the user's own details, to change if needed
        user = request.user
        initial = {"name": user.get_full_name(), "phone": user.phone, "email": user.email}
    form = InquiryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        recent, allowed = _submits_left(request)
        if not allowed:
            form.add_error(None, _("提交过于频繁，请一小时后再试。"))
        else:
            data = form.cleaned_data
            result = perform(
                form,
                lambda: services.inquiry_submit(
                    kind=data["kind"],
                    topic=data["topic"],
                    subject=data["subject"],
                    body=data["body"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    is_public=data["is_public"],
                    region_code=data["region"],
                    by=request.user,
                ),
            )
            if result is not None:
                inquiry, code = result
                request.session[SESSION_SUBMITS] = [*recent, time.time()]
                request.session[SESSION_RECEIPT] = {"no": inquiry.tracking_no, "code": code}
                _remember_code(request, inquiry.tracking_no, code)
                return redirect("inquiries:submitted")
    return render(request, "inquiries/submit.html", {"form": form, "days": answer_days()})


def submitted(request):
    receipt = request.session.pop(SESSION_RECEIPT, None)
    if not receipt:
        return redirect("inquiries:track")
    inquiry = inquiry_by_tracking_no(receipt["no"])
    return render(request, "inquiries/submitted.html", {"receipt": receipt, "inquiry": inquiry})


def track(request):
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        inquiry = inquiry_by_tracking_no(form.cleaned_data["tracking_no"])
        code = form.cleaned_data["code"].strip().upper()
        if inquiry is not None and services.code_matches(inquiry, code):
            _remember_code(request, inquiry.tracking_no, code)
            return redirect("inquiries:letter", tracking_no=inquiry.tracking_no)
        form.add_error(None, _("查询编号或查询码不正确。"))
    return render(request, "inquiries/track.html", {"form": form})


def _asker_context(request, inquiry, follow_form=None, rate_form=None) -> dict:
    code = _codes(request).get(inquiry.tracking_no)
    is_asker = perm.is_inquiry_asker(request.user, inquiry, code)
    if is_asker and inquiry.state == InquiryState.ANSWERED and follow_form is None:
        follow_form = FollowUpForm()
    if (
        is_asker
        and inquiry.state in services.ANSWERED_STATES
        and inquiry.satisfaction is None
        and rate_form is None
    ):
        rate_form = RateForm()
    return {
        "inquiry": inquiry,
        "messages_thread": thread(inquiry),
        "is_asker": is_asker,
        "is_bureau": in_region(request.user, inquiry.region_id),
        "follow_form": follow_form,
        "rate_form": rate_form,
        "today": timezone.localdate(),
    }


def letter(request, tracking_no):
    inquiry = inquiry_by_tracking_no(tracking_no)
    if inquiry is None:
        raise Http404
    code = _codes(request).get(inquiry.tracking_no)
    if not (decision := perm.can_view_inquiry(request.user, inquiry, code)):
        return render_denied(request, decision.reason, status=404)
    return render(request, "inquiries/letter.html", _asker_context(request, inquiry))


@require_POST
def letter_action(request, tracking_no, action):
    inquiry = inquiry_by_tracking_no(tracking_no)
    if inquiry is None or action not in ("follow_up", "rate"):
        raise Http404
    code = _codes(request).get(inquiry.tracking_no)
    if (denied := perm.can_act_as_asker(request.user, inquiry, code)) is not None and not denied:
        return render_denied(request, denied.reason, status=404)
    follow_form = rate_form = None
    if action == "follow_up":
        form = follow_form = FollowUpForm(request.POST)
        run = lambda: services.inquiry_follow_up(  # noqa: E731
            inquiry=inquiry, text=form.cleaned_data["text"], code=code, by=request.user
        )
        done = _("追问已提交，科技局将在新的期限内答复。")
    else:
        form = rate_form = RateForm(request.POST)
        run = lambda: services.inquiry_rate(  # noqa: E731
            inquiry=inquiry,
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
            code=code,
            by=request.user,
        )
        done = _("感谢您的评价。")
    if form.is_valid() and perform(form, run) is not None:
        messages.success(request, done)
        return redirect("inquiries:letter", tracking_no=inquiry.tracking_no)
    context = _asker_context(request, inquiry, follow_form=follow_form, rate_form=rate_form)
    return render(request, "inquiries/letter.html", context, status=400)


def public_list(request):
    page = paginate(request, inquiries_published())
    return render(request, "inquiries/public.html", {"page": page})


@login_required
def mine(request):
    page = paginate(request, inquiries_of_user(request.user))
    return render(request, "inquiries/mine.html", {"page": page, "today": timezone.localdate()})


# ---------------------------------------------------------------------------------------------
# Bureau


@login_required
def queue(request):
    if not (decision := perm.can_see_inquiry_queue(request.user)):
        return render_denied(request, decision.reason)
    filterset = InquiryQueueFilter(request.GET, queryset=inquiries_for_bureau(request.user))
    today = timezone.localdate()
    page = paginate(request, filterset.qs.order_by("due_on", "-received_at", "-id"))
    soon = WorkCalendar().add_working_days(today, 1)
    return render(
        request,
        "inquiries/queue.html",
        {"filter": filterset, "page": page, "today": today, "soon": soon, "open_states": OPEN_STATES},
    )


def _handle_forms(inquiry, user, posted=None) -> list:
    """(action, label, form) the user may use on the letter now; `posted` replaces one with its bound form."""
    if not perm.can_handle_inquiry(user, inquiry):
        return []
    initial = {"version": inquiry.version}
    forms = []
    if inquiry.state == InquiryState.RECEIVED:
        forms.append(("assign", _("分办"), AssignForm(initial={**initial, "department": inquiry.department})))
    if inquiry.state == InquiryState.ASSIGNED:
        forms.append(("reassign", _("改派"), ReassignForm(initial=initial)))
    if inquiry.state in OPEN_STATES:
        forms.append(("answer", _("答复"), AnswerForm(initial=initial)))
    if inquiry.state == InquiryState.ANSWERED:
        forms.append(("close", _("办结"), CloseForm(initial=initial)))
    if posted is not None:
        forms = [(a, label, posted[1] if a == posted[0] else f) for a, label, f in forms]
    return forms


def _handle_context(request, inquiry, posted=None) -> dict:
    return {
        "inquiry": inquiry,
        "messages_thread": thread(inquiry),
        "forms": _handle_forms(inquiry, request.user, posted),
        "department_label": Department(inquiry.department).label
        if inquiry.department in Department.values
        else "",
        "today": timezone.localdate(),
    }


@login_required
def handle(request, pk):
    inquiry = inquiry_get_for_bureau(request.user, pk)
    if inquiry is None:
        return render_denied(request, _("来信不存在，或不在您的管辖范围内。"), status=404)
    return render(request, "inquiries/handle.html", _handle_context(request, inquiry))


HANDLE_FORMS = {"assign": AssignForm, "reassign": ReassignForm, "answer": AnswerForm, "close": CloseForm}


@login_required
@require_POST
def handle_action(request, pk, action):
    inquiry = inquiry_get_for_bureau(request.user, pk)
    if inquiry is None or action not in HANDLE_FORMS:
        return render_denied(request, _("来信不存在，或不在您的管辖范围内。"), status=404)
    if (denied := perm.can_handle_inquiry(request.user, inquiry)) is not None and not denied:
        return render_denied(request, denied.reason)
    form = HANDLE_FORMS[action](request.POST)
    if form.is_valid():
        data, by = form.cleaned_data, request.user
        version = data.get("version")
        run = {
            "assign": lambda: services.inquiry_assign(
                inquiry=inquiry, department=data["department"], by=by, expected_version=version
            ),
            "reassign": lambda: services.inquiry_reassign(
                inquiry=inquiry,
                department=data["department"],
                reason=data["reason"],
                by=by,
                expected_version=version,
            ),
            "answer": lambda: services.inquiry_answer(
                inquiry=inquiry, text=data["text"], by=by, expected_version=version
            ),
            "close": lambda: services.inquiry_close(
                inquiry=inquiry, reason=data["reason"], by=by, expected_version=version
            ),
        }[action]
        if perform(form, run) is not None:
            messages.success(request, _("已办理。"))
            return redirect("inquiries:handle", pk=inquiry.pk)
    return render(
        request, "inquiries/handle.html", _handle_context(request, inquiry, posted=(action, form)), status=400
    )


@login_required
def figures(request):
    if not (decision := perm.can_see_inquiry_queue(request.user)):
        return render_denied(request, decision.reason)
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    region_code = request.user.region_id or routing.city_code()
    rows = department_figures(region_code, year)
    return render(
        request,
        "inquiries/figures.html",
        {
            "rows": rows,
            "year": year,
            "years": list(range(this_year, this_year - 8, -1)),
            "region_name": request.user.region.name if request.user.region_id else "",
            "departments": Department,
        },
    )
