"""The group, its documents and members, and a meeting from scheduling to closing."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commissioning.choices import Role
from commissioning.models import Membership
from jig import meeting_selectors as sel
from jig import meeting_services as ms
from jig.choices import AttendanceStatus, DocumentKind, JigRole, MeetingStatus, Weekday
from jig.meeting_tasks import meetings_schedule_task
from jig.models import ConfidentialitySignature, GroupDocument, Meeting
from quality.reports import add_months
from tests.commissioning.factories import ProviderFactory, UserFactory

from .conftest import STANDING_AGENDA, fresh

pytestmark = pytest.mark.django_db


# --- Documents and membership ----------------------------------------------------------------

def test_a_new_document_version_becomes_the_only_current_one(jig):
    second = ms.group_document_publish(group=jig.group, kind=DocumentKind.CONFIDENTIALITY_STATEMENT,
                                       user=jig.chair, text="Version two.", notes="Plainer words.")
    versions = GroupDocument.objects.filter(group=jig.group, kind=DocumentKind.CONFIDENTIALITY_STATEMENT)
    assert [(d.version, d.is_current) for d in versions] == [(2, True), (1, False)]
    assert sel.group_document(jig.group, DocumentKind.CONFIDENTIALITY_STATEMENT) == second


def test_the_database_allows_one_current_version_of_each_kind(jig):
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupDocument.objects.create(group=jig.group, kind=DocumentKind.TERMS_OF_REFERENCE, version=9,
                                     text="x")


@pytest.mark.parametrize("who", ["ambulance", "observer"])
def test_members_cannot_change_the_groups_documents(jig, who):
    with pytest.raises(PermissionDenied):
        ms.group_document_publish(group=jig.group, kind=DocumentKind.TERMS_OF_REFERENCE,
                                  user=getattr(jig, who), text="New terms")


def test_a_seat_gives_the_portal_role_that_opens_the_jig(jig):
    # The co-chair was only a commissioner: the seat made them a JIG chair in their organisation.
    assert Membership.objects.filter(user=jig.co_chair, role=Role.JIG_CHAIR,
                                     organisation=jig.area.commissioner, is_active=True).exists()
    assert sel.is_chair(fresh(jig.co_chair), jig.group)
    assert Membership.objects.filter(user=jig.acute, role=Role.JIG_MEMBER).exists()


def test_care_providers_never_sit_on_the_jig(jig):
    with pytest.raises(ValidationError, match="Care providers"):
        ms.membership_add(group=jig.group, user=jig.admin, person=UserFactory(),
                          organisation=ProviderFactory())


def test_a_person_has_one_seat_and_the_group_one_chair(jig):
    with pytest.raises(ValidationError, match="already has a seat"):
        ms.membership_add(group=jig.group, user=jig.admin, person=jig.acute, organisation=jig.acute_trust)
    with pytest.raises(ValidationError, match="already has a chair"):
        ms.membership_add(group=jig.group, user=jig.admin, person=UserFactory(),
                          organisation=jig.area.council, role=JigRole.CHAIR)


def test_an_ended_seat_is_no_longer_membership(jig):
    ms.membership_end(membership=jig.seats[jig.acute.pk], user=jig.chair)
    assert not sel.is_member(fresh(jig.acute), jig.group)
    with pytest.raises(ValidationError, match="already ended"):
        ms.membership_end(membership=jig.seats[jig.acute.pk], user=jig.chair)
    # A new seat can start once the old one has ended.
    ms.membership_add(group=jig.group, user=jig.chair, person=jig.acute, organisation=jig.acute_trust)
    assert sel.is_member(fresh(jig.acute), jig.group)


def test_only_administrators_set_up_groups(jig):
    with pytest.raises(PermissionDenied):
        ms.jig_group_create(user=jig.chair, name="Another", councils=[jig.area.council])


# --- Scheduling ------------------------------------------------------------------------------

def test_the_usual_meeting_time_is_the_nth_weekday_in_uk_time(jig):
    jig.group.meeting_week, jig.group.meeting_weekday = 2, Weekday.TUESDAY
    jig.group.meeting_time = dt.time(10, 0)
    starts = timezone.localtime(ms.meeting_starts_at(jig.group, dt.date(2026, 6, 1)))
    assert (starts.date(), starts.time(), starts.utcoffset()) == (
        dt.date(2026, 6, 9), dt.time(10, 0), dt.timedelta(hours=1))


def test_scheduling_copies_the_standing_agenda(jig):
    assert jig.meeting.agenda[0] == "Welcome, apologies and confidentiality statement"
    assert len(jig.meeting.agenda) == len(STANDING_AGENDA.splitlines())
    assert jig.meeting.standing_agenda.kind == DocumentKind.STANDING_AGENDA


def test_scheduling_a_month_twice_gives_the_same_meeting(jig):
    month = add_months(jig.meeting.month, 1)
    first, created = ms.meeting_schedule(group=jig.group, month=month)
    again, created_again = ms.meeting_schedule(group=jig.group, month=month, user=jig.chair)
    assert (created, created_again, first) == (True, False, again)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(group=jig.group, month=month, starts_at=first.starts_at)


def test_a_meeting_is_held_in_its_month(jig):
    with pytest.raises(ValidationError, match="must be held in that month"):
        ms.meeting_schedule(group=jig.group, month=add_months(jig.meeting.month, 2),
                            starts_at=timezone.now())


def test_the_monthly_task_schedules_next_month_once_for_each_active_group(jig):
    inactive = ms.jig_group_create(user=jig.admin, name="Dormant JIG", councils=[jig.area.other_council],
                                   is_active=False)
    first = meetings_schedule_task.delay().get()
    second = meetings_schedule_task.delay().get()
    next_month = add_months(timezone.localdate().replace(day=1), 1)
    made = Meeting.objects.get(pk__in=first["scheduled"])
    assert (made.group, made.month) == (jig.group, next_month)
    assert second == {"skipped": False, "scheduled": []}
    assert not Meeting.objects.filter(group=inactive).exists()


def test_the_beat_schedules_the_meeting_and_daily_tasks():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"jig.meeting_tasks.meetings_schedule_task", "jig.meeting_tasks.jig_daily_task"} <= tasks


# --- Opening, signing, attendance and closing ------------------------------------------------

def test_only_the_chair_opens_and_closes_the_meeting(jig):
    with pytest.raises(PermissionDenied):
        ms.meeting_open(meeting=jig.meeting, user=jig.ambulance)
    meeting = ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    assert meeting.status == MeetingStatus.OPEN and meeting.opened_by == jig.chair
    with pytest.raises(ValidationError, match="while the meeting is open"):
        ms.meeting_open(meeting=meeting, user=jig.chair)
    with pytest.raises(PermissionDenied):
        ms.meeting_close(meeting=meeting, user=jig.ambulance)
    closed = ms.meeting_close(meeting=meeting, user=jig.chair)
    assert closed.status == MeetingStatus.CLOSED and closed.was_quorate is False


def test_a_meeting_is_opened_on_its_day(jig):
    later, _ = ms.meeting_schedule(group=jig.group, month=add_months(jig.meeting.month, 1))
    with pytest.raises(ValidationError, match="open it on the day"):
        ms.meeting_open(meeting=later, user=jig.chair)


def test_signing_is_timestamped_with_the_statement_version_and_once(jig):
    signature = ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    assert signature.statement == sel.group_document(jig.group, DocumentKind.CONFIDENTIALITY_STATEMENT)
    assert signature.membership == jig.seats[jig.ambulance.pk]
    assert abs(signature.signed_at - timezone.now()) < dt.timedelta(seconds=30)
    assert ms.statement_sign(meeting=jig.meeting, user=jig.ambulance) == signature
    assert ConfidentialitySignature.objects.filter(meeting=jig.meeting).count() == 1


@pytest.mark.parametrize("who", [Role.COMMISSIONER, Role.ADMINISTRATOR, Role.CARE_HOME_MANAGER, "no_role"])
def test_only_members_can_sign(jig, who):
    with pytest.raises(PermissionDenied, match="Only members"):
        ms.statement_sign(meeting=jig.meeting, user=jig.area.users[who])


def test_nobody_signs_a_closed_meeting(jig):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    ms.meeting_close(meeting=jig.meeting, user=jig.chair)
    with pytest.raises(ValidationError, match="closed"):
        ms.statement_sign(meeting=jig.meeting, user=jig.acute)


def test_signing_at_an_open_meeting_records_the_member_present(jig):
    ms.attendance_record(meeting=jig.meeting, membership=jig.seats[jig.acute.pk],
                         status=AttendanceStatus.APOLOGIES, user=jig.acute)
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)  # before the meeting: not yet present
    assert not jig.meeting.attendance.filter(membership__user=jig.ambulance).exists()
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    statuses = dict(jig.meeting.attendance.values_list("membership__user", "status"))
    assert statuses == {jig.acute.pk: AttendanceStatus.APOLOGIES, jig.chair.pk: AttendanceStatus.PRESENT}


def test_members_send_only_their_own_apologies(jig):
    with pytest.raises(PermissionDenied):
        ms.attendance_record(meeting=jig.meeting, membership=jig.seats[jig.acute.pk],
                             status=AttendanceStatus.APOLOGIES, user=jig.ambulance)
    with pytest.raises(PermissionDenied):
        ms.attendance_record(meeting=jig.meeting, membership=jig.seats[jig.ambulance.pk],
                             status=AttendanceStatus.PRESENT, user=jig.ambulance)


def test_the_quorum_follows_the_groups_rule_and_is_recorded_at_closing(jig):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    for person in (jig.chair, jig.ambulance, jig.observer):
        ms.statement_sign(meeting=jig.meeting, user=person)
    quorum = sel.meeting_quorum(jig.meeting)
    assert (quorum.is_quorate, quorum.present, quorum.needed) == (False, 2, 3)  # observers do not count
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    assert sel.meeting_quorum(jig.meeting).is_quorate
    assert ms.meeting_close(meeting=jig.meeting, user=jig.chair).was_quorate is True


def test_a_quorum_needs_the_council_and_the_nhs(jig):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    for person in (jig.co_chair, jig.ambulance, jig.acute):
        ms.statement_sign(meeting=jig.meeting, user=person)
    assert sel.meeting_quorum(jig.meeting).missing == ["A member from a council must be present."]


def test_minutes_are_written_by_a_chair_who_signed(jig):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    with pytest.raises(PermissionDenied, match="Sign"):
        ms.minutes_save(meeting=jig.meeting, user=jig.chair, minutes="Notes")
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    assert ms.minutes_save(meeting=jig.meeting, user=jig.chair, minutes=" Notes ").minutes == "Notes"


def test_signatures_are_for_the_chair_to_see(jig):
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    signatures = sel.meeting_signatures(jig.co_chair, jig.meeting)
    rows = {row.membership.user_id: row.signature for row in signatures}
    assert set(rows) == {jig.chair.pk, jig.co_chair.pk, jig.ambulance.pk, jig.acute.pk, jig.observer.pk}
    assert rows[jig.ambulance.pk] is not None and rows[jig.acute.pk] is None
    for person in (jig.ambulance, jig.observer, jig.admin):
        with pytest.raises(PermissionDenied):
            sel.meeting_signatures(person, jig.meeting)


def test_a_signature_survives_its_seat_ending(jig):
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    ms.membership_end(membership=jig.seats[jig.acute.pk], user=jig.chair)
    rows = {row.membership.user_id: row.signature for row in sel.meeting_signatures(jig.chair, jig.meeting)}
    assert rows[jig.acute.pk] is not None


def test_only_members_see_the_meetings(jig):
    assert list(sel.meetings_visible_to(jig.observer)) == [jig.meeting]
    for who in (Role.COMMISSIONER, Role.ADMINISTRATOR, Role.CARE_HOME_MANAGER, Role.QUALITY_OFFICER):
        assert not sel.meetings_visible_to(jig.area.users[who]).exists()
    outsider = UserFactory()
    Membership.objects.create(user=outsider, organisation=jig.area.council, role=Role.JIG_MEMBER)
    assert not sel.meetings_visible_to(outsider).exists()  # a portal role without a seat
