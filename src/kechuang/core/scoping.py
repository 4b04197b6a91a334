"""Region scoping: the one helper every selector uses to confine a query to the user's region."""

from django.db.models import QuerySet


def user_region_codes(user) -> list[str] | None:
    """Codes a region-scoped user may see, or None for no region limit (a superuser without region)."""
    from kechuang.regions.selectors import regions_under

    if user.is_superuser and not user.region_id:
        return None
    if not user.region_id:
        return []
    return regions_under(user.region_id)


def scope_by_region(qs: QuerySet, user, field: str = "region") -> QuerySet:
    """Keep only the rows whose `field` (a region FK) lies in the user's region."""
    codes = user_region_codes(user)
    if codes is None:
        return qs
    return qs.filter(**{f"{field}_id__in": codes})


def region_within_user_scope(user, region_code: str | None) -> bool:
    codes = user_region_codes(user)
    return codes is None or (region_code is not None and region_code in codes)
