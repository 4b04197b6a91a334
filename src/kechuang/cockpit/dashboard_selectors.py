"""Reads for the dashboard pages: which regions a user may look at, and a figure's records as a short table.

The records table is generic (any model a module's figure counts): `str(record)` and up to four fields chosen
from the model's `_meta`, with a link to the record's own page when the model has `get_absolute_url` or is in
`RECORD_PAGES`. Foreign keys are read with the rows (`select_related`), so a page of 20 takes one query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kechuang.regions.enums import RegionLevel
from kechuang.regions.models import Region

# The page of a record, for models without get_absolute_url: "app_label.model" -> (url name, attribute giving
# the url's argument). A name that does not resolve (an area not built yet) is skipped.
RECORD_PAGES: dict[str, tuple[str, str]] = {
    "organizations.organization": ("enterprises:detail", "pk"),
    "organizations.qualification": ("enterprises:detail", "organization_id"),
    "enterprises.annualdata": ("enterprises:detail", "organization_id"),
    "market.listing": ("market:listing_detail", "pk"),
    "market.matchmakingevent": ("market:event_detail", "pk"),
    "market.meeting": ("market:event_detail", "event_id"),
    "market.contractregistration": ("market:contract_detail", "pk"),
    "vouchers.ledgerentry": ("vouchers:booking", "booking_id"),
    "vouchers.booking": ("vouchers:booking", "pk"),
    "vouchers.quota": ("vouchers:quota", "pk"),
    "carriers.carrier": ("carriers:detail", "pk"),
    "patents.patent": ("patents:patent", "pk"),
    "patents.pledgefinancing": ("patents:pledge", "pk"),
    "patents.enforcementcase": ("patents:case", "pk"),
    "payouts.payoutclaim": ("payouts:claim", "pk"),
    "inquiries.inquiry": ("inquiries:detail", "pk"),
}

_SKIPPED = {"id", "created_at", "updated_at", "version", "path", "name", "title", "password"}
_SKIPPED_TYPES = (models.TextField, models.JSONField, models.FileField, models.BinaryField)
COLUMNS = 4


def dashboard_regions(user) -> list[Region]:
    """The regions the user may choose on the dashboard: their own, and the counties under it (a city's bureau
    chooses the city or one of its counties; a county bureau and a town officer see their own region)."""
    if user.region_id:
        own = Region.objects.get(pk=user.region_id)
    else:  # a superuser without a region: the first city
        own = Region.objects.filter(level=RegionLevel.CITY).order_by("code").first()
        if own is None:
            return []
    children = Region.objects.filter(parent_id=own.code, level=RegionLevel.COUNTY).order_by("code")
    return [own, *children]


def default_year() -> int:
    """Last year: the last whole year of figures."""
    return timezone.localdate().year - 1


def year_choices() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 12, -1))


# --------------------------------------------------------------------------------------------
# A figure's records


@dataclass(frozen=True)
class Column:
    name: str
    label: str


def _rank(field) -> int | None:
    """Which fields make a short description of a record: links to who and where first, then states and kinds,
    dates, amounts, other short values. None: not shown."""
    if field.primary_key or field.name in _SKIPPED or isinstance(field, _SKIPPED_TYPES):
        return None
    if field.is_relation:
        if not field.many_to_one and not field.one_to_one:
            return None
        if field.related_model._meta.label_lower == "accounts.user":
            return None
        return 0
    if field.choices:
        return 1
    if isinstance(field, models.DateField | models.DateTimeField):
        return 2
    if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField):
        return 3
    if isinstance(field, models.CharField) and field.max_length and field.max_length <= 100:
        return 4
    return None


def record_columns(model) -> list[Column]:
    """Up to `COLUMNS` fields describing a record of `model`, in the model's own field order."""
    fields = [f for f in model._meta.concrete_fields if _rank(f) is not None]
    chosen = sorted(sorted(fields, key=lambda f: (_rank(f), fields.index(f)))[:COLUMNS], key=fields.index)
    return [Column(f.name, str(f.verbose_name)) for f in chosen]


def records_for_table(qs: QuerySet) -> QuerySet:
    """The figure's records with their foreign keys read along (one query per page), in a stable order."""
    relations = [
        f.name for f in qs.model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)
    ]
    qs = qs.select_related(*relations)
    if not qs.ordered:
        qs = qs.order_by("pk")
    return qs


def record_url(record) -> str | None:
    """The record's own page, when there is one."""
    if hasattr(record, "get_absolute_url"):
        try:
            return record.get_absolute_url()
        except NoReverseMatch:
            return None
    page = RECORD_PAGES.get(record._meta.label_lower)
    if page is None:
        return None
    name, attribute = page
    argument = getattr(record, attribute, None)
    if argument is None:
        return None
    try:
        return reverse(name, args=[argument])
    except NoReverseMatch:
        return None


def _cell(record, column: Column) -> str:
    field = record._meta.get_field(column.name)
    if field.is_relation:
        related = getattr(record, column.name)
        return "" if related is None else str(related)
    if field.choices:
        return str(getattr(record, f"get_{column.name}_display")())
    value = getattr(record, column.name)
    if value is None:
        return ""
    if isinstance(field, models.DateTimeField):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(field, models.BooleanField):
        return "✓" if value else "—"
    return str(value)


def record_rows(records, columns: list[Column]) -> list[dict]:
    """The rows of the records table: text, link and cells."""
    return [
        {
            "text": str(record),
            "url": record_url(record),
            "cells": [(c.label, _cell(record, c)) for c in columns],
        }
        for record in records
    ]
