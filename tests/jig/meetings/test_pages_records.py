"""What members record on the JIG's pages: soft intelligence, actions, planning applications,
and the group itself (documents and seats); each form's messages when something is wrong."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carehomes.choices import RegistrationType
from commissioning.choices import Role
from jig import meeting_services as ms
from jig.choices import (
    AttendanceStatus,
    DocumentKind,
    IntelligenceCategory,
    JigActionStatus,
    JigRole,
    PlanningDecision,
    Sensitivity,
    TrainingTheme,
)
from jig.intelligence_services import planning_application_record
from jig.models import PlanningApplication, SoftIntelligence
from tests.commissioning.factories import ProviderFactory, UserFactory

from .factories import JigActionFactory, SoftIntelligenceFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


# --- Soft intelligence -----------------------------------------------------------------------

def concern(jig, **changes) -> dict:
    return {"home": jig.area.home.pk, "source_organisation": jig.area.council.pk,
            "reported_on": (TODAY - dt.timedelta(days=2)).isoformat(),
            "category": IntelligenceCategory.STAFFING,
            "sensitivity": Sensitivity.HIGH, "text": "Staff say nights are short.", **changes}


def test_a_member_finds_the_home_and_records_a_concern(jig, client_for):
    client = client_for(jig.ambulance)
    url = reverse("jig:intelligence-record")
    found = client.get(url, {"q": jig.area.home.cqc_location_id})
    assert found.context["results"] == [jig.area.home]
    assert client.get(url, {"q": jig.area.other_home.cqc_location_id}).context["results"] == []
    response = client.post(url, concern(jig), follow=True)
    item = SoftIntelligence.objects.get()
    assert (item.care_home, item.group, item.recorded_by, item.sensitivity) == (
        jig.area.home, jig.group, jig.ambulance, Sensitivity.HIGH)
    assert "Only members of Sutton JIG can see it." in response.content.decode()
    assert "Staff say nights are short." in response.content.decode()


def test_the_concern_form_explains_what_is_wrong(jig, client_for):
    client = client_for(jig.ambulance)
    url = reverse("jig:intelligence-record")
    errors = client.post(url, {"home": jig.area.home.pk}).context["form"].errors
    assert errors == {"source_organisation": ["Choose where the concern came from"],
                      "reported_on": ["Enter when the concern arose or was received"],
                      "category": ["Choose what it is about"], "sensitivity": ["Choose how sensitive it is"],
                      "text": ["Enter the concern"]}
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    response = client.post(url, concern(jig, reported_on=future))
    assert response.context["form"].errors == {"reported_on": ["The date cannot be in the future."]}
    assert "There is a problem" in response.content.decode()
    provider = ProviderFactory()
    assert client.post(url, concern(jig, source_organisation=provider.pk)).context["form"].errors == {
        "source_organisation": ["Choose one from the list"]}
    assert not SoftIntelligence.objects.exists()


def test_an_observer_cannot_record_soft_intelligence(jig, client_for):
    assert client_for(jig.observer).get(reverse("jig:intelligence-record")).status_code == 403


def test_the_recorder_corrects_and_archives_a_concern_which_is_kept(jig, client_for):
    item = SoftIntelligenceFactory(group=jig.group, care_home=jig.area.home, recorded_by=jig.ambulance)
    client = client_for(jig.ambulance)
    edit = reverse("jig:intelligence-edit", args=[item.pk])
    assert client.get(edit).context["form"].initial["text"] == item.text
    client.post(edit, concern(jig, text="Corrected: two carers short", sensitivity=Sensitivity.LOW))
    item.refresh_from_db()
    assert (item.text, item.sensitivity) == ("Corrected: two carers short", Sensitivity.LOW)
    archive = reverse("jig:intelligence-archive", args=[item.pk])
    errors = client.post(archive, {"reason": ""}).context["form"].errors
    assert errors == {"reason": ["Enter why it is archived"]}
    client.post(archive, {"reason": "Recorded against the wrong home"})
    item.refresh_from_db()
    assert item.is_archived
    listed = client.get(reverse("jig:intelligence-list")).content.decode()
    assert "Corrected: two carers short" not in listed
    archived = client.get(reverse("jig:intelligence-list"), {"archived": "1"}).content.decode()
    assert "Recorded against the wrong home" in archived
    assert client.get(edit).status_code == 404  # archived items are not changed (nor found to change)


def test_another_member_cannot_change_a_concern_but_the_chair_can(jig, client_for):
    item = SoftIntelligenceFactory(group=jig.group, care_home=jig.area.home, recorded_by=jig.ambulance)
    assert client_for(jig.acute).get(reverse("jig:intelligence-edit", args=[item.pk])).status_code == 403
    assert client_for(jig.chair).get(reverse("jig:intelligence-edit", args=[item.pk])).status_code == 200


def test_the_list_filters_concerns(jig, client_for):
    SoftIntelligenceFactory(group=jig.group, care_home=jig.area.home, category=IntelligenceCategory.STAFFING)
    SoftIntelligenceFactory(group=jig.group, care_home=jig.area.second_home,
                            category=IntelligenceCategory.SAFEGUARDING, text="Safeguarding alert raised.")
    response = client_for(jig.ambulance).get(reverse("jig:intelligence-list"),
                                              {"category": IntelligenceCategory.SAFEGUARDING})
    assert [row["item"].care_home for row in response.context["items"]] == [jig.area.second_home]
    response = client_for(jig.ambulance).get(reverse("jig:intelligence-list"), {"q": jig.area.home.name})
    assert [row["item"].care_home for row in response.context["items"]] == [jig.area.home]


# --- Actions ---------------------------------------------------------------------------------

def test_the_action_list_filters_by_status_owner_overdue_and_theme(jig, client_for):
    late = JigActionFactory(meeting=jig.meeting, owner_organisation=jig.area.council,
                            due_on=TODAY - dt.timedelta(days=1), description="Late one")
    training = JigActionFactory(meeting=jig.meeting, owner_organisation=jig.acute_trust, is_training=True,
                                training_theme=TrainingTheme.FALLS, description="Falls training")
    done = JigActionFactory(meeting=jig.meeting, owner_organisation=jig.area.council,
                            status=JigActionStatus.DONE, completed_on=TODAY, description="Done one")
    client = client_for(jig.ambulance)

    def listed(**params):
        return [row["action"] for row in client.get(reverse("jig:action-list"), params).context["actions"]]

    assert listed() == [late, training, done]  # soonest due first
    assert listed(overdue="on") == [late]
    assert listed(status=JigActionStatus.DONE) == [done]
    assert listed(owner_organisation=jig.acute_trust.pk) == [training]
    assert listed(training_theme=TrainingTheme.FALLS) == [training]
    assert set(listed(outstanding="on")) == {late, training}
    html = client.get(reverse("jig:action-list")).content.decode()
    assert "Overdue" in html and "portal-row--overdue" in html and "Training: Falls" in html


def test_the_owner_records_progress_and_only_the_chair_moves_the_due_date(jig, client_for):
    action = JigActionFactory(meeting=jig.meeting, owner=jig.acute, owner_organisation=jig.acute_trust)
    url = reverse("jig:action-update", args=[action.pk])
    owner = client_for(jig.acute)
    form = owner.get(url).context["form"]
    assert "due_on" not in form.fields
    assert owner.post(url, {"status": ""}).context["form"].errors == {"status": ["Choose the status"]}
    owner.post(url, {"status": JigActionStatus.DONE, "progress_note": "Visited on Tuesday"})
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.progress_note) == (
        JigActionStatus.DONE, TODAY, "Visited on Tuesday")
    chair = client_for(jig.chair)
    new_date = TODAY + dt.timedelta(days=60)
    chair.post(url, {"status": JigActionStatus.IN_PROGRESS, "progress_note": "Reopened",
                     "due_on": new_date.isoformat()})
    action.refresh_from_db()
    assert (action.status, action.due_on, action.completed_on) == (
        JigActionStatus.IN_PROGRESS, new_date, None)
    assert client_for(jig.ambulance).get(url).status_code == 403


# --- Planning applications -------------------------------------------------------------------

def notice(jig, **changes) -> dict:
    return {"reference": "26/00042/FUL", "council": jig.area.council.pk, "site_address": "The Old Vicarage",
            "postcode": "sm1 1ea", "proposed_beds": "64", "registration_type": RegistrationType.NURSING,
            "received_on": (TODAY - dt.timedelta(days=4)).isoformat(), **changes}


def test_a_member_records_a_planning_notice_and_the_form_explains_mistakes(jig, client_for):
    client = client_for(jig.ambulance)
    url = reverse("jig:planning-new")
    errors = client.post(url, notice(jig, postcode="NOT A CODE", proposed_beds="0")).context["form"].errors
    assert errors == {"postcode": ["Enter a full UK postcode, like SM1 1EA."],
                      "proposed_beds": ["The home must have at least 1 bed"]}
    errors = client.post(url, {}).context["form"].errors
    assert errors["reference"] == ["Enter the planning reference"]
    assert errors["registration_type"] == ["Choose the type of home"]
    client.post(url, notice(jig))
    application = PlanningApplication.objects.get()
    assert (application.group, application.proposed_beds, application.decision) == (
        jig.group, 64, PlanningDecision.PENDING)
    listed = client.get(reverse("jig:planning-list")).content.decode()
    assert "26/00042/FUL" in listed and "Awaiting the JIG" in listed
    again = client.post(url, notice(jig))
    assert again.context["form"].non_field_errors() or again.context["form"].errors


def test_the_chair_records_the_decision_only_at_a_quorate_meeting(jig, client_for):
    application = planning_application_record(
        group=jig.group, user=jig.ambulance, reference="26/00042/FUL", council=jig.area.council,
        site_address="The Old Vicarage", postcode="SM1 1EA", proposed_beds=64,
        registration_type=RegistrationType.NURSING, received_on=TODAY)
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    client = client_for(jig.chair)
    url = reverse("jig:planning-decide", args=[jig.meeting.pk, application.pk])
    page = client.get(url).content.decode()
    assert "The meeting is not quorate" in page
    decision = {"decision": PlanningDecision.DO_NOT_SUPPORT, "reasons": "The area has enough nursing beds."}
    response = client.post(url, decision)
    assert response.context["form"].non_field_errors() == ["The meeting is not quorate, so it cannot decide."]
    assert client.post(url, {}).context["form"].errors == {
        "decision": ["Choose support or do not support"], "reasons": ["Enter the group's reasons"]}
    for person in (jig.co_chair, jig.ambulance):
        ms.statement_sign(meeting=jig.meeting, user=person)  # signing at an open meeting: present
    client.post(url, decision)
    application.refresh_from_db()
    assert (application.decision, application.decided_at) == (PlanningDecision.DO_NOT_SUPPORT, jig.meeting)
    page = client.get(reverse("jig:meeting-detail", args=[jig.meeting.pk])).content.decode()
    assert "The area has enough nursing beds." in page


# --- The group -------------------------------------------------------------------------------

def test_the_group_page_shows_documents_with_their_versions_members_and_quorum(jig, client_for):
    ms.group_document_publish(group=jig.group, kind=DocumentKind.TERMS_OF_REFERENCE, user=jig.chair,
                              text="Version two of the terms.", notes="Added CQC")
    page = client_for(jig.ambulance).get(reverse("jig:group-detail", args=[jig.group.pk])).content.decode()
    assert "Version two of the terms." in page and "Earlier versions (1)" in page
    assert "The JIG shares intelligence about care homes" in page  # version 1, kept
    assert "At least 3 members present" in page and "The chair or the co-chair present." in page
    assert jig.observer.full_name in page and "Observer" in page
    assert "Add a member" not in page and "Publish a new version" not in page


def test_the_chair_publishes_a_new_statement(jig, client_for):
    client = client_for(jig.chair)
    url = reverse("jig:group-document-publish", args=[jig.group.pk, DocumentKind.CONFIDENTIALITY_STATEMENT])
    assert client.get(url).context["form"].initial["text"].startswith("I will not share")
    assert client.post(url, {"text": ""}).context["form"].errors == {"text": ["Enter the document"]}
    client.post(url, {"text": "Nothing said here leaves the room.", "notes": "Plainer words"})
    current = jig.group.documents.get(kind=DocumentKind.CONFIDENTIALITY_STATEMENT, is_current=True)
    assert (current.version, current.text) == (2, "Nothing said here leaves the room.")
    nonsense = reverse("jig:group-document-publish", args=[jig.group.pk, "nonsense"])
    assert client.get(nonsense).status_code == 404


def test_an_administrator_adds_a_member_and_the_form_explains_mistakes(jig, client_for):
    client = client_for(jig.admin)
    url = reverse("jig:group-member-add", args=[jig.group.pk])
    errors = client.post(url, {"email": "nobody@example.nhs.uk", "organisation": jig.area.council.pk,
                               "role": JigRole.MEMBER, "starts_on": TODAY.isoformat()}).context["form"].errors
    assert errors == {"email": ["Nobody with this email address has an account on the portal"]}
    response = client.post(url, {"email": jig.ambulance.email, "organisation": jig.area.council.pk,
                                 "role": JigRole.MEMBER, "starts_on": TODAY.isoformat()})
    assert "already has a seat" in response.context["form"].errors["email"][0]
    response = client.post(url, {"email": jig.observer.email.upper(), "organisation": jig.area.council.pk,
                                 "role": JigRole.CHAIR, "starts_on": TODAY.isoformat()})
    assert response.context["form"].errors  # the observer already sits; the group has a chair
    person = UserFactory()
    client.post(url, {"email": person.email, "organisation": jig.acute_trust.pk, "role": JigRole.MEMBER,
                      "starts_on": TODAY.isoformat()})
    seat = jig.group.memberships.get(user=person)
    assert (seat.organisation, seat.role) == (jig.acute_trust, JigRole.MEMBER)
    assert person.memberships.filter(role=Role.JIG_MEMBER, organisation=jig.acute_trust).exists()


def test_the_chair_ends_a_seat_and_that_person_loses_the_meetings(jig, client_for):
    seat = jig.seats[jig.observer.pk]
    client = client_for(jig.chair)
    url = reverse("jig:group-member-end", args=[jig.group.pk, seat.pk])
    assert client.post(url, {"ends_on": "31/02/2026"}).context["form"].errors == {
        "ends_on": ["Enter a real date, like 7 May 2026"]}
    client.post(url, {"ends_on": TODAY.isoformat()})
    seat.refresh_from_db()
    assert seat.ends_on == TODAY
    assert client_for(jig.observer).get(reverse("jig:meeting-detail", args=[jig.meeting.pk])).status_code in (
        403, 404)


def test_observers_sign_and_read_but_do_not_count_for_quorum(jig, client_for):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    client = client_for(jig.observer)
    client.post(reverse("jig:meeting-sign", args=[jig.meeting.pk]))
    assert jig.meeting.attendance.get(membership__user=jig.observer).status == AttendanceStatus.PRESENT
    page = client.get(reverse("jig:meeting-detail", args=[jig.meeting.pk]))
    assert page.context["content"] and page.context["quorum"].present == 0
