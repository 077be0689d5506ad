"""Forms of the accounts pages: a code from the app or a recovery code; the access review's
selection."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )


class DeactivateForm(forms.Form):
    users = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Accounts"))

    def __init__(self, *args, user_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = [(pk, str(pk)) for pk in user_ids]


class LoginForm(AuthenticationForm):
    """Django's login form, its user name held to the model's length on the server too (Django
    sets only the input's maxlength): a longer one names nobody and must not reach the lockout's
    log, whose column it overflows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))
        self.fields["password"].validators.append(MaxLengthValidator(4096))
