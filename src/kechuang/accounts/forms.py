from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.organizations.enums import Industry, TechField
from kechuang.organizations.validators import credit_code_problem, normalize_credit_code
from kechuang.regions.models import Region
from kechuang.regions.selectors import label_regions

from .services import ROLE_FOR_KIND


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次错误后账号将被暂时锁定。"),
        "inactive": _("该账号已停用。"),
    }


class RegistrationForm(OnceFormMixin):
    """Self-registration of an enterprise, institution or provider user, keyed by credit code."""

    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=24)
    kind = forms.ChoiceField(
        label=_("单位类型"),
        required=False,
        choices=[("", "---------")] + [(k.value, k.label) for k in ROLE_FOR_KIND],
        help_text=_("单位尚未在平台登记时必填。"),
    )
    organization_name = forms.CharField(label=_("单位名称"), max_length=100, required=False)
    region = forms.ModelChoiceField(
        label=_("属地"),
        queryset=Region.objects.filter(level__in=["county", "town"]).order_by("path"),
        required=False,
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    industry = forms.ChoiceField(
        label=_("行业门类"), choices=[("", "---------")] + Industry.choices, required=False
    )
    tech_field = forms.ChoiceField(
        label=_("高新技术领域"), choices=[("", "---------")] + TechField.choices, required=False
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    username = forms.RegexField(
        label=_("用户名"),
        max_length=30,
        regex=r"^[A-Za-z0-9_.@-]{3,30}$",
        error_messages={"invalid": _("用户名为3—30位字母、数字或 _ . @ -。")},
    )
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_regions(self.fields["region"])

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        problem = credit_code_problem(code)
        if problem:
            raise forms.ValidationError(problem)
        return code

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data

    def organization_data(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or None,
            "name": data.get("organization_name", ""),
            "region": data.get("region"),
            "address": data.get("address", ""),
            "industry": data.get("industry", ""),
            "tech_field": data.get("tech_field", ""),
        }


class MembershipDecisionForm(OnceFormMixin):
    approve = forms.TypedChoiceField(
        choices=[("1", _("通过")), ("0", _("拒绝"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("理由"), required=False, max_length=200)


class ApiTokenForm(OnceFormMixin):
    name = forms.CharField(label=_("令牌名称"), max_length=60)
