"""Drawing expert panels, experts' answers and reviews, and the aggregated result."""

import dataclasses
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.audit import acting, record
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.models import AuditLog
from kechuang.core.permissions import require
from kechuang.core.scoping import region_within_user_scope
from kechuang.core.text import clauses, enumeration
from kechuang.organizations.enums import TechField
from kechuang.projects.enums import ApplicationAction, ApplicationState
from kechuang.projects.models import Application
from kechuang.projects.permissions import can_manage_calls
from kechuang.projects.services import application_transition

from .aggregation import aggregate, deviation_flags, score_problems, weighted_total
from .draw import draw_panels, replace_expert, verify
from .enums import OPEN_ASSIGNMENT_STATES, AssignmentState, ConflictKind, DeclineReason, DrawMethod
from .models import Expert, ExpertConflict, ReviewAssignment, ReviewDraw
from .permissions import (
    can_change_expert,
    can_declare_conflict,
    can_manage_expert,
    can_manage_experts,
    can_remove_conflict,
    can_respond,
    can_review,
)
from .profiles import application_profiles, conflict_rules, expert_profiles, store_result, stored_result
from .reasons import shortfall_text


@acting
def review_draw(*, call, by, method: str = DrawMethod.RANDOMIZED, q: float = 0.5, seed: int | None = None):
    """Draw k experts for every application of the call that passed the formal check; start their review."""
    require(can_manage_calls(by, call.program))
    if method not in DrawMethod.values:
        raise DomainError(_("抽取方式无效。"))
    if not 0 < q <= 1:
        raise DomainError(_("单个专家最大抽中概率应在 0 到 1 之间。"))
    applications = Application.objects.filter(call=call, state=ApplicationState.CHECKED)
    if not applications.exists():
        raise DomainError(_("没有待评审的申报书（需形式审查通过）。"))
    experts = Expert.objects.filter(is_active=True)
    app_profiles = application_profiles(applications)
    expert_list = expert_profiles(experts)
    rules = conflict_rules(call=call, expert_ids=[e.id for e in expert_list])
    k = int(call.review_scheme.get("experts_per_application", 5))
    seed = seed if seed is not None else secrets.randbelow(2**62)
    result = draw_panels(app_profiles, expert_list, k=k, q=q, seed=seed, rules=rules, method=method)
    violations = verify(result, app_profiles, expert_list, rules, k)
    if violations:
        raise DomainError(_("抽取结果违反回避或负荷规则，未保存：%(v)s") % {"v": clauses(violations[:3])})
    with transaction.atomic():
        draw = ReviewDraw(
            call=call,
            created_by=by,
            method=method,
            seed=seed,
            k=k,
            q=Decimal(str(q)),
            application_ids=[a.id for a in app_profiles],
            expert_ids=[e.id for e in expert_list],
        )
        store_result(draw, result)
        draw.save()
        record(
            action=AuditLog.Action.CREATE,
            instance=draw,
            by=by,
            reason=_("抽取评审专家，随机种子 %(seed)s") % {"seed": seed},
        )
        by_id = {a.pk: a for a in applications}
        for application_id, panel in result.panels.items():
            if not panel:
                continue
            ReviewAssignment.objects.bulk_create(
                [
                    ReviewAssignment(draw=draw, application_id=application_id, expert_id=expert_id)
                    for expert_id in panel
                ]
            )
            application_transition(
                by_id[application_id],
                ApplicationAction.START_REVIEW,
                by,
                reason=_("已抽取 %(n)d 位评审专家") % {"n": len(panel)},
            )
        enqueue("reviews.notify_invited", draw_id=draw.pk)
    return draw


@acting
@transaction.atomic
def assignment_respond(*, assignment: ReviewAssignment, by, accept: bool, reason: str = "", note: str = ""):
    """The expert accepts, or declines with a reason; a decline draws a replacement under the same rules."""
    locked = (
        ReviewAssignment.objects.select_for_update()
        .select_related("expert", "draw__call", "application__organization")
        .get(pk=assignment.pk)
    )
    require(can_respond(by, locked))
    locked.responded_at = timezone.now()
    if accept:
        locked.state = AssignmentState.ACCEPTED
        locked.bump_version()
        locked.save()
        return locked, None
    if not reason:
        raise DomainError(_("请选择谢绝原因。"), field="reason")
    if reason not in DeclineReason.values:
        raise DomainError(_("谢绝原因无效。"), field="reason")
    locked.state, locked.decline_reason, locked.decline_note = AssignmentState.DECLINED, reason, note[:300]
    locked.bump_version()
    locked.save()
    if reason == DeclineReason.CONFLICT:
        # A conflict with this applicant holds for every later draw too, not just this panel.
        applicant_id = locked.application.organization_id
        if not ExpertConflict.objects.filter(
            expert_id=locked.expert_id, organization_id=applicant_id, kind=ConflictKind.DECLARED
        ).exists():
            expert_conflict_declare(
                expert=locked.expert,
                by=by,
                organization=locked.application.organization,
                note=_("谢绝评审时申报：%(note)s") % {"note": note.strip() or _("存在利益冲突")},
            )
    draw = ReviewDraw.objects.select_for_update().get(pk=locked.draw_id)
    applications = Application.objects.filter(pk__in=draw.application_ids)
    experts = Expert.objects.filter(pk__in=draw.expert_ids)
    app_profiles = application_profiles(applications)
    expert_list = expert_profiles(experts, exclude_draw=draw)
    rules = conflict_rules(call=draw.call, expert_ids=draw.expert_ids)
    before = stored_result(draw)
    # Panels of applications withdrawn since the draw load nobody any more (their tasks were cancelled),
    # but stay on record.
    withdrawn = set(applications.filter(state=ApplicationState.WITHDRAWN).values_list("pk", flat=True)) & set(
        before.panels
    )
    after = replace_expert(
        dataclasses.replace(before, panels={a: p for a, p in before.panels.items() if a not in withdrawn}),
        locked.application_id,
        locked.expert_id,
        app_profiles,
        expert_list,
        rules=rules,
        seed=draw.seed + ReviewAssignment.objects.filter(draw=draw).count(),
    )
    after = dataclasses.replace(after, panels={**{a: before.panels[a] for a in withdrawn}, **after.panels})
    store_result(draw, after)
    draw.save()
    added = set(after.panels.get(locked.application_id, ())) - set(
        before.panels.get(locked.application_id, ())
    )
    replacement = None
    for expert_id in added:
        replacement = ReviewAssignment.objects.create(
            draw=draw, application_id=locked.application_id, expert_id=expert_id
        )
        enqueue("reviews.notify_assignment", assignment_id=replacement.pk)
    return locked, replacement


@acting
@transaction.atomic
def assignments_cancel(*, application: Application, by) -> int:
    """Release the experts of an application withdrawn while under review: their open tasks end
    (cancelled, audited, notified) and no longer count against their load caps. Returns how many."""
    cancelled = 0
    for assignment in ReviewAssignment.objects.select_for_update().filter(
        application=application, state__in=OPEN_ASSIGNMENT_STATES
    ):
        assignment.state = AssignmentState.CANCELLED
        assignment.bump_version()
        assignment.save()
        cancelled += 1
        enqueue("reviews.notify_cancelled", assignment_id=assignment.pk)
    return cancelled


@acting
@transaction.atomic
def review_submit(*, assignment: ReviewAssignment, by, scores: dict, comment: str):
    """The expert submits scores for every criterion; the last review of an application aggregates them."""
    locked = (
        ReviewAssignment.objects.select_for_update().select_related("application__call").get(pk=assignment.pk)
    )
    require(can_review(by, locked))
    criteria = locked.application.call.review_scheme.get("criteria", [])
    problems = score_problems(scores, criteria)
    if not comment.strip():
        problems.append(_("请填写评审意见。"))
    if problems:
        raise DomainError(problems[0])
    locked.scores = {c["key"]: int(str(scores[c["key"]])) for c in criteria}
    locked.total = weighted_total(locked.scores, criteria)
    locked.comment = comment.strip()
    locked.state = AssignmentState.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.bump_version()
    locked.save()
    _finish_if_complete(locked.application, by)
    return locked


def _finish_if_complete(application: Application, by) -> None:
    siblings = (
        ReviewAssignment.objects.select_for_update()
        .filter(application=application)
        .exclude(state=AssignmentState.DECLINED)
        .select_related("expert__user")
    )
    if any(s.state != AssignmentState.SUBMITTED for s in siblings):
        return
    totals = {str(s.expert): s.total for s in siblings}
    rule = application.call.review_scheme.get("aggregation", "trimmed_mean")

    def change(locked):
        locked.review_score = aggregate(list(totals.values()), rule=rule)
        locked.review_flags = deviation_flags(totals)

    application_transition(
        application,
        ApplicationAction.FINISH_REVIEW,
        by,
        change=change,
        reason=_("%(n)d 位专家评审完毕") % {"n": len(totals)},
    )


@acting
@transaction.atomic
def acceptance_panel_draw(*, project, by, seed: int | None = None):
    """Draw the acceptance panel of a project under the same conflict rules; seed and panel are recorded."""
    from kechuang.projects.enums import ProjectState
    from kechuang.projects.models import Project
    from kechuang.projects.permissions import bureau_may

    locked = (
        Project.objects.select_for_update().select_related("application__call__program").get(pk=project.pk)
    )
    require(bureau_may(by, locked.application))
    if locked.state != ProjectState.ACCEPTANCE:
        raise DomainError(_("项目申请结题验收后才能抽取验收专家。"))
    call = locked.application.call
    k = int(call.review_scheme.get("experts_per_application", 5))
    seed = seed if seed is not None else secrets.randbelow(2**62)
    app_profiles = application_profiles(Application.objects.filter(pk=locked.application_id))
    expert_list = expert_profiles(Expert.objects.filter(is_active=True))
    rules = conflict_rules(call=call, expert_ids=[e.id for e in expert_list])
    result = draw_panels(
        app_profiles, expert_list, k=k, q=1.0, seed=seed, rules=rules, method=DrawMethod.UNIFORM
    )
    violations = verify(result, app_profiles, expert_list, rules, k)
    if violations:
        raise DomainError(_("抽取结果违反回避规则，未保存：%(v)s") % {"v": clauses(violations[:3])})
    panel = list(result.panels.get(locked.application_id, ()))
    if not panel:
        shortfall = result.shortfalls.get(locked.application_id)
        raise DomainError(shortfall_text(shortfall) if shortfall else _("没有符合回避规则的专家。"))
    locked.acceptance_panel = {
        "seed": seed,
        "method": DrawMethod.UNIFORM,
        "experts": panel,
        "names": [str(e) for e in Expert.objects.filter(pk__in=panel).select_related("user")],
        "pool": list(result.candidate_pool.get(locked.application_id, ())),
        "shortfall": (
            shortfall_text(result.shortfalls[locked.application_id])
            if locked.application_id in result.shortfalls
            else ""
        ),
    }
    locked.bump_version()
    locked.save()
    return locked


# An expert keeps their own profile current; employer, region, load cap and membership of the pool
# decide conflicts and workload, so only bureau staff change those.
EXPERT_SELF_FIELDS = ("title", "field_codes", "keywords", "profile")
EXPERT_BUREAU_FIELDS = ("organization", "region", "load_cap", "is_active", *EXPERT_SELF_FIELDS)
MAX_LOAD_CAP = 50


@acting
@transaction.atomic
def expert_save(
    *, by, values: dict, expert: Expert | None = None, user=None, expected_version: int | None = None
) -> Expert:
    """Enter a user into the expert pool (expert=None) or change an expert; audited by the model's signals."""
    if expert is None:
        require(can_manage_experts(by))
        if user is None or user.role != Role.EXPERT:
            raise DomainError(_("请选择一个专家账号。"), field="user")
        if not by.is_superuser and not (user.region_id and region_within_user_scope(by, user.region_id)):
            raise DomainError(_("只能将本辖区的专家账号纳入专家库。"), field="user")
        if Expert.objects.filter(user=user).exists():
            raise DomainError(_("该账号已在专家库中。"), field="user")
        locked, fields = Expert(user=user), EXPERT_BUREAU_FIELDS
    else:
        locked = Expert.objects.select_for_update().get(pk=expert.pk)
        require(can_change_expert(by, locked))
        locked.check_version(expected_version)
        fields = EXPERT_BUREAU_FIELDS if can_manage_expert(by, locked) else EXPERT_SELF_FIELDS
    for name, value in values.items():
        if name not in fields:
            raise DomainError(_("不允许修改字段：%(field)s") % {"field": name}, field=name)
        setattr(locked, name, value)
    unknown = [c for c in locked.field_codes or [] if c not in TechField.values]
    if unknown:
        raise DomainError(_("专业领域无效：%(codes)s") % {"codes": enumeration(unknown)}, field="field_codes")
    if not locked.field_codes:
        raise DomainError(_("请至少选择一个专业领域。"), field="field_codes")
    if locked.load_cap > MAX_LOAD_CAP:
        raise DomainError(_("单次评审上限不能超过 %(n)d 份。") % {"n": MAX_LOAD_CAP}, field="load_cap")
    if "region" in values and not region_within_user_scope(by, locked.region_id):
        raise DomainError(_("所在区划不在您的辖区内。"), field="region")
    try:
        locked.full_clean(exclude=["user"])
    except ValidationError as exc:
        field, problems = next(iter(exc.message_dict.items()))
        raise DomainError(problems[0], field=field) from exc
    if locked.pk:
        locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def expert_conflict_declare(
    *,
    expert: Expert,
    by,
    organization,
    note: str = "",
    kind: str = ConflictKind.DECLARED,
    ended_on=None,
) -> ExpertConflict:
    """Record an organization the expert must not review: a declaration, or (bureau staff) a collaboration.

    Declaring the same organization and kind again updates the reason (and end date) of the one record.
    """
    locked = Expert.objects.select_for_update().get(pk=expert.pk)
    if kind not in ConflictKind.values:
        raise DomainError(_("回避类型无效。"), field="kind")
    require(can_declare_conflict(by, locked, kind))
    if organization is None:
        raise DomainError(_("请填写回避单位的名称或统一社会信用代码。"), field="organization")
    note = (note or "").strip()
    if kind == ConflictKind.DECLARED and not note:
        raise DomainError(_("请说明回避理由。"), field="note")
    if kind == ConflictKind.DECLARED:
        ended_on = None
    conflict = ExpertConflict.objects.filter(expert=locked, organization=organization, kind=kind).first()
    if conflict is None:
        conflict = ExpertConflict(expert=locked, organization=organization, kind=kind)
    else:
        conflict.bump_version()
    conflict.note, conflict.ended_on = note[:200], ended_on
    conflict.save()
    return conflict


@acting
@transaction.atomic
def expert_conflict_remove(*, conflict: ExpertConflict, by) -> None:
    """Withdraw a conflict record (the deletion stays in the audit log)."""
    locked = ExpertConflict.objects.select_for_update().select_related("expert").get(pk=conflict.pk)
    require(can_remove_conflict(by, locked))
    locked.delete()
