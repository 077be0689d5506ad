"""The programme as the API shows it, read only: organisations, partnerships, projects and their
targets with the latest progress snapshot, neighbourhoods, and the people, sites, forums and
centres that field records name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beneficiaries.models import Beneficiary
from enterprises.models import EnterpriseServiceCentre
from fora.models import CommunityForum
from programs import access
from programs.models import Neighbourhood, Organisation, Partnership, Project, Target
from progress.models import ProgressSnapshot
from rehab.models import RehabSite


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
            "title_ht",
            "description",
            "description_fr",
            "description_ht",
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
