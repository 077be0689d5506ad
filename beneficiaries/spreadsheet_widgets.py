"""The columns of a beneficiary spreadsheet and how each cell is read and written
(django-import-export widgets), for the import and the export alike."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from import_export import widgets

from programs import access
from programs.models import Neighbourhood

from .models import Sex

#: The columns of an import file, in this order in the template and the export.
IMPORT_COLUMNS = (
    "code",
    "first_name",
    "last_name",
    "sex",
    "date_of_birth",
    "neighbourhood",
    "phone",
    "consent_given",
    "consent_date",
)
#: The columns of an export: the import's, the age and what happened to consent.
EXPORT_COLUMNS = (
    "code",
    "first_name",
    "last_name",
    "sex",
    "date_of_birth",
    "age",
    "neighbourhood",
    "phone",
    "consent_given",
    "consent_date",
    "consent_withdrawn_on",
    "anonymised",
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def import_template_dataset():
    """An empty sheet with the import's column names, and one example row."""
    import tablib

    return tablib.Dataset(
        ["BA-00001", "Marie", "Joseph", "F", "1995-03-14", "Bel Air", "+509 3712 3456", "yes", "2014-04-26"],
        headers=list(IMPORT_COLUMNS),
    )


def cell_text(value) -> str:
    """A cell as text: spreadsheets give numbers (a phone typed as 37123456 arrives as 37123456.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class CodeWidget(widgets.Widget):
    """Codes are written in capitals; a code typed in lower case is the same code."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value).upper()


class DayWidget(widgets.Widget):
    """A date typed as 1995-03-14 or 14/03/1995, or a spreadsheet date cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A file repeats its dates (one consent date per forum session): each is parsed once.
        self._read: dict[str, datetime.date] = {}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        day = self._read.get(text)
        if day is None:
            day = self._read[text] = self._parse(text)
        return day

    @staticmethod
    def _parse(text: str) -> datetime.date:
        for date_format in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(
            _("“%(value)s” is not a date: write it as YYYY-MM-DD (1995-03-14) or DD/MM/YYYY (14/03/1995).")
            % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class SexWidget(widgets.Widget):
    WORDS = {
        "f": Sex.FEMALE,
        "female": Sex.FEMALE,
        "femme": Sex.FEMALE,
        "fanm": Sex.FEMALE,
        "m": Sex.MALE,
        "h": Sex.MALE,
        "male": Sex.MALE,
        "homme": Sex.MALE,
        "gason": Sex.MALE,
    }

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).lower()
        if not text:
            return ""
        if text not in self.WORDS:
            raise ValueError(_("“%(value)s” is not a sex: write F or M.") % {"value": cell_text(value)})
        return self.WORDS[text].value


class YesNoWidget(widgets.Widget):
    YES = {"1", "yes", "y", "true", "oui", "o", "wi", "x"}
    NO = {"", "0", "no", "n", "false", "non", "none"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("“%(value)s” is not yes or no.") % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class NeighbourhoodWidget(widgets.ForeignKeyWidget):
    """A neighbourhood by its name (any case); the importing user must be allowed to record there."""

    def __init__(self):
        super().__init__(Neighbourhood, "name")
        self._by_name: dict[str, Neighbourhood] | None = None
        self._allowed: dict[tuple[int | None, int], bool] = {}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if self._by_name is None:
            self._by_name = {n.name.lower(): n for n in Neighbourhood.objects.all()}
        hood = self._by_name.get(text.lower())
        if hood is None:
            known = ", ".join(sorted(n.name for n in self._by_name.values()))
            raise ValueError(
                _("Unknown neighbourhood “%(value)s”; known neighbourhoods: %(known)s.")
                % {"value": text, "known": known}
            )
        user = kwargs.get("user")
        if user is not None and not self._may_record(user, hood):
            raise ValueError(_("You may not record people in %(name)s.") % {"name": hood.name})
        return hood

    def _may_record(self, user, hood: Neighbourhood) -> bool:
        """The user's scope, resolved once per neighbourhood and import, not once per row."""
        key = (user.pk, hood.pk)
        if key not in self._allowed:
            self._allowed[key] = access.neighbourhood_allowed(user, hood.pk)
        return self._allowed[key]
