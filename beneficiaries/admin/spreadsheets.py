"""The beneficiary admin's spreadsheets: the import (a template, a preview with a per-row
report, then the same service as every other import) and the export of what the user may see,
written to the access audit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats import base_formats

from programs import access
from programs.models import AccessAudit
from programs.services import audit_access

from .. import services
from ..import_report import row_problems
from ..models import Beneficiary
from ..resources import BeneficiaryExportResource, BeneficiaryImportResource
from ..spreadsheet_widgets import IMPORT_COLUMNS, import_template_dataset
from . import import_files
from .display import may_see_personal_data


class BeneficiarySpreadsheetsMixin(ImportMixin, ExportActionMixin):
    """Import and export of `BeneficiaryAdmin`."""

    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    import_template_name = "admin/beneficiaries/beneficiary/import.html"
    show_change_form_export = False
    tmp_storage_class = import_files.ImportFileStorage

    def get_import_resource_classes(self, request):
        return [BeneficiaryImportResource]

    def get_export_resource_classes(self, request):
        return [BeneficiaryExportResource]

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def has_import_permission(self, request):
        """Importing shows the data of the rows it updates: it needs the personal-data
        permission as well as adding and changing people."""
        return (
            self.has_add_permission(request)
            and self.has_change_permission(request)
            and may_see_personal_data(request)
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_valid_export_item_pks(self, request):
        """The people an "export selected" may name: those the user may see."""
        return access.visible(Beneficiary.objects.all(), request.user).values_list("pk", flat=True)

    def get_urls(self):
        urls = super().get_urls()
        template = path(
            "import/template.csv",
            self.admin_site.admin_view(self.import_template_view),
            name="beneficiaries_beneficiary_import_template",
        )
        return [template, *urls]

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(import_template_dataset().export("csv"), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="beneficiaries-template.csv"'
        return response

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        self._keep_or_remove_upload(request, response)
        self._add_report(response)
        return response

    def _keep_or_remove_upload(self, request, response) -> None:
        """The uploaded file waits for its confirmation by this session; refused, it goes."""
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        upload = getattr(form, "cleaned_data", {}).get("import_file") if form is not None else None
        name = getattr(upload, "tmp_storage_name", None)
        if not name:
            return
        if "confirm_form" in context:
            import_files.remember(request, name)
        else:
            import_files.ImportFileStorage(name=name).remove()

    def process_import(self, request, **kwargs):
        """The confirmation. Its hidden fields come back from the browser: a file this session
        did not preview (a forged or stale name, one already imported) or a format or resource
        that was not offered goes back to the import page with a message, never a 500, and no
        file outside the import storage is ever opened."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if form.is_valid():
            name = form.cleaned_data["import_file_name"]
            offered = {
                "format": {str(i) for i in range(len(self.get_import_formats()))},
                "resource": {"", *(str(i) for i in range(len(self.get_import_resource_classes(request))))},
            }
            if not import_files.previewed(request, name) or any(
                form.cleaned_data[field] not in values for field, values in offered.items()
            ):
                return self._import_again(request)
            try:
                response = super().process_import(request, **kwargs)
            except import_files.UnknownImportFile:  # gone since: a second confirmation, a sweep
                return self._import_again(request)
            import_files.forget(request, name)
            return response
        return super().process_import(request, **kwargs)  # the form's own errors, as before

    def _import_again(self, request):
        messages.error(
            request,
            _(
                "The file to import is no longer available (already imported, or the page was out "
                "of date): choose the file again."
            ),
        )
        return HttpResponseRedirect(reverse("admin:beneficiaries_beneficiary_import"))

    def _add_report(self, response):
        context = getattr(response, "context_data", None)
        if context is None:
            return
        context["import_columns"] = IMPORT_COLUMNS
        result = context.get("result")
        if result is None:
            return
        context["problems"] = row_problems(result)
        rows = result.valid_rows()
        context["look_alike_rows"] = sum(1 for r in rows if getattr(r.instance, "import_look_alikes", ""))

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # The preview keeps the instances, so that it can count the suspected duplicates.
        kwargs["retain_instance_in_row_result"] = True
        return kwargs

    def process_dataset(self, dataset, form, request, **kwargs):
        """The confirmed import goes through the same service as every other import."""
        return services.beneficiaries_import(
            dataset=dataset,
            by=request.user,
            file_name=kwargs.get("file_name") or form.cleaned_data.get("original_file_name") or "",
        )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation: nothing was saved.
            for problem in row_problems(result)[:20]:
                messages.error(
                    request,
                    _("Row %(row)s, column %(column)s: %(reason)s")
                    % {"row": problem.row, "column": problem.column or "—", "reason": problem.reason},
                )
            messages.error(request, _("Nothing was imported."))
            return HttpResponseRedirect(reverse("admin:beneficiaries_beneficiary_import"))
        return super().process_result(result, request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        audit_access(
            user=request.user,
            action=AccessAudit.Action.EXPORT,
            what=f"beneficiaries ({queryset.count()} rows, personal data: {may_see_personal_data(request)})",
            path=request.path,
        )
        return super().get_export_data(file_format, request, queryset, **kwargs)
