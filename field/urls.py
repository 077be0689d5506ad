"""/field/: CVR staff's data entry and ILO managers' review queue."""

from django.urls import path

from . import offline, views

app_name = "field"
urlpatterns = [
    path("", views.home, name="home"),
    path("review/", views.review_queue, name="review"),
    path("beneficiaries/search/", views.beneficiary_search, name="beneficiary-search"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/data.json", offline.offline_data, name="offline-data"),
    path("offline/csrf/", offline.csrf, name="offline-csrf"),
    path("<slug:kind_slug>/", views.record_list, name="list"),
    path("<slug:kind_slug>/new/", views.record_form, name="create"),
    path("<slug:kind_slug>/<int:pk>/", views.record_detail, name="detail"),
    path("<slug:kind_slug>/<int:pk>/edit/", views.record_form, name="edit"),
    path("<slug:kind_slug>/<int:pk>/submit/", views.record_submit, name="submit"),
    path("<slug:kind_slug>/<int:pk>/review/", views.review_decide, name="review-decide"),
    path("work/<int:pk>/photo/", views.work_photo, name="work-photo"),
]
