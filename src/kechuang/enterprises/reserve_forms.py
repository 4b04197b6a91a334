"""Forms of the reserve pool pages; they only parse input, the services in reserve.py decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.widgets import use_fast_selects

from .enums import AssessmentKind, ReserveStatus


def _year_field(**kwargs):
    return forms.IntegerField(
        label=_("目标年度"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        **kwargs,
    )


def default_target_year() -> int:
    """Cultivation aims at next year's recognitions."""
    return timezone.localdate().year + 1


class ReserveProposeForm(OnceFormMixin):
    target_year = _year_field()
    kind = forms.ChoiceField(label=_("培育方向"), choices=AssessmentKind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_year"].initial = default_target_year()
        use_fast_selects(self)


class ReserveTransitionForm(OnceFormMixin):
    to = forms.ChoiceField(label=_("改为"), choices=ReserveStatus.choices)
    reason = forms.CharField(
        label=_("理由或培育说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("移出后备库时必填。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["to"].choices = [(t, ReserveStatus(t).label) for t in targets]
        use_fast_selects(self)


class ReserveAddForm(OnceFormMixin):
    kind = forms.ChoiceField(label=_("培育方向"), choices=AssessmentKind.choices)
    target_year = _year_field()
    reason = forms.CharField(label=_("入库理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(
        label=_("培育说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_year"].initial = default_target_year()
        use_fast_selects(self)
