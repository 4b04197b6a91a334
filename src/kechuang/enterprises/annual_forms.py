from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.validators import validate_spreadsheet

from .annual import (
    BOOLEAN_FIELDS,
    DECIMAL_FIELDS,
    EDITABLE_FIELDS,
    FIELDSETS,
    INTEGER_FIELDS,
    NEGATIVE_ALLOWED,
    annual_data_problems,
    default_of,
    last_year,
)
from .enums import AnnualDataStatus
from .models import AnnualData


class AnnualDataForm(OnceFormMixin, forms.ModelForm):
    """The year's figures in fieldsets. Every box may stay empty in a draft; submitting needs the key ones.

    The form shows every rule's error at once (annual_data_problems); the service applies the same rules
    again and writes.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AnnualData
        fields = EDITABLE_FIELDS

    def __init__(self, *args, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        for name in EDITABLE_FIELDS:
            field = self.fields[name]
            field.required = False
            if name in DECIMAL_FIELDS:
                field.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
                if name not in NEGATIVE_ALLOWED:
                    field.widget.attrs["min"] = "0"
            elif name in INTEGER_FIELDS:
                field.widget.attrs.update({"inputmode": "numeric", "min": "0"})
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0

    def clean(self):
        cleaned = super().clean()
        values = {}
        for name in EDITABLE_FIELDS:
            value = cleaned.get(name)
            if value in (None, "") and name not in BOOLEAN_FIELDS:
                value = default_of(name)
            values[name] = value
        complete = self.submitting or self.instance.status == AnnualDataStatus.SUBMITTED
        for name, message in annual_data_problems(values, complete=complete):
            if name not in self.errors:
                self.add_error(name, message)
        self.values = values
        return cleaned

    def _post_clean(self):
        # The service builds and validates the record (with the same rules); the form only collects values.
        pass

    def changes(self) -> dict:
        return dict(self.values)

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]


class AnnualYearForm(forms.Form):
    """Which year to enter (default: the last fiscal year that has ended)."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        latest = last_year()
        founded = organization.founded_on.year if organization.founded_on else latest - 9
        first = max(min(founded, latest), latest - 19)
        self.fields["year"].choices = [(y, y) for y in range(latest, first - 1, -1)]
        self.fields["year"].initial = latest


class AnnualImportForm(OnceFormMixin):
    file = forms.FileField(
        label=_("Excel 文件"),
        validators=[validate_spreadsheet],
        help_text=_("请使用下载的模板（.xlsx）；任何一行有误时不导入任何数据。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
