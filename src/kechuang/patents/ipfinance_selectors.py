"""Reads of the IP finance pages: pledges (the region's for the bureau and officers, its own for an organization),
enforcement cases (the bureau and officers of the region only) and demonstration enterprises (专利示范企业)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from kechuang.organizations.enums import QualificationKind
from kechuang.organizations.models import Qualification

from .enums import CaseState, PatentStatus, PledgeState
from .models import EnforcementCase, Patent, PledgeFinancing
from .subsidy_selectors import _region_codes, history_of


def pledges_visible_to(*, user) -> QuerySet[PledgeFinancing]:
    codes = _region_codes(user)
    qs = PledgeFinancing.objects.select_related("organization").annotate(n_patents=Count("patents"))
    if codes is None:
        return qs
    visible = Q(organization__region_id__in=codes) if codes else Q(pk__in=[])
    if user.active_organization_id:
        visible |= Q(organization_id=user.active_organization_id)
    return qs.filter(visible)


def pledge_get_visible(*, user, pk: int) -> PledgeFinancing | None:
    return pledges_visible_to(user=user).select_related("organization__region").filter(pk=pk).first()


def pledge_history(pledge: PledgeFinancing):
    return history_of(pledge, dict(PledgeState.choices))


def pledgeable_patents(*, organization) -> QuerySet[Patent]:
    """The organization's granted patents in force (the service checks again, with locks)."""
    return Patent.objects.filter(
        organization=organization, status=PatentStatus.GRANTED, lapsed_on__isnull=True
    ).order_by("-granted_on", "pk")


def cases_visible_to(*, user) -> QuerySet[EnforcementCase]:
    """Only the bureau and officers of the case's region (and superusers)."""
    codes = _region_codes(user)
    qs = EnforcementCase.objects.select_related("region", "patent")
    if codes is None:
        return qs
    return qs.filter(region_id__in=codes) if codes else qs.none()


def case_get_visible(*, user, pk: int) -> EnforcementCase | None:
    return cases_visible_to(user=user).filter(pk=pk).first()


def case_steps(case: EnforcementCase):
    return list(case.steps.select_related("by").order_by("happened_on", "id"))


def case_history(case: EnforcementCase):
    return history_of(case, dict(CaseState.choices))


def demo_enterprises(*, user, day: date) -> QuerySet[Qualification]:
    """专利示范企业 in force on `day`, with each organization's granted and invention patent counts.

    Region users see their region's; everyone else sees them all (the recognition is public).
    """
    codes = _region_codes(user)
    qs = Qualification.objects.in_force(day).filter(kind=QualificationKind.PATENT_DEMO)
    if codes:
        qs = qs.filter(organization__region_id__in=codes)
    return (
        qs.select_related("organization__region")
        .annotate(
            n_patents=Count(
                "organization__patents", filter=Q(organization__patents__status=PatentStatus.GRANTED)
            ),
            n_inventions=Count(
                "organization__patents",
                filter=Q(
                    organization__patents__status=PatentStatus.GRANTED,
                    organization__patents__kind="invention",
                ),
            ),
        )
        .order_by("-n_patents", "organization__name")
    )
