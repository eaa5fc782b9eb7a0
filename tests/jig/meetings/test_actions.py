"""Actions agreed at meetings: carried forward while open, overdue after their date, training
actions with a theme, and owners told once when overdue."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jig import intelligence_services as isv
from jig import meeting_selectors as sel
from jig import meeting_services as ms
from jig.action_reminders import overdue_actions_notify
from jig.choices import JigActionStatus, MeetingStatus, TrainingTheme
from jig.models import JigAction, Meeting
from quality.reports import add_months

from .factories import JigActionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def open_meeting(jig):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    return jig.meeting


def agree(jig, meeting, user=None, **fields):
    values = {"description": "Review the falls pathway with the home", "owner_organisation": jig.area.council,
              "owner": jig.ambulance, "due_on": TODAY + dt.timedelta(days=28), **fields}
    return isv.action_create(meeting=meeting, user=user or jig.chair, **values)


def test_actions_are_agreed_by_the_chair_at_an_open_meeting(jig):
    with pytest.raises(PermissionDenied, match="Sign"):
        agree(jig, jig.meeting)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    with pytest.raises(ValidationError, match="open it first"):
        agree(jig, jig.meeting)
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    action = agree(jig, jig.meeting, care_home=jig.area.home)
    assert (action.status, action.is_training, action.created_by) == (JigActionStatus.OPEN, False, jig.chair)
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    with pytest.raises(PermissionDenied):
        agree(jig, jig.meeting, user=jig.ambulance)


def test_a_training_action_has_a_theme(jig, open_meeting):
    action = isv.training_action_create(meeting=open_meeting, user=jig.chair,
                                        theme=TrainingTheme.UTI_CATHETER,
                                        description="Catheter care sessions for nursing homes",
                                        owner_organisation=jig.area.commissioner, due_on=TODAY)
    assert action.is_training and action.get_training_theme_display() == "UTIs and catheter care"
    with pytest.raises(IntegrityError), transaction.atomic():
        JigAction.objects.filter(pk=action.pk).update(training_theme="")


def test_open_actions_carry_forward_to_the_next_meeting_and_overdue_ones_are_highlighted(jig, open_meeting):
    agree(jig, open_meeting, due_on=TODAY - dt.timedelta(days=1), description="Overdue")
    in_progress = agree(jig, open_meeting, description="Under way")
    isv.action_update(action=in_progress, user=jig.ambulance, status=JigActionStatus.IN_PROGRESS)
    done = agree(jig, open_meeting, description="Done")
    isv.action_update(action=done, user=jig.chair, status=JigActionStatus.DONE)
    cancelled = agree(jig, open_meeting, description="Cancelled")
    isv.action_update(action=cancelled, user=jig.chair, status=JigActionStatus.CANCELLED)
    ms.meeting_close(meeting=open_meeting, user=jig.chair)

    next_meeting, _ = ms.meeting_schedule(group=jig.group, month=add_months(open_meeting.month, 1))
    agenda = sel.actions_for_agenda(next_meeting)
    assert [a.description for a in agenda.carried_forward] == ["Overdue", "Under way"]
    assert agenda.raised == []
    assert [a.description for a in agenda.overdue] == ["Overdue"]
    assert [a.is_overdue_on(TODAY) for a in agenda.carried_forward] == [True, False]
    # This meeting's own agenda still shows everything agreed at it.
    assert {a.description for a in sel.actions_for_agenda(open_meeting).raised} == {
        "Overdue", "Under way", "Done", "Cancelled"}


def test_actions_of_other_groups_and_later_meetings_do_not_carry_forward(jig, open_meeting):
    JigActionFactory(description="Another group's")
    later = Meeting.objects.create(group=jig.group, month=add_months(open_meeting.month, 2),
                                   starts_at=timezone.now() + dt.timedelta(days=62),
                                   status=MeetingStatus.SCHEDULED)
    JigActionFactory(meeting=later, description="Agreed later")
    assert sel.actions_for_agenda(open_meeting).carried_forward == []


def test_done_records_the_completion_date_and_reopening_clears_it(jig, open_meeting):
    action = agree(jig, open_meeting)
    done = isv.action_update(action=action, user=jig.ambulance, status=JigActionStatus.DONE,
                             progress_note="Met")
    assert (done.completed_on, done.progress_note) == (TODAY, "Met")
    reopened = isv.action_update(action=done, user=jig.chair, status=JigActionStatus.OPEN)
    assert reopened.completed_on is None


def test_only_the_owner_or_the_chair_updates_and_only_the_chair_moves_the_date(jig, open_meeting):
    action = agree(jig, open_meeting)
    with pytest.raises(PermissionDenied):
        isv.action_update(action=action, user=jig.acute, progress_note="Not mine")
    with pytest.raises(PermissionDenied, match="due date"):
        isv.action_update(action=action, user=jig.ambulance, due_on=TODAY + dt.timedelta(days=90))
    moved = isv.action_update(action=action, user=jig.chair, due_on=TODAY + dt.timedelta(days=90))
    assert moved.due_on == TODAY + dt.timedelta(days=90)


def test_owners_are_told_once_when_actions_become_overdue(jig, open_meeting):
    agree(jig, open_meeting, due_on=TODAY - dt.timedelta(days=2), description="Overdue one")
    late = agree(jig, open_meeting, due_on=TODAY - dt.timedelta(days=1), description="Overdue two")
    agree(jig, open_meeting, due_on=TODAY + dt.timedelta(days=1), description="Not yet due")
    agree(jig, open_meeting, due_on=TODAY - dt.timedelta(days=1), owner=None, description="No person")
    first = overdue_actions_notify(today=TODAY)
    second = overdue_actions_notify(today=TODAY)
    assert (first.summary(), second.summary()) == ({"sent": 1, "failed": 0}, {"sent": 0, "failed": 0})
    [email] = mail.outbox
    assert email.to == [jig.ambulance.email] and "2 Joint Intelligence Group actions are" in email.body
    assert "Overdue one" not in email.body  # the action's words stay in the portal
    isv.action_update(action=late, user=jig.chair, due_on=TODAY - dt.timedelta(days=3))
    assert overdue_actions_notify(today=TODAY).summary() == {"sent": 1, "failed": 0}  # a new due date


def test_a_failed_email_is_tried_again_next_time(jig, open_meeting, monkeypatch):
    agree(jig, open_meeting, due_on=TODAY - dt.timedelta(days=2))

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert overdue_actions_notify(today=TODAY).summary() == {"sent": 0, "failed": 1}
    monkeypatch.undo()
    assert overdue_actions_notify(today=TODAY).summary() == {"sent": 1, "failed": 0}
