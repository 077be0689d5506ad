"""The accounts pages under /accounts/ (login and logout are Django's, in haiti_esc/urls.py)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("second-factor/", views.second_factor, name="second-factor"),
    path("second-factor/verify/", views.second_factor_verify, name="second-factor-verify"),
    path("access-review/", views.access_review, name="access-review"),
    path(
        "access-review/<int:user_id>/reset-second-factor/",
        views.second_factor_reset,
        name="second-factor-reset",
    ),
]
