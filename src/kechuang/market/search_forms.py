"""The search parameters of the market, checked once for the page and the API alike."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.widgets import use_fast_selects
from kechuang.organizations.enums import TechField
from kechuang.regions.selectors import region_choices

from .enums import Cooperation, ListingKind
from .search import MAX_PER_PAGE, PER_PAGE

ALL = [("", _("全部"))]


def _regions():
    # The market is open to everyone: every region below the province, from the per-process cache.
    return ALL + list(region_choices(None))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=ALL + list(ListingKind.choices))
    tech_field = forms.ChoiceField(label=_("技术领域"), required=False, choices=ALL + list(TechField.choices))
    region = forms.ChoiceField(label=_("所在区划"), required=False, choices=_regions)
    maturity_min = forms.IntegerField(label=_("成熟度不低于"), required=False, min_value=1, max_value=9)
    maturity_max = forms.IntegerField(label=_("成熟度不高于"), required=False, min_value=1, max_value=9)
    price_min = forms.DecimalField(
        label=_("价格/预算不低于（元）"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    price_max = forms.DecimalField(
        label=_("价格/预算不高于（元）"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    cooperation = forms.ChoiceField(
        label=_("合作方式"), required=False, choices=ALL + list(Cooperation.choices)
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    per_page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PER_PAGE, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("如：印染废水处理、机器视觉"), "autocomplete": "off"}
        )
        self.fields["q"].widget.input_type = "search"
        for name in ("maturity_min", "maturity_max"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})
        for name in ("price_min", "price_max"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal"})

    def clean(self):
        data = super().clean()
        for low, high, message in (
            ("maturity_min", "maturity_max", _("成熟度下限不能高于上限。")),
            ("price_min", "price_max", _("价格下限不能高于上限。")),
        ):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, message)
        return data

    def search_arguments(self) -> dict:
        """The keyword arguments of `search.search` (call after is_valid())."""
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "kind": data.get("kind") or None,
            "tech_field": data.get("tech_field") or None,
            "region_code": data.get("region") or None,
            "maturity_min": data.get("maturity_min"),
            "maturity_max": data.get("maturity_max"),
            "price_min": data.get("price_min"),
            "price_max": data.get("price_max"),
            "cooperation": data.get("cooperation") or None,
            "page": data.get("page") or 1,
            "per_page": data.get("per_page") or PER_PAGE,
        }

    def error_text(self) -> str:
        """Every error in one line, field label first (for the API)."""
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            parts.append(f"{label}：{' '.join(errors)}" if label else " ".join(errors))
        return "；".join(parts)
