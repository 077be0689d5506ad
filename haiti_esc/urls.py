"""URL routes: the admin, authentication, and each app's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.i18n import JavaScriptCatalog

from accounts import views as accounts_views
from notifications.passwords import PasswordResetView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    # Log in and out, change one's password.
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", accounts_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Password reset by e-mail (Django's views; the mail in the person's language, rate-limited).
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    # The second factor (enrolment, verification) and the administrators' access review.
    path("accounts/", include("accounts.urls")),
    # The language switcher keeps a signed-in person's choice on their profile.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The interface's strings for the browser's scripts (the offline outbox), cached by the phone.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("field/", include("field.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("", include("interop.urls")),
]

handler500 = "haiti_esc.views.error_500"
