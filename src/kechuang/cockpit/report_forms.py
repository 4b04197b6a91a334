"""Forms of the work summary (工作总结) pages: generate a report, write 存在问题, edit the template."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.regions.selectors import region_choices


class ReportGenerateForm(OnceFormMixin):
    year = forms.IntegerField(label=_("年度"), min_value=2000)
    region = forms.ChoiceField(label=_("地区"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        root = None if (user.is_superuser and not user.region_id) else user.region_id
        # Cities and counties (a town's bureau does not write a work summary of its own).
        self.fields["region"].choices = [
            (code, label) for code, label in region_choices(root) if len(code) == 6
        ] or [(user.region_id, user.region_id)]
        self.fields["year"].initial = timezone.localdate().year - 1
        self.fields["region"].initial = user.region_id


class ReportProblemsForm(OnceFormMixin):
    problems = forms.CharField(
        label=_("存在问题"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一段，写入工作总结的“二、存在问题”。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportTemplateForm(forms.Form):
    body = forms.CharField(
        label=_("模板正文"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        help_text=_("每行一段；以“# ”开头的行为标题（第一个为总标题），以“## ”开头的行为小标题。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year = forms.IntegerField(label=_("预览年度"), required=False, min_value=2000)
