"""Forms of 目标责任制考核: an indicator, the targets grid, reported actuals, an assessment's weights."""

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin

from .computations import computation_choices
from .enums import Measure, Source
from .models import Indicator

VALUE = {"max_digits": 20, "decimal_places": 4, "required": False}


class IndicatorForm(OnceFormMixin):
    code = forms.SlugField(label=_("指标代码"), max_length=40)
    name = forms.CharField(label=_("指标名称"), max_length=120)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    measure = forms.ChoiceField(label=_("指标类型"), choices=Measure.choices)
    source = forms.ChoiceField(label=_("数据来源"), choices=Source.choices)
    computation = forms.ChoiceField(label=_("计算方法"), required=False)
    base = forms.ModelChoiceField(
        label=_("占比的基数指标"), queryset=Indicator.objects.none(), required=False
    )
    parent = forms.ModelChoiceField(
        label=_("所属指标（其中）"), queryset=Indicator.objects.none(), required=False
    )
    higher_is_better = forms.BooleanField(label=_("越高越好"), required=False, initial=True)
    description = forms.CharField(
        label=_("口径说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    position = forms.IntegerField(label=_("顺序"), min_value=0, max_value=32767, initial=0)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: Indicator | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "unit": instance.unit,
                "measure": instance.measure,
                "source": instance.source,
                "computation": instance.computation,
                "base": instance.base_id,
                "parent": instance.parent_id,
                "higher_is_better": instance.higher_is_better,
                "description": instance.description,
                "position": instance.position,
                "active": instance.active,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        others = Indicator.objects.all()
        if instance is not None:
            others = others.exclude(pk=instance.pk)
            self.fields["code"].disabled = True
        self.fields["base"].queryset = others
        self.fields["parent"].queryset = others
        self.fields["computation"].choices = [("", "—"), *computation_choices()]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("form_token", None)
        data.pop("version", None)
        return data


def _cell(region_code: str, indicator_id: int) -> str:
    return f"{region_code}_{indicator_id}"


def _pair_text(target) -> str:
    if target is None:
        return ""
    text = _plain(target.value)
    return text if target.stretch_value is None else f"{text}/{_plain(target.stretch_value)}"


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_pair(text: str) -> tuple[Decimal | None, Decimal | None]:
    """ "5" → (5, None); "1/2" (at least 1, strive for 2) → (1, 2); "" → (None, None)."""
    text = (text or "").strip().replace("／", "/").replace(",", "").replace("，", "")
    if not text:
        return None, None
    parts = [p.strip() for p in text.split("/")]
    if len(parts) > 2:
        raise forms.ValidationError(_("请填写“目标值”或“目标值/力争值”。"))
    try:
        values = [Decimal(p) for p in parts]
    except ArithmeticError as exc:
        raise forms.ValidationError(_("请填写“目标值”或“目标值/力争值”。")) from exc
    if any(not v.is_finite() for v in values):
        raise forms.ValidationError(_("请填写“目标值”或“目标值/力争值”。"))
    return values[0], (values[1] if len(values) == 2 else None)


class PairField(forms.CharField):
    def clean(self, value):
        return parse_pair(super().clean(value))


class TargetGridForm(OnceFormMixin):
    """One text per (region, indicator) the user may edit: "目标值" or "目标值/力争值". The versions of the
    targets shown travel in one hidden field, so a concurrent change is refused (one field per cell keeps a
    county's grid of towns under the request's field limit)."""

    versions = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, regions, indicators, targets: dict, editable: set, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions, self.indicators, self.targets, self.editable = regions, indicators, targets, editable
        self.fields["versions"].initial = json.dumps(
            {_cell(r, i): t.version for (r, i), t in targets.items() if r in editable}
        )
        self.rows = []
        for indicator in indicators:
            cells = []
            for region in regions:
                key = _cell(region.code, indicator.pk)
                target = targets.get((region.code, indicator.pk))
                if region.code in editable:
                    self.fields[f"c_{key}"] = PairField(
                        label=f"{indicator.name} · {region.name}",
                        required=False,
                        max_length=60,
                        initial=_pair_text(target),
                    )
                    cells.append((region, target, self[f"c_{key}"]))
                else:
                    cells.append((region, target, None))
            self.rows.append((indicator, cells))

    def clean_versions(self) -> dict:
        try:
            versions = json.loads(self.cleaned_data.get("versions") or "{}")
        except ValueError:
            versions = {}
        return versions if isinstance(versions, dict) else {}

    def cells(self) -> list[dict]:
        """The changed cells, for `services.target_set`."""
        out = []
        versions = self.cleaned_data.get("versions") or {}
        for indicator in self.indicators:
            for region in self.regions:
                if region.code not in self.editable:
                    continue
                key = _cell(region.code, indicator.pk)
                value, stretch = self.cleaned_data.get(f"c_{key}") or (None, None)
                target = self.targets.get((region.code, indicator.pk))
                old = (target.value, target.stretch_value) if target else (None, None)
                if _same(old, (value, stretch)):
                    continue
                out.append(
                    {
                        "region": region.code,
                        "indicator": indicator.pk,
                        "value": value,
                        "stretch_value": stretch,
                        "comparator": target.comparator if target else "",
                        "note": target.note if target else "",
                        "expected_version": versions.get(key),
                    }
                )
        return out


def _same(old: tuple, new: tuple) -> bool:
    return all(
        (a is None and b is None) or (a is not None and b is not None and Decimal(a) == b)
        for a, b in zip(old, new, strict=True)
    )


class ActualsForm(OnceFormMixin):
    """The region's reported indicators of a year: one value and a source note each."""

    def __init__(self, *args, indicators, reported: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators, self.reported = indicators, reported
        self.rows = []
        for indicator in indicators:
            row = reported.get(indicator.pk)
            self.fields[f"v_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name}（{indicator.unit}）" if indicator.unit else indicator.name,
                initial=_plain(row.value) if row else None,
                **VALUE,
            )
            self.fields[f"src_{indicator.pk}"] = forms.CharField(
                label=_("数据来源说明"),
                max_length=200,
                required=False,
                initial=row.source_note if row else "",
            )
            self.fields[f"n_{indicator.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=row.version if row else None
            )
            self.rows.append(
                (indicator, self[f"v_{indicator.pk}"], self[f"src_{indicator.pk}"], self[f"n_{indicator.pk}"])
            )

    def entries(self) -> list[dict]:
        out = []
        for indicator in self.indicators:
            value = self.cleaned_data.get(f"v_{indicator.pk}")
            note = self.cleaned_data.get(f"src_{indicator.pk}") or ""
            row = self.reported.get(indicator.pk)
            if value is None or (row is not None and row.value == value and row.source_note == note):
                continue
            out.append(
                {
                    "indicator": indicator,
                    "value": value,
                    "source_note": note,
                    "expected_version": self.cleaned_data.get(f"n_{indicator.pk}"),
                }
            )
        return out


class AssessmentForm(OnceFormMixin):
    name = forms.CharField(label=_("名称"), max_length=120)
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"w_{indicator.pk}"] = forms.DecimalField(
                label=indicator.name,
                max_digits=5,
                decimal_places=2,
                min_value=0,
                max_value=100,
                required=False,
            )

    def weight_fields(self):
        return [self[f"w_{i.pk}"] for i in self.indicators]

    def weights(self) -> dict:
        return {
            i.pk: self.cleaned_data[f"w_{i.pk}"]
            for i in self.indicators
            if self.cleaned_data.get(f"w_{i.pk}")
        }


class ActionForm(OnceFormMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
