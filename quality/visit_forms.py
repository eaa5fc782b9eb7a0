"""Forms for the visit pages (docs/visits.md, "Pages").

They collect what was typed and check its shape only (a date is a date, a score is 1–4);
the services apply the rules and the pages show the services' messages against each field
(``add_service_errors``).
"""

from django import forms
from django.core.exceptions import ValidationError

from commissioning import access
from commissioning.choices import OrganisationKind
from commissioning.models import Membership, User

from .choices import (
    CommentOutcome,
    CommentSection,
    LeadOrganisation,
    PersonSpokenToRole,
    PlanActionStatus,
    QuestionScore,
    Rating,
    SeniorReviewDecision,
    VisitKind,
)

SCORE_CHOICES = [(str(value), label) for value, label in QuestionScore.choices] + [("", "Not assessed")]
BAD_SCORE = "Choose a score: 4 Excellent, 3 Good, 2 Requires improvement, 1 Poor, or Not assessed"
RATING_CHOICES = [("", "Leave as it is"), *Rating.choices]
OFFICER_ROLES = [role for role, actions in access.ROLE_ACTIONS.items() if access.Action.VISIT in actions]


class DateInput(forms.DateInput):
    """The browser's own date picker (works on tablets); the value is sent as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                           error_messages={"required": f"Enter the {label.lower()}",
                                           "invalid": "Enter a real date, like 7 December 2026"}, **kwargs)


def text_area(label: str, *, required=True, help_text="", rows=4, max_length=None) -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"})


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: against the field it names, else for the form."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


# Planning ----------------------------------------------------------------------------------

def officers_for(care_home):
    """People who may visit this home: staff with ``Action.VISIT`` of its council or of its NHS
    commissioner (or that commissioner's ICB), as ``visit_officer_assign`` requires."""
    organisations = [care_home.local_authority_id, care_home.nhs_commissioner_id]
    if care_home.nhs_commissioner_id and care_home.nhs_commissioner.parent_id:
        organisations.append(care_home.nhs_commissioner.parent_id)
    memberships = Membership.objects.filter(
        is_active=True, role__in=OFFICER_ROLES, organisation__in=[o for o in organisations if o],
        organisation__is_archived=False,
        organisation__kind__in=[OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.NHS_COMMISSIONER])
    return (User.objects.filter(is_active=True, pk__in=memberships.values("user"))
            .order_by("full_name", "email"))


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class OfficersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class ScheduleForm(forms.Form):
    planned_on = date_field("Date of the visit")
    kind = forms.ChoiceField(label="Will the home be told?", choices=VisitKind.choices,
                             widget=forms.RadioSelect, initial=VisitKind.ANNOUNCED)
    planned_days = forms.IntegerField(label="Days at the home", min_value=1, max_value=5, initial=1,
                                      help_text="From 1 to 5.",
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    lead_organisation = forms.ChoiceField(label="Who leads the visit", choices=LeadOrganisation.choices,
                                          widget=forms.RadioSelect)
    officers = OfficersChoiceField(label="Officers on the visit", queryset=User.objects.none(),
                                   required=False, widget=forms.CheckboxSelectMultiple,
                                   help_text="Quality officers and commissioners of the home's council "
                                             "or NHS commissioner.")
    lead_officer = OfficerChoiceField(label="Lead officer", queryset=User.objects.none(), required=False,
                                      empty_label="Choose later")
    notes = text_area("Planning notes", required=False, help_text="Not shown in the report.", rows=3)

    def __init__(self, *args, care_home, lead, **kwargs):
        super().__init__(*args, **kwargs)
        officers = officers_for(care_home)
        self.fields["officers"].queryset = officers
        self.fields["lead_officer"].queryset = officers
        self.fields["lead_organisation"].initial = lead


class RescheduleForm(forms.Form):
    planned_on = date_field("New date of the visit")
    planned_days = forms.IntegerField(label="Days at the home", min_value=1, max_value=5,
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    kind = forms.ChoiceField(label="Will the home be told?", choices=VisitKind.choices,
                             widget=forms.RadioSelect)
    reason = text_area("Why the visit is moving", rows=3)


class OfficerAddForm(forms.Form):
    officer = OfficerChoiceField(label="Officer", queryset=User.objects.none(),
                                 error_messages={"required": "Choose an officer"})
    is_lead = forms.BooleanField(label="This officer leads the visit", required=False)

    def __init__(self, *args, care_home, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers_for(care_home)


class ReasonForm(forms.Form):
    """A reason alone: cancelling a visit, disputing a response, asking for a senior review."""

    reason = text_area("Reason", rows=4)

    def __init__(self, *args, label="Reason", help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text
        self.fields["reason"].error_messages["required"] = f"Enter {label[0].lower()}{label[1:]}"


# Conducting ---------------------------------------------------------------------------------

def score_value(value: str) -> int | None:
    """A posted score: "" is not assessed; 1–4 are scores; anything else is refused."""
    if value in ("", None):
        return None
    if value in ("1", "2", "3", "4"):
        return int(value)
    raise ValidationError(BAD_SCORE)


class AnswerForm(forms.Form):
    """One question, as the page sends it while the officer works (JSON or form fields)."""

    question = forms.IntegerField(error_messages={"required": "Say which question"})
    score = forms.CharField(required=False, strip=True)
    evidence = forms.CharField(required=False, max_length=10_000)

    def clean_score(self) -> int | None:
        return score_value(self.cleaned_data.get("score", ""))


class AssessmentForm(forms.Form):
    """The whole form posted at once (no JavaScript): a score and evidence per question, findings
    per standard and the summary. Names: ``score-<question id>``, ``evidence-<question id>``,
    ``findings-<standard id>``, ``summary``."""

    summary = forms.CharField(label="Summary of findings", required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.standards = standards
        for standard in standards:
            for question in standard.questions.all():
                self.fields[f"score-{question.pk}"] = forms.CharField(required=False)
                self.fields[f"evidence-{question.pk}"] = forms.CharField(required=False,
                                                                         widget=forms.Textarea)
            self.fields[f"findings-{standard.pk}"] = forms.CharField(required=False, widget=forms.Textarea)

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if name.startswith("score-"):
                try:
                    data[name] = score_value(value)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


class ObservationForm(forms.Form):
    text = text_area("What did you see?", rows=3)
    standard = forms.ModelChoiceField(label="Standard (optional)", queryset=None, required=False,
                                      empty_label="Not about one standard")

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards
        self.fields["standard"].label_from_instance = lambda s: f"{s.code}. {s.title}"


class PersonSpokenToForm(forms.Form):
    """By role and number only: the page sends what was posted to
    ``person_spoken_to_add_from_data``, which refuses names."""

    role = forms.ChoiceField(label="Who did you speak to?",
                             choices=[("", "Choose a role"), *PersonSpokenToRole.choices],
                             error_messages={"required": "Choose who you spoke to"})
    count = forms.IntegerField(label="How many", min_value=1, max_value=500, initial=1,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    description = forms.CharField(label="More about their role (optional)", required=False, max_length=100,
                                  help_text="A role, never a name: for example \"night care assistant\".")


class FinishForm(forms.Form):
    duration_hours = forms.DecimalField(
        label="Hours at the home", min_value=0.5, max_value=99, decimal_places=1,
        help_text="Over all the visit's days, to the nearest half hour: for example 6.5.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"required": "Enter how many hours the visit took"})
    summary = forms.CharField(label="Summary of findings", required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))


# The report ---------------------------------------------------------------------------------

SECTION_CHOICES = [(s.value, s.label) for s in CommentSection if s != CommentSection.STANDARD]


class CommentForm(forms.Form):
    about = forms.ChoiceField(label="What is your comment about?",
                              error_messages={"required": "Choose what your comment is about"})
    text = text_area("Your comment", help_text="Say what is not accurate and what is correct.", rows=6)
    files = MultipleFileField(label="Evidence (optional)", required=False,
                              help_text="PDF, Word, Excel, text, CSV or image files. You can choose several.")

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.standards = {str(s.pk): s for s in standards}
        on_standards = [(f"standard-{s.pk}", f"Standard {s.code}. {s.title}") for s in standards]
        self.fields["about"].choices = [("", "Choose"), *on_standards, *SECTION_CHOICES]

    def target(self) -> dict:
        """``standard`` or ``section`` for ``comment_add``."""
        about = self.cleaned_data["about"]
        if about.startswith("standard-"):
            return {"standard": self.standards[about.removeprefix("standard-")]}
        return {"section": about}


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Add an evidence file", error_messages={"required": "Choose a file"})


class ResponseForm(forms.Form):
    outcome = forms.ChoiceField(label="Your response", choices=CommentOutcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Choose your response"})
    reason = text_area("Reason", help_text="The provider reads this.", rows=4)
    rating = forms.ChoiceField(label="Amended rating of the standard", choices=RATING_CHOICES, required=False)
    findings = forms.CharField(label="Amended findings of the standard", required=False,
                               widget=forms.Textarea(attrs={"rows": 5}))
    summary = forms.CharField(label="Amended summary of the report", required=False,
                              widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, comment, current_findings="", current_summary="", **kwargs):
        super().__init__(*args, **kwargs)
        self.current_findings, self.current_summary = current_findings, current_summary
        if comment.standard_id:
            del self.fields["summary"]
            self.fields["findings"].initial = current_findings
        else:
            del self.fields["rating"], self.fields["findings"]
            self.fields["summary"].initial = current_summary

    def changes(self) -> dict:
        """Only what the officer changed (unchanged text is not an amendment)."""
        data, changes = self.cleaned_data, {}
        if data.get("rating"):
            changes["rating"] = data["rating"]
        if "findings" in data and data["findings"].strip() != self.current_findings.strip():
            changes["findings"] = data["findings"]
        if "summary" in data and data["summary"].strip() != self.current_summary.strip():
            changes["summary"] = data["summary"]
        return changes


class ReopenForm(forms.Form):
    close_on = date_field("New last day for comments")
    reason = text_area("Why comments are reopened", rows=3)


class SeniorReviewForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision", choices=SeniorReviewDecision.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Choose your decision"})
    notes = text_area("Your reasons", help_text="Kept with the report.", rows=5)

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        for section in sections:
            pk = section.standard.pk
            self.fields[f"rating-{pk}"] = forms.ChoiceField(
                label=f"Rating of standard {section.standard.code}", choices=RATING_CHOICES, required=False)
            current = section.rating.findings if section.rating else ""
            self.fields[f"findings-{pk}"] = forms.CharField(
                label=f"Findings of standard {section.standard.code}", required=False, initial=current,
                widget=forms.Textarea(attrs={"rows": 4}))

    def amendments(self) -> list[dict]:
        amendments = []
        for section in self.sections:
            pk = section.standard.pk
            rating = self.cleaned_data.get(f"rating-{pk}") or None
            findings = self.cleaned_data.get(f"findings-{pk}", "")
            current = section.rating.findings if section.rating else ""
            findings = findings if findings.strip() != current.strip() else None
            if rating or findings is not None:
                amendments.append({"standard": section.standard, "rating": rating, "findings": findings})
        return amendments


# Action plans -------------------------------------------------------------------------------

class ActionForm(forms.Form):
    standard = forms.ModelChoiceField(label="Shortfall this action puts right", queryset=None,
                                      empty_label="Choose a standard",
                                      error_messages={"required": "Choose the standard"})
    description = text_area("What will be done", rows=4)
    owner = forms.CharField(label="Who leads it", max_length=200,
                            help_text="A member of your staff, by role or name: "
                                      "for example \"deputy manager\".",
                            error_messages={"required": "Enter who leads the action"})
    target_on = date_field("Target date")
    reason = forms.CharField(label="Why is the action changing?", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Needed once the plan is submitted.")

    def __init__(self, *args, standards, editing=False, submitted=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards
        self.fields["standard"].label_from_instance = lambda s: f"{s.code}. {s.title}"
        if editing:
            del self.fields["standard"]
        if not submitted:
            del self.fields["reason"]


class MoveForm(forms.Form):
    """Moving an action: the evidence (completing) or a reason (reopening) or a note."""

    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = text_area("Evidence that the action is complete", rows=4,
                         help_text="What was done and how it shows.")
    file = forms.FileField(label="Evidence file (optional)", required=False)

    def __init__(self, *args, to_status, **kwargs):
        super().__init__(*args, **kwargs)
        if to_status != PlanActionStatus.COMPLETED:
            del self.fields["evidence"], self.fields["file"]
        if to_status == PlanActionStatus.REOPENED:
            self.fields["note"] = text_area("Why is the action reopened?", rows=3,
                                            help_text="The provider reads this.")
