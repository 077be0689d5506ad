from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    """Interoperability: the IATI 2.03 activity export and the REST API."""

    name = "interop"
    verbose_name = _("Interoperability")
