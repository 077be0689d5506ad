"""Writing an import's people in batches, with their history rows: a row-by-row save costs a
savepoint, two INSERTs and the post-save signals per person. The batches run inside the import's
transaction, so a refused row still saves nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from import_export.results import Error

from .import_report import DatabaseRefusal, database_refusal
from .models import Beneficiary

#: Rows written per INSERT (people, then their history rows) in a bulk import.
BATCH_SIZE = 1000


class BatchWritesMixin:
    """The bulk writes of `BeneficiaryImportResource` (a django-import-export `ModelResource` with
    `use_bulk`), which gives `user`, `_change_reason` and the columns read from the file,
    `_data_fields`."""

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
                column, reason = database_refusal(row_error)
                result.append_invalid_row(
                    number, row, ValidationError({column or NON_FIELD_ERRORS: [reason]})
                )
                return
        result.append_base_error(Error(DatabaseRefusal(database_refusal(error)[1])))

    def after_import(self, dataset, result, **kwargs):
        """New rows were written after their row result was made: give it their id now."""
        for row in result.rows:
            if row.instance is not None and row.object_id is None:
                row.object_id = row.instance.pk
