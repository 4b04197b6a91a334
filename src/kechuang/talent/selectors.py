"""Reads of the talent app; every list is scoped here.

The bureau and the officers see their region: dispatches by their town, talents and foreign experts by their
organization's region, commissioners sent from or to their region (and those not yet dispatched). An
organization's users see their own commissioners, dispatches, talents and foreign experts.
"""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from kechuang.core.scoping import scope_by_region, user_region_codes
from kechuang.regions.models import Region

from .models import Commissioner, Dispatch, ForeignExpert, Talent, TalentProgram, WorkLog


def _org_id(user) -> int | None:
    return user.active_organization_id if user.is_authenticated and user.acts_for_organization else None


def commissioners_visible_to(*, user) -> QuerySet[Commissioner]:
    qs = Commissioner.objects.select_related("organization")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        codes = user_region_codes(user)
        if codes is None:
            return qs
        sent_here = Dispatch.objects.filter(town_id__in=codes).values("commissioner_id")
        return qs.filter(
            Q(organization__region_id__in=codes) | Q(pk__in=sent_here) | Q(dispatches__isnull=True)
        ).distinct()
    if org := _org_id(user):
        return qs.filter(organization_id=org)
    return qs.none()


def commissioners_listed(*, user, kind="", town="", year=None, q="") -> QuerySet[Commissioner]:
    """The commissioner list: filters by kind, town served, year served and keyword; each row with its
    dispatches (and their towns) in one more query."""
    qs = commissioners_visible_to(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    dispatches = Dispatch.objects.all()
    if town:
        dispatches = dispatches.filter(town_id=town)
    if year:
        dispatches = dispatches.filter(starts_on__lte=date(year, 12, 31), ends_on__gte=date(year, 1, 1))
    if town or year:
        qs = qs.filter(pk__in=dispatches.values("commissioner_id"))
    if q := (q or "").strip():
        qs = qs.filter(
            Q(name__contains=q)
            | Q(leader__contains=q)
            | Q(specialty__contains=q)
            | Q(organization__name__contains=q)
        )
    return qs.prefetch_related(
        Prefetch(
            "dispatches",
            queryset=Dispatch.objects.select_related("town").order_by("-starts_on", "pk"),
        )
    ).order_by("name", "pk")


def commissioner_get_visible(*, user, pk) -> Commissioner | None:
    return commissioners_visible_to(user=user).filter(pk=pk).first()


def dispatches_visible_to(*, user) -> QuerySet[Dispatch]:
    qs = Dispatch.objects.select_related("commissioner", "commissioner__organization", "town", "town__parent")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user, field="town")
    if org := _org_id(user):
        return qs.filter(commissioner__organization_id=org)
    return qs.none()


def dispatches_of(*, user, commissioner: Commissioner) -> QuerySet[Dispatch]:
    """A commissioner's dispatches the user may open, each with its number of log lines."""
    return (
        dispatches_visible_to(user=user)
        .filter(commissioner=commissioner)
        .annotate(log_count=Count("work_logs"))
        .order_by("-starts_on", "pk")
    )


def dispatch_get_visible(*, user, pk) -> Dispatch | None:
    return dispatches_visible_to(user=user).filter(pk=pk).first()


def work_logs_of(*, dispatch: Dispatch, year: int | None = None) -> QuerySet[WorkLog]:
    qs = WorkLog.objects.filter(dispatch=dispatch).select_related("written_by")
    if year:
        qs = qs.filter(happened_on__range=(date(year, 1, 1), date(year, 12, 31)))
    return qs.order_by("-happened_on", "-pk")


def work_log_get_visible(*, user, pk) -> WorkLog | None:
    return (
        WorkLog.objects.filter(pk=pk, dispatch__in=dispatches_visible_to(user=user))
        .select_related("dispatch", "dispatch__commissioner", "dispatch__town")
        .first()
    )


def towns_visible_to(*, user) -> QuerySet[Region]:
    """Towns the user may look at (for the town summary and the filters)."""
    qs = Region.objects.filter(level="town").select_related("parent").order_by("path")
    if user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        return _scope_codes(qs, user)
    return qs.none()


def _scope_codes(qs: QuerySet[Region], user) -> QuerySet[Region]:
    codes = user_region_codes(user)
    return qs if codes is None else qs.filter(pk__in=codes)


# ---------------------------------------------------------------------------------------------------------
# Talents and foreign experts


def talent_programs_visible_to(*, user) -> QuerySet[TalentProgram]:
    """Programs are public to signed-in users; each with its number of talents."""
    if not user.is_authenticated:
        return TalentProgram.objects.none()
    return TalentProgram.objects.select_related("region").annotate(talent_count=Count("talents"))


def talent_programs_for(*, user) -> QuerySet[TalentProgram]:
    """Programs a bureau user may select talents under: their region's, those above it and below it."""
    qs = TalentProgram.objects.select_related("region").order_by("name")
    codes = user_region_codes(user)
    if codes is None:
        return qs
    above = [code for code in (user.region.path.strip("/").split("/") if user.region_id else []) if code]
    return qs.filter(region_id__in=[*codes, *above])


def talents_visible_to(*, user) -> QuerySet[Talent]:
    qs = Talent.objects.select_related("program", "organization", "organization__region")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user, field="organization__region")
    if org := _org_id(user):
        return qs.filter(organization_id=org)
    return qs.none()


def foreign_experts_visible_to(*, user) -> QuerySet[ForeignExpert]:
    qs = ForeignExpert.objects.select_related("organization", "organization__region", "workstation")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user, field="organization__region")
    if org := _org_id(user):
        return qs.filter(organization_id=org)
    return qs.none()
