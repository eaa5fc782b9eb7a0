"""Forms of the pages where JIG members record things: soft intelligence, actions and planning
applications for new care homes (docs/jig-meetings.md, "Pages").

Like ``jig.meeting_forms``, they check shape only; the services decide.
"""

from django import forms
from django.core.validators import MinValueValidator

from carehomes.choices import RegistrationType
from carehomes.models import postcode_validator
from commissioning.choices import OrganisationKind
from commissioning.models import Organisation

from .choices import IntelligenceCategory, JigActionStatus, PlanningDecision, Sensitivity, TrainingTheme
from .meeting_forms import CHOOSE, date_field, organisation_field, public_bodies, text_area

# --- Soft intelligence -----------------------------------------------------------------------


class SoftIntelligenceForm(forms.Form):
    source_organisation = organisation_field(
        "Where the concern came from", public_bodies(), what="where the concern came from",
        help_text="The organisation that raised it or passed it on.")
    reported_on = date_field("When it arose or was received", what="when the concern arose or was received")
    category = forms.ChoiceField(label="What it is about", choices=IntelligenceCategory.choices,
                                 error_messages={"required": "Choose what it is about",
                                                 "invalid_choice": CHOOSE})
    sensitivity = forms.ChoiceField(label="How sensitive it is", choices=Sensitivity.choices,
                                    initial=Sensitivity.MEDIUM,
                                    error_messages={"required": "Choose how sensitive it is",
                                                    "invalid_choice": CHOOSE})
    text = text_area("The concern", what="the concern", rows=8,
                     help_text="What was said, by whom (role, not name), and what is known so far. "
                               "Only members of the group will ever read it.")

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class ArchiveForm(forms.Form):
    reason = text_area("Why it is archived", what="why it is archived", rows=3,
                       help_text="For example: recorded against the wrong home. It is kept, not deleted.")


# --- Actions ---------------------------------------------------------------------------------


class ActionForm(forms.Form):
    description = text_area("The action", what="the action", rows=4)
    owner_organisation = organisation_field("Owner: organisation", public_bodies(),
                                            what="the organisation that owns the action")
    owner = forms.TypedChoiceField(label="Owner: person (optional)", coerce=int, required=False,
                                   empty_value=None, error_messages={"invalid_choice": CHOOSE})
    due_on = date_field("Due by", what="the date it is due by")
    care_home = forms.TypedChoiceField(label="About a home (optional)", coerce=int, required=False,
                                       empty_value=None, error_messages={"invalid_choice": CHOOSE})
    training_theme = forms.ChoiceField(
        label="Training", required=False, choices=[("", "Not a training action"), *TrainingTheme.choices],
        help_text="A gap in training the group found: choose its theme to make it a training action.",
        error_messages={"invalid_choice": CHOOSE})

    def __init__(self, *args, people, homes, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.homes = {h.pk: h for h in homes}
        self.fields["owner"].choices = [("", "No named person")] + [(p.pk, str(p)) for p in people]
        self.fields["care_home"].choices = [("", "Not about one home")] + [(h.pk, h.name) for h in homes]

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {"description": data["description"], "owner_organisation": data["owner_organisation"],
                "due_on": data["due_on"], "owner": self.people.get(data["owner"]),
                "care_home": self.homes.get(data["care_home"]), "training_theme": data["training_theme"]}


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=JigActionStatus.choices,
                               error_messages={"required": "Choose the status", "invalid_choice": CHOOSE})
    progress_note = text_area("Progress", what="the progress", rows=4, required=False,
                              help_text="The latest word on progress.")
    due_on = date_field("Due by", what="the date it is due by")

    def __init__(self, *args, chair: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not chair:
            del self.fields["due_on"]  # only the chair moves the due date


# --- Planning applications -------------------------------------------------------------------


class PostcodeField(forms.CharField):
    """A postcode as people type it ("sm1 1ea"), checked in capitals."""

    def to_python(self, value):
        return " ".join(super().to_python(value).upper().split())


class PlanningApplicationForm(forms.Form):
    reference = forms.CharField(label="The council's planning reference", max_length=40,
                                error_messages={"required": "Enter the planning reference"})
    council = organisation_field("Planning authority", Organisation.objects.filter(
        kind=OrganisationKind.LOCAL_AUTHORITY, is_archived=False).order_by("name"),
        what="the planning authority")
    site_address = text_area("Site address", what="the site address", rows=3)
    postcode = PostcodeField(label="Postcode", validators=[postcode_validator],
                               error_messages={"required": "Enter the postcode"})
    proposed_beds = forms.IntegerField(label="Beds proposed", validators=[MinValueValidator(1)],
                                       widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                                       error_messages={"required": "Enter the number of beds proposed",
                                                       "invalid": "Enter the beds as a whole number",
                                                       "min_value": "The home must have at least 1 bed"})
    registration_type = forms.ChoiceField(label="Type of home", choices=RegistrationType.choices,
                                          error_messages={"required": "Choose the type of home",
                                                          "invalid_choice": CHOOSE})
    received_on = date_field("Notice received on", what="the date the notice was received")
    applicant = forms.CharField(label="Applicant (optional)", required=False, max_length=200)
    notes = text_area("Notes (optional)", what="notes", rows=4, required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {g.pk: g for g in groups}
        if len(groups) > 1:  # asked only of people who sit on several groups
            self.fields["group"] = forms.TypedChoiceField(
                label="For the group", coerce=int, choices=[("", "Choose a group")] + [
                    (g.pk, g.name) for g in groups],
                error_messages={"required": "Choose the group", "invalid_choice": CHOOSE})


class PlanningDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="The group's decision",
        choices=[(PlanningDecision.SUPPORT, "Support"), (PlanningDecision.DO_NOT_SUPPORT, "Do not support")],
        error_messages={"required": "Choose support or do not support", "invalid_choice": CHOOSE})
    reasons = text_area("The group's reasons", what="the group's reasons", rows=6)
