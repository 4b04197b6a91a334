from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.organizations.enums import TechField

from .enums import ConflictKind, DeclineReason, DrawMethod


class RespondForm(OnceFormMixin):
    accept = forms.TypedChoiceField(
        choices=[("1", _("接受")), ("0", _("谢绝"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = forms.ChoiceField(
        label=_("谢绝原因"), choices=[("", "---------")] + DeclineReason.choices, required=False
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class ReviewForm(OnceFormMixin):
    comment = forms.CharField(label=_("评审意见"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"score_{criterion['key']}"] = forms.IntegerField(
                label=f"{criterion['name']}（{criterion['weight']}%）",
                min_value=0,
                max_value=100,
                help_text=criterion.get("description", ""),
                error_messages={"min_value": _("分数应为 0—100。"), "max_value": _("分数应为 0—100。")},
            )
        self.order_fields([f"score_{c['key']}" for c in criteria] + ["comment"])
        self.criteria = criteria

    def scores(self) -> dict:
        return {c["key"]: self.cleaned_data[f"score_{c['key']}"] for c in self.criteria}


class DrawForm(OnceFormMixin):
    method = forms.ChoiceField(
        label=_("抽取方式"),
        choices=DrawMethod.choices,
        initial=DrawMethod.RANDOMIZED,
        widget=forms.RadioSelect,
    )
    q = forms.DecimalField(
        label=_("单个专家对单份申报书的最大抽中概率"),
        min_value=0.05,
        max_value=1,
        initial=0.5,
        decimal_places=2,
        help_text=_("越小越难被事先预测或操纵，越大越贴近最优匹配。"),
    )


class OrganizationField(forms.CharField):
    """An organization typed by exact name or pasted credit code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("填写单位全称或统一社会信用代码"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        from .selectors import organization_by_name_or_code

        organization = organization_by_name_or_code(value)
        if organization is None:
            raise forms.ValidationError(_("单位库中没有该单位，请核对全称或统一社会信用代码。"))
        return organization


class ExpertForm(OnceFormMixin):
    """Bureau staff enter or edit an expert; an expert edits only their own profile fields."""

    user = forms.ModelChoiceField(label=_("专家账号"), queryset=None)
    organization = OrganizationField(label=_("工作单位"), required=False)
    region = forms.ModelChoiceField(label=_("所在区划"), queryset=None)
    title = forms.CharField(label=_("职称"), max_length=40, required=False)
    field_codes = forms.MultipleChoiceField(
        label=_("专业领域"), choices=TechField.choices, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(label=_("关键词"), max_length=300, required=False, help_text=_("以空格分隔"))
    profile = forms.CharField(
        label=_("研究方向与代表成果"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    load_cap = forms.IntegerField(label=_("单次评审上限（份）"), min_value=0, max_value=50)
    is_active = forms.BooleanField(label=_("在库"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, by, expert=None, bureau: bool, **kwargs):
        initial = kwargs.pop("initial", {})
        if expert is not None:
            initial = {
                "organization": expert.organization.name if expert.organization_id else "",
                "region": expert.region_id,
                "title": expert.title,
                "field_codes": expert.field_codes,
                "keywords": expert.keywords,
                "profile": expert.profile,
                "load_cap": expert.load_cap,
                "is_active": expert.is_active,
                "version": expert.version,
                **initial,
            }
        else:
            initial = {"load_cap": 5, "is_active": True, **initial}
        super().__init__(*args, initial=initial, **kwargs)
        if expert is not None or not bureau:
            del self.fields["user"]
        else:
            from kechuang.accounts.enums import Role
            from kechuang.accounts.models import User
            from kechuang.core.scoping import scope_by_region

            self.fields["user"].queryset = scope_by_region(
                User.objects.filter(role=Role.EXPERT, expert_profile__isnull=True), by
            ).order_by("username")
        if bureau:
            from kechuang.regions.selectors import label_regions

            from .selectors import regions_choosable

            self.fields["region"].queryset = regions_choosable(user=by)
            label_regions(self.fields["region"])
        else:
            for name in ("organization", "region", "load_cap", "is_active"):
                del self.fields[name]

    def values(self) -> dict:
        skip = ("user", "version", "form_token")
        return {name: self.cleaned_data[name] for name in self.fields if name not in skip}


class ConflictForm(OnceFormMixin):
    """Declare an organization to avoid; bureau staff may also record a collaboration and its end date."""

    organization = OrganizationField(label=_("回避单位"))
    note = forms.CharField(label=_("回避理由"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=ConflictKind.choices, initial=ConflictKind.DECLARED)
    ended_on = forms.DateField(
        label=_("合作截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("合作在此日期后满三年即不再回避；空白表示合作仍在进行"),
    )

    def __init__(self, *args, bureau: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not bureau:
            del self.fields["kind"]
            del self.fields["ended_on"]

    def values(self) -> dict:
        return {
            "organization": self.cleaned_data["organization"],
            "note": self.cleaned_data["note"],
            "kind": self.cleaned_data.get("kind") or ConflictKind.DECLARED,
            "ended_on": self.cleaned_data.get("ended_on"),
        }


class RemoveForm(OnceFormMixin):
    """A one-time token for a remove button."""
