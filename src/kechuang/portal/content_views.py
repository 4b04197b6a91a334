"""The portal's content pages: public lists and details of policies, notices and news and the service guide, one
search over all three, and the bureau's pages to write, publish and withdraw them."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kechuang.accounts.enums import Department
from kechuang.core.forms import perform
from kechuang.core.views import paginate, render_denied
from kechuang.regions.models import Region

from . import content_selectors as sel
from . import content_services as services
from . import permissions as perm
from .content_forms import (
    NOTICE_TABS,
    ActionForm,
    DocumentForm,
    GuideForm,
    NoticeForm,
    PolicyFilterForm,
    PolicyForm,
    SearchForm,
)
from .enums import NoticeKind, PolicyCategory, PublishState
from .models import Notice, Policy, PolicyDocument, ServiceGuide

PER_PAGE = 20
STATE_CLASS = {
    PublishState.DRAFT: "pending",
    PublishState.PUBLISHED: "verified",
    PublishState.WITHDRAWN: "rejected",
}


def _may_write(user) -> bool:
    """Whether to offer the 'new' buttons: a bureau editor of some region."""
    return bool(user.is_authenticated and user.region_id and perm.can_edit_content(user, user.region_id))


def _label(rows, choices_attr: str | None = None, choices=None) -> None:
    """Labels worked out once per page (get_FOO_display hashes every lazy label on each call)."""
    states = {value: str(label) for value, label in PublishState.choices}
    labels = {value: str(label) for value, label in (choices or [])}
    for row in rows:
        row.state_label = states.get(row.state, row.state)
        row.state_class = STATE_CLASS.get(row.state, "")
        if choices_attr:
            row.kind_label = labels.get(getattr(row, choices_attr), getattr(row, choices_attr))


def _payout_url(pk: int) -> str | None:
    """The payouts app's page of an item; None while that page does not exist yet."""
    try:
        return reverse("payouts:item", args=[pk])
    except NoReverseMatch:
        return None


# ---------------------------------------------------------------------------------------------------------
# Public pages


def policy_list(request):
    """政策库: published policies, searched by keyword, category and region (a county shows its own and the
    city's); a bureau user also sees the drafts of its region."""
    form = PolicyFilterForm(request.GET)
    filters = form.filters() if form.is_valid() else {}
    page = paginate(request, sel.policies_listed(user=request.user, **filters), PER_PAGE)
    _label(page.object_list, "category", PolicyCategory.choices)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/policies.html",
        {
            "form": form,
            "page": page,
            "filters_query": query.urlencode(),
            "may_write": _may_write(request.user),
        },
    )


def policy_detail(request, pk):
    policy = sel.policy_get_visible(user=request.user, pk=pk)
    if policy is None:
        return render_denied(request, _("该政策不存在或尚未发布。"), status=404)
    items = sel.policy_open_payout_items(policy)
    for item in items:
        item.url = _payout_url(item.pk)
    may_edit = bool(perm.can_edit_content(request.user, policy.region_id))
    return render(
        request,
        "portal/policy.html",
        {
            "policy": policy,
            "documents": sel.policy_documents(policy),
            "calls": sel.policy_related_calls(policy),
            "payout_items": items,
            "may_edit": may_edit,
            "history": sel.content_history(policy) if may_edit else [],
            "actions": services.PUBLISH_WORKFLOW.available(policy, request.user) if may_edit else [],
            "state_class": STATE_CLASS.get(policy.state, ""),
        },
    )


def policy_document(request, pk, document_pk):
    """A policy's document, for anyone who may read the policy (uploads are never served from /media/)."""
    policy = sel.policy_get_visible(user=request.user, pk=pk)
    if policy is None:
        raise Http404
    document = get_object_or_404(PolicyDocument, pk=document_pk, policy=policy)
    return _file_response(document.file)


def _file_response(field):
    name = field.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(field.open("rb"), content_type=content_type, filename=name)


def notice_list(request):
    """通知公告 and 工作动态, in tabs."""
    kind = request.GET.get("kind", "")
    if kind not in NoticeKind.values:
        kind = ""
    page = paginate(request, sel.notices_listed(user=request.user, kind=kind), PER_PAGE)
    _label(page.object_list, "kind", NoticeKind.choices)
    return render(
        request,
        "portal/notices.html",
        {"page": page, "kind": kind, "tabs": NOTICE_TABS, "may_write": _may_write(request.user)},
    )


def notice_detail(request, pk):
    notice = sel.notice_get_visible(user=request.user, pk=pk)
    if notice is None:
        return render_denied(request, _("该信息不存在或尚未发布。"), status=404)
    may_edit = bool(perm.can_edit_content(request.user, notice.region_id))
    return render(
        request,
        "portal/notice.html",
        {
            "notice": notice,
            "may_edit": may_edit,
            "history": sel.content_history(notice) if may_edit else [],
            "actions": services.PUBLISH_WORKFLOW.available(notice, request.user) if may_edit else [],
            "state_class": STATE_CLASS.get(notice.state, ""),
        },
    )


def notice_attachment(request, pk):
    notice = sel.notice_get_visible(user=request.user, pk=pk)
    if notice is None or not notice.attachment:
        raise Http404
    return _file_response(notice.attachment)


def guide_list(request):
    """科技服务手册: the published services, grouped by the department that handles them."""
    rows = list(sel.guides_listed(user=request.user))
    _label(rows)
    departments = {value: str(label) for value, label in Department.choices}
    groups = [
        {"department": departments.get(key, "") or _("其他"), "rows": list(items)}
        for key, items in groupby(rows, key=lambda row: row.department)
    ]
    return render(request, "portal/guides.html", {"groups": groups, "may_write": _may_write(request.user)})


def guide_detail(request, pk):
    guide = sel.guide_get_visible(user=request.user, pk=pk)
    if guide is None:
        return render_denied(request, _("该服务事项不存在或尚未发布。"), status=404)
    may_edit = bool(perm.can_edit_content(request.user, guide.region_id))
    department = dict(Department.choices).get(guide.department, "")
    return render(
        request,
        "portal/guide.html",
        {
            "guide": guide,
            "department": department,
            "may_edit": may_edit,
            "history": sel.content_history(guide) if may_edit else [],
            "actions": services.PUBLISH_WORKFLOW.available(guide, request.user) if may_edit else [],
            "state_class": STATE_CLASS.get(guide.state, ""),
        },
    )


def search(request):
    """One search over policies, notices and news, and the service guide."""
    form = SearchForm(request.GET)
    q = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    results = sel.content_search(user=request.user, q=q)
    _label(results.policies, "category", PolicyCategory.choices)
    _label(results.notices, "kind", NoticeKind.choices)
    _label(results.guides)
    return render(
        request, "portal/search.html", {"form": form, "q": q, "results": results, "limit": sel.SEARCH_LIMIT}
    )


# ---------------------------------------------------------------------------------------------------------
# Bureau pages: one set of views for the three kinds of content


@dataclass(frozen=True)
class Kind:
    model: type
    form: type
    noun: str
    detail: str  # URL name
    list: str
    create: object
    update: object
    publish: object
    withdraw: object
    arg: str  # the service's keyword for the instance
    files: tuple = ()  # upload fields the create/update services take


KINDS = {
    "policy": Kind(
        Policy,
        PolicyForm,
        gettext_lazy("政策"),
        "portal:policy",
        "portal:policies",
        services.policy_create,
        services.policy_update,
        services.policy_publish,
        services.policy_withdraw,
        "policy",
    ),
    "notice": Kind(
        Notice,
        NoticeForm,
        gettext_lazy("信息"),
        "portal:notice",
        "portal:notices",
        services.notice_create,
        services.notice_update,
        services.notice_publish,
        services.notice_withdraw,
        "notice",
        ("attachment",),
    ),
    "guide": Kind(
        ServiceGuide,
        GuideForm,
        gettext_lazy("服务事项"),
        "portal:guide",
        "portal:guides",
        services.guide_create,
        services.guide_update,
        services.guide_publish,
        services.guide_withdraw,
        "guide",
    ),
}


def _file_kwargs(kind: Kind, form) -> dict:
    """The service's arguments beyond `values`: the kind's files, and a policy's related calls."""
    extra = {name: form.cleaned_data.get(name) or None for name in kind.files}
    if "related_calls" in form.fields:
        extra["related_calls"] = list(form.cleaned_data.get("related_calls") or ())
    return extra


@login_required
def content_new(request, kind):
    spec = KINDS[kind]
    if not _may_write(request.user):
        return render_denied(request, _("只有科技局的业务人员可以发布内容。"))
    form = spec.form(request.POST or None, request.FILES or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        region = Region.objects.get(pk=form.cleaned_data["region"])
        done = perform(
            form,
            lambda: spec.create(
                region=region, values=form.values(), by=request.user, **_file_kwargs(spec, form)
            ),
        )
        if done is not None:
            messages.success(request, _("已保存为草稿，发布后对外公开。"))
            return redirect(spec.detail, done.pk)
    return render(
        request, "portal/content_form.html", {"form": form, "spec": spec, "kind": kind, "item": None}
    )


@login_required
def content_edit(request, kind, pk):
    spec = KINDS[kind]
    item = get_object_or_404(spec.model.objects.select_related("region"), pk=pk)
    decision = perm.can_edit_content(request.user, item.region_id)
    if not decision:
        return render_denied(request, decision.reason)
    form = spec.form(
        request.POST or None, request.FILES or None, instance=item, user=request.user, creating=False
    )
    if request.method == "POST" and form.is_valid():
        original = spec.model.objects.get(pk=pk)  # the ModelForm changed `item` in memory while checking
        done = perform(
            form,
            lambda: spec.update(
                **{spec.arg: original},
                values=form.values(),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
                **_file_kwargs(spec, form),
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect(spec.detail, done.pk)
    context = {"form": form, "spec": spec, "kind": kind, "item": item}
    if kind == "policy":
        context["documents"] = sel.policy_documents(item)
        context["document_form"] = DocumentForm()
    return render(request, "portal/content_form.html", context)


@login_required
def content_action(request, kind, pk, action):
    """Publish or withdraw, after a confirmation page."""
    spec = KINDS[kind]
    item = get_object_or_404(spec.model.objects.select_related("region"), pk=pk)
    decision = perm.can_edit_content(request.user, item.region_id)
    if not decision:
        return render_denied(request, decision.reason)
    form = ActionForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        if action == "publish":
            run = lambda: spec.publish(**{spec.arg: item}, expected_version=version, by=request.user)  # noqa: E731
        else:
            reason = form.cleaned_data.get("reason") or ""
            run = lambda: spec.withdraw(  # noqa: E731
                **{spec.arg: item}, reason=reason, expected_version=version, by=request.user
            )
        done = perform(form, run)
        if done is not None:
            messages.success(request, _("已发布。") if action == "publish" else _("已撤下。"))
            return redirect(spec.detail, done.pk)
    possible = action in services.PUBLISH_WORKFLOW.available(item, request.user)
    return render(
        request,
        "portal/content_action.html",
        {"form": form, "spec": spec, "item": item, "action": action, "possible": possible, "kind": kind},
    )


@login_required
@require_POST
def policy_document_add(request, pk):
    policy = get_object_or_404(Policy, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        done = perform(
            form,
            lambda: services.policy_document_add(
                policy=policy,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("文件已上传。"))
            return redirect("portal:policy_edit", pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("portal:policy_edit", pk)


@login_required
@require_POST
def policy_document_remove(request, pk, document_pk):
    document = get_object_or_404(
        PolicyDocument.objects.select_related("policy"), pk=document_pk, policy_id=pk
    )
    decision = perm.can_edit_content(request.user, document.policy.region_id)
    if not decision:
        return render_denied(request, decision.reason)
    services.policy_document_remove(document=document, by=request.user)
    messages.success(request, _("文件已删除。"))
    return redirect("portal:policy_edit", pk)
