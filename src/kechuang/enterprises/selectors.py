"""Reads of the enterprise module; every list is scoped here, never in a view."""

from django.db.models import QuerySet

from kechuang.core.scoping import scope_by_region
from kechuang.organizations.enums import OrganizationKind
from kechuang.organizations.models import Organization, Qualification


def enterprises_visible_to(*, user) -> QuerySet[Organization]:
    """Enterprises `user` may see: region roles their region, enterprise users their own enterprise."""
    qs = Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).select_related("region")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user)
    if user.active_organization_id:
        return qs.filter(pk=user.active_organization_id)
    return qs.none()


def enterprise_get_visible(*, user, pk) -> Organization | None:
    return enterprises_visible_to(user=user).filter(pk=pk).first()


def qualifications_visible_to(*, user) -> QuerySet[Qualification]:
    return Qualification.objects.filter(
        organization__in=enterprises_visible_to(user=user).values("pk")
    ).select_related("organization", "organization__region")
