"""Pages for uploading a file of returns for many homes: see quality/uploads/ for the rules."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import access
from commissioning.exports import csv_response
from commissioning.jobs import job_status_response

from .. import uploads
from ..choices import IndicatorKind
from ..services import indicator_set_current, previous_month

ALLOWED_SUFFIXES = (".csv", ".xlsx")


class ReturnUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file of returns",
        help_text="A CSV or XLSX file with one row for each home and month.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Select a file of returns"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("The selected file must be a CSV or XLSX")
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return upload


def _last_month() -> dt.date:
    return previous_month(timezone.localdate())


@login_required
@require_http_methods(["GET", "POST"])
def upload_list(request):
    access.require(request.user, access.Action.SUBMIT_RETURN)
    bound = request.method == "POST"
    form = ReturnUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = uploads.return_upload_create(filename=file.name, content=file.read(),
                                                  user=request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("quality:upload-detail", pk=upload.pk)
    page = Paginator(uploads.uploads_visible_to(request.user), 25).get_page(request.GET.get("page"))
    indicators = list(indicator_set_current().indicators.all())
    return render(request, "quality/upload_list.html", {
        "form": form, "page_obj": page, "uploads": page.object_list,
        "querystring_without_page": "", "indicators": indicators,
        "example_month": _last_month(), "text_kind": IndicatorKind.TEXT,
        "columns": {"location": uploads.LOCATION, "month": uploads.MONTH,
                    "submit": uploads.SUBMIT, "reason": uploads.REASON,
                    "confirmations": uploads.CONFIRMATIONS},
    })


def _upload_for(request, pk):
    access.require(request.user, access.Action.SUBMIT_RETURN)
    return get_object_or_404(uploads.uploads_visible_to(request.user), pk=pk)


@login_required
@require_GET
def upload_detail(request, pk):
    return render(request, "quality/upload_detail.html", {"job": _upload_for(request, pk)})


@login_required
@require_GET
def upload_status(request, pk):
    job = _upload_for(request, pk)
    return job_status_response(job)


@login_required
@require_GET
def upload_template(request):
    """The columns of the current return, and a row for each home the user sends returns for."""
    access.require(request.user, access.Action.SUBMIT_RETURN)
    header = uploads.template_header()
    return csv_response("returns-template.csv", header,
                        uploads.template_rows(request.user, _last_month(), len(header)))


urlpatterns = [
    path("upload/", upload_list, name="upload-list"),
    path("upload/template.csv", upload_template, name="upload-template"),
    path("upload/<int:pk>/", upload_detail, name="upload-detail"),
    path("upload/<int:pk>/status.json", upload_status, name="upload-status"),
]
