"""Forms of the patent registry pages: the list's filters, a patent, the Excel import, the figures page."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.scoping import user_region_codes
from kechuang.core.validators import validate_spreadsheet
from kechuang.core.widgets import use_fast_selects
from kechuang.organizations.models import Organization
from kechuang.regions.selectors import region_choices, regions_under

from .enums import PatentKind, PatentStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _year_choices(first: int = 1985):
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, first - 1, -1)]


def scope_root(user) -> str | None:
    """The region a region-scoped user's select boxes start from (None: every region)."""
    if user.is_authenticated and user.region_id and (user.is_region_scoped or user.is_superuser):
        return user.region_id
    return None


NAME_HITS = 500  # organizations whose name matches, passed as a list; more: as a subquery


class PatentFilter(django_filters.FilterSet):
    organization = django_filters.CharFilter(method="filter_organization", label=_("单位"))
    kind = django_filters.ChoiceFilter(choices=PatentKind.choices, label=_("专利类型"))
    status = django_filters.ChoiceFilter(choices=PatentStatus.choices, label=_("法律状态"))
    filed_year = django_filters.TypedChoiceFilter(
        method="filter_filed_year", coerce=int, label=_("申请年度"), choices=()
    )
    granted_year = django_filters.TypedChoiceFilter(
        method="filter_granted_year", coerce=int, label=_("授权年度"), choices=()
    )
    region = django_filters.ChoiceFilter(method="filter_region", label=_("地区"), choices=())
    ipc = django_filters.CharFilter(method="filter_ipc", label=_("IPC分类号（前缀）"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        years = _year_choices(1995)
        self.filters["filed_year"].extra["choices"] = years
        self.filters["granted_year"].extra["choices"] = years
        self.form.fields["filed_year"].choices = [("", _("全部")), *years]
        self.form.fields["granted_year"].choices = [("", _("全部")), *years]
        if user is not None and (user.is_region_scoped or user.is_superuser):
            choices = region_choices(scope_root(user))
            self.form.fields["region"].choices = [("", _("全部")), *choices]
        else:
            del self.form.fields["region"]
            self.filters.pop("region")
        use_fast_selects(self.form)

    def filter_organization(self, queryset, name, value):
        """An application number (or its start), a credit code, or a word of the organization's name: each
        alone, so each can use its index (one OR across the join scanned every patent)."""
        value = value.strip()
        if not value:
            return queryset
        # A credit code first: it may be all digits, and no application number is 18 characters long.
        if len(value) == 18 and value.isalnum() and value.isascii():
            return queryset.filter(organization__credit_code=value.upper())
        number = "".join(value.upper().removeprefix("CN").removeprefix("ZL").split())
        if number and number.replace(".", "").replace("X", "").isdigit() and number[:1].isdigit():
            return queryset.filter(application_no__startswith=number)
        # The organizations first (a LIKE over their names), then their patents through the index on them.
        named = Organization.objects.filter(name__icontains=value).values_list("pk", flat=True)
        ids = list(named[: NAME_HITS + 1])
        return queryset.filter(organization_id__in=ids if len(ids) <= NAME_HITS else named)

    def filter_filed_year(self, queryset, name, value):
        return queryset.filter(filed_on__year=value) if value else queryset

    def filter_granted_year(self, queryset, name, value):
        return queryset.filter(granted_on__year=value) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(organization__region_id__in=regions_under(value)) if value else queryset

    def filter_ipc(self, queryset, name, value):
        value = "".join(value.split()).upper()
        return queryset.filter(ipc__startswith=value) if value else queryset


class PatentForm(OnceFormMixin):
    """A patent's fields; `organization` (credit code or full name) only when the bureau records one."""

    organization = forms.CharField(
        label=_("专利权人（第一申请人）"),
        max_length=100,
        help_text=_("填写统一社会信用代码或单位全称；单位须已在平台登记且在您的管辖区域内。"),
    )
    application_no = forms.CharField(
        label=_("申请号"), max_length=30, help_text=_("如 201710601862.3；可带 CN、ZL 前缀，可不带小数点。")
    )
    kind = forms.ChoiceField(
        label=_("专利类型"),
        choices=[("", _("按申请号自动识别")), *PatentKind.choices],
        required=False,
    )
    title = forms.CharField(label=_("专利名称"), max_length=200)
    applicants = forms.CharField(
        label=_("全部申请人"), max_length=300, required=False, help_text=_("多个申请人用分号分隔。")
    )
    inventors = forms.CharField(label=_("发明人"), max_length=300, required=False)
    filed_on = forms.DateField(label=_("申请日"), widget=DateInput)
    status = forms.ChoiceField(label=_("法律状态"), choices=PatentStatus.choices)
    granted_on = forms.DateField(label=_("授权公告日"), required=False, widget=DateInput)
    lapsed_on = forms.DateField(label=_("失效日"), required=False, widget=DateInput)
    ipc = forms.CharField(label=_("主分类号（IPC）"), max_length=30, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, ask_organization=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not ask_organization:
            del self.fields["organization"]
        use_fast_selects(self)

    def clean_organization(self):
        text = self.cleaned_data["organization"].strip()
        qs = Organization.objects.filter(Q(credit_code=text.upper()) | Q(name=text))
        codes = user_region_codes(self.user) if self.user is not None else []
        if codes is not None:
            qs = qs.filter(region_id__in=codes)
        found = list(qs[:2])
        if len(found) != 1:
            raise forms.ValidationError(
                _("在您的管辖区域内没有找到该单位。")
                if not found
                else _("有多家单位同名，请填写统一社会信用代码。")
            )
        return found[0]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("form_token", "version", "organization"):
            data.pop(name, None)
        data["kind"] = data.get("kind") or None
        return data


class PatentDeleteForm(OnceFormMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PatentImportForm(OnceFormMixin):
    file = forms.FileField(
        label=_("专利清单（.xlsx）"),
        validators=[validate_spreadsheet],
        help_text=_("专利检索系统或专利代理机构导出的 Excel 清单，或按下载的模板填写。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class FiguresForm(forms.Form):
    region = forms.ChoiceField(label=_("地区"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(region_choices(scope_root(user)))
        self.fields["year"].choices = _year_choices(2000)
        use_fast_selects(self)


class PopulationForm(OnceFormMixin):
    region = forms.ChoiceField(label=_("地区"))
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    population = forms.IntegerField(label=_("年末常住人口（人）"), min_value=1)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(region_choices(scope_root(user)))
        self.fields["year"].choices = _year_choices(2000)
        use_fast_selects(self)
