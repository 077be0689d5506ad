from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data: the article's facts and a believable sample of field records."""

    name = "demo"
    verbose_name = _("Demo data")
