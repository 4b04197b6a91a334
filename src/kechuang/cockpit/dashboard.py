"""科技大脑: every module's figures for a region and year, their trend over years and their ranking by region.

The figures come from each module's `figures.report_figures(region, year)` (the same ones the annual report
states), found through `SOURCES`: a module without such a function yet is skipped, so the dashboard grows with
the modules. `figures_for` returns the `Figure`s themselves, with their record querysets, for the drill-down;
`values` turns them into plain numbers (module, index, label, unit, value, parts) and keeps them in the Django
cache per (region, year) for `CACHE_SECONDS`, so that the page, the trend (one region, several years) and the
ranking (several regions, one year) reuse what was computed.

A figure is named by its module and its index path in that module's list: "2" is the third figure, "2.1" the
second part of it. Labels are translated strings and may repeat across modules; the index does not.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.utils.translation import get_language

from kechuang.core.figures import Figure
from kechuang.regions.models import Region

SOURCES = ["enterprises", "market", "vouchers", "carriers", "talent", "patents", "payouts", "inquiries"]
CACHE_SECONDS = 300
TREND_YEARS = 5


def source(module: str) -> Callable | None:
    """The module's `report_figures`, or None when it has none (yet)."""
    if module not in SOURCES:
        return None
    name = f"kechuang.{module}.figures"
    try:
        figures = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name in (name, f"kechuang.{module}"):
            return None
        raise
    return getattr(figures, "report_figures", None)


def module_name(module: str) -> str:
    """The app's verbose name (企业培育, 技术市场 …), or its code when it is not installed."""
    try:
        return str(apps.get_app_config(module).verbose_name)
    except LookupError:
        return module


def module_figures(module: str, region_code: str, year: int) -> list[Figure] | None:
    """One module's figures, or None when the module has no `report_figures`."""
    report_figures = source(module)
    return None if report_figures is None else list(report_figures(region_code, year))


def figures_for(region_code: str, year: int) -> list[tuple[str, list[Figure]]]:
    """Every module's figures for the region (and everything under it) and year, in `SOURCES` order."""
    out = []
    for module in SOURCES:
        figures = module_figures(module, region_code, year)
        if figures is not None:
            out.append((module, figures))
    return out


def find(figures: list[Figure], index: str) -> Figure | None:
    """The figure at an index path ("2", "2.1"), or None when there is none."""
    try:
        steps = [int(step) for step in index.split(".")]
    except ValueError:
        return None
    found: Figure | None = None
    for depth, step in enumerate(steps):
        level = figures if depth == 0 else (found.parts if found else ())
        if step < 0 or step >= len(level):
            return None
        found = level[step]
    return found


# --------------------------------------------------------------------------------------------
# Plain values, cached


def display(value) -> str:
    """A figure's value as the page shows it: thousands grouped, decimals as the module gave them."""
    if value is None:
        return "—"
    return f"{value:,}"


def _plain(figure: Figure, index: str) -> dict:
    return {
        "index": index,
        "label": str(figure.label),
        "unit": str(figure.unit),
        "value": figure.value,
        "display": display(figure.value),
        "parts": [_plain(part, f"{index}.{i}") for i, part in enumerate(figure.parts)],
    }


def _cache_key(region_code: str, year: int) -> str:
    return f"cockpit:dashboard:{get_language() or ''}:{region_code}:{year}"


def values(region_code: str, year: int) -> list[dict]:
    """The figures of `figures_for` as plain data (no querysets), cached per (region, year):
    [{"module", "name", "figures": [{"index", "label", "unit", "value", "parts": [...]}]}]."""
    key = _cache_key(region_code, year)
    cached = cache.get(key)
    if cached is not None:
        return cached
    data = [
        {
            "module": module,
            "name": module_name(module),
            "figures": [_plain(figure, str(i)) for i, figure in enumerate(figures)],
        }
        for module, figures in figures_for(region_code, year)
    ]
    cache.set(key, data, CACHE_SECONDS)
    return data


def clear(region_code: str, year: int) -> None:
    cache.delete(_cache_key(region_code, year))


def _flat(data: list[dict]) -> dict[str, dict]:
    """Headline figures by key "module:index" (parts are drilled into, not charted)."""
    return {f"{m['module']}:{f['index']}": {**f, "module": m["module"]} for m in data for f in m["figures"]}


def _number(value) -> float | int | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def _series(keys: Iterable[str], rows: list[dict[str, dict]]) -> list[dict]:
    series = []
    for key in keys:
        first = next(row[key] for row in rows if key in row)
        series.append(
            {
                "key": key,
                "module": first["module"],
                "index": first["index"],
                "label": first["label"],
                "unit": first["unit"],
                "values": [_number(row[key]["value"]) if key in row else None for row in rows],
                "displays": [row[key]["display"] if key in row else "—" for row in rows],
            }
        )
    return series


def _keys(rows: list[dict[str, dict]]) -> list[str]:
    keys: list[str] = []
    for row in rows:
        keys.extend(key for key in row if key not in keys)
    return keys


def trend(region_code: str, years: Iterable[int]) -> dict:
    """Each headline figure of the region per year: {"years": [...], "series": [{"key", "module", "index",
    "label", "unit", "values": [one per year]}]}."""
    years = list(years)
    rows = [_flat(values(region_code, year)) for year in years]
    return {"years": years, "series": _series(_keys(rows), rows)}


def child_regions(region_code: str) -> list[Region]:
    """The direct children of a region, in code order."""
    return list(Region.objects.filter(parent_id=region_code).order_by("code"))


def ranking(region_code: str, year: int) -> dict:
    """Each headline figure per direct child region of the region in the year: {"regions": [{"code",
    "name"}], "series": [{"key", "module", "index", "label", "unit", "values": [one per region]}]}."""
    children = child_regions(region_code)
    rows = [_flat(values(child.code, year)) for child in children]
    return {
        "regions": [{"code": child.code, "name": child.name} for child in children],
        "series": _series(_keys(rows), rows) if rows else [],
    }


def _progress_rows(region_code: str, year: int) -> list | None:
    try:
        from kechuang.targets.progress import progress
    except ImportError:
        return None
    return list(progress(region_code, year))


def targets_progress(region_code: str, year: int) -> list[dict] | None:
    """The targets app's progress of the region and year as plain rows (cached like `values`): indicator name,
    unit and code, target, stretch, actual, ratio, met, and whether the actual has records to drill into.
    None when the targets app has no `progress` (yet)."""
    key = "cockpit:dashboard:targets:" + _cache_key(region_code, year)
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = _progress_rows(region_code, year)
    if rows is None:
        return None
    data = [
        {
            "name": str(row.indicator.name),
            "unit": str(row.indicator.unit),
            "code": row.indicator.code,
            "target": row.target,
            "stretch": row.stretch,
            "actual": row.actual,
            "ratio": row.ratio,
            "percent": None if row.ratio is None else min(int(row.ratio * 100), 100),
            "met": row.met,
            "drill": row.records is not None,
        }
        for row in rows
    ]
    cache.set(key, data, CACHE_SECONDS)
    return data


def target_figure(region_code: str, year: int, code: str) -> Figure | None:
    """An indicator's actual as a Figure (its records are the computation's), for the drill-down."""
    for row in _progress_rows(region_code, year) or ():
        if row.indicator.code == code and row.records is not None:
            return Figure(str(row.indicator.name), row.actual, row.records, str(row.indicator.unit))
    return None
