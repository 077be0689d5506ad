from django import forms

from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["review_digest", "returned_digest", "drafts_reminder", "reporting_reminders"]
        widgets = {"review_digest": forms.RadioSelect}
