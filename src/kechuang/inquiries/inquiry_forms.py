"""Forms of the 科技信箱 pages. Bureau forms carry the letter's version (a concurrent change is refused) and
a one-time token (a form posted twice acts once); the services check everything again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.enums import Department
from kechuang.core.forms import OnceFormMixin

from . import routing
from .enums import InquiryKind, Topic


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class InquiryForm(OnceFormMixin):
    kind = forms.ChoiceField(label=_("类型"), choices=InquiryKind.choices, widget=forms.RadioSelect)
    topic = forms.ChoiceField(label=_("事项"), choices=Topic.choices)
    region = forms.ChoiceField(
        label=_("受理地区"), help_text=_("默认由市科技局受理；涉及区、县（市）事务的可选择当地科技局。")
    )
    subject = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("联系电话"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, help_text=_("填写后，查询编号和查询码也会发送到该邮箱。")
    )
    is_public = forms.BooleanField(
        label=_("同意在答复后公开来信和答复（不公开姓名和联系方式）"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = routing.region_choices()
        self.fields["region"].initial = routing.city_code()


class TrackForm(forms.Form):
    tracking_no = forms.CharField(label=_("查询编号"), max_length=20)
    code = forms.CharField(label=_("查询码"), max_length=20)


class FollowUpForm(OnceFormMixin):
    text = forms.CharField(label=_("追问内容"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))


SATISFACTION_CHOICES = (
    (5, _("5 非常满意")),
    (4, _("4 满意")),
    (3, _("3 基本满意")),
    (2, _("2 不满意")),
    (1, _("1 非常不满意")),
)


class RateForm(OnceFormMixin):
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"), choices=SATISFACTION_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("评价意见"), max_length=300, required=False)


class AssignForm(OnceFormMixin, VersionMixin):
    department = forms.ChoiceField(label=_("承办处室"), choices=Department.choices)


class ReassignForm(AssignForm):
    reason = forms.CharField(label=_("改派说明"), max_length=200, required=False)


class AnswerForm(OnceFormMixin, VersionMixin):
    text = forms.CharField(label=_("答复内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class CloseForm(OnceFormMixin, VersionMixin):
    reason = forms.CharField(label=_("办结说明"), max_length=200, required=False)
