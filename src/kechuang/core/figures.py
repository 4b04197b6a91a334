"""A figure the bureau publishes, with the records it was computed from.

Every module's `figures.report_figures(region, year)` returns a list of these for the annual report (工作总结) and
the dashboard: the number, its unit, and the queryset behind it, so each number can be traced to its records.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet


@dataclass(eq=False)
class Figure:
    """A number and the records it was computed from."""

    label: str
    value: int | Decimal | None
    records: QuerySet
    unit: str = ""
    parts: tuple[Figure, ...] = ()

    def part(self, label: str) -> Figure:
        return next(p for p in self.parts if p.label == label)
