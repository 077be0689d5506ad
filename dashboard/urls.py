"""Dashboard routes (issue: Target dashboards)."""
app_name = "dashboard"
urlpatterns: list = []
