"""Form pieces of the register that the field forms of the floors above use."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import beneficiary_by_code, normal_code


class BeneficiaryCodeField(forms.CharField):
    """A beneficiary chosen by code (the search box fills it), among those the user may see."""

    default_error_messages = {
        "unknown": _("No beneficiary has the code %(code)s in your neighbourhoods."),
    }

    def __init__(self, *, user=None, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.user = user
        self.widget.attrs.update(
            {"autocomplete": "off", "data-beneficiary-search": "1", "autocapitalize": "characters"}
        )

    def prepare_value(self, value):
        return getattr(value, "code", value)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        person = beneficiary_by_code(code, user=self.user)
        if person is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"code": normal_code(code)}
            )
        return person
