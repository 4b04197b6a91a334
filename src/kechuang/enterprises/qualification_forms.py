from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.organizations.models import Qualification

from .qualifications import EDITABLE_FIELDS


def _date_input(**attrs):
    # type=date needs ISO values whatever the language's display format is.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **attrs})


# Asks the server for the 有效期至 a 高企 certificate has, when the kind or the certificate date changes.
_SUGGEST = {
    "hx-get": reverse_lazy("enterprises:qualification_suggest"),
    "hx-trigger": "change",
    "hx-target": "#valid-until-hint",
    "hx-swap": "outerHTML",
    "hx-include": "closest form",
    # A newer change aborts the request still in flight: an older answer arriving last would undo the newer one.
    "hx-sync": "closest form:replace",
}


class QualificationForm(OnceFormMixin):
    """登记/修改资质; the service validates (dates, duplicates) and fills what is left blank."""

    kind = forms.ChoiceField(label=_("资质类型"), choices=[("", "---------"), *QualificationKind.choices])
    level = forms.ChoiceField(
        label=_("级别"),
        required=False,
        choices=[("", _("按类型默认")), *QualificationLevel.choices],
    )
    certificate_no = forms.CharField(label=_("证书编号"), max_length=60, required=False)
    valid_from = forms.DateField(label=_("发证日期"), widget=_date_input())
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=_date_input())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: Qualification | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None and not self.is_bound:
            for name in EDITABLE_FIELDS:
                self.fields[name].initial = getattr(instance, name)
            self.fields["version"].initial = instance.version
        for name in ("kind", "valid_from"):
            self.fields[name].widget.attrs.update(_SUGGEST)
        self.fields["valid_until"].help_text = format_html(
            '<span id="valid-until-hint">{}</span>',
            _("高新技术企业可留空：按发证日期起三年自动计算。"),
        )

    def changes(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}


class RevocationForm(OnceFormMixin):
    on = forms.DateField(label=_("取消日期"), widget=_date_input(), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("取消原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：复核不符合认定条件、未按期填报年度发展情况报表等，将记入审计日志并通知企业。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
