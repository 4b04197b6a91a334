from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.selectors import audit_logs
from kechuang.core.views import act_and_redirect, paginate, render_denied

from .filters import OrganizationFilter
from .forms import OrganizationForm, VerificationForm
from .models import Organization
from .permissions import (
    can_change_organization,
    can_create_organization,
    can_verify_organization,
    can_view_organization,
)
from .selectors import organizations_visible_to
from .services import organization_create, organization_update, organization_verify


@login_required
def organization_list(request):
    filterset = OrganizationFilter(
        request.GET, queryset=organizations_visible_to(user=request.user), request=request
    )
    page = paginate(request, filterset.qs)
    template = "organizations/_rows.html" if request.htmx else "organizations/list.html"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "can_create": can_create_organization(request.user, None),
        },
    )


def _get_for(request, pk, predicate):
    """The organization if `predicate` allows the user, else (None, denied response)."""
    organization = get_object_or_404(Organization.objects.select_related("region", "verified_by"), pk=pk)
    decision = predicate(request.user, organization)
    if not decision:
        return None, render_denied(request, decision.reason)
    return organization, None


@login_required
def organization_detail(request, pk):
    organization, denied = _get_for(request, pk, can_view_organization)
    if denied:
        return denied
    history = (
        audit_logs(user=request.user).filter(
            content_type__app_label="organizations", content_type__model="organization", object_id=str(pk)
        )[:20]
        if request.user.is_bureau or request.user.is_superuser
        else []
    )
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "can_change": can_change_organization(request.user, organization),
            "can_verify": can_verify_organization(request.user, organization),
            "verification_form": VerificationForm(),
            "history": history,
        },
    )


@login_required
def organization_license(request, pk):
    """The uploaded licence, only for those who may see the organization (never a public media URL)."""
    organization, denied = _get_for(request, pk, can_view_organization)
    if denied:
        return denied
    if not organization.license_file:
        raise Http404
    return FileResponse(
        organization.license_file.open("rb"),
        as_attachment=False,
        filename=organization.license_file.name.rsplit("/", 1)[-1],
    )


@login_required
def organization_create_view(request):
    decision = can_create_organization(request.user, None)
    if not decision:
        return render_denied(request, decision.reason)
    form = OrganizationForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        organization = perform(form, lambda: organization_create(by=request.user, data=form.changes()))
        if organization is not None:
            messages.success(request, _("已登记单位：%(name)s") % {"name": organization.name})
            return redirect("organizations:detail", pk=organization.pk)
    return render(request, "organizations/form.html", {"form": form, "title": _("登记单位")})


@login_required
def organization_edit(request, pk):
    organization, denied = _get_for(request, pk, can_change_organization)
    if denied:
        return denied
    form = OrganizationForm(
        request.POST or None, request.FILES or None, instance=organization, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        updated = perform(
            form,
            lambda: organization_update(
                organization=organization,
                by=request.user,
                data=form.changes(),
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if updated is not None:
            messages.success(request, _("已保存。"))
            return redirect("organizations:detail", pk=updated.pk)
    return render(
        request,
        "organizations/form.html",
        {
            "form": form,
            "title": _("修改单位信息"),
            "organization": organization,
        },
    )


@login_required
@require_POST
def organization_verify_view(request, pk):
    organization, denied = _get_for(request, pk, can_verify_organization)
    if denied:
        return denied
    form = VerificationForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: organization_verify(
            organization=organization,
            by=request.user,
            approve=form.cleaned_data["approve"],
            reason=form.cleaned_data["reason"],
        ),
        success=lambda done: _("核验结果已保存：%(status)s") % {"status": done.get_status_display()},
        to=reverse("organizations:detail", args=[pk]),
    )
