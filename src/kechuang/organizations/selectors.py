from django.db.models import QuerySet

from kechuang.core.scoping import scope_by_region

from .models import Organization


def organizations_visible_to(*, user) -> QuerySet[Organization]:
    """Organizations `user` may see: region roles their region, everyone else their own organization."""
    qs = Organization.objects.select_related("region")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user)
    if user.active_organization_id:
        return qs.filter(pk=user.active_organization_id)
    return qs.none()


def organization_get_visible(*, user, pk) -> Organization | None:
    return organizations_visible_to(user=user).filter(pk=pk).first()
