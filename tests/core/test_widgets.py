"""FastSelect renders exactly what Django's Select renders, only faster."""

import pytest
from django import forms
from django.test.html import parse_html

from kechuang.core.widgets import FastSelect, use_fast_selects

CHOICES = [
    ("", "---------"),
    ("330603", "柯桥区"),
    ("330603L01", "柯桥区 · 柯桥街道"),
    ("a&b", "<script>x</script>"),
    ("组", [("1", "一"), ("2", "二")]),
]


@pytest.mark.parametrize("value", [None, "", "330603L01", "a&b", "2", "missing"])
def test_same_html_as_djangos_select(value):
    attrs = {"id": "id_region", "class": "wide", "data-x": '"q"'}
    django_html = forms.Select(choices=CHOICES).render("region", value, attrs=attrs)
    fast_html = FastSelect(choices=CHOICES).render("region", value, attrs=attrs)
    assert parse_html(fast_html) == parse_html(django_html)
    assert "<script>" not in fast_html


def test_only_plain_single_selects_are_replaced():
    class Form(forms.Form):
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
        many = forms.MultipleChoiceField(choices=[("a", "A")], required=False)
        name = forms.CharField()

    form = Form(data={"kind": "b"})
    before = str(form["kind"])
    use_fast_selects(form)
    assert [type(f.widget).__name__ for f in form.fields.values()] == [
        "FastSelect",
        "SelectMultiple",
        "TextInput",
    ]
    assert parse_html(str(form["kind"])) == parse_html(before)
