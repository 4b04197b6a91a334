"""Form fields that pick an organization."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kechuang.core.widgets import FastSelect

from .models import Organization

# Up to this many organizations to choose from, a <select>; beyond, the user types the credit code or full name
# (a bureau's select of a city's 100,000 organizations would be megabytes on every form).
SELECT_LIMIT = 200


class OrganizationField(forms.ModelChoiceField):
    """One organization of `queryset`: a select when there are few (an enterprise's own), otherwise a text box
    taking the 统一社会信用代码 or the full registered name."""

    widget = FastSelect

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Organization.objects.none())
        super().__init__(*args, **kwargs)
        self.typed = False

    def limit_to(self, queryset) -> None:
        """Set the organizations to choose from, and the widget that suits their number."""
        self.queryset = queryset.order_by("name")
        self.typed = queryset.order_by()[: SELECT_LIMIT + 1].count() > SELECT_LIMIT
        if self.typed:
            self.widget = forms.TextInput(
                attrs={"placeholder": _("统一社会信用代码或单位全称"), "maxlength": 100}
            )
            self.help_text = self.help_text or _("输入18位统一社会信用代码，或与登记一致的单位全称。")

    def prepare_value(self, value):
        if not self.typed:
            return super().prepare_value(value)
        if isinstance(value, Organization):
            return value.credit_code
        if isinstance(value, int):
            return Organization.objects.filter(pk=value).values_list("credit_code", flat=True).first() or ""
        return value

    def to_python(self, value):
        if not self.typed:
            return super().to_python(value)
        text = str(value or "").strip()
        if not text:
            return None
        found = list(self.queryset.filter(credit_code=text.upper())[:1]) or list(
            self.queryset.filter(name=text)[:2]
        )
        if len(found) == 1:
            return found[0]
        if found:
            raise ValidationError(_("有多家单位名为“%(name)s”，请输入统一社会信用代码。") % {"name": text})
        raise ValidationError(
            _("在您可选的单位中没有找到“%(text)s”，请核对统一社会信用代码或单位全称。") % {"text": text}
        )

    def validate(self, value):
        forms.Field.validate(self, value)
