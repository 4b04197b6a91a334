"""Pages of the public catalogue of voucher services and instruments (创新地图, 科研仪器设备开放共享) and of the
providers' own pages: their profile (registration with the bureau) and their offerings."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.views import act_and_redirect, render_denied
from kechuang.organizations.models import Organization

from . import permissions as perm
from . import services
from .catalogue_forms import CatalogueFilterForm, OfferingActiveForm, OfferingForm, ProviderForm
from .catalogue_selectors import (
    catalogue_page,
    offering_get_visible,
    offerings_listed,
    offerings_of_provider,
    program_acceptance,
    provider_profile_of,
)
from .enums import OfferingKind, ProviderState, ServiceCategory
from .models import Offering

PER_PAGE = 20
STATE_CLASS = {
    ProviderState.PENDING: "pending",
    ProviderState.VERIFIED: "verified",
    ProviderState.REJECTED: "rejected",
    ProviderState.SUSPENDED: "rejected",
}


def _acts_as_provider(user) -> bool:
    return bool(user.is_authenticated and perm.can_edit_provider(user, user.active_organization_id))


# ---------------------------------------------------------------------------------------------------------
# The public catalogue

_PK = 918273645  # stands for a row's id in a reversed URL


def _label_rows(rows, request) -> None:
    """What each row shows beyond its fields, worked out once per page rather than once per row: its link, the
    labels of its kind and category (get_FOO_display hashes every lazy label of the choices on each call), and
    the open programs that accept it."""
    kinds = {value: str(label) for value, label in OfferingKind.choices}
    categories = {value: str(label) for value, label in ServiceCategory.choices}
    link = reverse("vouchers:offering", args=[_PK])
    acceptance = program_acceptance(request)
    for row in rows:
        row.url = link.replace(str(_PK), str(row.pk))
        row.kind_label = kinds.get(row.kind, row.kind)
        row.category_label = categories.get(row.category, row.category)
        row.programs = acceptance.programs_for(row)


def catalogue(request):
    """创新地图: active offerings of verified providers, filtered and paginated; open to everyone. An htmx
    request gets the results only."""
    form = CatalogueFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = catalogue_page(offerings_listed(**form.filters()), request.GET.get("page"), PER_PAGE)
        _label_rows(page.object_list, request)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filters_query": query.urlencode(),
        "keyword": (form.cleaned_data.get("q") or "").strip() if form.is_valid() else "",
        "is_provider": _acts_as_provider(request.user),
    }
    template = "vouchers/catalogue/_results.html" if request.htmx else "vouchers/catalogue.html"
    return render(request, template, context)


def catalogue_count(request):
    """How many offerings the catalogue's filters select: asked for by a full first page after its rows are shown."""
    form = CatalogueFilterForm(request.GET)
    count = offerings_listed(**form.filters()).count() if form.is_valid() else 0
    return render(
        request, "vouchers/catalogue/_count.html", {"count": count, "pages": max(1, -(-count // PER_PAGE))}
    )


def offering(request, pk):
    """An offering's public page: provider, place, price and rules, the programs that accept it, and the button
    to book it with a voucher."""
    user = request.user
    item = offering_get_visible(user=user, pk=pk)
    if item is None:
        return render_denied(request, _("该服务项目不存在或暂未对外开放。"), status=404)
    profile, public = item.profile, item.public
    programs = program_acceptance(request).programs_for(item) if public else []
    own = bool(perm.can_edit_provider(user, item.provider_id))
    organization_id = user.active_organization_id if user.is_authenticated else None
    may_book = (
        public
        and bool(programs)
        and not own
        and organization_id != item.provider_id
        and bool(perm.can_apply_for(user, organization_id))
    )
    return render(
        request,
        "vouchers/catalogue/offering.html",
        {
            "offering": item,
            "profile": profile,
            "public": public,
            "programs": programs,
            "own": own,
            "may_book": may_book,
            "login_url": reverse("accounts:login") + "?next=" + quote(request.get_full_path()),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# A provider's own pages


def _my_organization(request):
    """(organization, None) when the user may keep the provider information of their organization, else
    (None, the page saying why)."""
    user = request.user
    organization_id = user.active_organization_id
    decision = perm.can_edit_provider(user, organization_id)
    if not decision:
        return None, render_denied(request, decision.reason)
    return Organization.objects.select_related("region").get(pk=organization_id), None


@login_required
def provider_register(request):
    """The organization's provider profile (register or edit; the bureau verifies) and its offerings."""
    organization, denied = _my_organization(request)
    if denied:
        return denied
    profile = provider_profile_of(organization.pk)
    initial = {}
    if profile is not None:
        initial = {
            "categories": profile.categories,
            "description": profile.description,
            "contact_name": profile.contact_name,
            "contact_phone": profile.contact_phone,
            "version": profile.version,  # a second tab's older edit is refused, not applied over this one
        }
    form = ProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.provider_register(
                organization=organization,
                values=form.values(),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            if done.state == ProviderState.PENDING:
                messages.success(request, _("已提交。科技局核验通过后，您的服务项目将在服务目录中展示。"))
            else:
                messages.success(request, _("已保存。"))
            return redirect("vouchers:provider_register")
    offerings = list(offerings_of_provider(organization.pk))
    for item in offerings:
        item.toggle_form = OfferingActiveForm(
            initial={"version": item.version, "active": "0" if item.active else "1"}
        )
    return render(
        request,
        "vouchers/catalogue/provider.html",
        {
            "organization": organization,
            "profile": profile,
            "state_class": STATE_CLASS.get(profile.state, "") if profile else "",
            "form": form,
            "offerings": offerings,
        },
    )


@login_required
def offering_new(request):
    organization, denied = _my_organization(request)
    if denied:
        return denied
    if provider_profile_of(organization.pk) is None:
        messages.warning(request, _("请先登记服务机构信息，再发布服务项目。"))
        return redirect("vouchers:provider_register")
    form = OfferingForm(request.POST or None, initial={"region": organization.region_id})
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.offering_create(
                provider=organization, values=form.offering_values(), by=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("已发布服务项目“%(name)s”。") % {"name": done.name})
            return redirect("vouchers:provider_register")
    return render(request, "vouchers/catalogue/offering_form.html", {"form": form, "offering": None})


def _own_offering(request, pk):
    """(offering, None) when the user may edit it, else (None, the refusal page)."""
    item = Offering.objects.select_related("provider").filter(pk=pk).first()
    if item is None:
        return None, render_denied(request, _("该服务项目不存在。"), status=404)
    decision = perm.can_edit_provider(request.user, item.provider_id)
    if not decision:
        return None, render_denied(request, decision.reason)
    return item, None


@login_required
def offering_edit(request, pk):
    item, denied = _own_offering(request, pk)
    if denied:
        return denied
    initial = {name: getattr(item, name) for name in ("kind", "category", "name", "description", "address")}
    initial |= {
        "region": item.region_id,
        "price": item.price,
        "unit": item.unit,
        "availability": item.availability,
        "booking_rules": item.booking_rules,
        "instrument_model": item.instrument_model,
        "manufacturer": item.manufacturer,
        "active": item.active,
        "version": item.version,
    }
    form = OfferingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.offering_update(
                offering=item,
                values=form.offering_values(),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("已保存服务项目“%(name)s”。") % {"name": done.name})
            return redirect("vouchers:provider_register")
    return render(request, "vouchers/catalogue/offering_form.html", {"form": form, "offering": item})


@login_required
@require_POST
def offering_toggle(request, pk):
    """Open or close an offering (the provider page's button)."""
    item, denied = _own_offering(request, pk)
    if denied:
        return denied
    form = OfferingActiveForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: services.offering_update(
            offering=item,
            values={"active": form.cleaned_data["active"]},
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda done: (
            (_("“%(name)s”已对外开放。") if done.active else _("“%(name)s”已暂停开放，不在服务目录中展示。"))
            % {"name": done.name}
        ),
        to=reverse("vouchers:provider_register"),
    )
