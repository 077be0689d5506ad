from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """Field data entry for CVR staff, and the review queue of ILO managers."""

    name = "field"
    verbose_name = _("Field data entry")
