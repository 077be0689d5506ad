"""IATI and API routes: `/iati/activities.xml` and everything under `/api/`."""

from django.urls import path

from . import views

app_name = "interop"
urlpatterns = [
    path("iati/activities.xml", views.iati_activities, name="iati-activities"),
]
