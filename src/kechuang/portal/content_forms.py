"""Forms of the portal's content pages: the public filters and search, and the bureau's editing forms (which
carry the version they were read at, so that a second tab's older edit is refused)."""

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.enums import Department
from kechuang.core.forms import OnceFormMixin
from kechuang.core.scoping import user_region_codes
from kechuang.projects.models import Call

from .content_selectors import portal_regions
from .content_services import GUIDE_FIELDS, NOTICE_FIELDS, POLICY_FIELDS
from .enums import NoticeKind, PolicyCategory
from .models import Notice, Policy, ServiceGuide


class PolicyFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=60)
    category = forms.ChoiceField(label=_("类别"), required=False)
    region = forms.ChoiceField(label=_("适用地区"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("政策名称、要点、申报条件或文号")
        self.fields["category"].choices = [("", _("全部类别")), *PolicyCategory.choices]
        self.fields["region"].choices = [("", _("全部地区"))] + [(r.code, r.name) for r in portal_regions()]

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "category": data.get("category") or "",
            "region": data.get("region") or "",
        }


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=60)


def _region_field(user, initial=None) -> forms.ChoiceField:
    """The city and counties the user's bureau may publish for."""
    codes = user_region_codes(user)
    choices = [(r.code, r.name) for r in portal_regions() if codes is None or r.code in codes]
    return forms.ChoiceField(
        label=_("发布地区"), choices=choices, initial=initial or (choices[0][0] if choices else None)
    )


class _ContentForm(OnceFormMixin, forms.ModelForm):
    """A ModelForm used only to read and check input: the services save."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    fields_for_service: tuple = ()

    def __init__(self, *args, user, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["region"] = _region_field(user)
        else:
            self.initial.setdefault("version", self.instance.version)

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.fields_for_service if k in self.cleaned_data}


class PolicyForm(_ContentForm):
    fields_for_service = POLICY_FIELDS
    related_calls = forms.ModelMultipleChoiceField(
        label=_("相关申报指南"),
        queryset=Call.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        help_text=_("已发布的申报指南（近三年及已关联的）。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        since = timezone.now() - timedelta(days=3 * 366)
        linked = Q(pk__in=self.instance.related_calls.values("pk")) if self.instance.pk else Q(pk__in=[])
        self.fields["related_calls"].queryset = Call.objects.filter(
            Q(is_published=True, opens_at__gte=since) | linked
        ).order_by("-opens_at")
        if self.instance.pk:
            self.initial.setdefault(
                "related_calls", list(self.instance.related_calls.values_list("pk", flat=True))
            )

    class Meta:
        model = Policy
        fields = [*POLICY_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "conditions": forms.Textarea(attrs={"rows": 6}),
            "how_to_apply": forms.Textarea(attrs={"rows": 4}),
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_until": forms.DateInput(attrs={"type": "date"}),
        }


class NoticeForm(_ContentForm):
    fields_for_service = NOTICE_FIELDS

    class Meta:
        model = Notice
        fields = [*NOTICE_FIELDS, "attachment"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}


class GuideForm(_ContentForm):
    fields_for_service = GUIDE_FIELDS

    class Meta:
        model = ServiceGuide
        fields = [*GUIDE_FIELDS]
        widgets = {
            "department": forms.Select(choices=[("", "—"), *Department.choices]),
            "who_can_apply": forms.Textarea(attrs={"rows": 4}),
            "materials": forms.Textarea(attrs={"rows": 6}),
            "procedure": forms.Textarea(attrs={"rows": 4}),
            "basis": forms.Textarea(attrs={"rows": 3}),
        }


class DocumentForm(OnceFormMixin):
    title = forms.CharField(label=_("文件名称"), max_length=120, required=False)
    file = forms.FileField(label=_("文件（PDF、PNG 或 JPG）"))


class ActionForm(OnceFormMixin):
    """Confirm publishing or withdrawing, with the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("撤下原因"), required=False, max_length=200)


NOTICE_TABS = [("", _("全部")), *NoticeKind.choices]
