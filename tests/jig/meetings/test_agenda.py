"""The agenda's flagged homes (automatic and the chair's) and the deep dives asked about them."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from carehomes.choices import CqcRatingValue
from carehomes.models import CareHome
from jig import agenda_services as ag
from jig import meeting_selectors as sel
from jig import meeting_services as ms
from jig.choices import MeetingStatus, Rag
from jig.meeting_tasks import jig_daily_task
from jig.models import HomeFlag, Meeting, RiskRating
from quality.reports import add_months
from tests.jig.factories import RiskRatingFactory

pytestmark = pytest.mark.django_db


def rate(home, month, rag, score=30, spc_labels=()):
    display = f"{len(spc_labels)} of 6 series" + (f": {', '.join(spc_labels)}" if spc_labels else "")
    components = [{"code": "spc_signals", "value": len(spc_labels), "display": display}]
    return RiskRatingFactory(care_home=home, month=month, rag=rag, score=score, components=components)


@pytest.fixture
def ratings(jig):
    """Last month and this month: ``home`` turns red; ``second_home`` stays green with a new
    signal; a home outside the group's area turns red too."""
    month = jig.meeting.month
    before = add_months(month, -1)
    rate(jig.area.home, before, Rag.AMBER, 40)
    rate(jig.area.home, month, Rag.RED, 55)
    rate(jig.area.second_home, before, Rag.GREEN, 5)
    rate(jig.area.second_home, month, Rag.GREEN, 15, ["emergency admissions"])
    rate(jig.area.other_home, before, Rag.GREEN, 5)
    rate(jig.area.other_home, month, Rag.RED, 60)
    return month


def flags(meeting) -> dict:
    active = HomeFlag.objects.filter(meeting=meeting, removed_at__isnull=True)
    return {f.care_home_id: f.rule_codes for f in active}


def test_the_refresh_flags_the_groups_homes_that_meet_a_rule(jig, ratings):
    result = ag.meeting_flags_refresh(meeting=jig.meeting)
    assert flags(jig.meeting) == {jig.area.home.pk: ["turned_red"],
                                  jig.area.second_home.pk: ["new_spc_signal"]}
    assert (result.added, result.changed, result.dropped) == (2, 0, 0)
    reason = HomeFlag.objects.get(care_home=jig.area.home).reasons[0]["reason"]
    assert reason.startswith("Turned red: score 55")


def test_the_refresh_is_idempotent(jig, ratings):
    ag.meeting_flags_refresh(meeting=jig.meeting)
    before = list(HomeFlag.objects.values_list("pk", "care_home", "reasons", "refreshed_at"))
    again = ag.meeting_flags_refresh(meeting=jig.meeting)
    assert (again.added, again.changed, again.dropped, again.unchanged) == (0, 0, 0, 2)
    assert list(HomeFlag.objects.values_list("pk", "care_home", "reasons", "refreshed_at")) == before


def test_movement_is_measured_from_the_last_meeting_held(jig, ratings):
    # Two months ago the group met and the home was red: it has not *turned* red since.
    two_months_ago = add_months(ratings, -2)
    held, _ = ms.meeting_schedule(group=jig.group, month=two_months_ago)
    Meeting.objects.filter(pk=held.pk).update(status=MeetingStatus.CLOSED, opened_at=timezone.now(),
                                              closed_at=timezone.now(), was_quorate=True)
    rate(jig.area.home, two_months_ago, Rag.RED, 70)
    ag.meeting_flags_refresh(meeting=jig.meeting)
    assert jig.area.home.pk not in flags(jig.meeting)


def test_a_cqc_inadequate_home_is_flagged_without_ratings(jig):
    CareHome.objects.filter(pk=jig.area.second_home.pk).update(cqc_overall_rating=CqcRatingValue.INADEQUATE)
    ag.meeting_flags_refresh(meeting=jig.meeting)
    assert flags(jig.meeting) == {jig.area.second_home.pk: ["cqc_inadequate"]}


def test_a_home_that_no_longer_meets_a_rule_drops_off_unless_someone_acted_on_it(jig, ratings):
    ag.meeting_flags_refresh(meeting=jig.meeting)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    flag = HomeFlag.objects.get(care_home=jig.area.home)
    ag.deep_dive_request(flag=flag, organisation=jig.acute_trust, user=jig.chair, question="Admissions?")
    RiskRating.objects.filter(month=ratings).update(rag=Rag.GREEN, components=[])
    result = ag.meeting_flags_refresh(meeting=jig.meeting)
    assert (result.changed, result.dropped) == (1, 1)
    kept = HomeFlag.objects.get(care_home=jig.area.home)
    assert kept.reasons == [] and not HomeFlag.objects.filter(care_home=jig.area.second_home).exists()


def test_the_chair_adds_and_removes_flags_with_reasons_and_the_refresh_respects_them(jig, ratings):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    ag.meeting_flags_refresh(meeting=jig.meeting)
    with pytest.raises(ValidationError, match="not in the group's area"):
        ag.flag_add(meeting=jig.meeting, care_home=jig.area.other_home, user=jig.chair, reason="Complaints")
    removed = ag.flag_remove(flag=HomeFlag.objects.get(care_home=jig.area.home), user=jig.chair,
                             reason="Discussed last week at the safeguarding panel")
    ag.meeting_flags_refresh(meeting=jig.meeting)
    removed.refresh_from_db()
    assert removed.is_removed and removed.reasons  # kept, not brought back
    added = ag.flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="New complaints")
    assert not added.is_removed and added.all_reasons[-1] == "Added by the chair: New complaints"


def test_only_a_chair_who_signed_flags_homes(jig, ratings):
    with pytest.raises(PermissionDenied, match="Sign"):
        ag.flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="Concerns")
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    with pytest.raises(PermissionDenied, match="chair"):
        ag.flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.ambulance, reason="Concerns")
    with pytest.raises(PermissionDenied):
        ag.meeting_flags_refresh(meeting=jig.meeting, user=jig.ambulance)


def test_flags_are_fixed_once_the_meeting_closes(jig, ratings):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)  # opening refreshes them
    assert len(flags(jig.meeting)) == 2
    ms.meeting_close(meeting=jig.meeting, user=jig.chair)
    with pytest.raises(ValidationError, match="closed"):
        ag.meeting_flags_refresh(meeting=jig.meeting)


def test_the_daily_task_refreshes_this_months_meetings(jig, ratings):
    result = jig_daily_task.delay().get()
    assert result["meetings_refreshed"] == [jig.meeting.pk]
    assert len(flags(jig.meeting)) == 2


def test_flags_are_content_for_signed_members(jig, ratings):
    ag.meeting_flags_refresh(meeting=jig.meeting)
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    assert {f.care_home for f in sel.meeting_flags(jig.meeting)} == {jig.area.home, jig.area.second_home}


# --- Deep dives ------------------------------------------------------------------------------

@pytest.fixture
def flagged(jig, ratings):
    ag.meeting_flags_refresh(meeting=jig.meeting)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    return HomeFlag.objects.get(care_home=jig.area.home)


def test_the_chair_asks_the_acute_member_who_is_emailed_without_the_homes_name(
        jig, flagged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ag.deep_dive_request(flag=flagged, organisation=jig.acute_trust, user=jig.chair,
                                       question="What do admissions show since March?")
    assert request.due_by == jig.meeting.starts_at
    [email] = mail.outbox
    assert email.to == [jig.acute.email]
    assert jig.area.home.name not in email.body + email.subject


def test_deep_dives_are_asked_of_the_ambulance_or_acute_trust_with_a_member(jig, flagged):
    with pytest.raises(ValidationError, match="ambulance service or an acute"):
        ag.deep_dive_request(flag=flagged, organisation=jig.area.council, user=jig.chair, question="?")
    from tests.commissioning.factories import AcuteTrustFactory

    with pytest.raises(ValidationError, match="Nobody from"):
        ag.deep_dive_request(flag=flagged, organisation=AcuteTrustFactory(), user=jig.chair, question="?")


def test_the_asked_member_answers_after_signing_with_attachments(jig, flagged):
    request = ag.deep_dive_request(flag=flagged, organisation=jig.acute_trust, user=jig.chair,
                                   question="Why?")
    with pytest.raises(PermissionDenied, match="Sign"):
        ag.deep_dive_answer(request=request, user=jig.acute, text="Analysis")
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    with pytest.raises(PermissionDenied, match="Only members sitting for"):
        ag.deep_dive_answer(request=request, user=jig.ambulance, text="Not ours to answer")
    upload = SimpleUploadedFile("admissions.csv", b"month,admissions\n2026-03,7\n", content_type="text/csv")
    answer = ag.deep_dive_answer(request=request, user=jig.acute, text="Seven admissions, four UTIs.",
                                 files=[upload])
    assert answer.attachments.get().original_name == "admissions.csv"
    revised = ag.deep_dive_answer(request=request, user=jig.acute, text="Seven admissions, five UTIs.")
    assert revised.pk == answer.pk and revised.text.endswith("five UTIs.")
    [entry] = [e for e in sel.pack_context(jig.meeting)["flags"] if e["flag"] == flagged]
    assert entry["deep_dives"][0].answer.text == revised.text
