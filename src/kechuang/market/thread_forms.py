"""Forms of the thread pages: start a negotiation, post a message, move the state, invite a broker; the funnel's
period and filters."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.widgets import FastSelect
from kechuang.organizations.enums import TechField

from .enums import ListingKind
from .threads import ATTACHMENT_EXTENSIONS, MAX_BODY, THREAD_ACTIONS, THREAD_WORKFLOW

ATTACHMENT_ACCEPT = ",".join(ATTACHMENT_EXTENSIONS)


def attachment_help() -> str:
    return _("可选。PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG，不超过 %(limit)s。") % {
        "limit": filesizeformat(settings.KECHUANG_MAX_UPLOAD_BYTES)
    }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ListingChoiceField(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, listing):
        return f"{listing.get_kind_display()}：{listing.title}"


class ThreadStartForm(OnceFormMixin):
    message = forms.CharField(
        label=_("洽谈留言"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("介绍本单位的情况和合作意向，发布方会收到通知。"),
    )
    counter_listing = ListingChoiceField(
        label=_("本单位相关信息"),
        queryset=None,
        required=False,
        empty_label=_("（不关联）"),
        help_text=_("可选：关联本单位已发布的对应技术需求或科技成果。"),
    )
    attachment = forms.FileField(
        label=_("附件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )

    def __init__(self, *args, counter_listings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = attachment_help()
        self.fields["counter_listing"].queryset = counter_listings
        if not counter_listings.exists():
            del self.fields["counter_listing"]


class MessageForm(OnceFormMixin):
    body = forms.CharField(
        label=_("消息"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("输入消息…")}),
    )
    attachment = forms.FileField(
        label=_("附件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = attachment_help()

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachment"):
            self.add_error("body", _("请填写消息内容。"))
        return data


class TransitionForm(OnceFormMixin):
    action = forms.ChoiceField(
        label=_("操作"), choices=[(a, THREAD_WORKFLOW.action_labels[a]) for a in THREAD_ACTIONS]
    )
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)
    intent_amount = forms.DecimalField(
        label=_("意向金额（元）"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BrokerForm(OnceFormMixin):
    broker = forms.ModelChoiceField(
        label=_("技术经纪人"), queryset=None, required=False, empty_label=_("（不指定）"), widget=FastSelect
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, brokers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["broker"].queryset = brokers


class FunnelForm(forms.Form):
    since = forms.DateField(label=_("发起日期起"), required=False, widget=DateInput)
    until = forms.DateField(label=_("发起日期止"), required=False, widget=DateInput)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", "—"), *ListingKind.choices], widget=FastSelect
    )
    tech_field = forms.ChoiceField(
        label=_("技术领域"), required=False, choices=[("", "—"), *TechField.choices], widget=FastSelect
    )

    def period(self):
        """(since, until): the form's dates, by default this year up to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("since") or today.replace(month=1, day=1), data.get("until") or today
