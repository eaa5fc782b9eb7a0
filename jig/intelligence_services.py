"""Writes for what the JIG records: soft intelligence, actions (training actions among them)
and its decisions on planning applications for new care homes.

Soft intelligence and planning notices are recorded by the group's chairs and members (not
observers); actions are agreed at a meeting, so the chair records them after signing its
statement; a decision on a planning application needs a quorate meeting.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from carehomes.models import CareHome
from commissioning.choices import OrganisationKind
from commissioning.models import Organisation

from .choices import JIG_ACTION_OUTSTANDING, VOTING_ROLES, JigActionStatus, MeetingStatus, PlanningDecision
from .meeting_selectors import group_homes, is_chair, meeting_quorum, require_meeting_content, seats
from .models import JigAction, JigGroup, JigMembership, Meeting, PlanningApplication, SoftIntelligence
from .risk.services import recompute_homes_later


def _voting_seat(user, group: JigGroup) -> JigMembership:
    seat = seats(user).filter(group=group, role__in=VOTING_ROLES).first()
    if seat is None:
        raise PermissionDenied("Only the group's chairs and members can record this.")
    return seat


def _in_area(group: JigGroup, care_home: CareHome) -> None:
    if not group_homes(group).filter(pk=care_home.pk).exists():
        raise ValidationError({"care_home": f"{care_home.name} is not in {group}'s area."})


# --- Soft intelligence -----------------------------------------------------------------------


@transaction.atomic
def soft_intelligence_record(*, group: JigGroup, care_home: CareHome, user, source_organisation: Organisation,
                             reported_on: dt.date, category: str, sensitivity: str, text: str,
                             meeting: Meeting | None = None) -> SoftIntelligence:
    """A member logs a concern about a home of the group's area. Only the group's current
    members will ever see it (``jig.meeting_selectors.soft_intelligence_visible_to``)."""
    _voting_seat(user, group)
    _in_area(group, care_home)
    if meeting is not None and meeting.group_id != group.pk:
        raise ValidationError({"meeting": "The meeting is another group's."})
    item = SoftIntelligence(group=group, care_home=care_home, meeting=meeting,
                            source_organisation=source_organisation, reported_on=reported_on,
                            category=category, sensitivity=sensitivity, text=text.strip(), recorded_by=user,
                            created_by=user, modified_by=user)
    _check_reported_on(reported_on)
    item.full_clean()
    item.save()
    recompute_homes_later(home_ids=[care_home.pk])  # soft intelligence is a risk component
    return item


def _check_reported_on(reported_on: dt.date) -> None:
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": "The date cannot be in the future."})


def _require_editor(user, item: SoftIntelligence) -> SoftIntelligence:
    item = SoftIntelligence.objects.select_for_update().get(pk=item.pk)
    recorder = item.recorded_by_id == user.pk and seats(user).filter(group=item.group_id).exists()
    if not (recorder or is_chair(user, item.group)):
        raise PermissionDenied("Only the member who recorded it, or the chair, can change it.")
    if item.is_archived:
        raise ValidationError("This item is archived.")
    return item


@transaction.atomic
def soft_intelligence_update(*, item: SoftIntelligence, user, **changes) -> SoftIntelligence:
    """The recorder (or the chair) corrects an item: any of ``source_organisation``,
    ``reported_on``, ``category``, ``sensitivity`` and ``text``. History keeps the earlier text."""
    item = _require_editor(user, item)
    editable = {"source_organisation", "reported_on", "category", "sensitivity", "text"}
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    _check_reported_on(item.reported_on)
    item.modified_by = user
    item.full_clean()
    item.save()
    recompute_homes_later(home_ids=[item.care_home_id])
    return item


@transaction.atomic
def soft_intelligence_archive(*, item: SoftIntelligence, user, reason: str) -> SoftIntelligence:
    """Take an item out of use (no longer relevant, or recorded in error), with the reason.
    It is kept, never deleted, and no longer counted or shown."""
    item = _require_editor(user, item)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the item is archived."})
    item.archived_at, item.archived_by, item.archived_reason = timezone.now(), user, reason.strip()
    item.modified_by = user
    item.full_clean()
    item.save()
    recompute_homes_later(home_ids=[item.care_home_id])
    return item


# --- Actions ---------------------------------------------------------------------------------


@transaction.atomic
def action_create(*, meeting: Meeting, user, description: str, owner_organisation: Organisation,
                  due_on: dt.date, owner=None, care_home: CareHome | None = None,
                  training_theme: str = "") -> JigAction:
    """The chair records an action agreed at the meeting (while it is open, or writing up after
    it closes): owner organisation and person, due date, and optionally the home. With a
    ``training_theme`` it is a training action."""
    meeting = Meeting.objects.select_related("group").get(pk=meeting.pk)  # its status as it is now
    if not is_chair(user, meeting.group):
        raise PermissionDenied("Only the group's chair or co-chair can record actions.")
    require_meeting_content(user, meeting)
    if meeting.status == MeetingStatus.SCHEDULED:
        raise ValidationError("Actions are agreed at the meeting: open it first.")
    if care_home is not None:
        _in_area(meeting.group, care_home)
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": "This person's account is not active."})
    action = JigAction(meeting=meeting, care_home=care_home, description=description.strip(),
                       owner_organisation=owner_organisation, owner=owner, due_on=due_on,
                       is_training=bool(training_theme), training_theme=training_theme,
                       created_by=user, modified_by=user)
    action.full_clean()
    action.save()
    return action


def training_action_create(*, meeting: Meeting, user, theme: str, description: str,
                           owner_organisation: Organisation, due_on: dt.date, owner=None,
                           care_home: CareHome | None = None) -> JigAction:
    """A gap in training the JIG found, as a training action with its theme."""
    if not theme:
        raise ValidationError({"theme": "Choose the training theme."})
    return action_create(meeting=meeting, user=user, description=description, owner=owner,
                         owner_organisation=owner_organisation, due_on=due_on, care_home=care_home,
                         training_theme=theme)


@transaction.atomic
def action_update(*, action: JigAction, user, status: str | None = None, progress_note: str | None = None,
                  due_on: dt.date | None = None) -> JigAction:
    """The owner or the chair records progress or a new status; only the chair moves the due
    date. Done records today as the completion date; reopening clears it."""
    action = JigAction.objects.select_for_update().select_related("meeting__group").get(pk=action.pk)
    chair = is_chair(user, action.meeting.group)
    if not (chair or (action.owner_id is not None and action.owner_id == user.pk)):
        raise PermissionDenied("Only the action's owner or the group's chair can update it.")
    if due_on is not None and due_on != action.due_on:
        if not chair:
            raise PermissionDenied("Only the chair can move the due date.")
        action.due_on, action.overdue_notified_on = due_on, None
    if status is not None and status != action.status:
        if action.status == JigActionStatus.CANCELLED and not chair:
            raise PermissionDenied("Only the chair can reopen a cancelled action.")
        action.status = status
        action.completed_on = timezone.localdate() if status == JigActionStatus.DONE else None
        if status in JIG_ACTION_OUTSTANDING:
            action.overdue_notified_on = None
    if progress_note is not None:
        action.progress_note = progress_note.strip()
    action.modified_by = user
    action.full_clean()
    action.save()
    return action


# --- Planning applications -------------------------------------------------------------------


@transaction.atomic
def planning_application_record(*, group: JigGroup, user, reference: str, council: Organisation,
                                site_address: str, postcode: str, proposed_beds: int, registration_type: str,
                                received_on: dt.date, applicant: str = "",
                                notes: str = "") -> PlanningApplication:
    """A member records the notice of a planning application for a new care home, for the
    group to decide whether to support it."""
    _voting_seat(user, group)
    if council.kind != OrganisationKind.LOCAL_AUTHORITY:
        raise ValidationError({"council": "The planning authority is a council."})
    application = PlanningApplication(
        group=group, council=council, reference=reference.strip(), site_address=site_address.strip(),
        postcode=postcode.strip().upper(), proposed_beds=proposed_beds, registration_type=registration_type,
        received_on=received_on, applicant=applicant.strip(), notes=notes.strip(),
        created_by=user, modified_by=user)
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def planning_decision_record(*, application: PlanningApplication, meeting: Meeting, user, decision: str,
                             reasons: str) -> PlanningApplication:
    """The chair records the group's decision (support or do not support) and its reasons,
    taken at a quorate meeting of the group. A later meeting may revisit it; history keeps
    each decision."""
    meeting = Meeting.objects.select_related("group").get(pk=meeting.pk)
    if not is_chair(user, meeting.group):
        raise PermissionDenied("Only the group's chair or co-chair can record the group's decision.")
    require_meeting_content(user, meeting)
    application = PlanningApplication.objects.select_for_update().get(pk=application.pk)
    if meeting.group_id != application.group_id:
        raise ValidationError({"meeting": "The application is another group's."})
    if decision not in (PlanningDecision.SUPPORT, PlanningDecision.DO_NOT_SUPPORT):
        raise ValidationError({"decision": "Choose support or do not support."})
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the group's reasons."})
    if meeting.status == MeetingStatus.SCHEDULED:
        raise ValidationError("Decisions are taken at the meeting: open it first.")
    if meeting.status == MeetingStatus.CLOSED:
        quorate = meeting.was_quorate
    else:
        quorate = meeting_quorum(meeting).is_quorate
    if not quorate:
        raise ValidationError("The meeting is not quorate, so it cannot decide.")
    application.decision, application.decision_reasons = decision, reasons.strip()
    application.decided_at, application.decided_on, application.decided_by = meeting, timezone.now(), user
    application.modified_by = user
    application.full_clean()
    application.save()
    return application
