"""Dashboard routes (issue: Target dashboards)."""

from django.urls import path, register_converter

from . import views


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "export_format")

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("live/", views.live, name="live"),
    path("export.<export_format:fmt>", views.dashboard_export, name="export"),
    path("projects/<int:project_pk>/<slug:figure>/", views.figure_list, name="figure"),
    path(
        "projects/<int:project_pk>/<slug:figure>/export.<export_format:fmt>",
        views.figure_export,
        name="figure-export",
    ),
    path("sites/<int:pk>/", views.site_trace, name="site"),
    path("beneficiaries/<int:pk>/", views.beneficiary_path, name="beneficiary"),
]
