"""Spreadsheets of beneficiaries (django-import-export): the import with a per-row report, and
the export that carries only what the exporting user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from programs import access
from programs.models import Neighbourhood
from programs.spreadsheets import neutralise

from .models import Beneficiary, Sex
from .selectors import LookAlikeIndex

#: What users without the personal-data permission see instead of a phone or a date of birth.
MASK = "•••"

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


def _text(value) -> str:
    """A cell as text: spreadsheets give numbers (a phone typed as 37123456 arrives as 37123456.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)


class CodeWidget(widgets.Widget):
    """Codes are written in capitals; a code typed in lower case is the same code."""

    def clean(self, value, row=None, **kwargs):
        return _text(value).upper()


class DayWidget(widgets.Widget):
    """A date typed as 1995-03-14 or 14/03/1995, or a spreadsheet date cell."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            return None
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
        text = _text(value).lower()
        if not text:
            return ""
        if text not in self.WORDS:
            raise ValueError(_("“%(value)s” is not a sex: write F or M.") % {"value": _text(value)})
        return self.WORDS[text].value


class YesNoWidget(widgets.Widget):
    YES = {"1", "yes", "y", "true", "oui", "o", "wi", "x"}
    NO = {"", "0", "no", "n", "false", "non", "none"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("“%(value)s” is not yes or no.") % {"value": _text(value)})

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class NeighbourhoodWidget(widgets.ForeignKeyWidget):
    """A neighbourhood by its name (any case); the importing user must be allowed to record there."""

    def __init__(self):
        super().__init__(Neighbourhood, "name")
        self._by_name: dict[str, Neighbourhood] | None = None

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
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
        if user is not None and not access.neighbourhood_allowed(user, hood.pk):
            raise ValueError(_("You may not record people in %(name)s.") % {"name": hood.name})
        return hood


class BeneficiaryImportResource(resources.ModelResource):
    """One row per person; the code identifies the person, so a file imported twice updates
    (or skips) the rows it created instead of duplicating them."""

    code = fields.Field(attribute="code", column_name="code", widget=CodeWidget())
    first_name = fields.Field(attribute="first_name", column_name="first_name", widget=TextWidget())
    last_name = fields.Field(attribute="last_name", column_name="last_name", widget=TextWidget())
    sex = fields.Field(attribute="sex", column_name="sex", widget=SexWidget())
    date_of_birth = fields.Field(attribute="date_of_birth", column_name="date_of_birth", widget=DayWidget())
    neighbourhood = fields.Field(
        attribute="neighbourhood", column_name="neighbourhood", widget=NeighbourhoodWidget()
    )
    phone = fields.Field(attribute="phone", column_name="phone", widget=TextWidget())
    consent_given = fields.Field(attribute="consent_given", column_name="consent_given", widget=YesNoWidget())
    consent_date = fields.Field(attribute="consent_date", column_name="consent_date", widget=DayWidget())
    look_alikes = fields.Field(
        attribute="import_look_alikes",
        column_name=gettext_lazy("suspected duplicate of"),
        readonly=True,
    )

    class Meta:
        model = Beneficiary
        fields = (*IMPORT_COLUMNS, "look_alikes")
        import_order = (*IMPORT_COLUMNS, "look_alikes")
        import_id_fields = ("code",)
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._first_row_of_code: dict[str, int] = {}

    @classmethod
    def get_display_name(cls):
        return _("Beneficiaries")

    def get_queryset(self):
        return Beneficiary.objects.select_related("neighbourhood")

    def get_user_visible_fields(self):
        """The columns a file has; the look-alike column is the preview's remark."""
        return [field for field in super().get_user_visible_fields() if not field.readonly]

    def before_import(self, dataset, **kwargs):
        headers = [_text(h) for h in dataset.headers or []]
        dataset.headers = headers
        missing = [column for column in IMPORT_COLUMNS if column not in headers]
        if missing:
            del dataset[:]  # no row is read: one message says what is wrong with the file
            raise ValidationError(
                _("Missing columns: %(missing)s. The first row must name the columns: %(all)s.")
                % {"missing": ", ".join(missing), "all": ", ".join(IMPORT_COLUMNS)}
            )
        self._first_row_of_code = {}
        self._look_alikes = LookAlikeIndex.load()

    def before_import_row(self, row, **kwargs):
        code = CodeWidget().clean(row.get("code"))
        number = kwargs.get("row_number")
        if code and code in self._first_row_of_code:
            raise ValidationError(
                {
                    "code": _("The code %(code)s is already used on row %(row)s of this file.")
                    % {"code": code, "row": self._first_row_of_code[code]}
                }
            )
        if code:
            self._first_row_of_code[code] = number

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            return
        if instance.anonymised_at is not None:
            raise ValidationError(
                {
                    "code": _(
                        "%(code)s was anonymised (consent withdrawn or removed); "
                        "their data cannot be imported again."
                    )
                    % {"code": instance.code}
                }
            )
        if self.user is not None and not access.visible(
            Beneficiary.objects.filter(pk=instance.pk), self.user
        ):
            raise ValidationError({"code": _("You may not change %(code)s.") % {"code": instance.code}})

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "consent_given" not in errors and not instance.consent_given:
            errors["consent_given"] = [
                _("Consent is missing: only people who agreed to be recorded can be imported (write yes).")
            ]
        described = (
            instance.code,
            instance.first_name,
            instance.last_name,
            instance.date_of_birth if "date_of_birth" not in errors else None,
            instance.phone,
        )
        instance.import_look_alikes = ", ".join(self._look_alikes.find(*described))
        self._look_alikes.add(*described)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """`full_clean()` without one query per row for each CHECK constraint, the code's
        uniqueness and the neighbourhood's existence: `Beneficiary.clean()` states the CHECK rules
        in Python, the code was looked up by the instance loader, the neighbourhood was read from
        the database by its widget; the database still enforces all three."""
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        if instance.neighbourhood_id is not None:
            exclude.add("neighbourhood")
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            # A column the file got wrong keeps its own message ("not a date"), not the model's
            # consequence of the empty value ("the date of birth is required").
            found = {k: v for k, v in error.update_error_dict({}).items() if k not in errors}
            errors |= found
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Skip a row that changes nothing (the look-alike column is a remark, not data)."""
        if import_validation_errors or original is None or original.pk is None:
            return False
        return all(
            field.get_value(instance) == field.get_value(original)
            for field in self.get_import_fields()
            if not field.readonly
        )

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user
        file_name = kwargs.get("file_name") or ""
        instance._change_reason = (
            (_("import of %(file)s") % {"file": file_name}) if file_name else _("import")
        )


@dataclass(frozen=True)
class RowProblem:
    """One reason a row was refused: its number (1 = the first row under the column names),
    the column, the value found there and the reason."""

    row: int
    column: str
    value: str
    reason: str

    @property
    def line(self) -> int:
        """The line in the file or sheet, counting the row of column names."""
        return self.row + 1


def row_problems(result) -> list[RowProblem]:
    """Every refused row of an import result, one entry per column and reason, in row order."""
    problems = []
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            name = "" if column == NON_FIELD_ERRORS else column
            value = _text(invalid.values[IMPORT_COLUMNS.index(name)]) if name in IMPORT_COLUMNS else ""
            problems += [RowProblem(invalid.number, name, value, str(m)) for m in messages]
    for error_row in result.error_rows:
        problems += [RowProblem(error_row.number, "", "", str(e.error)) for e in error_row.errors]
    problems.sort(key=lambda p: (p.row, p.column))
    return [RowProblem(0, "", "", " ".join(_messages(e.error))) for e in result.base_errors] + problems


def _messages(error) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]


def import_template_dataset():
    """An empty sheet with the import's column names, and one example row."""
    import tablib

    return tablib.Dataset(
        ["BA-00001", "Marie", "Joseph", "F", "1995-03-14", "Bel Air", "+509 3712 3456", "yes", "2014-04-26"],
        headers=list(IMPORT_COLUMNS),
    )


class BeneficiaryExportResource(resources.ModelResource):
    """The export: phone and date of birth only for users allowed to see personal data."""

    code = fields.Field(attribute="code", column_name="code")
    first_name = fields.Field(attribute="first_name", column_name="first_name")
    last_name = fields.Field(attribute="last_name", column_name="last_name")
    sex = fields.Field(attribute="sex", column_name="sex")
    date_of_birth = fields.Field(attribute="date_of_birth", column_name="date_of_birth", widget=DayWidget())
    age = fields.Field(column_name="age")
    neighbourhood = fields.Field(
        attribute="neighbourhood",
        column_name="neighbourhood",
        widget=widgets.ForeignKeyWidget(Neighbourhood, "name"),
    )
    phone = fields.Field(attribute="phone", column_name="phone")
    consent_given = fields.Field(attribute="consent_given", column_name="consent_given", widget=YesNoWidget())
    consent_date = fields.Field(attribute="consent_date", column_name="consent_date", widget=DayWidget())
    consent_withdrawn_on = fields.Field(
        attribute="consent_withdrawn_on", column_name="consent_withdrawn_on", widget=DayWidget()
    )
    anonymised = fields.Field(column_name="anonymised")

    class Meta:
        model = Beneficiary
        fields = EXPORT_COLUMNS
        export_order = EXPORT_COLUMNS

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.may_view_personal_data = access.may_view_personal_data(user)
        self.today = timezone.localdate()

    @classmethod
    def get_display_name(cls):
        return _("Beneficiaries")

    def filter_export(self, queryset, **kwargs):
        """Only the people the user may see, whatever query set the caller passes."""
        return access.visible(queryset, self.user).select_related("neighbourhood")

    def export_field(self, field, instance, **kwargs):
        """Every exported cell is neutralised: a name like "=HYPERLINK(…)" stays text."""
        return neutralise(super().export_field(field, instance, **kwargs))

    def dehydrate_phone(self, beneficiary):
        if not beneficiary.phone:
            return ""
        return beneficiary.phone if self.may_view_personal_data else MASK

    def dehydrate_date_of_birth(self, beneficiary):
        if beneficiary.date_of_birth is None:
            return ""
        return beneficiary.date_of_birth.isoformat() if self.may_view_personal_data else MASK

    def dehydrate_age(self, beneficiary):
        age = beneficiary.age_on(self.today)
        return "" if age is None else age

    def dehydrate_anonymised(self, beneficiary):
        return _("yes") if beneficiary.anonymised_at else _("no")
