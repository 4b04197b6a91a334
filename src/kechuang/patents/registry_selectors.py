"""What each user may see of the patent registry, and the detail page's history."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from kechuang.core.models import AuditLog
from kechuang.core.scoping import user_region_codes

from .enums import PatentKind, PatentStatus
from .models import Patent, PatentImport


def patents_visible_to(user) -> QuerySet[Patent]:
    """Region-scoped users: the patents of the organizations in their region; an organization's users: its own."""
    qs = Patent.objects.select_related("organization", "organization__region")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser and not user.region_id:
        return qs
    if user.is_region_scoped or user.is_superuser:
        return qs.filter(organization__region_id__in=user_region_codes(user))
    if user.active_organization_id:
        return qs.filter(organization_id=user.active_organization_id)
    return qs.none()


def patent_get_visible(*, user, pk) -> Patent | None:
    return patents_visible_to(user).filter(pk=pk).first()


def imports_visible_to(user) -> QuerySet[PatentImport]:
    qs = PatentImport.objects.select_related("imported_by", "organization")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(imported_by=user)


def import_get_visible(*, user, pk) -> PatentImport | None:
    return imports_visible_to(user).filter(pk=pk).first()


# Bookkeeping and what the page shows anyway: left out of the history lines.
HIDDEN = frozenset({"id", "created_at", "organization"})


@dataclass(frozen=True)
class HistoryLine:
    at: object
    actor: str
    action: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)
    reason: str


def patent_history(patent: Patent) -> list[HistoryLine]:
    """Every recorded create, change and status transition of the patent, oldest first."""
    labels = {f.name: str(f.verbose_name) for f in Patent._meta.concrete_fields}
    statuses = dict(PatentStatus.choices)
    choices = {"status": statuses, "kind": dict(PatentKind.choices)}
    lines = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Patent), object_id=str(patent.pk)
    ).order_by("at", "id")
    history = []
    for line in lines:
        if line.action == AuditLog.Action.TRANSITION:
            changes = [
                (
                    labels["status"],
                    str(statuses.get(line.from_state, line.from_state)),
                    str(statuses.get(line.to_state, line.to_state)),
                )
            ]
        else:
            changes = []
            for name, pair in sorted((line.changes or {}).items()):
                if name in HIDDEN or name not in labels or not isinstance(pair, list) or len(pair) != 2:
                    continue
                if name == "status" and line.action == AuditLog.Action.UPDATE:
                    continue  # the transition line that follows says it
                old, new = ("" if v is None else str(v) for v in pair)
                if name in choices:
                    old, new = str(choices[name].get(old, old)), str(choices[name].get(new, new))
                changes.append((labels[name], old, new))
        history.append(
            HistoryLine(
                at=line.at,
                actor=line.actor_name,
                action=line.get_action_display(),
                changes=changes,
                reason=line.reason,
            )
        )
    return history
