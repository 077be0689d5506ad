"""Form pieces shared by the field forms of every app."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access


class DateInput(forms.DateInput):
    """The phone's native date picker."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FieldRecordForm(forms.ModelForm):
    """A field record's form: choices scoped to the user's neighbourhoods, a one-time token.

    Subclasses list in `scoped_fields` the foreign keys whose choices are scoped.
    """

    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    #: The record's `updated_at` when the form was shown: a save over someone else's is refused.
    version = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    scoped_fields: tuple[str, ...] = ()
    #: Hidden fields: a person never sees them, so their errors are said at the top of the form.
    hidden_fields_said = {
        "token": _("This form's one-time key was damaged. Reload the page and enter the record again."),
        "version": _(
            "This form's record version was damaged. Reload the page to see the record as it is now."
        ),
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
            if self.instance.pk:
                self.initial["version"] = self.instance.updated_at.isoformat()
        for name in self.scoped_fields:
            field = self.fields[name]
            field.queryset = access.visible(field.queryset, user)
            if (
                field.required
                and not self.initial.get(name)
                and len(choices := list(field.queryset[:2])) == 1
            ):
                self.initial[name] = choices[0].pk
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DateInput(attrs=field.widget.attrs)
                if field.required and not self.instance.pk and not self.initial.get(name):
                    self.initial[name] = timezone.localdate()
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                field.widget.attrs.setdefault(
                    "inputmode", "decimal" if isinstance(field, forms.DecimalField) else "numeric"
                )

    def _post_clean(self):
        super()._post_clean()
        for name in [name for name in self.errors if name in self.fields]:
            field = self.fields[name]
            if not field.widget.is_hidden:
                continue
            messages = self._errors.pop(name)
            if name in self.hidden_fields_said:
                self.add_error(None, self.hidden_fields_said[name])
            else:  # a position filled by the GPS button: its reason, named
                for message in messages:
                    self.add_error(None, f"{field.label}: {message}")
