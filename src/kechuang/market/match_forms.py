"""Forms of market matching: the bureau's recompute button."""

from django import forms

from kechuang.core.forms import OnceFormMixin


class RecomputeForm(OnceFormMixin):
    """Queue a recompute of matches (one listing's, or the whole market's)."""

    next = forms.CharField(widget=forms.HiddenInput, required=False)
