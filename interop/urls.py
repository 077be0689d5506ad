"""IATI, export and API routes: `/iati/activities.xml`, `/export/…` and everything under `/api/`."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views
from .api import views as api

app_name = "interop"

router = SimpleRouter()
router.register("partnerships", api.PartnershipViewSet, basename="partnership")
router.register("projects", api.ProjectViewSet, basename="project")
router.register("targets", api.TargetViewSet, basename="target")
router.register("neighbourhoods", api.NeighbourhoodViewSet, basename="neighbourhood")
router.register("fora", api.CommunityForumViewSet, basename="forum")
router.register("centres", api.CentreViewSet, basename="centre")
router.register("beneficiaries", api.BeneficiaryViewSet, basename="beneficiary")
router.register("rehab-sites", api.RehabSiteViewSet, basename="rehab-site")
router.register("forum-sessions", api.ForumSessionViewSet, basename="forum-session")
router.register("businesses", api.BusinessViewSet, basename="business")
router.register("jobs", api.JobViewSet, basename="job")
router.register("esc-services", api.EscServiceViewSet, basename="esc-service")
router.register("work-records", api.WorkRecordViewSet, basename="work-record")

urlpatterns = [
    path("iati/activities.xml", views.iati_activities, name="iati-activities"),
    path("export/jobs.csv", views.job_export, name="job-export"),
    path("export/jobs/", views.job_export_request, name="job-export-request"),
    path("export/jobs/<slug:token>/", views.job_export_file, name="job-export-file"),
    path("api/", RedirectView.as_view(pattern_name="interop:api-docs"), name="api-root"),
    path("api/", include(router.urls)),
    path(
        "api/targets/<int:target_pk>/history/",
        api.TargetHistoryView.as_view(),
        name="target-history",
    ),
    path("api/auth/token/", api.ObtainToken.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="interop:api-schema"),
        name="api-docs",
    ),
    # Last: other paths ending in "/" under /api/ answer a JSON 404 (without the slash, Django
    # first redirects to the path with it).
    # Any character, a newline included: an id with a %0A gets the JSON 404 too.
    re_path(r"^api/(?P<path>[\s\S]*)/$", api.not_found, name="api-not-found"),
]
