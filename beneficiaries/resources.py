"""Spreadsheets of beneficiaries (django-import-export): the import with a per-row report, and
the export that carries only what the exporting user may see. The columns and how each cell is
read are in `spreadsheet_widgets`, the batch writes in `import_batches`, the per-row report in
`import_report`."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader

from programs import access
from programs.masking import MASK
from programs.models import Neighbourhood
from programs.spreadsheets import neutralise

from .import_batches import BATCH_SIZE, BatchWritesMixin
from .models import Beneficiary
from .selectors import AnyOf, LookAlikeIndex
from .spreadsheet_widgets import (
    EXPORT_COLUMNS,
    IMPORT_COLUMNS,
    CodeWidget,
    DayWidget,
    NeighbourhoodWidget,
    SexWidget,
    TextWidget,
    YesNoWidget,
    cell_text,
)


class PeopleOfTheFile(BaseInstanceLoader):
    """The people a file names, read in one query by `BeneficiaryImportResource.before_import`
    (import-export's cached loader builds every row as a dict three times to find the codes)."""

    def get_instance(self, row):
        return self.resource.people_of_the_file.get(
            self.resource.fields["code"].widget.clean(row.get("code"))
        )


class BeneficiaryImportResource(BatchWritesMixin, resources.ModelResource):
    """One row per person; the code identifies the person, so a file imported twice updates
    (or skips) the rows it created instead of duplicating them.

    Rows are checked one by one (`full_clean()`, the user's scope, look-alikes) but written in
    batches, with their history rows (`BatchWritesMixin`), inside the import's transaction.
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
        headers = [cell_text(h) for h in dataset.headers or []]
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
        """A row's look-alike keys as the widgets will read them (no date when it is not one).
        The keys go into queries, which PostgreSQL refuses with a NUL in them: a NUL is left out
        (the row itself is refused for it, `Beneficiary`'s one-line rule, and named)."""
        try:
            born = self.fields["date_of_birth"].widget.clean(row.get("date_of_birth"))
        except ValueError:
            born = None

        def key(column: str) -> str:
            return cell_text(row.get(column)).replace("\x00", "")

        return (key("code").upper(), key("first_name"), key("last_name"), born, key("phone"))

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
