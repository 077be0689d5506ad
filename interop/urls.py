"""IATI and API routes (issue: Interoperability)."""
app_name = "interop"
urlpatterns: list = []
