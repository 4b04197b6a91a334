"""Reads of the public catalogue (创新地图): the offerings everyone may see, their filters, and which open voucher
programs accept an offering.

Public means: the offering is active and its provider's profile is verified by the bureau. A provider's own users
also see their offerings that are not public (to check them before the bureau verifies).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.regions.enums import RegionLevel
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from . import permissions as perm
from . import services
from .enums import ProgramState, ProviderState
from .models import Offering, ProviderProfile, VoucherProgram

SORTS = {
    "": ("category", "price", "id"),  # the model's order, read along the index offering_catalogue
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "new": ("-id",),  # ids grow with creation: newest first without a sort of every row
}


ROW_FIELDS = (
    "kind",
    "category",
    "name",
    "price",
    "unit",
    "availability",
    "instrument_model",
    "manufacturer",
    "provider__name",
    "region__name",
    "region__level",
    "region__parent__name",
)


def offerings_public() -> QuerySet[Offering]:
    """Active offerings of verified providers (a semi-join on the profiles: no join a count would pay for)."""
    verified = ProviderProfile.objects.filter(state=ProviderState.VERIFIED).values("organization_id")
    return Offering.objects.filter(active=True, provider_id__in=verified)


PROVIDER_NAME_HITS = 200  # providers whose name has the keyword, passed as a list; more: as a subquery


def _keyword(q: str) -> Q:
    """Offerings whose name, instrument model, manufacturer or provider name contain `q` in any case, or whose
    description contains it as typed, in lower, upper or title case.

    Shaped for PostgreSQL's planner (bench_catalogue): plain LIKE on the columns, whose statistics tell it how
    rare a word is, so a rare keyword is one scan of the table rather than a walk of the whole index in page
    order; a keyword without letters (most Chinese ones) needs no case folding, and the long descriptions are
    never folded (folding every description made a model-number search the slowest case). The providers whose
    name matches are looked up first, among the verified ones, so the offerings' condition is a list of ids."""
    names = ProviderProfile.objects.filter(
        state=ProviderState.VERIFIED, organization__name__icontains=q
    ).values_list("organization_id", flat=True)
    providers = list(names[: PROVIDER_NAME_HITS + 1])
    if len(providers) > PROVIDER_NAME_HITS:
        providers = names
    found = Q(provider_id__in=providers) if providers else Q()
    if q.lower() == q.upper():
        for column in ("name", "description", "instrument_model", "manufacturer"):
            found |= Q(**{f"{column}__contains": q})
        return found
    for column in ("name", "instrument_model", "manufacturer"):
        found |= Q(**{f"{column}__icontains": q})
    for variant in dict.fromkeys((q, q.lower(), q.upper(), q.title())):
        found |= Q(description__contains=variant)
    return found


def offerings_listed(
    *,
    kind: str | None = None,
    category: str | None = None,
    region_code: str | None = None,
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    q: str = "",
    sort: str = "",
) -> QuerySet[Offering]:
    """The catalogue's public offerings for its filters, in order: a region selects itself and every region under
    it; the keyword is looked for in the name, description, instrument model, manufacturer and provider name.

    Lean (no joins): a page reads its ids from it, then `offering_rows` the rows it shows, so the sort of a large
    selection never drags the joined columns along."""
    qs = offerings_public()
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    if region_code:
        qs = qs.filter(region_id__in=regions_under(region_code))
    if price_min is not None:
        qs = qs.filter(price__gte=price_min)
    if price_max is not None:
        qs = qs.filter(price__lte=price_max)
    q = (q or "").strip()
    if q:
        qs = qs.filter(_keyword(q))
    return qs.order_by(*SORTS.get(sort, SORTS[""]))


def offering_rows(ids) -> list[Offering]:
    """The offerings `ids` with their provider and region, in the order of `ids`."""
    # Only what a row shows: every loaded field of an audited record is copied for the audit diff on load.
    found = Offering.objects.select_related("provider", "region__parent").only(*ROW_FIELDS).in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


def catalogue_page(queryset: QuerySet[Offering], number, per_page: int) -> Page:
    """Page `number` of `queryset` (offerings_listed) with its rows: 1 if it is not a page number, the last if
    past the end.

    The page's ids are read first, then its rows (`offering_rows`). No page within the results needs a COUNT:
    when there is a next one (one more id was read), `page.count_deferred` is True and the page asks for the
    count separately (`catalogue_count`), as the enterprise list does; counting tens of thousands of offerings
    against a filter costs more than the rows of a page, and they need not wait for it."""
    ids = queryset.values_list("id", flat=True)
    paginator = Paginator(ids, per_page)
    try:
        wanted = max(int(number or 1), 1)
    except (TypeError, ValueError):
        wanted = 1
    # Any page reads one id more than it shows: a next page exists if it came back. Only a page past the end
    # needs the COUNT (to land on the last page); the others leave it to `catalogue_count`.
    offset = (wanted - 1) * per_page
    read = list(ids[offset : offset + per_page + 1])
    if read or wanted == 1:
        page = Page(read[:per_page], wanted, paginator)
        page.count_deferred = len(read) > per_page
        if not page.count_deferred:
            paginator.count = offset + len(read)  # a cached_property: set, it is never counted
    else:
        page = paginator.get_page(wanted)
        page.count_deferred = False
    page.object_list = offering_rows(list(page.object_list))
    return page


def offering_get_visible(*, user, pk) -> Offering | None:
    """The offering `pk` when it is public, or when `user` acts for its provider; else None. Its provider's
    profile comes along as `offering.profile` (None when the provider never registered)."""
    offering = Offering.objects.select_related("provider", "region__parent").filter(pk=pk).first()
    if offering is None:
        return None
    offering.profile = provider_profile_of(offering.provider_id)
    offering.public = bool(
        offering.active and offering.profile and offering.profile.state == ProviderState.VERIFIED
    )
    if offering.public or perm.can_edit_provider(user, offering.provider_id):
        return offering
    return None


def provider_profile_of(organization_id: int) -> ProviderProfile | None:
    return ProviderProfile.objects.filter(organization_id=organization_id).first()


def offerings_of_provider(organization_id: int) -> QuerySet[Offering]:
    """Every offering of a provider, active or not, for its own page."""
    return (
        Offering.objects.filter(provider_id=organization_id)
        .select_related("region")
        .order_by("-active", "category", "name", "id")
    )


# ---------------------------------------------------------------------------------------------------------
# Regions of the filter


def catalogue_region_choices() -> list:
    """The region filter's choices: each city (with everything under it), then its counties, as option groups."""
    return [
        (city_name, [(city_code, _("%(city)s（全市）") % {"city": city_name}), *counties])
        for city_code, city_name, counties in _region_groups()
    ]


@lru_cache(maxsize=1)
def _region_groups() -> tuple:
    # Regions change only through migrations: read once per process (labels are translated per request).
    rows = list(
        Region.objects.filter(level__in=(RegionLevel.CITY, RegionLevel.COUNTY))
        .order_by("path")
        .values_list("code", "name", "level", "parent_id")
    )
    return tuple(
        (code, name, tuple((c, n) for c, n, lv, p in rows if lv == RegionLevel.COUNTY and p == code))
        for code, name, level, _parent in rows
        if level == RegionLevel.CITY
    )


# ---------------------------------------------------------------------------------------------------------
# Which open programs accept an offering


@dataclass(frozen=True)
class Acceptance:
    program: VoucherProgram
    categories: frozenset[str]
    region_ids: frozenset[str]

    def accepts(self, offering: Offering) -> bool:
        return offering.category in self.categories and offering.region_id in self.region_ids


class ProgramAcceptance:
    """The open programs and the regions and categories each accepts, read once per request on first use."""

    def __init__(self, today=None):
        self.today = today or timezone.localdate()
        self._rules: list[Acceptance] | None = None

    @property
    def rules(self) -> list[Acceptance]:
        if self._rules is None:
            programs = (
                VoucherProgram.objects.filter(state=ProgramState.OPEN, ends_on__gte=self.today)
                .select_related("region")
                .only("name", "categories", "ends_on", "region__name")
                .order_by("region_id", "-starts_on", "id")
            )
            self._rules = [
                Acceptance(
                    program=program,
                    categories=frozenset(program.categories or ()),
                    region_ids=frozenset(services.accepted_region_ids(program)),
                )
                for program in programs
            ]
        return self._rules

    def programs_for(self, offering: Offering) -> list[VoucherProgram]:
        return [rule.program for rule in self.rules if rule.accepts(offering)]


def program_acceptance(request) -> ProgramAcceptance:
    """The request's ProgramAcceptance (one per request, so each program's regions are read once)."""
    cached = getattr(request, "_voucher_acceptance", None)
    if cached is None:
        cached = request._voucher_acceptance = ProgramAcceptance()
    return cached
