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

from . import formdef
from .enums import ApplicationAction, ApplicationState
from .models import Application, ApplicationFile, Call, RecommendationQuota
from .permissions import can_apply, can_edit_application
from .selectors import eligibility_for, near_duplicates
from .workflow import APPLICATION_WORKFLOW, HOLDER_BY_STATE

# States that used a recommendation slot of the locality's quota.
RECOMMENDED_STATES = (ApplicationState.RECOMMENDED, ApplicationState.CHECKED, ApplicationState.RETURNED)


def _enter(application: Application, call: Call, now) -> None:
    """Bookkeeping on entering a state: who holds the file and until when."""
    application.holder = HOLDER_BY_STATE.get(application.state, "")
    days = (call.stage_days or {}).get(application.state)
    application.due_at = now + timedelta(days=int(days)) if days else None


def application_transition(
    application, action, by, *, reason="", expected_version=None, check=None, change=None
):
    """Take a workflow action on an application: holder and time limit follow, the parties are notified."""
    now = timezone.now()

    def change_and_enter(locked):
        if change is not None:
            change(locked)
        _enter(locked, locked.call, now)

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


def formal_check_results(application: Application) -> list[dict]:
    """The automatic formal checks, each with its result: [{"check", "ok", "detail"}]."""
    results = []
    errors = submission_problems(application)
    field_errors = [message for messages in errors.values() for message in messages]
    results.append({"check": _("必填内容与附件"), "ok": not field_errors, "detail": "；".join(field_errors)})
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
    results.append({"check": _("申报资格与科研诚信"), "ok": not problems, "detail": "；".join(problems)})
    duplicates = near_duplicates(application)
    results.append(
        {
            "check": _("未重复申报"),
            "ok": not duplicates,
            "detail": "；".join(f"{d.call.title}：{d.title}" for d in duplicates),
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
        locked.check_results = formal_check_results(locked)
        if decision == "return":
            locked.correction_note = reason

    if decision == "pass":

        def check(locked):
            failed = [r["check"] for r in formal_check_results(locked) if not r["ok"]]
            if failed and not reason.strip():
                raise DomainError(
                    _("自动检查未通过（%(checks)s），如仍要通过请填写理由。") % {"checks": "、".join(failed)}
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
            % {"label": spec.get("label", field_key), "types": "、".join(t.upper() for t in allowed)}
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
    from kechuang.regions.models import Region

    from .permissions import can_manage_calls
    from .schemes import review_scheme_problems, stage_days_problems

    values = dict(values)
    quotas = values.pop("quotas", {})
    require(can_manage_calls(by, values["program"]))
    for problem in review_scheme_problems(values["review_scheme"]) + stage_days_problems(
        values["stage_days"]
    ):
        raise DomainError(problem)
    codes = set(values["eligibility"]["region_codes"]) | set(quotas)
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    if codes - known:
        raise DomainError(_("区划代码不存在：%(codes)s") % {"codes": "、".join(sorted(codes - known))})
    if call is None:
        call = Call()
    else:
        call = Call.objects.select_for_update().get(pk=call.pk)
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
