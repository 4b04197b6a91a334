"""Writes on calls and applications. Every state change goes through APPLICATION_WORKFLOW.apply."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.money import yuan
from kechuang.core.permissions import require
from kechuang.core.text import clauses, enumeration

from . import formdef
from .enums import ApplicationAction, ApplicationState
from .models import Application, ApplicationFile, Call, Program, RecommendationQuota
from .permissions import can_apply, can_edit_application
from .selectors import eligibility_for, near_duplicates
from .similarity import fingerprints
from .workflow import APPLICATION_WORKFLOW, HOLDER_BY_STATE

# States that used a recommendation slot of the locality's quota.
RECOMMENDED_STATES = (ApplicationState.RECOMMENDED, ApplicationState.CHECKED, ApplicationState.RETURNED)


def _enter(application: Application, call: Call, now) -> None:
    """Bookkeeping on entering a state: who holds the file and until when."""
    application.holder = HOLDER_BY_STATE.get(application.state, "")
    days = (call.stage_days or {}).get(application.state)
    application.due_at = now + timedelta(days=int(days)) if days else None


def application_transition(
    application, action, by, *, reason="", expected_version=None, check=None, change=None, due_at=None
):
    """Take a workflow action on an application: holder and time limit follow, the parties are notified.

    `due_at` overrides the time limit from the call's stage_days (the public notice ends on its own date).
    """
    now = timezone.now()

    def change_and_enter(locked):
        if change is not None:
            change(locked)
        _enter(locked, locked.call, now)
        if due_at is not None:
            locked.due_at = due_at

    done = APPLICATION_WORKFLOW.apply(
        instance=application,
        action=action,
        by=by,
        reason=reason,
        expected_version=expected_version,
        check=check,
        change=change_and_enter,
    )
    enqueue("projects.notify_transition", application_id=done.pk, version=done.version)
    return done


def _files_per_field(application) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in application.files.values_list("field_key", flat=True):
        counts[key] = counts.get(key, 0) + 1
    return counts


def _title_and_amount(application: Application) -> None:
    data = application.data
    application.title = str(data.get("title") or "")[:200]
    amount = data.get("amount")
    application.requested_amount = (
        Decimal(amount) if amount not in (None, "") and _is_decimal(amount) else None
    )


def _is_decimal(value) -> bool:
    try:
        Decimal(str(value))
        return True
    except ArithmeticError:
        return False


def _refuse_after_deadline(call: Call, at) -> None:
    if at > call.closes_at:
        raise DomainError(
            _("申报已于 %(time)s 截止，不能再提交或修改。")
            % {"time": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M:%S")}
        )
    if at < call.opens_at or not call.is_published:
        raise DomainError(_("该指南尚未开始申报。"))


@acting
@transaction.atomic
def application_start(*, call: Call, by, at=None) -> Application:
    """Open a draft for the user's organization, prefilled from its profile, on a frozen copy of the form."""
    at = at or timezone.now()
    require(can_apply(by))
    _refuse_after_deadline(call, at)
    organization = by.organization
    problems = eligibility_for(call=call, organization=organization, at=at)
    if problems:
        raise DomainError(problems[0])
    application = Application(
        call=call,
        organization=organization,
        region_id=organization.region_id,
        created_by=by,
        form_definition=call.form_definition,
        data=formdef.prefill(call.form_definition, organization=organization, user=by),
    )
    _title_and_amount(application)
    _enter(application, call, at)
    application.save()
    return application


@acting
@transaction.atomic
def application_save(*, application: Application, by, raw: dict, expected_version: int | None, at=None):
    """Save a draft as the user types; returns (application, errors). Wrong values are kept and reported."""
    at = at or timezone.now()
    locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    require(can_edit_application(by, locked))
    if locked.state == ApplicationState.DRAFT:
        _refuse_after_deadline(locked.call, at)
    locked.check_version(expected_version)
    # Keys not in the frozen form are ignored; read-only prefilled fields keep the profile's value.
    editable = {s["key"] for s in locked.form_definition if not s.get("readonly")}
    merged = {**locked.data, **{k: v for k, v in raw.items() if k in editable}}
    cleaned, errors = formdef.clean_data(locked.form_definition, merged, complete=False)
    locked.data = {**locked.data, **cleaned}
    _title_and_amount(locked)
    locked.bump_version()
    locked.save()
    return locked, errors


def submission_problems(application: Application) -> dict[str, list[str]]:
    """Everything that stops an application from being submitted, per field ('' for the whole form)."""
    _cleaned, errors = formdef.clean_data(
        application.form_definition, application.data, files=_files_per_field(application), complete=True
    )
    call = application.call
    if application.requested_amount is not None and application.requested_amount > call.budget_cap:
        errors.setdefault("amount", []).append(
            _("申请经费不能超过单项资助上限 %(cap)s 元。") % {"cap": yuan(call.budget_cap)}
        )
    return errors


@acting
def application_submit(*, application: Application, by, started_at, expected_version: int | None = None):
    """Submit (or resubmit after correction). A submission is judged by when it started, on the server's clock."""

    def check(locked):
        if locked.state == ApplicationState.DRAFT:
            _refuse_after_deadline(locked.call, started_at)
            problems = eligibility_for(
                call=locked.call, organization=locked.organization, at=started_at, excluding=locked.pk
            )
            if problems:
                raise DomainError(problems[0])
        elif locked.due_at and started_at > locked.due_at:
            raise DomainError(_("修改期限已过，请联系科技局。"))
        errors = submission_problems(locked)
        if errors:
            first = next(iter(errors.values()))[0]
            raise DomainError(
                _("申报书还有 %(n)d 处需要完善，例如：%(first)s")
                % {"n": sum(map(len, errors.values())), "first": first}
            )

    def change(locked):
        if locked.receipt_number is None:
            locked.receipt_number = f"KC{locked.call.year}-{locked.call_id:04d}-{locked.pk:06d}"
            locked.submit_started_at = started_at
            locked.submitted_at = timezone.now()
        locked.correction_note = ""
        # What other calls' formal checks compare against (a corrected resubmission is fingerprinted anew).
        for field, value in fingerprints(locked.title, locked.form_definition, locked.data).items():
            setattr(locked, field, value)

    return application_transition(
        application,
        ApplicationAction.SUBMIT,
        by,
        expected_version=expected_version,
        check=check,
        change=change,
    )


@acting
def application_withdraw(*, application: Application, by, reason: str = "", at=None):
    """The applicant withdraws before the deadline."""
    at = at or timezone.now()

    def check(locked):
        if at > locked.call.closes_at:
            raise DomainError(_("申报已截止，撤回须向科技局提出申请。"))

    return application_transition(application, ApplicationAction.WITHDRAW, by, reason=reason, check=check)


@acting
@transaction.atomic
def withdrawal_request_submit(*, application: Application, by, reason: str, at=None):
    """The applicant asks the bureau to withdraw an application already in processing (撤回申请)."""
    from .models import WithdrawalRequest
    from .permissions import can_request_withdrawal

    at = at or timezone.now()
    locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    require(can_request_withdrawal(by, locked, at=at))
    if not reason.strip():
        raise DomainError(_("请填写撤回理由。"), field="reason")
    if locked.withdrawal_requests.filter(approved__isnull=True).exists():
        raise DomainError(_("已有待审批的撤回申请。"))
    return WithdrawalRequest.objects.create(application=locked, reason=reason.strip()[:2000], requested_by=by)


@acting
@transaction.atomic
def withdrawal_request_decide(*, withdrawal, by, approve: bool, note: str = ""):
    """The bureau grants (the application is withdrawn through the workflow) or refuses, with a reason."""
    from .models import WithdrawalRequest
    from .permissions import bureau_may

    locked = (
        WithdrawalRequest.objects.select_for_update()
        .select_related("application__call__program")
        .get(pk=withdrawal.pk)
    )
    require(bureau_may(by, locked.application))
    if locked.approved is not None:
        raise DomainError(_("该撤回申请已审批。"))
    note = note.strip()
    if not approve and not note:
        raise DomainError(_("不同意撤回时请填写理由。"), field="note")
    if approve:
        reason = _("撤回申请：%(reason)s") % {"reason": locked.reason}
        if note:
            reason = f"{reason}；{note}"
        locked.application = application_transition(
            locked.application, ApplicationAction.WITHDRAW_ON_REQUEST, by, reason=reason
        )
        # Experts still holding the file are released (reviews depends on projects, hence the late import).
        from kechuang.reviews.services import assignments_cancel

        assignments_cancel(application=locked.application, by=by)
    locked.approved, locked.decision_note, locked.decided_by = approve, note, by
    locked.decided_at = timezone.now()
    locked.bump_version()
    locked.save()
    return locked


def _quota_for(application: Application) -> RecommendationQuota | None:
    """The quota of the nearest region above (or at) the application's region."""
    codes = [c for c in application.region.path.strip("/").split("/") if c]
    quotas = {
        q.region_id: q
        for q in RecommendationQuota.objects.filter(call_id=application.call_id, region_id__in=codes)
    }
    for code in reversed(codes):
        if code in quotas:
            return quotas[code]
    return None


@acting
def application_recommend(*, application: Application, by, recommend: bool, comment: str = ""):
    """The locality recommends (within its quota) or declines to recommend, with a comment."""
    if not recommend:
        return application_transition(
            application,
            ApplicationAction.NOT_RECOMMEND,
            by,
            reason=comment,
            change=lambda a: setattr(a, "recommendation_comment", comment),
        )

    def check(locked):
        quota = _quota_for(locked)
        if quota is None:
            return
        # Lock the quota row so that two officers recommending at once cannot both take the last slot.
        quota = RecommendationQuota.objects.select_for_update().get(pk=quota.pk)
        used = Application.objects.filter(
            call_id=locked.call_id, state__in=RECOMMENDED_STATES, region__path__startswith=quota.region.path
        ).count()
        if used >= quota.quota:
            raise DomainError(
                _("%(region)s 的推荐名额（%(n)d 项）已用完。")
                % {"region": quota.region.name, "n": quota.quota}
            )

    return application_transition(
        application,
        ApplicationAction.RECOMMEND,
        by,
        reason=comment,
        check=check,
        change=lambda a: setattr(a, "recommendation_comment", comment),
    )


def _duplicate_text(duplicate, application: Application, viewer) -> str:
    """One near-duplicate as the officer reads it. Another organization's application outside the
    viewer's region is named only by its call: its receipt number and title are not the viewer's to see."""
    from kechuang.core.scoping import region_within_user_scope

    similarity = {
        "by_title": round(duplicate.title_similarity * 100),
        "by_content": round(duplicate.content_similarity * 100),
    }
    visible = duplicate.organization_id == application.organization_id or (
        viewer is not None
        and (viewer.is_superuser or viewer.is_region_scoped)
        and region_within_user_scope(viewer, duplicate.region_id)
    )
    if not visible:
        return _(
            "辖区外另一单位的申报书（%(call)s；标题相似度 %(by_title)d%%，内容相似度 %(by_content)d%%）"
        ) % {
            "call": duplicate.call_title,
            **similarity,
        }
    return _("%(receipt)s（%(call)s：%(title)s；标题相似度 %(by_title)d%%，内容相似度 %(by_content)d%%）") % {
        "receipt": duplicate.receipt_number,
        "call": duplicate.call_title,
        "title": duplicate.title,
        **similarity,
    }


def formal_check_results(application: Application, viewer=None) -> list[dict]:
    """The automatic formal checks, each with its result: [{"check", "ok", "detail"}], as `viewer` may read
    them (without a viewer, other organizations' duplicates are named by their call only)."""
    results = []
    errors = submission_problems(application)
    field_errors = [message for messages in errors.values() for message in messages]
    results.append({"check": _("必填内容与附件"), "ok": not field_errors, "detail": clauses(field_errors)})
    call = application.call
    over = application.requested_amount is not None and application.requested_amount > call.budget_cap
    results.append(
        {
            "check": _("申请经费不超过单项上限"),
            "ok": not over,
            "detail": _("申请 %(a)s 元，上限 %(cap)s 元")
            % {"a": application.requested_amount, "cap": call.budget_cap},
        }
    )
    problems = eligibility_for(call=call, organization=application.organization, excluding=application.pk)
    results.append({"check": _("申报资格与科研诚信"), "ok": not problems, "detail": clauses(problems)})
    duplicates = near_duplicates(application)
    results.append(
        {
            "check": _("未重复申报"),
            "ok": not duplicates,
            "detail": clauses(_duplicate_text(d, application, viewer) for d in duplicates),
        }
    )
    return results


@acting
def application_formal_check(*, application: Application, by, decision: str, reason: str = ""):
    """The officer passes, returns for correction, or rejects, after the automatic checks."""
    actions = {
        "pass": ApplicationAction.PASS_CHECK,
        "return": ApplicationAction.RETURN,
        "reject": ApplicationAction.REJECT,
    }
    if decision not in actions:
        raise DomainError(_("请选择形式审查结论。"), field="decision")

    def change(locked):
        locked.check_results = formal_check_results(locked, viewer=by)
        if decision == "return":
            locked.correction_note = reason

    if decision == "pass":

        def check(locked):
            failed = [r["check"] for r in formal_check_results(locked, viewer=by) if not r["ok"]]
            if failed and not reason.strip():
                raise DomainError(
                    _("自动检查未通过（%(checks)s），如仍要通过请填写理由。")
                    % {"checks": enumeration(failed)}
                )
    else:
        check = None
    return application_transition(
        application, actions[decision], by, reason=reason, check=check, change=change
    )


@acting
@transaction.atomic
def application_file_add(*, application: Application, by, field_key: str, upload) -> ApplicationFile:
    """Attach a file to a file field of an editable application, checking the field's types and size."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    require(can_edit_application(by, locked))
    spec = next(
        (s for s in locked.form_definition if s["key"] == field_key and s.get("type") == "file"), None
    )
    if spec is None:
        raise DomainError(_("该字段不接受附件。"))
    allowed = [t.lower() for t in (spec.get("allowed") or formdef.FILE_TYPES)]
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in allowed:
        raise DomainError(
            _("%(label)s只接受 %(types)s 文件。")
            % {"label": spec.get("label", field_key), "types": enumeration(t.upper() for t in allowed)}
        )
    limit = int(spec.get("max_bytes") or 0)
    if limit and upload.size > limit:
        raise DomainError(
            _("%(label)s不能超过 %(mb).1f MB。")
            % {"label": spec.get("label", field_key), "mb": limit / 1024 / 1024}
        )
    from django.core.exceptions import ValidationError

    from kechuang.core.validators import validate_upload

    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise DomainError(exc.messages[0]) from exc
    return ApplicationFile.objects.create(
        application=locked,
        field_key=field_key,
        file=upload,
        name=upload.name[:200],
        size=upload.size,
        uploaded_by=by,
    )


@acting
@transaction.atomic
def call_save(*, by, values: dict, call: Call | None = None, expected_version: int | None = None) -> Call:
    """Create or change a call with its rules and quotas (applications keep the form they were filled on)."""
    from kechuang.organizations.enums import QualificationKind
    from kechuang.regions.models import Region

    from .defaults import STANDARD_FORM
    from .formdef import definition_problems
    from .permissions import can_manage_calls
    from .schemes import review_scheme_problems, stage_days_problems

    values = dict(values)
    quotas = values.pop("quotas", {})
    require(can_manage_calls(by, values["program"]))
    if call is not None:
        call = Call.objects.select_for_update().select_related("program").get(pk=call.pk)
        require(can_manage_calls(by, call.program))
    if (call is None or call.program_id != values["program"].pk) and not values["program"].is_active:
        raise DomainError(_("该计划类别已停用，不能在其下开设申报指南。"), field="program")
    # The page's form checks these too; the API reaches the database only through here.
    if values["closes_at"] <= values["opens_at"]:
        raise DomainError(_("截止时间须晚于开始时间。"), field="closes_at")
    if values["budget_cap"] > values["total_budget"]:
        raise DomainError(_("单项上限不能超过资助总额。"), field="budget_cap")
    values["form_definition"] = values.get("form_definition") or STANDARD_FORM
    for problem in definition_problems(values["form_definition"]):
        raise DomainError(problem, field="form_definition")
    for problem in review_scheme_problems(values["review_scheme"]) + stage_days_problems(
        values["stage_days"]
    ):
        raise DomainError(problem)
    rules = values["eligibility"]
    if not set(rules["organization_kinds"]) <= {"enterprise", "institution"}:
        raise DomainError(_("可申报单位类型只能是企业或高校院所。"), field="organization_kinds")
    unknown = set(rules["qualifications"]) - set(QualificationKind.values)
    if unknown:
        raise DomainError(
            _("不支持的资质要求：%(kinds)s") % {"kinds": enumeration(sorted(unknown))}, field="qualifications"
        )
    codes = set(rules["region_codes"]) | set(quotas)
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    if codes - known:
        raise DomainError(_("区划代码不存在：%(codes)s") % {"codes": enumeration(sorted(codes - known))})
    if call is None:
        call = Call()
    else:
        call.check_version(expected_version)
        call.bump_version()
    for name, value in values.items():
        setattr(call, name, value)
    call.save()
    existing = {q.region_id: q for q in call.quotas.all()}
    for code, quota in quotas.items():
        if code in existing:
            if existing[code].quota != quota:
                existing[code].quota = quota
                existing[code].save(update_fields=["quota"])
        else:
            RecommendationQuota.objects.create(call=call, region_id=code, quota=quota)
    call.quotas.exclude(region_id__in=list(quotas)).delete()
    return call


PROGRAM_FIELDS = ("name", "code", "department", "region", "description", "is_active")


@acting
@transaction.atomic
def program_save(
    *, by, values: dict, program: Program | None = None, expected_version: int | None = None
) -> Program:
    """Create or change a program (科技计划类别) of the user's bureau; signals write the audit line.

    `values` holds PROGRAM_FIELDS; `region` is a Region or its code and must lie in the user's region.
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_slug

    from kechuang.accounts.enums import Department
    from kechuang.regions.enums import RegionLevel
    from kechuang.regions.models import Region

    from .permissions import can_manage_programs

    require(can_manage_programs(by))
    values = {name: values[name] for name in PROGRAM_FIELDS if name in values}
    if program is not None:
        program = Program.objects.select_for_update().get(pk=program.pk)
        require(can_manage_programs(by, region_id=program.region_id))
        program.check_version(expected_version)
        program.bump_version()
    else:
        missing = [name for name in ("name", "code", "department", "region") if name not in values]
        if missing:
            raise DomainError(_("请填写计划类别的名称、代码、主管处室和主管区划。"), field=missing[0])
        program = Program()
    region = values.get("region", program.region if program.region_id else None)
    if isinstance(region, str):
        region = Region.objects.filter(pk=region).first()
        if region is None:
            raise DomainError(_("区划代码不存在：%(codes)s") % {"codes": values["region"]}, field="region")
        values["region"] = region
    require(can_manage_programs(by, region_id=region.pk))
    if region.level == RegionLevel.TOWN:
        raise DomainError(_("计划类别的主管区划应为省、市或区县。"), field="region")
    values["name"] = str(values.get("name", program.name)).strip()
    if not values["name"]:
        raise DomainError(_("请填写计划类别名称。"), field="name")
    values["code"] = str(values.get("code", program.code)).strip()
    try:
        validate_slug(values["code"])
    except ValidationError as exc:
        raise DomainError(_("代码只能包含字母、数字、下划线和连字符。"), field="code") from exc
    if Program.objects.filter(code=values["code"]).exclude(pk=program.pk).exists():
        raise DomainError(_("代码 %(code)s 已被其他计划类别使用。") % {"code": values["code"]}, field="code")
    if values.get("department", program.department) not in Department.values:
        raise DomainError(_("请选择主管处室。"), field="department")
    for name, value in values.items():
        setattr(program, name, value)
    try:
        program.full_clean(validate_unique=False)  # uniqueness is checked above, with a clearer message
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from exc
    program.save()
    return program
