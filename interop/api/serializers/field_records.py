"""Field records (forum sessions, businesses, jobs, ESC services, work records), read and
written. Each is written by its kind's service (the one the forms and the admin call), so
validation (`full_clean()`), review history, neighbourhood scoping and progress marking are the
same at every door."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beneficiaries.models import Beneficiary
from beneficiaries.selectors import beneficiaries_by_codes, normal_code
from enterprises.models import Business, EnterpriseServiceCentre, EscService, Job
from enterprises.services import business_save, esc_service_save, job_save
from fora.models import CommunityForum, ForumSession, StructurePriority
from fora.services import forum_session_save
from programs import access
from programs.idempotency import content_fingerprint
from programs.models import Neighbourhood, Project, ReviewState
from rehab.models import RehabSite, WorkRecord
from rehab.photos import prepare_photo
from rehab.services import work_record_save


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
            data = normal_code(data)
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

    url = serializers.SerializerMethodField(help_text=_("The record's page on the field pages."))

    review_fields = [
        "url",
        "review_state",
        "review_changed_by",
        "review_changed_at",
        "created_by",
        "created_at",
        "updated_at",
        "submit",
        "token",
    ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, record) -> str:
        page = reverse("field:detail", args=[type(self).page_slug, record.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(page) if request else page

    @extend_schema_field(OpenApiTypes.INT)
    def get_neighbourhood(self, record) -> int | None:
        return access.neighbourhood_id_of(record)

    def related_data(self, validated_data: dict) -> dict:
        """Remove from `validated_data` what is not a model field; given to the kind's service."""
        return {}

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, record, validated_data):
        request = self.context["request"]
        submit = validated_data.pop("submit", False)
        token = validated_data.pop("token", None)
        # The `Idempotency-Key` header is the same one-time key as the `token` field (header first).
        token = self.context.get("idempotency_key") or token or uuid.uuid4()
        related = self.related_data(validated_data)
        for name, value in validated_data.items():
            setattr(record, name, value)
        # The record kind's service: the same one the field pages and the admin call.
        return type(self).service(
            record=record,
            by=request.user,
            submit=submit,
            token=token,
            fingerprint=content_fingerprint(request.data, request.FILES),
            **related,
        )


class StructurePrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = StructurePriority
        fields = ["id", "rank", "name", "kind", "estimated_area_m2"]


class ForumSessionSerializer(FieldRecordSerializer):
    service = staticmethod(forum_session_save)
    page_slug = "sessions"
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

    def validate_selected_codes(self, codes: list[str]) -> list:
        people, unknown = beneficiaries_by_codes(codes, user=self.context["request"].user)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown in your neighbourhoods: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return people

    def related_data(self, validated_data):
        if "selected_codes" in validated_data:
            return {"people": validated_data.pop("selected_codes")}
        return {}


class BusinessSerializer(FieldRecordSerializer):
    service = staticmethod(business_save)
    page_slug = "businesses"
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
            "is_construction",
            "formed_on",
            "status",
            *FieldRecordSerializer.review_fields,
        ]


class JobSerializer(FieldRecordSerializer):
    service = staticmethod(job_save)
    page_slug = "jobs"
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
    service = staticmethod(esc_service_save)
    page_slug = "services"
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


class WorkPhotoField(serializers.ImageField):
    """Written: an upload checked and shrunk as by the form (`rehab.photos.prepare_photo`).
    Read: the absolute URL of the page serving the photo to those who may see the record
    (`/field/work/<id>/photo/`, which takes the API's token too); `/media/…` is not served."""

    def to_internal_value(self, data):
        # FileField's checks (a file, a name, not empty); Pillow is opened once, by prepare_photo.
        upload = serializers.FileField.to_internal_value(self, data)
        try:
            return prepare_photo(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None

    def to_representation(self, value):
        if not value:
            return None
        path = reverse("field:work-photo", args=[value.instance.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class WorkRecordSerializer(FieldRecordSerializer):
    service = staticmethod(work_record_save)
    page_slug = "work"
    site = ScopedRelatedField(queryset=RehabSite.objects.all())
    photo = WorkPhotoField(
        required=False,
        allow_null=True,
        help_text=_(
            "Photo evidence: sent as a multipart upload (JPEG, PNG or WebP), stored as a JPEG of at "
            "most 1600 px; read as the URL that serves it to those who may see the record (with "
            "the same token)."
        ),
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
