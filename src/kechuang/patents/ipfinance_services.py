"""IP finance and enforcement as services: pledge financing (知识产权质押融资: active → released or defaulted) and
patent enforcement cases (专利行政执法: received → investigating → mediating → closed, with append-only steps).

Invariants:
* The patents of a pledge belong to its organization, are granted and not lapsed; a patent is in at most one
  active pledge (the patents are locked while this is checked, so two pledges cannot take the same one).
* A closed case has an outcome and a closing day; its steps are never edited, only added.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require
from kechuang.core.workflow import Transition, Workflow
from kechuang.organizations.models import Organization

from . import permissions as perm
from .enums import CaseOutcome, CaseState, PatentStatus, PledgeState
from .models import CaseStep, EnforcementCase, Patent, PledgeFinancing

PLEDGE_FIELDS = ("bank", "contract_no", "registration_no", "amount", "starts_on", "ends_on")


def _settler(user, pledge):
    return perm.can_settle_pledge(user, pledge)


PLEDGE_WORKFLOW = Workflow(
    "patent_pledge",
    {
        (PledgeState.ACTIVE, "release"): Transition(PledgeState.RELEASED, _settler),
        (PledgeState.ACTIVE, "default"): Transition(PledgeState.DEFAULTED, _settler, needs_reason=True),
    },
    state_labels=dict(PledgeState.choices),
    action_labels={"release": gettext_lazy("解除质押"), "default": gettext_lazy("违约处置")},
)


# ---------------------------------------------------------------------------------------------
# Pledges


def _check_pledge(values: dict) -> None:
    if not (values.get("bank") or "").strip():
        raise DomainError(_("请填写质权人（银行）。"), field="bank")
    if values.get("amount") is None or values["amount"] <= 0:
        raise DomainError(_("融资金额须大于0元。"), field="amount")
    if values["ends_on"] < values["starts_on"]:
        raise DomainError(_("到期日不能早于起始日。"), field="ends_on")


def _pledgeable(organization: Organization, patent_ids, exclude_pledge_id: int | None = None) -> list[Patent]:
    """Lock and return the patents, refusing any that is not the organization's, not in force, or pledged."""
    ids = sorted({int(pk) for pk in patent_ids})
    if not ids:
        raise DomainError(_("请至少选择一件质押专利。"), field="patents")
    patents = list(Patent.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(patents) != len(ids):
        raise DomainError(_("所选专利中有不存在的记录。"), field="patents")
    problems = []
    for patent in patents:
        if patent.organization_id != organization.pk:
            problems.append(_("%(no)s：专利权人不是出质单位。") % {"no": patent.application_no})
        elif patent.status != PatentStatus.GRANTED or patent.lapsed_on is not None:
            problems.append(_("%(no)s：不是有效的已授权专利。") % {"no": patent.application_no})
    taken = PledgeFinancing.patents.through.objects.filter(
        patent_id__in=ids, pledgefinancing__state=PledgeState.ACTIVE
    ).select_related("patent", "pledgefinancing")
    if exclude_pledge_id is not None:
        taken = taken.exclude(pledgefinancing_id=exclude_pledge_id)
    for row in taken:
        problems.append(
            _("%(no)s：已在质押融资第%(id)s号（%(bank)s）中质押。")
            % {
                "no": row.patent.application_no,
                "id": row.pledgefinancing_id,
                "bank": row.pledgefinancing.bank,
            }
        )
    if problems:
        raise DomainError("；".join(problems), field="patents")
    return patents


@acting
@transaction.atomic
def pledge_create(*, organization: Organization, values: dict, patent_ids, by) -> PledgeFinancing:
    """Record a pledge financing of `organization` secured by its patents."""
    require(perm.can_edit_pledge(by, organization))
    values = {k: values[k] for k in PLEDGE_FIELDS if k in values}
    _check_pledge(values)
    patents = _pledgeable(organization, patent_ids)
    pledge = PledgeFinancing.objects.create(organization=organization, **values)
    pledge.patents.set(patents)
    record_transition(instance=pledge, by=by, from_state="", to_state=PledgeState.ACTIVE)
    return pledge


@acting
@transaction.atomic
def pledge_update(
    *, pledge: PledgeFinancing, values: dict, patent_ids=None, expected_version=None, by
) -> PledgeFinancing:
    """Correct an active pledge's terms or patents."""
    locked = PledgeFinancing.objects.select_for_update().select_related("organization").get(pk=pledge.pk)
    require(perm.can_edit_pledge(by, locked.organization))
    locked.check_version(expected_version)
    if locked.state != PledgeState.ACTIVE:
        raise DomainError(_("只有质押中的记录可以修改。"))
    merged = {k: getattr(locked, k) for k in PLEDGE_FIELDS} | {
        k: values[k] for k in PLEDGE_FIELDS if k in values
    }
    _check_pledge(merged)
    patents = (
        _pledgeable(locked.organization, patent_ids, exclude_pledge_id=locked.pk)
        if patent_ids is not None
        else None
    )
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.bump_version()
    locked.save()
    if patents is not None:
        locked.patents.set(patents)
    return locked


@acting
def pledge_release(
    *, pledge: PledgeFinancing, reason: str = "", expected_version=None, by
) -> PledgeFinancing:
    """The loan is repaid and the pledge released; its patents may be pledged again."""
    return PLEDGE_WORKFLOW.apply(
        instance=pledge, action="release", by=by, reason=reason, expected_version=expected_version
    )


@acting
def pledge_default(*, pledge: PledgeFinancing, reason: str, expected_version=None, by) -> PledgeFinancing:
    """The loan is in default and the pledged patents are being disposed of."""
    return PLEDGE_WORKFLOW.apply(
        instance=pledge, action="default", by=by, reason=reason, expected_version=expected_version
    )


# ---------------------------------------------------------------------------------------------
# Enforcement cases

CASE_FIELDS = (
    "case_no",
    "kind",
    "patent",
    "patent_number",
    "complainant",
    "complainant_organization",
    "respondent",
    "respondent_organization",
    "received_on",
    "summary",
)
STEP_STATES = (CaseState.INVESTIGATING, CaseState.MEDIATING)


@acting
@transaction.atomic
def case_open(*, region, values: dict, by) -> EnforcementCase:
    """Register a case received by `region`'s bureau."""
    require(perm.can_handle_case(by, region.pk))
    values = {k: values[k] for k in CASE_FIELDS if k in values}
    values["case_no"] = (values.get("case_no") or "").strip()
    if not values["case_no"]:
        raise DomainError(_("请填写案号。"), field="case_no")
    if not (values.get("complainant") or "").strip() or not (values.get("respondent") or "").strip():
        raise DomainError(_("请填写请求人和被请求人。"), field="complainant")
    if EnforcementCase.objects.filter(region=region, case_no=values["case_no"]).exists():
        raise DomainError(_("本地区已有案号为“%(no)s”的案件。") % {"no": values["case_no"]}, field="case_no")
    if values.get("patent") is not None and not values.get("patent_number"):
        values["patent_number"] = values["patent"].application_no
    case = EnforcementCase.objects.create(region=region, **values)
    record_transition(instance=case, by=by, from_state="", to_state=CaseState.RECEIVED)
    return case


def _lock_case(case: EnforcementCase, by, expected_version) -> EnforcementCase:
    locked = EnforcementCase.objects.select_for_update().get(pk=case.pk)
    require(perm.can_handle_case(by, locked.region_id))
    locked.check_version(expected_version)
    if locked.state == CaseState.CLOSED:
        raise DomainError(_("案件已结案，不能再办理。"))
    return locked


@acting
@transaction.atomic
def case_step_add(
    *,
    case: EnforcementCase,
    happened_on: date,
    action: str,
    note: str = "",
    state: str = "",
    expected_version=None,
    by,
) -> CaseStep:
    """Append a handling step; it may move the case to investigating or mediating."""
    locked = _lock_case(case, by, expected_version)
    if not (action or "").strip():
        raise DomainError(_("请填写处理环节。"), field="action")
    if happened_on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天。"), field="happened_on")
    if happened_on < locked.received_on:
        raise DomainError(_("日期不能早于受理日期。"), field="happened_on")
    step = CaseStep.objects.create(
        case=locked, happened_on=happened_on, action=action.strip(), note=note, by=by
    )
    if state and state != locked.state:
        if state not in STEP_STATES:
            raise DomainError(_("结案请使用“结案”操作。"), field="state")
        source = locked.state
        locked.state = state
        locked.bump_version()
        locked.save()
        record_transition(instance=locked, by=by, from_state=source, to_state=state, reason=action.strip())
    return step


@acting
@transaction.atomic
def case_close(
    *, case: EnforcementCase, outcome: str, closed_on: date, note: str = "", expected_version=None, by
) -> EnforcementCase:
    """Close the case with its outcome; a closing step is added to the timeline."""
    locked = _lock_case(case, by, expected_version)
    if outcome not in CaseOutcome.values or outcome == CaseOutcome.NONE:
        raise DomainError(_("结案须选择结果。"), field="outcome")
    if closed_on is None or closed_on < locked.received_on or closed_on > timezone.localdate():
        raise DomainError(_("结案日期须在受理日期至今天之间。"), field="closed_on")
    CaseStep.objects.create(
        case=locked,
        happened_on=closed_on,
        action=str(_("结案：%(outcome)s") % {"outcome": CaseOutcome(outcome).label}),
        note=note,
        by=by,
    )
    source = locked.state
    locked.state = CaseState.CLOSED
    locked.outcome = outcome
    locked.closed_on = closed_on
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=source, to_state=CaseState.CLOSED, reason=note)
    return locked
