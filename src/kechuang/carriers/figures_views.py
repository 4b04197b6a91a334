"""The carriers' figures page: carriers by kind, level and region; new carriers per year; companies in incubation."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.permissions import in_region
from kechuang.core.views import render_denied
from kechuang.organizations.enums import QualificationLevel
from kechuang.regions.models import Region
from kechuang.regions.selectors import region_choices

from .enums import CarrierKind
from .figures import carriers_by_kind_level, incubation_figures, new_carriers_per_year
from .permissions import can_oversee_carriers

CITY = "330600"


@login_required
def figures(request):
    user = request.user
    if not (decision := can_oversee_carriers(user)):
        return render_denied(request, decision.reason)
    default = user.region_id or CITY
    region_code = request.GET.get("region") or default
    if not in_region(user, region_code):
        region_code = default
    this_year = timezone.localdate().year
    year_text = request.GET.get("year") or ""
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= this_year else this_year - 1
    per_year = new_carriers_per_year(region_code)
    stock = carriers_by_kind_level(region_code, year)
    level_labels = [str(label) for _code, label in QualificationLevel.choices]
    for row in stock["by_kind"]:
        row["cells"] = list(zip(row["levels"].values(), level_labels, strict=True))
    kinds = [
        (k, str(label)) for k, label in CarrierKind.choices if any(k in row["by_kind"] for row in per_year)
    ]
    return render(
        request,
        "carriers/figures.html",
        {
            "region": Region.objects.get(pk=region_code),
            "region_choices": region_choices(user.region_id or None),
            "year": year,
            "years": list(range(this_year, this_year - 10, -1)),
            "stock": stock,
            "level_labels": level_labels,
            "per_year": [
                {
                    "year": row["year"],
                    "total": row["total"],
                    "cells": [(row["by_kind"].get(k, 0), label) for k, label in kinds],
                }
                for row in per_year
            ],
            "per_year_kinds": [label for _k, label in kinds],
            "incubation": incubation_figures(region_code, year),
            "title": _("创新载体统计"),
        },
    )
