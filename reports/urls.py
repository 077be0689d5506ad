"""Report routes (issue 16: the managers' reporting cycle)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:project_pk>/<slug:code>/", views.period_detail, name="period"),
    path("<int:project_pk>/<slug:code>/report.pdf", views.period_pdf, name="pdf"),
    path("<int:project_pk>/<slug:code>/report.xlsx", views.period_xlsx, name="xlsx"),
    path("<int:project_pk>/<slug:code>/review/", views.period_transition, name="transition"),
    path(
        "<int:project_pk>/<slug:code>/narratives/<int:target_pk>/", views.period_narrative, name="narrative"
    ),
    path("<int:project_pk>/<slug:code>/quality/<slug:check>/", views.period_quality, name="quality"),
]
