"""The enterprise list page (企业库) and its Excel export: one filter set, one scoped selector."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.views import render_denied

from .enterprise_list import (
    EXPORT_LIMIT,
    PER_PAGE,
    can_list_enterprises,
    enterprise_export,
    enterprise_page,
    enterprise_rows,
)
from .filters import EnterpriseFilter
from .selectors import enterprises_visible_to

_PK = 918273645  # stands for a row's id in a reversed URL


def _detail_url_name() -> str:
    """The enterprise page when its URL exists, else the organization page (it shows the same record)."""
    try:
        reverse("enterprises:detail", args=[1])
    except NoReverseMatch:
        return "organizations:detail"
    return "enterprises:detail"


def _link_rows(rows, url_name: str) -> None:
    """Each row's detail URL, reversed once for the page rather than once per row."""
    pattern = reverse(url_name, args=[_PK])
    for row in rows:
        row.detail_url = pattern.replace(str(_PK), str(row.pk))


def _filterset(request):
    return EnterpriseFilter(request.GET, queryset=enterprises_visible_to(user=request.user), request=request)


def _data_year(filterset) -> int | None:
    """The data year the list is filtered by: rows then show that year's figures, not the latest."""
    filterset.is_valid()
    year = filterset.form.cleaned_data.get("data_year")
    return int(year) if year else None


@login_required
def enterprise_list(request):
    decision = can_list_enterprises(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    filterset = _filterset(request)
    page = enterprise_page(filterset.qs, request.GET.get("page"), defer_count=True)
    enterprise_rows(page.object_list, year=_data_year(filterset))
    detail_url = _detail_url_name()
    _link_rows(page.object_list, detail_url)
    query = request.GET.copy()
    query.pop("page", None)
    template = "enterprises/_rows.html" if request.htmx else "enterprises/list.html"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "detail_url": detail_url,
            "filters_query": query.urlencode(),
            "export_limit": EXPORT_LIMIT,
        },
    )


@login_required
def enterprise_count_view(request):
    """How many enterprises the list's filters select: asked for by a full first page after its rows are shown."""
    decision = can_list_enterprises(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    count = _filterset(request).qs.count()
    return render(
        request, "enterprises/_count.html", {"count": count, "pages": max(1, -(-count // PER_PAGE))}
    )


@login_required
def enterprise_export_view(request):
    decision = can_list_enterprises(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    filterset = _filterset(request)
    queryset = filterset.qs
    # One COUNT is cheaper than writing a sheet that would be refused (or cut) at the end.
    total = queryset.count()
    if total > EXPORT_LIMIT:
        messages.error(
            request,
            _("符合条件的企业共 %(total)d 家，超过导出上限 %(limit)d 家，请增加筛选条件后再导出。")
            % {"total": total, "limit": EXPORT_LIMIT},
        )
        query = request.GET.copy()
        query.pop("page", None)
        return redirect(reverse("enterprises:enterprise_list") + ("?" + query.urlencode() if query else ""))
    filename = _("企业库") + timezone.localdate().strftime("-%Y%m%d") + ".xlsx"
    return enterprise_export(queryset, filename=filename, year=_data_year(filterset))
