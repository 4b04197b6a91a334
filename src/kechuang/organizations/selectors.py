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


def organization_group_ids(organization_id: int) -> frozenset[int]:
    """The organization, its parents up to the top, and every subsidiary below the top (for 回避)."""
    parents = dict(Organization.objects.filter(pk=organization_id).values_list("pk", "parent_id"))
    top = organization_id
    seen = {top}
    while parents.get(top):
        top = parents[top]
        if top in seen:
            break  # a cycle entered by mistake must not loop forever
        seen.add(top)
        parents.update(Organization.objects.filter(pk=top).values_list("pk", "parent_id"))
    group, frontier = {top}, [top]
    while frontier:
        children = list(
            Organization.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=group)
            .values_list("pk", flat=True)
        )
        group.update(children)
        frontier = children
    return frozenset(group | seen)
