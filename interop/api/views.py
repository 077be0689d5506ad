"""API endpoints: declarations over the permission layer (`programs.access`) and the services.

Every query set goes through `access.visible`, so a Bel Air field staff member gets 404 on a
Fort National record, as on the pages. Writes call each kind's service
(`serializer_class.service`); reviews `review_set_state`.
"""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.second_factor import is_enrolled, signs_in_with_second_factor
from accounts.services import second_factor_verify
from accounts.throttling import TokenRateThrottle
from beneficiaries.models import Beneficiary
from enterprises.models import Business, EnterpriseServiceCentre, EscService, Job
from fora.models import CommunityForum, ForumSession
from programs import access
from programs.idempotency import content_fingerprint, parse_key
from programs.models import Neighbourhood, Partnership, Project, ReviewState, Target
from programs.review import record_saved_with
from progress.models import ProgressSnapshot
from progress.selectors import latest_snapshots
from rehab.models import RehabSite, WorkRecord

from . import filters, serializers
from .parsers import JSONParser
from .permissions import EntersFieldData, HasRole, Reviews
from .schema import AutoSchema

#: Path parameters are ids: other values do not match the route (and are not looked up).
ID = r"[0-9]+"


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    schema = AutoSchema()
    permission_classes = [HasRole]
    lookup_value_regex = ID
    ordering = ["pk"]


class ObtainToken(ObtainAuthToken):
    """A token for a user name and password (for Kobo, Power BI, scripts); 400 when they are wrong.
    An account that signs in with a second factor also gives `otp`: the code of its authenticator
    app or a recovery code (400 asking for it otherwise). Limited per address (429)."""

    schema = AutoSchema()
    parser_classes = (FormParser, MultiPartParser, JSONParser)
    serializer_class = serializers.TokenRequestSerializer
    throttle_classes = [TokenRateThrottle]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if signs_in_with_second_factor(user):
            code = serializer.validated_data.get("otp", "")
            if not is_enrolled(user):
                raise ValidationError({"otp": [_("Set up your second factor on the website first.")]})
            if not code:
                raise ValidationError(
                    {"otp": [_("This account signs in with a second factor: give its current code.")]}
                )
            if second_factor_verify(user=user, code=code) is None:
                raise ValidationError({"otp": [_("This code is wrong, or was already used.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def idempotency_key(request):
    """The `Idempotency-Key` header as a UUID, None when absent; a malformed one is a 400."""
    try:
        return parse_key(request.headers.get("Idempotency-Key"))
    except ValueError as error:
        raise ValidationError({"Idempotency-Key": [_("Give the Idempotency-Key as a UUID.")]}) from error


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
@authentication_classes([])
def not_found(request, path=""):
    """Any other path under /api/: a JSON 404, as API clients expect, rather than an HTML page."""
    raise NotFound()


class PartnershipViewSet(ReadOnlyViewSet):
    """Partnerships (the ILO–MINUSTAH Letter of Intent) with their parties and projects."""

    queryset = Partnership.objects.prefetch_related("parties", "focus_areas", "projects")
    serializer_class = serializers.PartnershipSerializer
    ordering_fields = ["signed_on", "title"]


class ProjectViewSet(ReadOnlyViewSet):
    """Projects with their status (IATI ActivityStatus code), dates, units and neighbourhoods."""

    queryset = Project.objects.prefetch_related("implementing_units", "neighbourhoods", "targets")
    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilter
    ordering_fields = ["start_date", "code"]


class NeighbourhoodViewSet(ReadOnlyViewSet):
    """Neighbourhoods the user works in (all for managers)."""

    serializer_class = serializers.NeighbourhoodSerializer

    def get_queryset(self):
        return access.visible(Neighbourhood.objects.all(), self.request.user)


class TargetViewSet(ReadOnlyViewSet):
    """Targets with their latest progress; `history` lists every snapshot, newest first."""

    queryset = Target.objects.all()
    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter
    ordering_fields = ["project", "indicator"]

    def get_serializer(self, *args, **kwargs):
        if args and self.action in ("list", "retrieve"):
            instances = args[0] if isinstance(args[0], list | tuple) else [args[0]]
            targets = Target.objects.filter(pk__in=[t.pk for t in instances])
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["latest"] = {s.target_id: s for s in latest_snapshots(targets)}
        return super().get_serializer(*args, **kwargs)


class TargetHistoryView(generics.ListAPIView):
    """Every progress snapshot of one target, newest first (paginated)."""

    schema = AutoSchema()
    permission_classes = [HasRole]
    serializer_class = serializers.SnapshotSerializer
    filterset_class = filters.SnapshotFilter
    ordering_fields = ["as_of"]
    ordering = ["-as_of"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no target
            return ProgressSnapshot.objects.none()
        target = get_object_or_404(Target, pk=self.kwargs["target_pk"])
        return target.snapshots.all()


class BeneficiaryViewSet(ReadOnlyViewSet):
    """People served; phone and date of birth only for those allowed to see personal data."""

    serializer_class = serializers.BeneficiarySerializer
    filterset_class = filters.BeneficiaryFilter
    ordering_fields = ["code"]

    def get_queryset(self):
        return access.visible(Beneficiary.objects.all(), self.request.user)


class CommunityForumViewSet(ReadOnlyViewSet):
    """Community fora of the user's neighbourhoods (to record their sessions)."""

    serializer_class = serializers.CommunityForumSerializer

    def get_queryset(self):
        return access.visible(CommunityForum.objects.all(), self.request.user)


class CentreViewSet(ReadOnlyViewSet):
    """Enterprise Service Centres of the user's neighbourhoods."""

    serializer_class = serializers.CentreSerializer

    def get_queryset(self):
        return access.visible(EnterpriseServiceCentre.objects.all(), self.request.user)


class RehabSiteViewSet(ReadOnlyViewSet):
    """Rehabilitation sites with their planned and verified areas."""

    serializer_class = serializers.RehabSiteSerializer
    filterset_class = filters.RehabSiteFilter
    ordering_fields = ["name", "planned_area_m2"]

    def get_queryset(self):
        verified = Q(work_records__review_state=ReviewState.VERIFIED)
        sites = RehabSite.objects.annotate(
            verified_area_m2=Sum("work_records__completed_area_m2", filter=verified)
        )
        return access.visible(sites, self.request.user)


@extend_schema_view(
    review=extend_schema(
        request=serializers.ReviewSerializer,
        description="Verify or return a submitted record (ILO managers and administrators).",
    ),
    submit=extend_schema(request=None, description="Submit a draft or returned record for review."),
)
class FieldRecordViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ReadOnlyViewSet,
):
    """A kind of field record: list, read, create and change (field staff), submit, review.

    Creating saves a draft unless `submit` is true. A verified record can no longer be changed.
    """

    permission_classes = [EntersFieldData]
    parser_classes = [JSONParser]
    model = None
    related: tuple[str, ...] = ()

    def get_queryset(self):
        return access.visible(self.model.objects.select_related(*self.related), self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["idempotency_key"] = idempotency_key(self.request)
        return context

    def create(self, request, *args, **kwargs):
        """201 with the new record; 200 with the same record when its `Idempotency-Key` (or
        `token`) was sent before with the same content; 409 when with other content."""
        earlier = self._saved_before(request)
        if earlier is not None:
            return Response(self.get_serializer(earlier).data, status=status.HTTP_200_OK)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = serializer.save()
        replayed = getattr(record, "replayed", False)
        return Response(
            self.get_serializer(record).data,
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )

    def _saved_before(self, request):
        """The record an earlier send of this one-time key saved, asked before the serializer's
        rules: a resend must not be refused by what its first send satisfied (a unique name)."""
        key = idempotency_key(request)
        if key is None and isinstance(request.data, dict):
            try:
                key = parse_key(request.data.get("token"))
            except (ValueError, TypeError, AttributeError):
                return None  # the serializer says what is wrong with it
        if key is None:
            return None
        # Another user's or kind's key, or other content: FormTokenReused, a 409 (exceptions.py).
        return record_saved_with(
            key,
            by=request.user,
            model=self.model,
            fingerprint=content_fingerprint(request.data, request.FILES),
        )

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        record = self.get_serializer_class().service(record=self.get_object(), by=request.user, submit=True)
        return Response(self.get_serializer(record).data)

    @action(detail=True, methods=["post"], permission_classes=[Reviews])
    def review(self, request, pk=None):
        record = self.get_object()
        decision = serializers.ReviewSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        decision.save(record=record, by=request.user)
        return Response(self.get_serializer(record).data, status=status.HTTP_200_OK)


class ForumSessionViewSet(FieldRecordViewSet):
    model = ForumSession
    related = ("forum", "project", "created_by", "review_changed_by")
    serializer_class = serializers.ForumSessionSerializer
    filterset_class = filters.ForumSessionFilter
    ordering_fields = ["held_on"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("priorities", "selections__beneficiary")


class BusinessViewSet(FieldRecordViewSet):
    model = Business
    related = ("owner", "centre", "created_by", "review_changed_by")
    serializer_class = serializers.BusinessSerializer
    filterset_class = filters.BusinessFilter
    ordering_fields = ["formed_on", "name"]


class JobViewSet(FieldRecordViewSet):
    model = Job
    related = ("worker", "business", "created_by", "review_changed_by")
    serializer_class = serializers.JobSerializer
    filterset_class = filters.JobFilter
    ordering_fields = ["start_date"]


class EscServiceViewSet(FieldRecordViewSet):
    model = EscService
    related = ("centre", "business", "created_by", "review_changed_by")
    serializer_class = serializers.EscServiceSerializer
    filterset_class = filters.EscServiceFilter
    ordering_fields = ["delivered_on"]


class WorkRecordViewSet(FieldRecordViewSet):
    model = WorkRecord
    related = ("site", "created_by", "review_changed_by")
    serializer_class = serializers.WorkRecordSerializer
    filterset_class = filters.WorkRecordFilter
    parser_classes = [JSONParser, MultiPartParser]
    ordering_fields = ["date", "completed_area_m2"]
