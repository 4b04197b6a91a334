"""From reviewed applications to approved projects: funding proposal, decision meeting, public notice
with objections, approval. Every step is atomic, permission-checked and audited."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting
from kechuang.core.errors import DomainError
from kechuang.core.money import yuan
from kechuang.core.permissions import require

from .enums import ApplicationAction, ApplicationState
from .execution import project_create_for
from .models import Application, Call, DecisionMeeting, Objection, PublicNotice
from .permissions import can_manage_calls
from .services import application_transition

FUNDED_STATES = (ApplicationState.PROPOSED, ApplicationState.IN_NOTICE, ApplicationState.APPROVED)


def ranking(call: Call):
    """The call's reviewed applications, best score first (the decision meeting's table)."""
    return (
        Application.objects.filter(
            call=call, state__in=(ApplicationState.REVIEWED, *FUNDED_STATES, ApplicationState.NOT_APPROVED)
        )
        .exclude(review_score__isnull=True)
        .select_related("organization")
        .order_by("-review_score", "id")
    )


def funding_committed(call: Call, *, excluding=()) -> Decimal:
    return Application.objects.filter(call=call, state__in=FUNDED_STATES).exclude(pk__in=excluding).aggregate(
        total=Sum("proposed_amount")
    )["total"] or Decimal("0")


@acting
@transaction.atomic
def funding_propose(*, call: Call, by, amounts: dict[int, Decimal], declines: dict[int, str] | None = None):
    """Propose funding for reviewed applications (never above the cap, the request, or the call's budget)."""
    require(can_manage_calls(by, call.program))
    Call.objects.select_for_update().get(
        pk=call.pk
    )  # one proposal at a time per call: the budget check holds
    declines = declines or {}
    applications = {
        a.pk: a for a in Application.objects.filter(call=call, pk__in=list(amounts) + list(declines))
    }
    for pk, amount in amounts.items():
        application = applications.get(pk)
        if application is None or application.state != ApplicationState.REVIEWED:
            raise DomainError(_("只能对评审完成的申报书拟定资助金额。"))
        if amount <= 0:
            raise DomainError(_("%(title)s 的拟资助金额应大于 0。") % {"title": application})
        if amount > call.budget_cap:
            raise DomainError(
                _("%(title)s 的拟资助金额超过单项上限 %(cap)s 元。")
                % {"title": application, "cap": yuan(call.budget_cap)}
            )
        if application.requested_amount is not None and amount > application.requested_amount:
            raise DomainError(_("%(title)s 的拟资助金额超过申请金额。") % {"title": application})
    total = funding_committed(call, excluding=list(amounts)) + sum(amounts.values(), Decimal("0"))
    if total > call.total_budget:
        raise DomainError(
            _("拟资助合计 %(total)s 元，超过本指南资助总额 %(budget)s 元。")
            % {"total": yuan(total), "budget": yuan(call.total_budget)}
        )
    for pk, amount in amounts.items():
        application_transition(
            applications[pk],
            ApplicationAction.PROPOSE,
            by,
            reason=_("拟资助 %(a)s 元") % {"a": yuan(amount)},
            change=lambda a, amount=amount: setattr(a, "proposed_amount", amount),
        )
    for pk, reason in declines.items():
        application_transition(applications[pk], ApplicationAction.DECLINE, by, reason=reason)


@acting
@transaction.atomic
def meeting_record(
    *,
    call: Call,
    by,
    held_on,
    members: str,
    minutes: str,
    votes_for: int,
    votes_against: int = 0,
    abstentions: int = 0,
) -> DecisionMeeting:
    """Record the decision meeting (三审一决策) that decided the funding list."""
    require(can_manage_calls(by, call.program))
    if not members.strip() or not minutes.strip():
        raise DomainError(_("请填写参会人员和会议纪要。"))
    if held_on > timezone.localdate():
        raise DomainError(_("会议日期不能晚于今天。"))
    return DecisionMeeting.objects.create(
        call=call,
        held_on=held_on,
        members=members.strip(),
        minutes=minutes.strip(),
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        recorded_by=by,
    )


@acting
@transaction.atomic
def notice_publish(*, call: Call, by, days: int, at=None) -> PublicNotice:
    """Publish the proposed list for `days` days on the portal; objections may be raised meanwhile."""
    require(can_manage_calls(by, call.program))
    at = at or timezone.now()
    meeting = DecisionMeeting.objects.filter(call=call).order_by("-held_on", "-id").first()
    if meeting is None:
        raise DomainError(_("请先记录决策会议。"))
    if meeting.votes_for <= meeting.votes_against:
        raise DomainError(_("决策会议未通过拟立项名单，不能公示。"))
    proposed = list(Application.objects.filter(call=call, state=ApplicationState.PROPOSED))
    if not proposed:
        raise DomainError(_("没有拟立项的申报书。"))
    if not 1 <= days <= 30:
        raise DomainError(_("公示期应为 1—30 天。"))
    notice = PublicNotice.objects.create(
        call=call,
        meeting=meeting,
        title=_("%(call)s拟立项项目公示") % {"call": call.title},
        starts_at=at,
        ends_at=at + timedelta(days=days),
    )
    # The notice stage is due when the notice ends plus the days the bureau has to close it (超期 otherwise).
    from .workflow import NOTICE_CLOSE_DAYS

    close_days = int((call.stage_days or {}).get(ApplicationState.IN_NOTICE) or NOTICE_CLOSE_DAYS)
    for application in proposed:
        application_transition(
            application, ApplicationAction.PUBLISH, by, due_at=notice.ends_at + timedelta(days=close_days)
        )
    return notice


@transaction.atomic
def objection_submit(
    *, notice: PublicNotice, application_id: int, name: str, contact: str, text: str, at=None
) -> Objection:
    """Anyone may object to a listed project while the notice is open."""
    at = at or timezone.now()
    if not notice.is_open(at):
        raise DomainError(_("公示期已结束，不再受理异议。"))
    application = Application.objects.filter(
        pk=application_id, call_id=notice.call_id, state=ApplicationState.IN_NOTICE
    ).first()
    if application is None:
        raise DomainError(_("请选择公示名单中的项目。"), field="application")
    if not (name.strip() and contact.strip() and text.strip()):
        raise DomainError(_("请填写姓名、联系方式和异议内容（实名提出）。"))
    return Objection.objects.create(
        notice=notice,
        application=application,
        name=name.strip()[:50],
        contact=contact.strip()[:60],
        text=text.strip()[:3000],
    )


@acting
@transaction.atomic
def objection_resolve(*, objection: Objection, by, upheld: bool, resolution: str) -> Objection:
    """The bureau answers an objection; an upheld one removes the project from the list."""
    locked = (
        Objection.objects.select_for_update().select_related("notice__call__program").get(pk=objection.pk)
    )
    require(can_manage_calls(by, locked.notice.call.program))
    if locked.resolved_at is not None:
        raise DomainError(_("该异议已处理。"))
    if not resolution.strip():
        raise DomainError(_("请填写处理意见。"), field="resolution")
    locked.upheld, locked.resolution = upheld, resolution.strip()
    locked.resolved_by, locked.resolved_at = by, timezone.now()
    locked.bump_version()
    locked.save()
    application = Application.objects.get(pk=locked.application_id)
    if upheld and application.state == ApplicationState.IN_NOTICE:
        application_transition(application, ApplicationAction.OBJECTION_UPHELD, by, reason=resolution)
    return locked


@acting
@transaction.atomic
def notice_close(*, notice: PublicNotice, by, at=None) -> list[Application]:
    """After the notice period, with every objection answered, the listed projects are approved (立项)."""
    at = at or timezone.now()
    locked = PublicNotice.objects.select_for_update().select_related("call__program").get(pk=notice.pk)
    require(can_manage_calls(by, locked.call.program))
    if locked.closed_at is not None:
        raise DomainError(_("该公示已办结。"))
    if at <= locked.ends_at:
        raise DomainError(
            _("公示期未满（%(end)s 结束），不能立项。")
            % {"end": timezone.localtime(locked.ends_at).strftime("%Y-%m-%d %H:%M")}
        )
    if locked.objections.filter(resolved_at__isnull=True).exists():
        raise DomainError(_("还有未处理的异议，不能立项。"))
    approved = []
    for application in Application.objects.filter(call=locked.call, state=ApplicationState.IN_NOTICE):
        done = application_transition(
            application, ApplicationAction.APPROVE, by, reason=_("公示期满无异议或异议不成立")
        )
        project_create_for(done)
        approved.append(done)
    locked.closed_at = at
    locked.bump_version()
    locked.save()
    return approved
