from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin

from .enums import DeclineReason, DrawMethod


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
