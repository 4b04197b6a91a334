"""Annual summaries and figures of the talent app, as plain dicts (the pages and the annual report read them).

Counting rules: a work log line counts in the year of its date (`happened_on`) and stands for `quantity` items of
its kind ("实施项目3个" is one line of quantity 3); attendance is summed over training lines. A dispatch serves a
year when its term overlaps it. Region figures count the logs of dispatches to towns within the region. Talents
count in their selection year by their organization's region, withdrawn ones left out; a foreign expert is engaged
in the year their term starts and active at year end when the term covers 31 December.
"""

from datetime import date

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from kechuang.regions.selectors import regions_under

from .enums import Engagement, TalentKind, TalentState, WorkKind
from .models import Commissioner, Dispatch, ForeignExpert, Talent, WorkLog


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _serving(qs, year: int):
    first, last = _year_range(year)
    return qs.filter(starts_on__lte=last, ends_on__gte=first)


def work_totals(logs) -> dict:
    """Lines and quantities per WorkKind (every kind present, in the enum's order) and total attendance."""
    rows = {
        row["kind"]: row
        for row in logs.order_by().values("kind").annotate(lines=Count("pk"), quantity=Sum("quantity"))
    }
    attendance = logs.filter(kind=WorkKind.TRAINING).aggregate(n=Sum("attendance"))["n"] or 0
    by_kind = {
        kind.value: {
            "label": kind.label,
            "lines": rows.get(kind.value, {}).get("lines", 0),
            "quantity": rows.get(kind.value, {}).get("quantity") or 0,
        }
        for kind in WorkKind
    }
    return {
        "by_kind": by_kind,
        "attendance": attendance,
        "lines": sum(item["lines"] for item in by_kind.values()),
    }


def _log_line(log: WorkLog) -> dict:
    return {
        "id": log.pk,
        "date": log.happened_on,
        "kind": log.kind,
        "kind_label": log.get_kind_display(),
        "title": log.title,
        "quantity": log.quantity,
        "attendance": log.attendance,
        "town": log.dispatch.town.name,
        "commissioner": log.dispatch.commissioner.name,
    }


def commissioner_summary(*, commissioner: Commissioner, year: int, region_code: str | None = None) -> dict:
    """A commissioner's year: totals per kind, attendance, towns served and every log line (oldest first)."""
    first, last = _year_range(year)
    dispatches = Dispatch.objects.filter(commissioner=commissioner)
    if region_code:
        dispatches = dispatches.filter(town_id__in=regions_under(region_code))
    logs = WorkLog.objects.filter(dispatch__in=dispatches, happened_on__range=(first, last))
    towns = _serving(dispatches, year).values_list("town__name", flat=True).order_by("town__path").distinct()
    lines = [
        _log_line(log)
        for log in logs.select_related("dispatch__town", "dispatch__commissioner").order_by(
            "happened_on", "pk"
        )
    ]
    return {
        "commissioner": commissioner.name,
        "commissioner_id": commissioner.pk,
        "year": year,
        **work_totals(logs),
        "towns": list(towns),
        "log_lines": lines,
    }


def town_summary(*, town_code: str, year: int) -> dict:
    """A town's year: the commissioners serving it, with each one's totals, and the town's totals."""
    first, last = _year_range(year)
    dispatches = _serving(Dispatch.objects.filter(town_id=town_code), year)
    logs = WorkLog.objects.filter(dispatch__town_id=town_code, happened_on__range=(first, last))
    per_commissioner = {
        row["dispatch__commissioner_id"]: row
        for row in logs.order_by()
        .values("dispatch__commissioner_id")
        .annotate(
            lines=Count("pk"),
            attendance=Sum("attendance", filter=Q(kind=WorkKind.TRAINING)),
        )
    }
    commissioners = []
    seen = set()
    for dispatch in dispatches.select_related("commissioner", "commissioner__organization").order_by(
        "commissioner__name", "pk"
    ):
        if dispatch.commissioner_id in seen:
            continue
        seen.add(dispatch.commissioner_id)
        row = per_commissioner.get(dispatch.commissioner_id, {})
        commissioners.append(
            {
                "id": dispatch.commissioner_id,
                "name": dispatch.commissioner.name,
                "kind": dispatch.commissioner.get_kind_display(),
                "organization": dispatch.commissioner.organization.name,
                "lines": row.get("lines", 0),
                "attendance": row.get("attendance") or 0,
            }
        )
    return {
        "town_code": town_code,
        "year": year,
        **work_totals(logs),
        "commissioners": commissioners,
        "commissioner_count": len(commissioners),
    }


def commissioner_figures(*, region_code: str, year: int) -> dict:
    """The bureau's figures for a region and year ("实施项目N个，推广新技术N项，举办培训N期，培训N人次")."""
    first, last = _year_range(year)
    codes = regions_under(region_code)
    dispatches = _serving(Dispatch.objects.filter(town_id__in=codes), year)
    logs = WorkLog.objects.filter(dispatch__town_id__in=codes, happened_on__range=(first, last))
    totals = work_totals(logs)
    kinds = totals["by_kind"]
    return {
        "region_code": region_code,
        "year": year,
        **totals,
        "dispatches": dispatches.count(),
        "commissioners": dispatches.values("commissioner_id").distinct().count(),
        "towns": dispatches.values("town_id").distinct().count(),
        "projects": kinds[WorkKind.PROJECT]["quantity"],
        "technologies": kinds[WorkKind.TECHNOLOGY]["quantity"],
        "trainings": kinds[WorkKind.TRAINING]["quantity"],
        # The sentence the annual report quotes, in the bureau's words.
        "sentence": _(
            "实施项目%(projects)s个，推广新技术%(technologies)s项，举办培训%(trainings)s期，培训%(attendance)s人次"
        )
        % {
            "projects": kinds[WorkKind.PROJECT]["quantity"],
            "technologies": kinds[WorkKind.TECHNOLOGY]["quantity"],
            "trainings": kinds[WorkKind.TRAINING]["quantity"],
            "attendance": totals["attendance"],
        },
    }


def talent_figures(*, region_code: str, year: int) -> dict:
    """Talents selected in the year (by kind and program), foreign experts engaged in it, active at its end (by
    engagement), and the workstations with an expert at year end, for organizations within the region."""
    first, last = _year_range(year)
    codes = regions_under(region_code)
    talents = Talent.objects.filter(organization__region_id__in=codes, year=year).exclude(
        state=TalentState.WITHDRAWN
    )
    kind_counts = dict(talents.order_by().values_list("kind").annotate(n=Count("pk")))
    by_program = [
        {"program_id": row["program_id"], "program": row["program__name"], "count": row["n"]}
        for row in talents.order_by("program__name")
        .values("program_id", "program__name")
        .annotate(n=Count("pk"))
    ]
    experts = ForeignExpert.objects.filter(organization__region_id__in=codes)
    active = experts.filter(starts_on__lte=last, ends_on__gte=last)
    engagement_counts = dict(active.order_by().values_list("engagement").annotate(n=Count("pk")))
    return {
        "region_code": region_code,
        "year": year,
        "talents": sum(kind_counts.values()),
        "talents_by_kind": {kind.value: kind_counts.get(kind.value, 0) for kind in TalentKind},
        "talents_by_program": by_program,
        "foreign_experts_engaged": experts.filter(starts_on__range=(first, last)).count(),
        "foreign_experts_active": sum(engagement_counts.values()),
        "foreign_experts_by_engagement": {e.value: engagement_counts.get(e.value, 0) for e in Engagement},
        "workstations_with_experts": active.filter(workstation__isnull=False)
        .values("workstation_id")
        .distinct()
        .count(),
    }
