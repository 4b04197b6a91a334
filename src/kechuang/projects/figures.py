"""Per-call and per-program figures: applications, recommended, checked, reviewed, approved, funding, speed."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count

from kechuang.core.models import AuditLog

from .enums import ApplicationState
from .models import Application, Call

# When the bureau has decided (三审一决策): the decision meeting's yes shows as the public notice that follows it
# (in_notice); a no as not_approved. The notice period after a yes is not decision time, so approval is not
# the end point; an objection upheld later does not move the decision date either (the first one counts).
DECISION_STATES = [ApplicationState.IN_NOTICE, ApplicationState.NOT_APPROVED]


@dataclass
class Figures:
    label: str
    applications: int = 0  # submitted (has a receipt number)
    recommended: int = 0  # ever recommended by the locality
    checked: int = 0  # ever passed the formal check
    reviewed: int = 0
    approved: int = 0
    funding: Decimal = Decimal("0")
    decision_days: list[float] = field(default_factory=list)

    @property
    def average_days(self) -> float | None:
        """Average days from submission to decision (None until a decision exists)."""
        return round(sum(self.decision_days) / len(self.decision_days), 1) if self.decision_days else None

    def add(self, other: "Figures") -> None:
        for name in ("applications", "recommended", "checked", "reviewed", "approved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.funding += other.funding
        self.decision_days += other.decision_days


def figures_for_calls(calls) -> tuple[list[tuple[Call, Figures]], list[Figures]]:
    """Figures per call and totals per program, in a fixed number of queries whatever the number of calls."""
    calls = list(calls)
    per_call = {call.pk: Figures(label=call.title) for call in calls}
    counts = (
        Application.objects.filter(call__in=calls, receipt_number__isnull=False)
        .values("call_id")
        .annotate(n=Count("id"))
    )
    for row in counts:
        per_call[row["call_id"]].applications = row["n"]
    # Stages ever reached come from the audit trail, so a later return or rejection does not hide them.
    ids = dict(Application.objects.filter(call__in=calls).values_list("pk", "call_id"))
    stage_field = {
        ApplicationState.RECOMMENDED: "recommended",
        ApplicationState.CHECKED: "checked",
        ApplicationState.REVIEWED: "reviewed",
        ApplicationState.APPROVED: "approved",
    }
    reached = (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            action=AuditLog.Action.TRANSITION,
            object_id__in=[str(pk) for pk in ids],
            to_state__in=list(stage_field),
        )
        .values_list("object_id", "to_state")
        .distinct()
    )
    for object_id, state in reached:
        figures = per_call[ids[int(object_id)]]
        setattr(figures, stage_field[state], getattr(figures, stage_field[state]) + 1)
    # Funding: approved applications.
    approved = Application.objects.filter(call__in=calls, state=ApplicationState.APPROVED).values_list(
        "call_id", "proposed_amount"
    )
    for call_id, amount in approved:
        per_call[call_id].funding += amount or Decimal("0")
    # Speed: dated by the first audited transition into a decision state (see DECISION_STATES).
    decisions: dict[int, datetime] = {}
    for object_id, at in (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            action=AuditLog.Action.TRANSITION,
            object_id__in=[str(pk) for pk in ids],
            to_state__in=DECISION_STATES,
        )
        .order_by("at", "id")
        .values_list("object_id", "at")
    ):
        decisions.setdefault(int(object_id), at)
    submitted = Application.objects.filter(pk__in=list(decisions), submitted_at__isnull=False).values_list(
        "pk", "call_id", "submitted_at"
    )
    for pk, call_id, submitted_at in submitted:
        per_call[call_id].decision_days.append((decisions[pk] - submitted_at).total_seconds() / 86400)
    programs: dict[int, Figures] = {}
    for call in calls:
        total = programs.setdefault(call.program_id, Figures(label=call.program.name))
        total.add(per_call[call.pk])
    return [(call, per_call[call.pk]) for call in calls], list(programs.values())


def figure_rows(figures: Figures) -> list:
    return [
        figures.label,
        figures.applications,
        figures.recommended,
        figures.checked,
        figures.reviewed,
        figures.approved,
        float(figures.funding),
        figures.average_days,
    ]
