"""Field forms for businesses, jobs and ESC services."""

from __future__ import annotations

from django import forms

from beneficiaries.forms import BeneficiaryCodeField
from programs.forms import FieldRecordForm

from .models import Business, EscService, Job


class BusinessForm(FieldRecordForm):
    scoped_fields = ("centre", "neighbourhood")

    class Meta:
        model = Business
        fields = [
            "name",
            "owner",
            "centre",
            "neighbourhood",
            "size",
            "activity",
            "is_construction",
            "formed_on",
            "status",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"] = BeneficiaryCodeField(
            user=user, label=self.fields["owner"].label, help_text=self.fields["owner"].help_text
        )


class JobForm(FieldRecordForm):
    scoped_fields = ("business", "site")

    class Meta:
        model = Job
        fields = ["business", "worker", "role", "start_date", "end_date", "is_rehab_work", "site"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["worker"] = BeneficiaryCodeField(
            user=user, label=self.fields["worker"].label, help_text=self.fields["worker"].help_text
        )
        self.fields["business"].queryset = self.fields["business"].queryset.exclude(status="closed")


class EscServiceForm(FieldRecordForm):
    scoped_fields = ("centre", "business")

    class Meta:
        model = EscService
        fields = ["centre", "kind", "business", "delivered_on", "participants", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
