import secrets

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import UsedFormToken


class OnceFormMixin(forms.Form):
    """A hidden one-time token, so that a form posted twice (double click, reload) acts once."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form_token"].initial = secrets.token_urlsafe(24)

    def spend_token(self) -> None:
        """Mark the token used; call inside the transaction that performs the action."""
        token = (self.data.get(self.add_prefix("form_token")) or "").strip()
        if not token:
            return  # API-style posts without a token are guarded by the service's own checks
        try:
            with transaction.atomic():
                UsedFormToken.objects.create(token=token[:64])
        except IntegrityError as exc:
            raise DomainError(_("该表单已经提交过，请勿重复提交。")) from exc


def perform(form, action):
    """Run `action()` for a valid form in one transaction with its one-time token.

    A DomainError becomes a form error (on its field when it names one) and nothing is changed.
    Returns the action's result, or None when it was refused.
    """
    try:
        with transaction.atomic():
            if isinstance(form, OnceFormMixin):
                form.spend_token()
            return action()
    except DomainError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return None
