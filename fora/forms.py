"""Field forms of community fora: a session with its ranked priorities and selected people."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from beneficiaries.selectors import beneficiaries_by_codes
from programs import access
from programs.forms import FieldRecordForm
from programs.models import Neighbourhood, Project

from .models import ForumSession, StructureKind, StructurePriority


class ForumSessionForm(FieldRecordForm):
    scoped_fields = ("forum",)

    selected_codes = forms.CharField(
        label=_("Beneficiaries selected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-beneficiary-list": "1"}),
        help_text=_("Codes of the people selected at this session, one per line (e.g. BA-0001)."),
    )

    class Meta:
        model = ForumSession
        fields = ["forum", "project", "kind", "held_on", "women", "men", "youth", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hoods = access.visible(Neighbourhood.objects.all(), self.user)
        self.fields["project"].queryset = Project.objects.filter(neighbourhoods__in=hoods).distinct()
        if (
            not self.initial.get("project")
            and len(projects := list(self.fields["project"].queryset[:2])) == 1
        ):
            self.initial["project"] = projects[0].pk
        if self.instance.pk:
            codes = self.instance.selections.values_list("beneficiary__code", flat=True)
            self.initial.setdefault("selected_codes", "\n".join(codes))

    def clean_selected_codes(self) -> list:
        codes = self.cleaned_data["selected_codes"].replace(",", "\n").splitlines()
        people, unknown = beneficiaries_by_codes(codes, user=self.user)
        if unknown:
            raise forms.ValidationError(
                _("Unknown in your neighbourhoods: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return people


class StructurePriorityForm(forms.ModelForm):
    class Meta:
        model = StructurePriority
        fields = ["rank", "name", "kind", "estimated_area_m2"]
        widgets = {"rank": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})}
        help_texts = {"rank": ""}


StructurePriorityFormSet = forms.inlineformset_factory(
    ForumSession,
    StructurePriority,
    form=StructurePriorityForm,
    extra=3,
    max_num=20,
    # A forged TOTAL_FORMS of thousands is refused with a message, not rendered row by row.
    absolute_max=20,
    validate_max=True,
    can_delete=True,
)

__all__ = ["ForumSessionForm", "StructurePriorityFormSet", "StructureKind"]
