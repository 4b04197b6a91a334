"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A single <select> built in Python instead of through one template per <option>.

    Filter forms sit on every list page, and the region select alone has 141 options for a city: with
    Django's widget templates it took more than half of such a page's time. Same HTML, same escaping.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        chosen = False

        def option(option_value, label):
            nonlocal chosen
            text = "" if option_value is None else str(option_value)
            is_selected = not chosen and text in selected
            chosen = chosen or is_selected
            return (text, mark_safe(" selected") if is_selected else "", label)

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # an optgroup: (group name, [(value, label), …])
                inner = format_html_join(
                    "", '<option value="{}"{}>{}</option>', (option(v, lab) for v, lab in label)
                )
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', option_value, inner))
            else:
                parts.append(format_html('<option value="{}"{}>{}</option>', *option(option_value, label)))
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe("".join(parts))
        )


def use_fast_selects(form) -> None:
    """Give every plain single <select> of `form` the FastSelect rendering, keeping its choices and attrs."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            widget = FastSelect(attrs=field.widget.attrs)
            widget.choices = field.widget.choices
            widget.is_required = field.widget.is_required
            field.widget = widget
