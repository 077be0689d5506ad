"""Spreadsheets of beneficiaries (django-import-export): the import with a per-row report, and
the export that carries only what the exporting user may see."""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Error

from programs import access
from programs.models import Neighbourhood
from programs.spreadsheets import neutralise

from .models import Beneficiary, Sex
from .selectors import AnyOf, LookAlikeIndex

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
#: The column a database refusal is about, by constraint name: the database has the last word
#: (a code recorded by someone else since the file was checked, a rule `clean()` does not state).
CONSTRAINT_COLUMNS = {
    "enterprises_beneficiary_code_key": "code",
    "beneficiary_sex_valid": "sex",
    "beneficiary_date_of_birth_required": "date_of_birth",
    "beneficiary_consent_date_required": "consent_date",
    "beneficiary_consent_after_birth": "consent_date",
}
#: Rows written per INSERT (people, then their history rows) in a bulk import.
BATCH_SIZE = 1000


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A file repeats its dates (one consent date per forum session): each is parsed once.
        self._read: dict[str, datetime.date] = {}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
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
        self._allowed: dict[tuple[int | None, int], bool] = {}

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
        if user is not None and not self._may_record(user, hood):
            raise ValueError(_("You may not record people in %(name)s.") % {"name": hood.name})
        return hood

    def _may_record(self, user, hood: Neighbourhood) -> bool:
        """The user's scope, resolved once per neighbourhood and import, not once per row."""
        key = (user.pk, hood.pk)
        if key not in self._allowed:
            self._allowed[key] = access.neighbourhood_allowed(user, hood.pk)
        return self._allowed[key]


class PeopleOfTheFile(BaseInstanceLoader):
    """The people a file names, read in one query by `BeneficiaryImportResource.before_import`
    (import-export's cached loader builds every row as a dict three times to find the codes)."""

    def get_instance(self, row):
        return self.resource.people_of_the_file.get(
            self.resource.fields["code"].widget.clean(row.get("code"))
        )


class BeneficiaryImportResource(resources.ModelResource):
    """One row per person; the code identifies the person, so a file imported twice updates
    (or skips) the rows it created instead of duplicating them.

    Rows are checked one by one (`full_clean()`, the user's scope, look-alikes) but written in
    batches, with their history rows (`_record_history`): a row-by-row save costs a savepoint,
    two INSERTs and the post-save signals per person. The batches run inside the import's
    transaction, so a refused row still saves nothing.
    """

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
        instance_loader_class = PeopleOfTheFile
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True
        use_bulk = True
        batch_size = BATCH_SIZE

    def __init__(self, user=None, *, diff: bool = True, **kwargs):
        """`diff=False` leaves out each row's before/after, which only the preview shows."""
        super().__init__(**kwargs)
        self.user = user
        if not diff:
            self._meta = copy.copy(type(self)._meta)  # the options are the class's, shared
            self._meta.skip_diff = True
        #: The columns read from the file (the look-alike column is the import's remark).
        self._data_fields = [field for field in self.get_import_fields() if not field.readonly]
        self._first_row_of_code: dict[str, int] = {}
        self.people_of_the_file: dict[str, Beneficiary] = {}
        self._may_change: set[str] = set()
        self._look_alikes = LookAlikeIndex()
        self._change_reason = ""

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
        described = [self._described(dict(zip(headers, values, strict=False))) for values in dataset]
        codes = {code for code, *_ in described if code}
        self.people_of_the_file = {p.code: p for p in self.get_queryset().filter(AnyOf(F("code"), codes))}
        # The importing user's scope over them: one query, not one per row.
        if self.user is not None and self.people_of_the_file:
            pks = [person.pk for person in self.people_of_the_file.values()]
            self._may_change = set(
                access.visible(Beneficiary.objects.filter(pk__in=pks), self.user).values_list(
                    "code", flat=True
                )
            )
        self._look_alikes = LookAlikeIndex.load(described)
        file_name = kwargs.get("file_name") or ""
        self._change_reason = (_("import of %(file)s") % {"file": file_name}) if file_name else _("import")

    def _described(self, row: dict) -> tuple:
        """A row's look-alike keys as the widgets will read them (no date when it is not one)."""
        try:
            born = self.fields["date_of_birth"].widget.clean(row.get("date_of_birth"))
        except ValueError:
            born = None
        return (
            _text(row.get("code")).upper(),
            _text(row.get("first_name")),
            _text(row.get("last_name")),
            born,
            _text(row.get("phone")),
        )

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
        if self.user is not None and instance.code not in self._may_change:
            raise ValidationError({"code": _("You may not change %(code)s.") % {"code": instance.code}})
        # What the row is compared with to skip it unchanged (the diff may be left out).
        instance._import_before = self._values(instance)

    def _values(self, instance) -> tuple:
        return tuple(field.get_value(instance) for field in self._data_fields)

    def import_instance(self, instance, row, **kwargs):
        """Each column through its widget, as import-export's `Field.save` does (the attributes
        are plain, the columns checked by `before_import`), without its indirections, which cost
        more than the widgets over a file of ten thousand rows."""
        errors = {}
        user = kwargs.get("user")  # all the widgets read (import-export's dozen keywords cost more)
        for field in self._data_fields:
            try:
                value = field.widget.clean(row[field.column_name], row=row, user=user)
            except ValueError as error:
                errors[field.attribute] = [ValidationError(str(error), code="invalid")]
            else:
                setattr(instance, field.attribute, value)
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
        if import_validation_errors or instance.pk is None:
            return False
        return getattr(instance, "_import_before", None) == self._values(instance)

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user
        instance._change_reason = self._change_reason
        instance._import_row = (kwargs.get("row_number"), row)  # to name it if the database refuses it

    # --- writing in batches ------------------------------------------------------------------

    def get_bulk_update_fields(self):
        return [
            field.attribute
            for field in self._data_fields
            if field.attribute not in self._meta.import_id_fields
        ]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Insert the batch and one history row per person, with the importing user and file."""
        self._write(
            self.create_instances,
            lambda people: self._record_history(
                Beneficiary.objects.bulk_create(people, batch_size=batch_size), history_type="+"
            ),
            lambda person: Beneficiary.objects.bulk_create([person]),
            using_transactions=using_transactions,
            dry_run=dry_run,
            raise_errors=raise_errors,
            result=result,
        )

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        fields = self.get_bulk_update_fields()
        self._write(
            self.update_instances,
            lambda people: (
                Beneficiary.objects.bulk_update(people, fields, batch_size=batch_size),
                self._record_history(people, history_type="~"),
            ),
            lambda person: Beneficiary.objects.bulk_update([person], fields),
            using_transactions=using_transactions,
            dry_run=dry_run,
            raise_errors=raise_errors,
            result=result,
        )

    def _record_history(self, people: list[Beneficiary], *, history_type: str) -> None:
        """One history row per person written, with the importing user and file: what
        simple-history's `bulk_history_create` writes, but copied by the database from the rows
        just written, one statement per batch, instead of built as a model instance per row in
        Python (which took as long as the rest of the import)."""
        if not people or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        history = Beneficiary.history.model
        reason = self._change_reason[: history._meta.get_field("history_change_reason").max_length]
        tracked = [field.column for field in history.tracked_fields]
        own = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        columns = {field.column for field in history._meta.concrete_fields} - {history._meta.pk.column}
        if columns != {*tracked, *own}:  # a history field this copy does not know: simple-history's way
            history.objects.bulk_history_create(
                people,
                update=history_type == "~",
                default_user=self.user,
                default_change_reason=reason,
            )
            return
        quote = connection.ops.quote_name
        pk = quote(Beneficiary._meta.pk.column)
        pks = [person.pk for person in people]
        if connection.vendor == "postgresql":
            among, pk_params = "= ANY(%s)", [pks]
        else:  # SQLite in development
            among, pk_params = f"IN ({', '.join(['%s'] * len(pks))})", pks
        table, source = quote(history._meta.db_table), quote(Beneficiary._meta.db_table)
        into, copied = ", ".join(map(quote, tracked + own)), ", ".join(map(quote, tracked))
        # Only the models' own table and column names, quoted, go into the text; values are parameters.
        sql = (
            f"INSERT INTO {table} ({into}) SELECT {copied}, %s, %s, %s, %s "  # noqa: S608
            f"FROM {source} WHERE {pk} {among} ORDER BY {pk}"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, reason, history_type, getattr(self.user, "pk", None), *pk_params])

    def _write(self, people, write_all, write_one, *, using_transactions, dry_run, raise_errors, result):
        """Write a batch, unless a row was refused already (then nothing will be kept, so writing
        is wasted work). When the database refuses the batch, find and report the row it refused,
        by writing the batch's rows again one by one (all of it is rolled back in the end)."""
        try:
            if not people or (dry_run and not using_transactions):
                return
            if result is not None and (result.has_errors() or result.has_validation_errors()):
                return
            try:
                with transaction.atomic():
                    write_all(people)
            except DatabaseError as error:
                if raise_errors:
                    raise
                self._report_refused(people, write_one, error, result)
        finally:
            people.clear()

    def _report_refused(self, people, write_one, error: DatabaseError, result) -> None:
        for person in people:
            try:
                with transaction.atomic():
                    write_one(person)
            except DatabaseError as row_error:
                number, row = person._import_row
                column, reason = _refusal(row_error)
                result.append_invalid_row(
                    number, row, ValidationError({column or NON_FIELD_ERRORS: [reason]})
                )
                return
        result.append_base_error(Error(_DatabaseRefusal(_refusal(error)[1])))

    def after_import(self, dataset, result, **kwargs):
        """New rows were written after their row result was made: give it their id now."""
        for row in result.rows:
            if row.instance is not None and row.object_id is None:
                row.object_id = row.instance.pk


class _DatabaseRefusal(Exception):
    """A row the database refused although it passed the checks in Python."""


def _refusal(error: DatabaseError) -> tuple[str, str]:
    """The column (or '') and the reason of a refusal by the database: a constraint named in
    CONSTRAINT_COLUMNS gives its message, a trigger writes "column: reason"."""
    diagnosis = getattr(error.__cause__, "diag", None)
    constraint = getattr(diagnosis, "constraint_name", None) or ""
    column = CONSTRAINT_COLUMNS.get(constraint, "")
    if column == "code":
        return column, str(Beneficiary._meta.get_field("code").error_messages["unique"])
    for rule in Beneficiary._meta.constraints:
        if rule.name == constraint and column:
            return column, str(rule.get_violation_error_message())
    first_line = (str(error).splitlines() or [""])[0]
    said = re.match(r"^(\w+): (.+)$", first_line)
    if said and said.group(1) in IMPORT_COLUMNS:
        return said.group(1), said.group(2)
    return "", _("The database refused this row: %(reason)s") % {"reason": first_line}


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
