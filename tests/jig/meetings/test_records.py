"""What members record: soft intelligence (archived, never deleted) and planning applications
with the group's decision."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from carehomes.choices import RegistrationType
from jig import intelligence_services as isv
from jig import meeting_selectors as sel
from jig import meeting_services as ms
from jig.choices import IntelligenceCategory, PlanningDecision, Sensitivity

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def record(jig, user, home=None, **fields):
    values = {"source_organisation": jig.area.council, "reported_on": TODAY,
              "category": IntelligenceCategory.STAFFING,
              "sensitivity": Sensitivity.MEDIUM, "text": "Agency staff on most night shifts.", **fields}
    return isv.soft_intelligence_record(group=jig.group, care_home=home or jig.area.home, user=user, **values)


def test_members_record_soft_intelligence_about_homes_of_the_area(jig):
    item = record(jig, jig.ambulance)
    assert (item.recorded_by, item.group) == (jig.ambulance, jig.group)
    with pytest.raises(ValidationError, match="not in"):
        record(jig, jig.ambulance, home=jig.area.other_home)
    with pytest.raises(ValidationError, match="future"):
        record(jig, jig.ambulance, reported_on=TODAY + dt.timedelta(days=1))


@pytest.mark.parametrize("who", ["observer", "admin"])
def test_observers_and_non_members_do_not_record_it(jig, who):
    with pytest.raises(PermissionDenied):
        record(jig, getattr(jig, who))


def test_the_recorder_or_the_chair_corrects_it_and_history_keeps_the_earlier_text(jig):
    item = record(jig, jig.ambulance)
    with pytest.raises(PermissionDenied):
        isv.soft_intelligence_update(item=item, user=jig.acute, text="Not mine")
    item = isv.soft_intelligence_update(item=item, user=jig.ambulance, sensitivity=Sensitivity.HIGH,
                                        text="Agency staff on every night shift.")
    item = isv.soft_intelligence_update(item=item, user=jig.chair, category=IntelligenceCategory.LEADERSHIP)
    assert [h.text for h in item.history.order_by("history_date")] == [
        "Agency staff on most night shifts.", "Agency staff on every night shift.",
        "Agency staff on every night shift."]
    with pytest.raises(ValidationError, match="cannot be changed"):
        isv.soft_intelligence_update(item=item, user=jig.chair, care_home=jig.area.second_home)


def test_archived_soft_intelligence_is_kept_but_no_longer_shown(jig):
    item = record(jig, jig.ambulance)
    with pytest.raises(ValidationError, match="Say why"):
        isv.soft_intelligence_archive(item=item, user=jig.chair, reason=" ")
    isv.soft_intelligence_archive(item=item, user=jig.chair, reason="Recorded against the wrong home")
    assert not sel.soft_intelligence_visible_to(jig.ambulance).exists()
    assert list(sel.soft_intelligence_visible_to(jig.ambulance, include_archived=True)) == [item]
    with pytest.raises(ValidationError, match="archived"):
        isv.soft_intelligence_update(item=item, user=jig.chair, text="Too late")


def test_a_signed_member_sees_the_soft_intelligence_on_the_meetings_flagged_homes(jig):
    from jig.agenda_services import flag_add

    on_flagged, elsewhere = record(jig, jig.ambulance), record(jig, jig.ambulance, home=jig.area.second_home)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="Staffing concerns")
    assert list(sel.soft_intelligence_for_meeting(jig.chair, jig.meeting)) == [on_flagged]
    assert elsewhere in sel.soft_intelligence_visible_to(jig.chair)


# --- Planning applications -------------------------------------------------------------------

@pytest.fixture
def application(jig):
    return isv.planning_application_record(
        group=jig.group, user=jig.ambulance, reference="DM2026/01234", council=jig.area.council,
        site_address="Former depot, 12 High Street, Sutton", postcode="sm1 1aa", proposed_beds=72,
        registration_type=RegistrationType.NURSING, received_on=TODAY, applicant="Care Developments Ltd")


def test_a_planning_notice_is_recorded_pending(application):
    assert (application.decision, application.postcode, application.decided_at) == (
        PlanningDecision.PENDING, "SM1 1AA", None)


def test_the_planning_authority_is_a_council(jig):
    with pytest.raises(ValidationError, match="council"):
        isv.planning_application_record(
            group=jig.group, user=jig.chair, reference="X1", council=jig.acute_trust,
            site_address="Somewhere",
            postcode="SM1 1AA", proposed_beds=10, registration_type=RegistrationType.RESIDENTIAL,
            received_on=TODAY)


def test_the_group_decides_at_a_quorate_meeting_with_reasons(jig, application):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    for person in (jig.chair, jig.ambulance):
        ms.statement_sign(meeting=jig.meeting, user=person)
    decide = {"application": application, "meeting": jig.meeting, "user": jig.chair,
              "decision": PlanningDecision.DO_NOT_SUPPORT}
    with pytest.raises(ValidationError, match="not quorate"):
        isv.planning_decision_record(**decide, reasons="Enough nursing beds in the area")
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    with pytest.raises(ValidationError, match="reasons"):
        isv.planning_decision_record(**decide, reasons="")
    decided = isv.planning_decision_record(**decide, reasons="Enough nursing beds in the area")
    assert (decided.decision, decided.decided_at, decided.decided_by) == (
        PlanningDecision.DO_NOT_SUPPORT, jig.meeting, jig.chair)
    assert sel.planning_applications_for_agenda(jig.meeting) == [decided]


def test_a_member_cannot_record_the_groups_decision(jig, application):
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    with pytest.raises(PermissionDenied):
        isv.planning_decision_record(application=application, meeting=jig.meeting, user=jig.ambulance,
                                     decision=PlanningDecision.SUPPORT, reasons="Needed")


def test_logging_correcting_or_archiving_soft_intelligence_rates_the_home_again(
        jig, django_capture_on_commit_callbacks):
    """Soft intelligence is a risk component, so each change queues a recompute of its home."""
    from jig.choices import RecomputeScope
    from jig.models import RiskRating, RiskRecompute

    with django_capture_on_commit_callbacks(execute=True):
        item = record(jig, jig.ambulance, sensitivity=Sensitivity.HIGH)
    job = RiskRecompute.objects.get()
    assert (job.scope, job.home_ids) == (RecomputeScope.HOMES, [jig.area.home.pk])
    rating = RiskRating.objects.get(care_home=jig.area.home)
    soft = next(c for c in rating.components if c["code"] == "soft_intelligence")
    assert (soft["value"], soft["display"]) == (3, "1 concern, weighing 3")
    with django_capture_on_commit_callbacks(execute=True):
        isv.soft_intelligence_update(item=item, user=jig.chair, sensitivity=Sensitivity.LOW)
        isv.soft_intelligence_archive(item=item, user=jig.chair, reason="Recorded in error")
    assert RiskRecompute.objects.count() == 3
