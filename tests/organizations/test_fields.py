"""Picking an organization on a form: a select for a few, typed credit code or name for many."""

import pytest
from django import forms

from kechuang.organizations import fields
from kechuang.organizations.models import Organization

pytestmark = pytest.mark.django_db


class PickForm(forms.Form):
    organization = fields.OrganizationField(label="单位")

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].limit_to(organizations)


def test_few_organizations_are_a_select_of_them(world):
    form = PickForm(organizations=Organization.objects.filter(pk=world["org_a"].pk))
    assert "<select" in str(form["organization"]) and world["org_a"].name in str(form["organization"])
    bound = PickForm(
        {"organization": world["org_a"].pk}, organizations=Organization.objects.filter(pk=world["org_a"].pk)
    )
    assert bound.is_valid() and bound.cleaned_data["organization"] == world["org_a"]


def test_many_organizations_are_typed_by_credit_code_or_full_name(world, monkeypatch):
    monkeypatch.setattr(fields, "SELECT_LIMIT", 1)
    everyone = Organization.objects.all()
    org_a, org_b = world["org_a"], world["org_b"]
    shown = PickForm(initial={"organization": org_a}, organizations=everyone)
    html = str(shown["organization"])
    assert "<select" not in html and f'value="{org_a.credit_code}"' in html
    by_code = PickForm({"organization": org_b.credit_code.lower()}, organizations=everyone)
    assert by_code.is_valid() and by_code.cleaned_data["organization"] == org_b
    by_name = PickForm({"organization": f" {org_b.name} "}, organizations=everyone)
    assert by_name.is_valid() and by_name.cleaned_data["organization"] == org_b
    outside = PickForm({"organization": org_b.credit_code}, organizations=everyone.exclude(pk=org_b.pk))
    assert not outside.is_valid()
    assert "在您可选的单位中没有找到" in outside.errors["organization"][0]
