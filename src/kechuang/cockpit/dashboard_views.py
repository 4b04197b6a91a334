"""Pages of the dashboard (科技大脑): the figures of a region and year with targets, trends and ranking, and the
drill-down from any figure (or part of one) to the records it was computed from.

Bureau users and town officers only; the region asked for is checked on the server on every page (a region
outside the user's is refused with 403, whatever the address says).
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from kechuang.core.views import paginate, render_denied
from kechuang.regions.models import Region

from . import dashboard
from . import permissions as perm
from .dashboard_selectors import (
    dashboard_regions,
    default_year,
    record_columns,
    record_rows,
    records_for_table,
    year_choices,
)

MIN_YEAR, MAX_YEAR = 2000, 2100
TARGETS = "targets"  # drill-down into an indicator's actual (targets app) rather than a module's figure


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if MIN_YEAR <= year <= MAX_YEAR else default


def _trend_rows(trend: dict) -> list[dict]:
    """The trend table: one row per figure, one cell per year."""
    return [
        {**series, "cells": list(zip(trend["years"], series["displays"], strict=True))}
        for series in trend["series"]
    ]


def _ranking_rows(ranking: dict) -> list[dict]:
    """The ranking table: one row per child region, one cell (display, number to sort by) per figure."""
    return [
        {
            **place,
            "cells": [
                {
                    "module": s["module"],
                    "index": s["index"],
                    "display": s["displays"][i],
                    "sort": "" if s["values"][i] is None else s["values"][i],
                }
                for s in ranking["series"]
            ],
        }
        for i, place in enumerate(ranking["regions"])
    ]


class _Refused(Exception):
    def __init__(self, response):
        super().__init__()
        self.response = response


def _scope(request) -> tuple[list[Region], Region, int]:
    """The regions the user may choose, the region asked for (checked) and the year."""
    decision = perm.can_view_dashboard(request.user)
    if not decision:
        raise _Refused(render_denied(request, decision.reason))
    regions = dashboard_regions(request.user)
    if not regions:
        raise _Refused(render_denied(request, _("您的账号未设置所属地区。")))
    code = request.GET.get("region") or regions[0].code
    decision = perm.can_view_dashboard_region(request.user, code)
    if not decision:
        raise _Refused(render_denied(request, decision.reason))
    region = next((r for r in regions if r.code == code), None) or Region.objects.filter(pk=code).first()
    if region is None:
        raise Http404
    return regions, region, _year(request.GET.get("year"), default_year())


def dashboard_view(view):
    """Signed in, a bureau user or an officer, and a region of theirs: else refused with the reason."""

    @login_required
    @wraps(view)
    def wrapper(request):
        try:
            regions, region, year = _scope(request)
        except _Refused as refused:
            return refused.response
        return view(request, regions, region, year)

    return wrapper


@dashboard_view
def dashboard_page(request, regions, region, year):
    """The year's figures and targets; the trend and the ranking come in their own requests (`dashboard_trend`,
    `dashboard_ranking`), so the first figures show while the other years and regions are computed."""
    return render(
        request,
        "cockpit/dashboard.html",
        {
            "region": region,
            "regions": regions,
            "year": year,
            "years": year_choices(),
            "modules": dashboard.values(region.code, year),
            "progress": dashboard.targets_progress(region.code, year),
        },
    )


def _section(request, template: str, context: dict):
    """A section of the dashboard: the fragment for htmx, a page of its own without JavaScript."""
    context["fragment"] = template
    return render(request, template if request.htmx else "cockpit/dashboard_section.html", context)


@dashboard_view
def dashboard_trend(request, regions, region, year):
    trend = dashboard.trend(region.code, range(year - dashboard.TREND_YEARS + 1, year + 1))
    return _section(
        request,
        "cockpit/dashboard_trend.html",
        {"region": region, "year": year, "trend": trend, "trend_rows": _trend_rows(trend)},
    )


@dashboard_view
def dashboard_ranking(request, regions, region, year):
    ranking = dashboard.ranking(region.code, year)
    return _section(
        request,
        "cockpit/dashboard_ranking.html",
        {"region": region, "year": year, "ranking": ranking, "ranking_rows": _ranking_rows(ranking)},
    )


@login_required
def drill(request, module: str, region: str, year: int, figure: str):
    decision = perm.can_view_dashboard_region(request.user, region)
    if not decision:
        return render_denied(request, decision.reason)
    place = Region.objects.filter(pk=region).first()
    figures, found = None, None
    if place is not None and module == TARGETS:
        found = dashboard.target_figure(region, year, figure)  # an indicator's actual, by indicator code
    elif place is not None:
        figures = dashboard.module_figures(module, region, year)
        found = dashboard.find(figures, figure) if figures is not None else None
    if found is None:
        return render_denied(request, _("没有找到这项数据。"), status=404)
    columns = record_columns(found.records.model)
    page = paginate(request, records_for_table(found.records))
    path = [
        dashboard.find(figures, ".".join(figure.split(".")[: i + 1]))
        for i in range(figure.count(".") if figures else 0)
    ]
    return render(
        request,
        "cockpit/dashboard_drill.html",
        {
            "module": module,
            "module_name": dashboard.module_name(module),
            "region": place,
            "year": year,
            "index": figure,
            "figure": found,
            "parents": [(".".join(figure.split(".")[: i + 1]), f) for i, f in enumerate(path)],
            "parts": [(f"{figure}.{i}", part) for i, part in enumerate(found.parts)] if figures else [],
            "columns": columns,
            "page": page,
            "rows": record_rows(page, columns),
            "model_name": found.records.model._meta.verbose_name,
        },
    )
