"""Reads of carriers: every list scoped here (bureaus and officers by region, organizations to their own)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kechuang.core.scoping import scope_by_region

from .enums import IncubateeState
from .models import AnnualReport, Carrier, Evaluation, EvaluationScheme, Incubatee


def carriers_visible_to(*, user) -> QuerySet[Carrier]:
    """Bureau and officers: the carriers of their region; an organization's users: the ones it operates."""
    qs = Carrier.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user)
    if user.active_organization_id:
        return qs.filter(operator_id=user.active_organization_id)
    return qs.none()


def carriers_listed(*, user, filters: dict | None = None) -> QuerySet[Carrier]:
    """The list page's rows: with operator and region in the same query."""
    qs = carriers_visible_to(user=user).select_related("operator", "region")
    filters = filters or {}
    for name in ("kind", "level", "state"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("region"):
        from kechuang.regions.selectors import regions_under

        qs = qs.filter(region_id__in=regions_under(filters["region"]))
    keyword = (filters.get("q") or "").strip()
    if keyword:
        qs = qs.filter(
            Q(name__icontains=keyword) | Q(operator__name__icontains=keyword) | Q(certificate_no=keyword)
        )
    return qs.order_by("kind", "-recognized_on", "id")


def carrier_get_visible(*, user, pk) -> Carrier | None:
    return carriers_visible_to(user=user).select_related("operator", "region").filter(pk=pk).first()


def incubatee_counts(carrier: Carrier) -> dict[str, int]:
    counts = dict(
        carrier.incubatees.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state in IncubateeState.values}


def incubatees_with_revenue(carrier: Carrier) -> list[Incubatee]:
    return list(carrier.incubatees.prefetch_related("revenues").order_by("state", "-entered_on", "id"))


def incubatee_get_visible(*, user, pk) -> Incubatee | None:
    return (
        Incubatee.objects.select_related("carrier")
        .filter(pk=pk, carrier__in=carriers_visible_to(user=user))
        .first()
    )


def reports_visible_to(*, user) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(carrier__in=carriers_visible_to(user=user)).select_related(
        "carrier", "carrier__region"
    )


def report_get_visible(*, user, pk) -> AnnualReport | None:
    return reports_visible_to(user=user).filter(pk=pk).first()


def schemes_visible_to(*, user) -> QuerySet[EvaluationScheme]:
    qs = EvaluationScheme.objects.select_related("region")
    if not user.is_authenticated or not (user.is_superuser or user.is_region_scoped):
        return qs.none()
    return scope_by_region(qs, user).annotate(results=Count("evaluations"))


def scheme_results(scheme: EvaluationScheme) -> list[Evaluation]:
    return list(
        scheme.evaluations.select_related("carrier", "carrier__operator", "carrier__region", "report")
    )


def evaluations_of_carrier(carrier: Carrier) -> list[Evaluation]:
    """A carrier's published results (drafts are the bureau's work in progress)."""
    return list(
        carrier.evaluations.filter(scheme__state="published")
        .select_related("scheme")
        .order_by("-scheme__year")
    )
