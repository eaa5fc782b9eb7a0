"""Forms of the JIG's group and meeting pages (docs/jig-meetings.md, "Pages").

They check what was typed has the right shape (a date is a date, a choice is on the list);
the services apply the JIG's rules, and the pages show the services' refusals against the
field they name (``jig.views.jig_helpers.service_errors``).
"""

import datetime as dt

from django import forms
from django.utils import timezone

from carehomes.choices import RegistrationType
from commissioning.choices import OrganisationKind
from commissioning.models import Organisation, User

from .choices import AttendanceStatus, JigRole, Movement, Rag
from .dashboard_selectors import DashboardFilters
from .models.agenda import ATTACHMENT_EXTENSIONS

CHOOSE = "Choose one from the list"


class DateInput(forms.DateInput):
    """The browser's own date picker; the value is sent as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def date_field(label: str, *, what: str, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                           required=required, error_messages={
                               "required": f"Enter {what}", "invalid": "Enter a real date, like 7 May 2026"},
                           **kwargs)


def text_area(label: str, *, what: str, required=True, help_text="", rows=5,
              max_length=None) -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": f"Enter {what}"})


def organisation_field(label: str, queryset, *, what: str, required=True, **kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, queryset=queryset, required=required,
                                  empty_label="Choose an organisation",
                                  error_messages={"required": f"Choose {what}", "invalid_choice": CHOOSE},
                                  **kwargs)


def public_bodies():
    """Organisations that may sit on the JIG or own its actions: never care providers."""
    return Organisation.objects.filter(is_archived=False).exclude(
        kind=OrganisationKind.CARE_PROVIDER).order_by("name")


# --- The group -------------------------------------------------------------------------------


class DocumentPublishForm(forms.Form):
    text = text_area("The document", what="the document", rows=12,
                     help_text="For the standing agenda, write one item a line.")
    notes = forms.CharField(label="What changed, and why (optional)", required=False, max_length=500)


class MembershipAddForm(forms.Form):
    email = forms.EmailField(label="Email address of the person",
                             help_text="They must already have an account on the portal.",
                             error_messages={"required": "Enter the person's email address",
                                             "invalid": "Enter an email address, like name@example.nhs.uk"})
    organisation = organisation_field("The organisation they sit for", public_bodies(),
                                      what="the organisation they sit for")
    role = forms.ChoiceField(label="Role", choices=JigRole.choices, initial=JigRole.MEMBER,
                             error_messages={"required": "Choose the role", "invalid_choice": CHOOSE})
    starts_on = date_field("First day of the seat", what="the first day of the seat",
                           initial=timezone.localdate)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError("Nobody with this email address has an account on the portal")
        self.person = person
        return email


class MembershipEndForm(forms.Form):
    ends_on = date_field("The first day they are no longer a member", what="the day the seat ends",
                         initial=timezone.localdate)


# --- Meetings --------------------------------------------------------------------------------


class MeetingScheduleForm(forms.Form):
    date = date_field("Date", what="the date of the meeting")
    time = forms.TimeField(label="Start time (UK time)", widget=TimeInput, input_formats=["%H:%M"],
                           error_messages={"required": "Enter the start time",
                                           "invalid": "Enter a time, like 10:00"})
    location = forms.CharField(label="Where (optional)", required=False, max_length=200)

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]))


class MinutesForm(forms.Form):
    minutes = text_area("Minutes", what="the minutes", rows=16, required=False)


class AttendanceForm(forms.Form):
    membership = forms.TypedChoiceField(label="Member", coerce=int,
                                        error_messages={"required": "Choose the member",
                                                        "invalid_choice": CHOOSE})
    status = forms.ChoiceField(label="Attendance", choices=AttendanceStatus.choices,
                               error_messages={"required": "Choose present or apologies",
                                               "invalid_choice": CHOOSE})
    note = forms.CharField(label="Note (optional)", required=False, max_length=200,
                           help_text="Say if a deputy attended, for example.")

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {m.pk: m for m in memberships}
        self.fields["membership"].choices = [("", "Choose a member")] + [
            (m.pk, f"{m.user} ({m.get_role_display()}, {m.organisation})") for m in memberships]


# --- The agenda ------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = text_area("Reason", what="the reason", rows=3)


class DeepDiveRequestForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Ask", coerce=int,
                                          error_messages={"required": "Choose who to ask",
                                                          "invalid_choice": CHOOSE})
    question = text_area("What the group would like to know", what="what the group would like to know")
    due_on = date_field("Answer by (optional)", what="the date", required=False,
                        help_text="Leave it empty for the start of the meeting.")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        self.fields["organisation"].choices = [("", "Choose a trust")] + [
            (o.pk, o.name) for o in organisations]

    def due_by(self) -> dt.datetime | None:
        day = self.cleaned_data.get("due_on")
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))) if day else None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(
            f".{e}" for e in ATTACHMENT_EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class DeepDiveAnswerForm(forms.Form):
    text = text_area("Your analysis", what="your analysis", rows=12)
    files = MultipleFileField(label="Attach files (optional)", required=False,
                              help_text="PDF, Word, Excel, CSV, text or images. You can choose several.")


# --- The dashboard ---------------------------------------------------------------------------


SORTS = {"score": "Score", "name": "Care home", "change": "Change", "actions": "Open actions",
         "intelligence": "Soft intelligence"}


class DashboardFilterForm(forms.Form):
    council = forms.TypedChoiceField(label="Council", coerce=int, required=False, empty_value=None)
    registration_type = forms.ChoiceField(label="Type", required=False,
                                          choices=[("", "All types"), *RegistrationType.choices])
    rag = forms.ChoiceField(label="RAG rating", required=False, choices=[("", "All"), *Rag.choices])
    movement = forms.ChoiceField(label="Movement since the last meeting", required=False,
                                 choices=[("", "Any"), *Movement.choices])
    flagged_only = forms.BooleanField(label="Only homes flagged for the meeting", required=False)
    sort = forms.ChoiceField(required=False, choices=[("", "")] + [
        (f"{sign}{key}", label) for key, label in SORTS.items() for sign in ("", "-")])

    def __init__(self, *args, councils, can_flag: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = [("", "All councils")] + [(c.pk, c.name) for c in councils]
        if not can_flag:
            del self.fields["flagged_only"]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = CHOOSE

    def _valid_data(self) -> dict:
        """The fields that were filled in correctly (a wrong one is ignored, and says so)."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def filters(self) -> DashboardFilters:
        data = self._valid_data()
        return DashboardFilters(council=data.get("council"),
                                registration_type=data.get("registration_type") or "",
                                rag=data.get("rag") or "", movement=data.get("movement") or "",
                                flagged_only=bool(data.get("flagged_only")))

    def ordering(self) -> str:
        return self._valid_data().get("sort") or "-score"
