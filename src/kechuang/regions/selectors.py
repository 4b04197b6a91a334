from functools import lru_cache

from .models import Region


def regions_under(region: Region | str) -> list[str]:
    """Codes of `region` and of every region below it."""
    return list(_codes_under(region.code if isinstance(region, Region) else region))


@lru_cache(maxsize=512)
def _codes_under(code: str) -> tuple[str, ...]:
    # Regions change only through migrations, so caching per process is safe; tests clear it.
    path = Region.objects.values_list("path", flat=True).get(pk=code)
    return tuple(Region.objects.filter(path__startswith=path).values_list("code", flat=True))


def clear_region_cache() -> None:
    _codes_under.cache_clear()
    _choices_under.cache_clear()


def region_choices(root_code: str | None) -> tuple[tuple[str, str], ...]:
    """(code, label) of every region below the province, in tree order, limited to root_code's subtree:
    what a region select box offers, without reading and labelling 141 regions on every page."""
    return _choices_under(root_code)


@lru_cache(maxsize=512)
def _choices_under(root_code: str | None) -> tuple[tuple[str, str], ...]:
    qs = Region.objects.exclude(level="province").select_related("parent").order_by("path")
    if root_code is not None:
        qs = qs.filter(path__startswith=Region.objects.values_list("path", flat=True).get(pk=root_code))
    return tuple((region.code, region.choice_label) for region in qs)


def regions_for_choice(root: Region | None = None, max_level: str | None = None):
    """Regions in tree order for a select box, optionally limited to a subtree."""
    qs = Region.objects.all()
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    if max_level == "county":
        qs = qs.exclude(level="town")
    return qs.order_by("path")


def label_regions(field) -> None:
    """Make a region ModelChoiceField show towns with their county and load parents in one query."""
    field.queryset = field.queryset.select_related("parent")
    field.label_from_instance = lambda region: region.choice_label
