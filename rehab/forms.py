"""Field form for a day's work on a rehabilitation site, with a photo from the phone's camera."""

from __future__ import annotations

from django import forms

from programs.forms import FieldRecordForm

from .models import WorkRecord
from .photos import prepare_photo


class PhotoField(forms.ImageField):
    """A photo upload checked and shrunk by `rehab.photos.prepare_photo`: a damaged, oversized,
    huge or non-image file is a message on the field, never a server error."""

    def to_python(self, data):
        # FileField's checks (a name, not empty); Pillow is opened once, by prepare_photo.
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return prepare_photo(upload)


class WorkRecordForm(FieldRecordForm):
    scoped_fields = ("site",)

    class Meta:
        model = WorkRecord
        fields = ["site", "date", "completed_area_m2", "photo", "latitude", "longitude", "notes"]
        field_classes = {"photo": PhotoField}
        widgets = {
            "photo": forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
            "latitude": forms.HiddenInput,
            "longitude": forms.HiddenInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
