"""Writes for the JIG's groups and meetings: documents, membership, scheduling, opening and
closing meetings, attendance, signing the confidentiality statement and asking for the pack.

Every service takes the acting ``user`` (None only for the beat task's scheduling) and checks
them through ``jig.meeting_selectors``; pages, the API, commands and tasks share these rules.
The flags, deep dives (``jig.agenda_services``) and what members record
(``jig.intelligence_services``) have their own modules.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from commissioning.choices import OrganisationKind, Role
from commissioning.models import Membership, Organisation
from commissioning.services import membership_create
from quality.reports import add_months

from .choices import CHAIR_ROLES, AttendanceStatus, DocumentKind, JigRole, MeetingStatus
from .meeting_selectors import (
    group_document,
    is_chair,
    may_manage_group,
    meeting_quorum,
    require_meeting_content,
    seat_on,
)
from .models import (
    Attendance,
    ConfidentialitySignature,
    GroupDocument,
    JigGroup,
    JigMembership,
    Meeting,
    MeetingPack,
)

# --- The group -------------------------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_manager(user, group: JigGroup) -> None:
    _require(may_manage_group(user, group), "Only the group's chair or co-chair (or an administrator "
                                            "setting the group up) can do this.")


def _require_chair(user, group: JigGroup) -> None:
    _require(is_chair(user, group), "Only the group's chair or co-chair can do this.")


@transaction.atomic
def jig_group_create(*, user, name: str, councils=(), commissioners=(), **rules) -> JigGroup:
    """An administrator sets up a group: its name, area (councils and NHS commissioners) and
    ``rules`` (``meeting_week``, ``meeting_weekday``, ``meeting_time``, the quorum fields)."""
    from commissioning import access

    _require(access.is_unrestricted(user), "Only administrators can set up a group.")
    councils, commissioners = list(councils), list(commissioners)
    if any(o.kind != OrganisationKind.LOCAL_AUTHORITY for o in councils):
        raise ValidationError({"councils": "Choose councils (local authorities) only."})
    if any(o.kind != OrganisationKind.NHS_COMMISSIONER for o in commissioners):
        raise ValidationError({"commissioners": "Choose NHS commissioners only."})
    if not councils and not commissioners:
        raise ValidationError("A group covers the homes of at least one council or NHS commissioner.")
    group = JigGroup(name=name.strip(), created_by=user, modified_by=user, **rules)
    group.full_clean()
    group.save()
    group.councils.set(councils)
    group.commissioners.set(commissioners)
    return group


@transaction.atomic
def group_document_publish(*, group: JigGroup, kind: str, text: str, user, notes: str = "") -> GroupDocument:
    """A new version of the group's terms of reference, standing agenda (one item a line) or
    confidentiality statement; it becomes the current one. Earlier versions are kept (members'
    signatures name the version they signed)."""
    _require_manager(user, group)
    JigGroup.objects.select_for_update().get(pk=group.pk)  # one new version at a time
    if not text.strip():
        raise ValidationError({"text": "Write the document."})
    latest = GroupDocument.objects.filter(group=group, kind=kind).aggregate(v=Max("version"))["v"] or 0
    GroupDocument.objects.filter(group=group, kind=kind, is_current=True).update(is_current=False)
    document = GroupDocument(group=group, kind=kind, version=latest + 1, text=text.strip(),
                             notes=notes.strip(), is_current=True, published_by=user)
    document.full_clean()
    document.save()
    return document


def _portal_role_for(person, organisation: Organisation, role: str, by) -> None:
    """Give the person the portal role that opens the JIG's pages, in the organisation they sit
    for (JIG chair for chairs and co-chairs, JIG member otherwise), unless they hold it."""
    portal_role = Role.JIG_CHAIR if role in CHAIR_ROLES else Role.JIG_MEMBER
    existing = Membership.objects.filter(user=person, organisation=organisation, role=portal_role).first()
    if existing is None:
        membership_create(user=person, organisation=organisation, role=portal_role, created_by=by)
    elif not existing.is_active:
        existing.is_active, existing.modified_by = True, by
        existing.save()
    person.__dict__.pop("_portal_memberships", None)  # access.memberships reads them again


@transaction.atomic
def membership_add(*, group: JigGroup, user, person, organisation: Organisation, role: str = JigRole.MEMBER,
                   starts_on: dt.date | None = None) -> JigMembership:
    """Give ``person`` a seat on the group for ``organisation`` in ``role``. Also gives them
    the portal role that opens the JIG's pages. Care providers never sit on the JIG."""
    _require_manager(user, group)
    if organisation.kind == OrganisationKind.CARE_PROVIDER:
        raise ValidationError({"organisation": "Care providers do not sit on the JIG: it discusses their "
                                               "homes."})
    if not person.is_active:
        raise ValidationError({"person": "This person's account is not active."})
    starts_on = starts_on or timezone.localdate()
    overlapping = JigMembership.objects.filter(group=group, user=person).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on))
    if overlapping.exists():
        raise ValidationError({"person": f"{person} already has a seat on {group}: end it first."})
    chair_taken = JigMembership.objects.filter(group=group, role=role, ends_on__isnull=True).exists()
    if role in CHAIR_ROLES and chair_taken:
        raise ValidationError({"role": f"The group already has a {JigRole(role).label.lower()}: end that "
                                       "seat first."})
    membership = JigMembership(group=group, user=person, organisation=organisation, role=role,
                               starts_on=starts_on, created_by=user, modified_by=user)
    membership.full_clean()
    membership.save()
    _portal_role_for(person, organisation, role, user)
    return membership


@transaction.atomic
def membership_end(*, membership: JigMembership, user, ends_on: dt.date | None = None) -> JigMembership:
    """End a seat: from ``ends_on`` (today by default) the person is no longer a member, and
    can read none of the group's content. Their signatures and records are kept."""
    _require_manager(user, membership.group)
    membership = JigMembership.objects.select_for_update().get(pk=membership.pk)
    ends_on = ends_on or timezone.localdate()
    if membership.ends_on is not None and membership.ends_on <= ends_on:
        raise ValidationError("This seat has already ended.")
    if ends_on < membership.starts_on:
        raise ValidationError({"ends_on": "A seat cannot end before it starts."})
    membership.ends_on, membership.modified_by = ends_on, user
    membership.full_clean()
    membership.save()
    return membership


# --- Scheduling ------------------------------------------------------------------------------


def meeting_starts_at(group: JigGroup, month: dt.date) -> dt.datetime:
    """The group's usual meeting time in ``month``: the nth weekday at its time, UK time."""
    first = month.replace(day=1)
    day = 1 + (group.meeting_weekday - first.weekday()) % 7 + 7 * (group.meeting_week - 1)
    return timezone.make_aware(dt.datetime.combine(first.replace(day=day), group.meeting_time))


@transaction.atomic
def meeting_schedule(*, group: JigGroup, month: dt.date, user=None, starts_at: dt.datetime | None = None,
                     location: str = "") -> tuple[Meeting, bool]:
    """The group's meeting for ``month``, made if there is none yet: ``(meeting, created)``.

    Idempotent (one meeting a group and month; the database holds to it too). The standing
    items are copied from the current standing agenda. ``user`` is None for the beat task;
    anybody else must chair the group.
    """
    if user is not None:
        _require_chair(user, group)
    group = JigGroup.objects.select_for_update().get(pk=group.pk)  # two schedulers make one meeting
    month = month.replace(day=1)
    existing = Meeting.objects.filter(group=group, month=month).first()
    if existing is not None:
        return existing, False
    if not group.is_active:
        raise ValidationError(f"{group} is not active, so it has no new meetings.")
    starts_at = starts_at or meeting_starts_at(group, month)
    _check_in_month(starts_at, month)
    agenda = group_document(group, DocumentKind.STANDING_AGENDA)
    meeting = Meeting(group=group, month=month, starts_at=starts_at, location=location.strip(),
                      agenda=agenda.agenda_items if agenda else [], standing_agenda=agenda,
                      created_by=user, modified_by=user)
    meeting.full_clean()
    meeting.save()
    return meeting, True


def _check_in_month(starts_at: dt.datetime, month: dt.date) -> None:
    if timezone.localtime(starts_at).date().replace(day=1) != month:
        raise ValidationError({"starts_at": f"The meeting for {month:%B %Y} must be held in that month."})


def meetings_schedule_next(*, today: dt.date | None = None) -> list[Meeting]:
    """For the monthly beat task: next month's meeting for every active group (the ones made)."""
    month = add_months((today or timezone.localdate()).replace(day=1), 1)
    made = []
    for group in JigGroup.objects.filter(is_active=True).order_by("pk"):
        meeting, created = meeting_schedule(group=group, month=month)
        if created:
            made.append(meeting)
    return made


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)


def _status_or_error(meeting: Meeting, allowed, doing: str) -> None:
    if meeting.status not in allowed:
        status = meeting.get_status_display().lower()
        raise ValidationError(f"You cannot {doing} while the meeting is {status}.")


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, user, starts_at: dt.datetime,
                       location: str | None = None) -> Meeting:
    """The chair moves a scheduled meeting (within its month) or changes where it is held."""
    _require_chair(user, meeting.group)
    meeting = _locked(meeting)
    _status_or_error(meeting, [MeetingStatus.SCHEDULED], "move the meeting")
    _check_in_month(starts_at, meeting.month)
    meeting.starts_at, meeting.modified_by = starts_at, user
    if location is not None:
        meeting.location = location.strip()
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_open(*, meeting: Meeting, user) -> Meeting:
    """The chair opens the meeting on the day: its flags are refreshed one last time, and
    members who sign from now on are recorded as present."""
    from .agenda_services import meeting_flags_refresh

    _require_chair(user, meeting.group)
    meeting = _locked(meeting)
    _status_or_error(meeting, [MeetingStatus.SCHEDULED], "open the meeting")
    if timezone.localdate() < meeting.date:
        raise ValidationError(f"The meeting is on {meeting.date:%-d %B %Y}: open it on the day.")
    meeting.status, meeting.opened_at, meeting.opened_by, meeting.modified_by = (
        MeetingStatus.OPEN, timezone.now(), user, user)
    meeting.full_clean()
    meeting.save()
    meeting_flags_refresh(meeting=meeting)
    return meeting


@transaction.atomic
def meeting_close(*, meeting: Meeting, user, minutes: str | None = None) -> Meeting:
    """The chair closes the meeting: whether it was quorate is recorded from the attendance,
    and its flags, attendance and signatures are kept as they are."""
    _require_chair(user, meeting.group)
    meeting = _locked(meeting)
    _status_or_error(meeting, [MeetingStatus.OPEN], "close the meeting")
    if minutes is not None:
        require_meeting_content(user, meeting)
        meeting.minutes = minutes.strip()
    meeting.was_quorate = meeting_quorum(meeting).is_quorate
    meeting.status, meeting.closed_at, meeting.closed_by, meeting.modified_by = (
        MeetingStatus.CLOSED, timezone.now(), user, user)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def minutes_save(*, meeting: Meeting, user, minutes: str) -> Meeting:
    """The chair writes the minutes, during the meeting or after it closes (they must have
    signed: minutes are the meeting's content)."""
    _require_chair(user, meeting.group)
    require_meeting_content(user, meeting)
    meeting = _locked(meeting)
    _status_or_error(meeting, [MeetingStatus.OPEN, MeetingStatus.CLOSED], "write the minutes")
    meeting.minutes, meeting.modified_by = minutes.strip(), user
    meeting.full_clean()
    meeting.save()
    return meeting


# --- Attendance and the confidentiality statement -------------------------------------------


@transaction.atomic
def attendance_record(*, meeting: Meeting, membership: JigMembership, status: str, user,
                      note: str = "") -> Attendance:
    """Record a member as present or sending apologies. The chair records anyone's; a member
    may send their own apologies before the meeting. Fixed once the meeting closes."""
    meeting = _locked(meeting)
    own_apologies = membership.user_id == user.pk and status == AttendanceStatus.APOLOGIES
    _require(is_chair(user, meeting.group) or (own_apologies and seat_on(user, meeting.group) is not None),
             "Only the chair records attendance; members may send their own apologies.")
    _status_or_error(meeting, [MeetingStatus.SCHEDULED, MeetingStatus.OPEN], "record attendance")
    if membership.group_id != meeting.group_id or not membership.is_current(meeting.date):
        raise ValidationError({"membership": "This person has no seat on the group for this meeting."})
    if status == AttendanceStatus.PRESENT and meeting.status != MeetingStatus.OPEN:
        raise ValidationError({"status": "Members are recorded as present once the meeting is open."})
    return _attendance_save(meeting, membership, status, user, note)


def _attendance_save(meeting, membership, status, user, note="") -> Attendance:
    attendance = Attendance.objects.filter(meeting=meeting, membership=membership).first() or Attendance(
        meeting=meeting, membership=membership)
    attendance.status, attendance.note = status, note.strip()
    attendance.recorded_at, attendance.recorded_by = timezone.now(), user
    attendance.full_clean()
    attendance.save()
    return attendance


@transaction.atomic
def statement_sign(*, meeting: Meeting, user) -> ConfidentialitySignature:
    """The member signs the meeting's confidentiality statement (the group's current
    version), timestamped: from now on they may read the meeting's content. Only members, and
    only before the meeting or while it is open; signing again gives the first signature.
    Signing while the meeting is open also records the member as present."""
    meeting = _locked(meeting)
    seat = seat_on(user, meeting.group)
    _require(seat is not None, "Only members of the group can sign its confidentiality statement.")
    existing = meeting.signatures.filter(user=user).first()
    if existing is not None:
        return existing
    _status_or_error(meeting, [MeetingStatus.SCHEDULED, MeetingStatus.OPEN], "sign the statement")
    statement = group_document(meeting.group, DocumentKind.CONFIDENTIALITY_STATEMENT)
    if statement is None:
        raise ValidationError("The group has no confidentiality statement yet: the chair must publish one.")
    signature = ConfidentialitySignature(meeting=meeting, user=user, membership=seat, statement=statement,
                                         signed_at=timezone.now())
    signature.full_clean()
    signature.save()
    if meeting.status == MeetingStatus.OPEN:
        _attendance_save(meeting, seat, AttendanceStatus.PRESENT, user)
    return signature


# --- The meeting pack ------------------------------------------------------------------------


@transaction.atomic
def meeting_pack_request(*, meeting: Meeting, user) -> MeetingPack:
    """A member who signed the meeting's statement asks for its pack: the job is recorded and
    its task queued once this transaction commits. Anybody else: ``PermissionDenied``."""
    require_meeting_content(user, meeting)
    pack = MeetingPack(meeting=meeting, requested_by=user, stage="Waiting to start")
    pack.full_clean()
    pack.save()
    transaction.on_commit(lambda: _queue_pack(pack.pk))
    return pack


def _queue_pack(pack_id: int) -> None:
    from .meeting_tasks import meeting_pack_task

    meeting_pack_task.delay(pack_id)
