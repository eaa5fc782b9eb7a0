from django import forms

from .models import GpPractice

ALLOWED_IMPORT_SUFFIXES = (".csv", ".xlsx")


class CqcImportForm(forms.Form):
    file = forms.FileField(
        label="Upload the CQC care directory",
        help_text="The ‘care directory with filters’ file from CQC, as CSV or XLSX.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_IMPORT_SUFFIXES):
            raise forms.ValidationError("The selected file must be a CSV or XLSX.")
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty.")
        return upload


class CareHomeEditForm(forms.Form):
    gp_practice = forms.ModelChoiceField(
        queryset=GpPractice.objects.order_by("name"), required=False,
        label="Aligned GP practice", empty_label="No aligned practice",
        help_text="The practice that provides the home's weekly round and named GPs.",
    )
