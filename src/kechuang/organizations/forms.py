from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.scoping import user_region_codes
from kechuang.regions.models import Region
from kechuang.regions.selectors import label_regions

from .models import Organization
from .services import BUREAU_EDITABLE_FIELDS, SELF_EDITABLE_FIELDS


class OrganizationForm(OnceFormMixin, forms.ModelForm):
    """Profile form; the fields offered depend on who edits (bureau staff or the organization's admin)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = BUREAU_EDITABLE_FIELDS
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}),
            "shareholders": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = BUREAU_EDITABLE_FIELDS if (user.is_superuser or user.is_bureau) else SELF_EDITABLE_FIELDS
        for name in list(self.fields):
            if name not in allowed and name not in ("form_token", "version"):
                del self.fields[name]
        if "region" in self.fields:
            codes = user_region_codes(user)
            regions = Region.objects.exclude(level="province").order_by("path")
            self.fields["region"].queryset = regions if codes is None else regions.filter(code__in=codes)
            label_regions(self.fields["region"])
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def validate_unique(self):
        # The service checks duplicates with a message that names the existing organization.
        pass

    def _post_clean(self):
        # Skip ModelForm's model validation (the credit-code check allows a reasoned override);
        # the service validates the whole record.
        pass

    def changes(self) -> dict:
        return {
            name: value for name, value in self.cleaned_data.items() if name not in ("form_token", "version")
        }


class VerificationForm(OnceFormMixin):
    approve = forms.TypedChoiceField(
        label=_("核验结论"),
        choices=[("1", _("通过")), ("0", _("退回"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
