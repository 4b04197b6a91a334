"""Pages of the patent registry (issue 7 item 4): the list, a patent with its history, recording and
correcting a patent, and the Excel import with its result page and template.

Views are thin: records come through scoped selectors (404 when the user may not see them), writes go through
one service inside `perform`, so a refused write is shown next to the form with the input kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.views import paginate, render_denied

from . import patent_import as importer
from . import permissions as perm
from . import registry_jobs  # noqa: F401  (registers patents.import_list where the import is started)
from . import registry_services as services
from .registry_forms import PatentDeleteForm, PatentFilter, PatentForm, PatentImportForm
from .registry_selectors import import_get_visible, patent_get_visible, patent_history, patents_visible_to

COUNT_CAP = 2_000  # the list counts at most this many (100 pages): a city has half a million patents


def _not_found(request):
    return render_denied(request, _("该专利不存在，或您无权查看。"), status=404)


def _own_organization(user):
    """The organization an organization user records patents for, or None (bureau users choose one)."""
    if user.active_organization_id and user.role in perm.PATENT_OWNER_ROLES:
        return user.organization
    return None


def _may_record(user) -> bool:
    return bool(perm.can_import_patents(user))


@login_required
def patent_list(request):
    filterset = PatentFilter(
        request.GET or None, queryset=patents_visible_to(request.user), user=request.user
    )
    qs = filterset.qs if filterset.is_bound else filterset.queryset
    page = paginate(request, qs, count_cap=COUNT_CAP)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "patents/registry_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "may_record": _may_record(request.user),
        },
    )


@login_required
def patent_detail(request, pk):
    patent = patent_get_visible(user=request.user, pk=pk)
    if patent is None:
        return _not_found(request)
    return render(
        request,
        "patents/registry_detail.html",
        {
            "patent": patent,
            "history": patent_history(patent),
            "may_edit": bool(perm.can_edit_patents_of(request.user, patent.organization)),
            "may_delete": bool(perm.can_delete_patent(request.user, patent)),
            "delete_form": PatentDeleteForm(initial={"version": patent.version}),
        },
    )


@login_required
def patent_create(request):
    own = _own_organization(request.user)
    if own is None and not (
        request.user.is_superuser or perm.is_bureau_editor(request.user, request.user.region_id)
    ):
        return render_denied(request, _("只有单位用户或科技局业务人员可以登记专利。"))
    form = PatentForm(request.POST or None, user=request.user, ask_organization=own is None)
    if request.method == "POST" and form.is_valid():
        organization = own or form.cleaned_data["organization"]
        patent = perform(
            form, lambda: services.patent_create(organization=organization, by=request.user, **form.values())
        )
        if patent is not None:
            messages.success(request, _("已登记专利 %(number)s。") % {"number": patent.application_no})
            return redirect("patents:patent", pk=patent.pk)
    return render(request, "patents/registry_form.html", {"form": form, "patent": None, "own": own})


@login_required
def patent_edit(request, pk):
    patent = patent_get_visible(user=request.user, pk=pk)
    if patent is None:
        return _not_found(request)
    decision = perm.can_edit_patents_of(request.user, patent.organization)
    if not decision:
        return render_denied(request, decision.reason)
    initial = {name: getattr(patent, name) for name in ("application_no", "kind", *services.EDITABLE)}
    initial["version"] = patent.version
    form = PatentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        done = perform(
            form,
            lambda: services.patent_update(
                patent=patent, by=request.user, expected_version=form.cleaned_data.get("version"), **values
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect("patents:patent", pk=patent.pk)
    return render(request, "patents/registry_form.html", {"form": form, "patent": patent, "own": None})


@login_required
@require_POST
def patent_delete(request, pk):
    patent = patent_get_visible(user=request.user, pk=pk)
    if patent is None:
        return _not_found(request)
    form = PatentDeleteForm(request.POST)
    if form.is_valid():
        number = patent.application_no
        done = perform(
            form,
            lambda: (
                services.patent_delete(
                    patent=patent, by=request.user, expected_version=form.cleaned_data.get("version")
                )
                or True
            ),
        )
        if done:
            messages.success(request, _("已删除专利 %(number)s。") % {"number": number})
            return redirect("patents:patent_list")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("patents:patent", pk=patent.pk)


@login_required
def patent_import_view(request):
    decision = perm.can_import_patents(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    form = PatentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = perform(
            form,
            lambda: {
                "result": importer.patent_import_or_enqueue(
                    file=upload, by=request.user, filename=upload.name
                )
            },
        )
        if outcome is not None and outcome["result"] is not None:
            return redirect("patents:patent_import_result", pk=outcome["result"].pk)
        if outcome is not None:
            messages.info(
                request,
                _("清单超过 %(n)s 行，已转入后台导入；完成后将通过站内消息通知您结果。")
                % {"n": importer.MAX_ROWS},
            )
            return redirect("patents:patent_list")
    return render(
        request,
        "patents/registry_import.html",
        {
            "form": form,
            "own": _own_organization(request.user),
            "max_rows": importer.MAX_ROWS,
            "background_max": importer.BACKGROUND_MAX_ROWS,
        },
    )


@login_required
def patent_import_result(request, pk):
    result = import_get_visible(user=request.user, pk=pk)
    if result is None:
        return render_denied(request, _("该导入记录不存在，或您无权查看。"), status=404)
    return render(request, "patents/registry_import_result.html", {"result": result})


@login_required
def patent_import_template(request):
    response = HttpResponse(
        importer.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = _("专利清单导入模板.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response
