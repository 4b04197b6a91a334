"""Builds the draw module's plain profiles from the database, in a handful of queries per draw."""

from datetime import date

from django.db.models import Count
from django.utils import timezone

from kechuang.organizations.enums import TechField
from kechuang.organizations.selectors import organization_group_ids

from .draw import ApplicationProfile, ConflictRules, DrawResult, ExpertProfile
from .enums import OPEN_ASSIGNMENT_STATES, ConflictKind
from .models import ExpertConflict, ReviewAssignment, ReviewDraw

_TECH_FIELD_BY_LABEL = {str(label): value for value, label in TechField.choices}


def _groups(organization_ids) -> dict[int, frozenset[int]]:
    return {pk: organization_group_ids(pk) for pk in set(organization_ids) if pk}


def open_load(expert_ids, *, exclude_draw=None) -> dict[int, int]:
    """Expert id -> review tasks they hold now (invited or accepted), outside `exclude_draw`."""
    rows = ReviewAssignment.objects.filter(expert_id__in=list(expert_ids), state__in=OPEN_ASSIGNMENT_STATES)
    if exclude_draw is not None:
        rows = rows.exclude(draw_id=exclude_draw.pk)
    return dict(rows.values_list("expert_id").annotate(n=Count("id")).order_by())


def expert_profiles(experts, *, exclude_draw=None) -> list[ExpertProfile]:
    """Profiles for the draw; the load cap left is the expert's cap minus the tasks they hold elsewhere.

    `exclude_draw`: the draw being replayed or topped up, whose own panels the draw module counts.
    """
    experts = list(experts.select_related("organization"))
    groups = _groups(e.organization_id for e in experts)
    held = open_load([e.pk for e in experts], exclude_draw=exclude_draw)
    return [
        ExpertProfile(
            id=e.pk,
            organization_group=groups.get(e.organization_id, frozenset()),
            region_code=e.organization.region_id if e.organization_id else e.region_id,
            field_codes=frozenset(e.field_codes or []),
            text=f"{e.keywords} {e.profile}",
            load_cap=max(0, e.load_cap - held.get(e.pk, 0)),
        )
        for e in experts
    ]


def application_profiles(applications) -> list[ApplicationProfile]:
    applications = list(applications.select_related("organization"))
    groups = _groups(a.organization_id for a in applications)
    profiles = []
    for a in applications:
        codes = {a.organization.tech_field, a.organization.industry}
        codes.add(_TECH_FIELD_BY_LABEL.get(str(a.data.get("field", "")), ""))
        profiles.append(
            ApplicationProfile(
                id=a.pk,
                organization_group=groups[a.organization_id],
                region_code=a.region_id,
                field_codes=frozenset(c for c in codes if c),
                text=f"{a.title} {a.data.get('summary', '')}",
            )
        )
    return profiles


def collaboration_cutoff(today: date) -> date:
    """The earliest end date of a collaboration that still counts: the same day three years ago."""
    try:
        return today.replace(year=today.year - 3)
    except ValueError:  # 29 February: 28 February three years ago is more than three years back
        return date(today.year - 3, 3, 1)


def conflict_rules(*, call, expert_ids, today: date | None = None) -> ConflictRules:
    """Declared conflicts, collaborations of the last three years (to the day), the call's region rule."""
    cutoff = collaboration_cutoff(today or timezone.localdate())
    rows = ExpertConflict.objects.filter(expert_id__in=list(expert_ids)).values_list(
        "expert_id", "organization_id", "kind", "ended_on"
    )
    declared, collaborations = set(), set()
    for expert_id, organization_id, kind, ended_on in rows:
        if kind == ConflictKind.DECLARED:
            declared.add((expert_id, organization_id))
        elif ended_on is None or ended_on >= cutoff:
            collaborations.add((expert_id, organization_id))
    return ConflictRules(
        declared=frozenset(declared),
        collaborations=frozenset(collaborations),
        avoid_applicant_region=bool((call.review_scheme or {}).get("avoid_applicant_region")),
    )


def _int_keys(mapping: dict) -> dict:
    return {int(k): tuple(v) for k, v in (mapping or {}).items()}


def stored_result(draw: ReviewDraw) -> DrawResult:
    """The DrawResult a ReviewDraw recorded, to replace a declining expert under the same rules."""
    return DrawResult(
        panels=_int_keys(draw.panels),
        seed=draw.seed,
        q=float(draw.q),
        k=draw.k,
        expected_fit=draw.expected_fit,
        realized_fit=draw.realized_fit,
        candidate_pool=_int_keys(draw.candidate_pool.get("pool", {})),
        shortfalls={int(k): v for k, v in (draw.shortfalls or {}).items()},
        method=draw.method,
        candidate_fit=_int_keys(draw.candidate_pool.get("fit", {})),
        candidate_probability=_int_keys(draw.candidate_pool.get("probability", {})),
        declined=_int_keys(draw.candidate_pool.get("declined", {})),
    )


def store_result(draw: ReviewDraw, result: DrawResult) -> None:
    draw.panels = {str(k): list(v) for k, v in result.panels.items()}
    draw.shortfalls = {str(k): v for k, v in result.shortfalls.items()}
    draw.candidate_pool = {
        "pool": {str(k): list(v) for k, v in result.candidate_pool.items()},
        "fit": {str(k): [round(f, 6) for f in v] for k, v in result.candidate_fit.items()},
        "probability": {str(k): [round(p, 6) for p in v] for k, v in result.candidate_probability.items()},
        "declined": {str(k): list(v) for k, v in result.declined.items()},
    }
    draw.expected_fit = result.expected_fit
    draw.realized_fit = result.realized_fit
