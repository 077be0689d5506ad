"""Field data entry routes: /field/ (issue: Field data entry)."""
app_name = "field"
urlpatterns: list = []
