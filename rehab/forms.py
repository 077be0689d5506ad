"""Field form for a day's work on a rehabilitation site, with a photo from the phone's camera."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from programs.forms import FieldRecordForm

from .models import WorkRecord
from .photos import shrink_photo


class WorkRecordForm(FieldRecordForm):
    scoped_fields = ("site",)

    class Meta:
        model = WorkRecord
        fields = ["site", "date", "completed_area_m2", "photo", "latitude", "longitude", "notes"]
        widgets = {
            "photo": forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
            "latitude": forms.HiddenInput,
            "longitude": forms.HiddenInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        limit = settings.PHOTO_MAX_UPLOAD_BYTES
        if photo and getattr(photo, "size", 0) > limit:
            raise forms.ValidationError(
                _("This photo weighs %(size)s; the limit is %(limit)s. Take it again at a lower resolution.")
                % {"size": filesizeformat(photo.size), "limit": filesizeformat(limit)}
            )
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            return shrink_photo(photo)
        return photo
