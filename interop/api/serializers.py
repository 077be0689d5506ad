"""What the API shows and accepts. Field records are written by `field_record_save`, the service
the forms use, so validation (`full_clean()`), review state and neighbourhood scoping are the same.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from enterprises.models import Beneficiary, Business, EnterpriseServiceCentre, EscService, Job
from fora.models import BeneficiarySelection, CommunityForum, ForumSession, StructurePriority
from programs import access
from programs.models import (
    Neighbourhood,
    Organisation,
    Partnership,
    ProgressSnapshot,
    Project,
    ReviewState,
    Target,
)
from programs.services import field_record_save, review_set_state
from rehab.models import RehabSite, WorkRecord
from rehab.photos import shrink_photo

# --- the programme (read only) -----------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym", "kind", "parent", "iati_identifier", "iati_type"]


class PartnershipSerializer(serializers.ModelSerializer):
    parties = OrganisationSerializer(many=True, read_only=True)
    focus_areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Partnership
        fields = [
            "id",
            "title",
            "instrument",
            "signed_on",
            "place",
            "parties",
            "focus_areas",
            "summary",
            "projects",
        ]


class NeighbourhoodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "city", "country", "latitude", "longitude"]


class ProjectSerializer(serializers.ModelSerializer):
    implementing_units = OrganisationSerializer(many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    targets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "title",
            "title_fr",
            "description",
            "description_fr",
            "partnership",
            "launched_on",
            "start_date",
            "end_date",
            "status",
            "status_label",
            "implementing_units",
            "neighbourhoods",
            "targets",
        ]


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressSnapshot
        fields = [
            "as_of",
            "actual",
            "target_value",
            "percent",
            "remaining",
            "expected_by_now",
            "forecast_date",
            "status",
            "breakdown",
        ]


class TargetSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(read_only=True)
    latest = serializers.SerializerMethodField(
        help_text=_("The latest progress snapshot (null before the first computation).")
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "project",
            "indicator",
            "unit",
            "value",
            "due_date",
            "youth_min_age",
            "youth_max_age",
            "latest",
        ]

    @extend_schema_field(SnapshotSerializer(allow_null=True))
    def get_latest(self, target: Target):
        snapshot = self.context.get("latest", {}).get(target.pk)
        return SnapshotSerializer(snapshot).data if snapshot is not None else None


class BeneficiarySerializer(serializers.ModelSerializer):
    """A person; phone and date of birth are null unless the reader may see personal data."""

    phone = serializers.CharField(read_only=True, allow_null=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Beneficiary
        fields = [
            "id",
            "code",
            "first_name",
            "last_name",
            "sex",
            "neighbourhood",
            "phone",
            "date_of_birth",
            "consent_given",
            "anonymised_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not access.may_view_personal_data(getattr(request, "user", None)):
            data["phone"] = data["date_of_birth"] = None
        return data


class RehabSiteSerializer(serializers.ModelSerializer):
    verified_area_m2 = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text=_("Area of the site's verified work records (what counts towards progress)."),
    )

    class Meta:
        model = RehabSite
        fields = [
            "id",
            "project",
            "neighbourhood",
            "name",
            "kind",
            "planned_area_m2",
            "verified_area_m2",
            "latitude",
            "longitude",
            "priority",
            "contractor",
            "status",
        ]


class CommunityForumSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommunityForum
        fields = ["id", "name", "neighbourhood", "local_groups"]


class CentreSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnterpriseServiceCentre
        fields = ["id", "name", "project", "neighbourhood", "operator", "opened_on"]


# --- field records (read and write) --------------------------------------------------------


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices are the rows the requesting user may see, as in the forms."""

    def get_queryset(self):
        request = self.context.get("request")
        return access.visible(super().get_queryset(), getattr(request, "user", None))


class BeneficiaryCodeField(serializers.SlugRelatedField):
    """A beneficiary given by code (BA-0001), among those the user may see (like the form)."""

    default_error_messages = {
        "does_not_exist": _("No beneficiary has the code {value} in your neighbourhoods."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Beneficiary.objects.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return access.visible(super().get_queryset(), getattr(request, "user", None))

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper().split(" ")[0]
        return super().to_internal_value(data)


class FieldRecordSerializer(serializers.ModelSerializer):
    """The review fields every field record has, and the write path through the service."""

    submit = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text=_("Submit for review (true) or save as a draft (false, the default)."),
    )
    token = serializers.UUIDField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_("A one-time key: sending the same token twice saves once (safe retries)."),
    )
    review_state = serializers.ChoiceField(choices=ReviewState.choices, read_only=True)
    review_changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    review_changed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    neighbourhood = serializers.SerializerMethodField()

    review_fields = [
        "review_state",
        "review_changed_by",
        "review_changed_at",
        "created_by",
        "created_at",
        "updated_at",
        "submit",
        "token",
    ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_neighbourhood(self, record) -> int | None:
        return access.neighbourhood_id_of(record)

    def after_save(self, record, related: dict) -> None:
        """Save what belongs to the record, inside the service's transaction."""

    def related_data(self, validated_data: dict) -> dict:
        """Remove from `validated_data` what is not a model field; given to `after_save`."""
        return {}

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, record, validated_data):
        submit = validated_data.pop("submit", False)
        token = validated_data.pop("token", None) or uuid.uuid4()
        related = self.related_data(validated_data)
        for name, value in validated_data.items():
            setattr(record, name, value)
        return field_record_save(
            record=record,
            by=self.context["request"].user,
            submit=submit,
            token=token,
            after_save=lambda saved: self.after_save(saved, related),
        )


class StructurePrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = StructurePriority
        fields = ["id", "rank", "name", "kind", "estimated_area_m2"]


class ForumSessionSerializer(FieldRecordSerializer):
    forum = ScopedRelatedField(queryset=CommunityForum.objects.all())
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    priorities = StructurePrioritySerializer(many=True, read_only=True)
    selected_codes = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        max_length=500,
        help_text=_("Codes of the people selected at this session (e.g. BA-0001)."),
    )

    class Meta:
        model = ForumSession
        fields = [
            "id",
            "forum",
            "neighbourhood",
            "project",
            "kind",
            "held_on",
            "women",
            "men",
            "youth",
            "notes",
            "priorities",
            "selected_codes",
            *FieldRecordSerializer.review_fields,
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        hoods = access.visible(Neighbourhood.objects.all(), getattr(request, "user", None))
        fields["project"].queryset = Project.objects.filter(neighbourhoods__in=hoods).distinct()
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["selected_codes"] = [s.beneficiary.code for s in instance.selections.all()]
        return data

    def validate_selected_codes(self, codes: list[str]) -> list[Beneficiary]:
        codes = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
        visible = access.visible(Beneficiary.objects.filter(code__in=codes), self.context["request"].user)
        people = {b.code: b for b in visible}
        unknown = [c for c in codes if c not in people]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown in your neighbourhoods: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return [people[c] for c in codes]

    def related_data(self, validated_data):
        if "selected_codes" in validated_data:
            return {"people": validated_data.pop("selected_codes")}
        return {}

    def after_save(self, record, related):
        if "people" not in related:
            return
        people = related["people"]
        record.selections.exclude(beneficiary__in=people).delete()
        chosen = set(record.selections.values_list("beneficiary_id", flat=True))
        for person in people:
            if person.pk not in chosen:
                selection = BeneficiarySelection(session=record, beneficiary=person)
                selection.full_clean()
                selection.save()


class BusinessSerializer(FieldRecordSerializer):
    owner = BeneficiaryCodeField(help_text=_("The owner's beneficiary code."))
    centre = ScopedRelatedField(queryset=EnterpriseServiceCentre.objects.all())
    neighbourhood = ScopedRelatedField(queryset=Neighbourhood.objects.all())

    class Meta:
        model = Business
        fields = [
            "id",
            "name",
            "owner",
            "centre",
            "neighbourhood",
            "size",
            "activity",
            "formed_on",
            "status",
            *FieldRecordSerializer.review_fields,
        ]


class JobSerializer(FieldRecordSerializer):
    business = ScopedRelatedField(queryset=Business.objects.exclude(status="closed"))
    worker = BeneficiaryCodeField(help_text=_("The worker's beneficiary code."))
    site = ScopedRelatedField(queryset=RehabSite.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "business",
            "neighbourhood",
            "worker",
            "role",
            "start_date",
            "end_date",
            "is_rehab_work",
            "site",
            *FieldRecordSerializer.review_fields,
        ]


class EscServiceSerializer(FieldRecordSerializer):
    centre = ScopedRelatedField(queryset=EnterpriseServiceCentre.objects.all())
    business = ScopedRelatedField(queryset=Business.objects.all(), required=False, allow_null=True)

    class Meta:
        model = EscService
        fields = [
            "id",
            "centre",
            "neighbourhood",
            "kind",
            "business",
            "delivered_on",
            "participants",
            "notes",
            *FieldRecordSerializer.review_fields,
        ]


class WorkRecordSerializer(FieldRecordSerializer):
    site = ScopedRelatedField(queryset=RehabSite.objects.all())
    photo = serializers.ImageField(
        required=False,
        allow_null=True,
        help_text=_("Photo evidence (multipart upload); stored as a JPEG of at most 1600 px."),
    )

    class Meta:
        model = WorkRecord
        fields = [
            "id",
            "site",
            "neighbourhood",
            "date",
            "completed_area_m2",
            "photo",
            "latitude",
            "longitude",
            "notes",
            *FieldRecordSerializer.review_fields,
        ]

    def validate_photo(self, photo):
        """The form's rules: a size limit with a message, then shrunk to a small JPEG."""
        if photo is None:
            return photo
        limit = settings.PHOTO_MAX_UPLOAD_BYTES
        if photo.size > limit:
            raise serializers.ValidationError(
                _("This photo weighs %(size)s; the limit is %(limit)s. Take it again at a lower resolution.")
                % {"size": filesizeformat(photo.size), "limit": filesizeformat(limit)}
            )
        return shrink_photo(photo)


class ReviewSerializer(serializers.Serializer):
    """A manager's decision on a submitted record."""

    to_state = serializers.ChoiceField(
        choices=[ReviewState.VERIFIED, ReviewState.RETURNED, ReviewState.DRAFT, ReviewState.SUBMITTED],
        help_text=_("verified, or returned with a comment saying why."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def save(self, *, record, by):
        return review_set_state(
            record=record,
            to_state=self.validated_data["to_state"],
            by=by,
            comment=self.validated_data["comment"],
        )
