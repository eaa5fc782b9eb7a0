"""Forms for the assessment framework's pages: copying a version, editing a draft's settings,
domains, standards and questions, and publishing it. The services
(``quality.visits.framework``) check the rules; the pages show their messages by each field."""

from django import forms

from carehomes.choices import RegistrationType

from .choices import StandardModule
from .visit_forms import text_area


class CopyForm(forms.Form):
    name = forms.CharField(label="Name of the new version (optional)", required=False, max_length=200)


class VersionForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter a name"})
    notes = forms.CharField(label="What changed", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    rating_rule = forms.JSONField(label="Rating rule (JSON)", widget=forms.Textarea(attrs={"rows": 14}),
                                  help_text="The rule's settings, as described under \"The rule\".",
                                  error_messages={"invalid": "Enter the rule as valid JSON"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for module in StandardModule:
            self.fields[f"applies-{module.value}"] = forms.MultipleChoiceField(
                label=f"{module.label}: which homes", choices=RegistrationType.choices, required=False,
                widget=forms.CheckboxSelectMultiple)

    def applies_to(self) -> dict:
        return {m.value: self.cleaned_data[f"applies-{m.value}"] for m in StandardModule
                if self.cleaned_data.get(f"applies-{m.value}")}


class DomainForm(forms.Form):
    title = forms.CharField(label="Domain", max_length=200,
                            error_messages={"required": "Enter the domain's name"})
    order = forms.IntegerField(label="Order", min_value=0, required=False,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class StandardForm(forms.Form):
    code = forms.CharField(label="Code", max_length=8, help_text="For example 6, 12a or M2.")
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(label="What good looks like", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    is_key = forms.BooleanField(label="Key standard (the caps of the rating rule apply)", required=False)
    weight = forms.DecimalField(label="Weight", min_value=0, max_digits=5, decimal_places=2, initial=1,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    module = forms.ChoiceField(label="Module", choices=StandardModule.choices)
    order = forms.IntegerField(label="Order", min_value=0, required=False,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v is not None}


class QuestionForm(forms.Form):
    code = forms.CharField(label="Code", max_length=12, required=False,
                           help_text="Left empty on a new question: the standard's code and a number.")
    text = forms.CharField(label="Question", max_length=400)
    guidance = forms.CharField(label="Guidance for officers", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    evidence_prompts = forms.CharField(label="Evidence to look at", required=False,
                                       help_text="One item on each line.",
                                       widget=forms.Textarea(attrs={"rows": 4}))
    weight = forms.DecimalField(label="Weight", min_value=0, max_digits=5, decimal_places=2, initial=1,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    order = forms.IntegerField(label="Order", min_value=0, required=False,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        lines = data["evidence_prompts"].splitlines()
        data["evidence_prompts"] = [line.strip() for line in lines if line.strip()]
        return {k: v for k, v in data.items() if v not in (None, "") or k in ("guidance", "evidence_prompts")}


class PublishForm(forms.Form):
    notes = text_area("What changed in this version", rows=4,
                      help_text="People read this when they compare visits made with different versions.")

