import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin

TABLE_CELL = re.compile(r"^(?P<key>[A-Za-z_]\w*)-(?P<row>\d{1,3})-(?P<col>[A-Za-z_]\w*)$")


def raw_from_post(definition, post) -> dict:
    """The application data a POST carries: scalar fields by key, table cells as `key-row-column`."""
    raw: dict = {}
    tables = {s["key"] for s in definition if s.get("type") == "table"}
    for spec in definition:
        if spec.get("type") not in ("table", "file") and spec["key"] in post:
            raw[spec["key"]] = post.get(spec["key"])
    rows: dict[str, dict[int, dict]] = {}
    for name, value in post.items():
        match = TABLE_CELL.match(name)
        if match and match["key"] in tables:
            rows.setdefault(match["key"], {}).setdefault(int(match["row"]), {})[match["col"]] = value
    for key, by_row in rows.items():
        raw[key] = [by_row[i] for i in sorted(by_row)]
    return raw


class DecisionForm(OnceFormMixin):
    decision = forms.ChoiceField(label=_("结论"), choices=[], widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("意见或理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = choices


class WithdrawForm(OnceFormMixin):
    reason = forms.CharField(label=_("撤回理由"), required=False, max_length=500)


class UploadForm(forms.Form):
    field_key = forms.CharField(widget=forms.HiddenInput)
    upload = forms.FileField(label=_("选择文件"))
