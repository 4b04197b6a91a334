"""The patent counts page (patents:figures): a region's figures of a year, its sub-regions, its last five years
and its leading organizations; an organization's users see their own organization's years. Bureau editors
record a region's population there (the base of the per-10,000 figure)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.views import render_denied
from kechuang.regions.models import Region

from . import figures as fig
from . import permissions as perm
from . import registry_services as services
from .enums import PatentKind
from .registry_forms import FiguresForm, PopulationForm, scope_root

YEARS_SHOWN = 5


def _default_region(user) -> str | None:
    root = scope_root(user)
    if root is not None:
        return root
    if user.is_superuser:
        return Region.objects.filter(level="city").values_list("code", flat=True).order_by("path").first()
    return None


@login_required
def figures(request):
    user = request.user
    default_year = timezone.localdate().year - 1
    kinds = PatentKind.choices
    if not (user.is_region_scoped or user.is_superuser):
        if user.active_organization_id:
            years = range(timezone.localdate().year, timezone.localdate().year - YEARS_SHOWN, -1)
            return render(
                request,
                "patents/figures_organization.html",
                {
                    "organization": user.organization,
                    "by_year": fig.organization_counts_by_year(user.active_organization_id, years),
                    "kinds": kinds,
                },
            )
        return render_denied(request, _("您无权查看专利统计。"))
    form = FiguresForm(request.GET or None, user=user)
    region_code = _default_region(user)
    year = default_year
    if form.is_bound and form.is_valid():
        region_code = form.cleaned_data["region"] or region_code
        year = form.cleaned_data["year"] or year
    if region_code is None:
        return render_denied(request, _("您的账号没有所属地区，无法查看专利统计。"))
    decision = perm.can_view_patent_figures(user, region_code)
    if not decision:
        return render_denied(request, decision.reason)
    if not form.is_bound:
        form = FiguresForm(initial={"region": region_code, "year": year}, user=user)
    region = Region.objects.get(pk=region_code)
    counts = fig.patent_counts(region_code, year)
    kind_rows = [(label, counts.applications[value], counts.grants[value]) for value, label in kinds]
    population_form = None
    if perm.can_record_population(user, region_code):
        population_form = PopulationForm(initial={"region": region_code, "year": year}, user=user)
    return render(
        request,
        "patents/figures.html",
        {
            "form": form,
            "region": region,
            "year": year,
            "kinds": kinds,
            "counts": counts,
            "kind_rows": kind_rows,
            "by_region": fig.patent_counts_by_region(region_code, year),
            "by_year": fig.patent_counts_by_year(region_code, range(year, year - YEARS_SHOWN, -1)),
            "top": fig.top_organizations(region_code, year, 10),
            "population_form": population_form,
        },
    )


@login_required
@require_POST
def population_record(request):
    form = PopulationForm(request.POST, user=request.user)
    if form.is_valid():
        region = Region.objects.filter(pk=form.cleaned_data["region"]).first()
        done = perform(
            form,
            lambda: services.population_record(
                region=region,
                year=form.cleaned_data["year"],
                population=form.cleaned_data["population"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("已登记 %(region)s %(year)s 年末常住人口 %(n)s 人。")
                % {"region": region.name, "year": done.year, "n": done.population},
            )
            query = urlencode({"region": region.code, "year": done.year})
            return redirect(f"{reverse('patents:figures')}?{query}")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("patents:figures")
