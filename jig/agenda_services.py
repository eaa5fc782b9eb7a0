"""Writes for a meeting's agenda: the flagged homes (automatic and the chair's) and the deep
dives the chair asks of the ambulance and acute members.

Flags and deep dives are the meeting's content: the chair (and a member answering) must
have signed the meeting's confidentiality statement.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from carehomes.models import CareHome
from commissioning.choices import OrganisationKind
from commissioning.models import Organisation
from quality.reports import add_months

from . import flagging
from .choices import MeetingStatus
from .meeting_selectors import (
    group_homes,
    is_chair,
    previous_meeting,
    require_meeting_content,
    seats,
)
from .models import (
    DeepDiveAnswer,
    DeepDiveAttachment,
    DeepDiveRequest,
    HomeFlag,
    JigMembership,
    Meeting,
    RiskRating,
)

logger = logging.getLogger(__name__)

DEEP_DIVE_KINDS = (OrganisationKind.AMBULANCE_TRUST, OrganisationKind.ACUTE_TRUST)
UNDER_WAY = (MeetingStatus.SCHEDULED, MeetingStatus.OPEN)

# --- Automatic flags -------------------------------------------------------------------------


def ratings_as_of(month: dt.date, home_ids) -> dict[int, RiskRating]:
    """Each home's latest rating at or before ``month`` (one query)."""
    ratings = (RiskRating.objects.filter(care_home__in=home_ids, month__lte=month)
               .order_by("care_home_id", "-month").distinct("care_home_id")
               .only("care_home_id", "month", "rag", "score", "components"))
    return {rating.care_home_id: rating for rating in ratings}


@dataclass(frozen=True)
class FlagRefresh:
    """What a refresh did: flags added, changed and dropped, and those left as they were."""

    added: int = 0
    changed: int = 0
    dropped: int = 0
    unchanged: int = 0


def _under_way(meeting: Meeting, doing: str) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    if meeting.status not in UNDER_WAY:
        raise ValidationError(f"You cannot {doing}: the meeting has closed.")
    return meeting


@transaction.atomic
def meeting_flags_refresh(*, meeting: Meeting, user=None) -> FlagRefresh:
    """Flag every home of the group's area that meets a rule (``jig.flagging``), comparing its
    rating for the meeting's month with that for the month of the group's last meeting.

    Idempotent: a second run changes nothing. A home no longer meeting any rule loses its
    automatic reasons, and its flag goes unless the chair gave a reason, removed it (the
    record is kept) or asked for a deep dive on it. A flag the chair removed is never brought
    back. Only while the meeting is scheduled or open; ``user``, when given, must chair.
    """
    if user is not None and not is_chair(user, meeting.group):
        raise PermissionDenied("Only the group's chair or co-chair can do this.")
    meeting = _under_way(meeting, "refresh the flags")
    home_ids = list(group_homes(meeting.group).values_list("pk", flat=True))
    held = previous_meeting(meeting)
    previous_month = held.month if held else add_months(meeting.month, -1)
    flagged = flagging.homes_to_flag(home_ids, ratings_as_of(meeting.month, home_ids),
                                     ratings_as_of(previous_month, home_ids))
    existing = {flag.care_home_id: flag for flag in meeting.flags.annotate(
        has_deep_dives=Exists(DeepDiveRequest.objects.filter(flag=OuterRef("pk"))))}
    now = timezone.now()
    new, changed, dropped = [], [], []
    for home_id, reasons in flagged.items():
        flag = existing.get(home_id)
        if flag is None:
            new.append(HomeFlag(meeting=meeting, care_home_id=home_id, reasons=reasons, flagged_at=now,
                                refreshed_at=now))
        elif flag.reasons != reasons:
            flag.reasons, flag.refreshed_at = reasons, now
            changed.append(flag)
    for home_id, flag in existing.items():
        if home_id in flagged or not flag.reasons:
            continue
        if flag.chair_reason or flag.is_removed or flag.has_deep_dives:
            flag.reasons, flag.refreshed_at = [], now
            changed.append(flag)
        else:
            dropped.append(flag.pk)
    if new:
        bulk_create_with_history(new, HomeFlag)
    if changed:
        bulk_update_with_history(changed, HomeFlag, ["reasons", "refreshed_at"])
    if dropped:
        HomeFlag.objects.filter(pk__in=dropped).delete()
    unchanged = len(existing) - len(changed) - len(dropped)
    return FlagRefresh(len(new), len(changed), len(dropped), unchanged)


def meeting_flags_refresh_upcoming(*, today: dt.date | None = None) -> dict[int, FlagRefresh]:
    """For the daily task: refresh the flags of this month's meetings not yet closed, so
    members preparing for a meeting see the night's ratings."""
    month = (today or timezone.localdate()).replace(day=1)
    return {meeting.pk: meeting_flags_refresh(meeting=meeting)
            for meeting in Meeting.objects.filter(month=month, status__in=UNDER_WAY, group__is_active=True)}


# --- The chair's flags -----------------------------------------------------------------------


def _require_chair_content(user, meeting: Meeting) -> None:
    if not is_chair(user, meeting.group):
        raise PermissionDenied("Only the group's chair or co-chair can do this.")
    require_meeting_content(user, meeting)


@transaction.atomic
def flag_add(*, meeting: Meeting, care_home: CareHome, user, reason: str) -> HomeFlag:
    """The chair brings a home to the agenda, with a reason (or restores one they removed)."""
    _require_chair_content(user, meeting)
    meeting = _under_way(meeting, "flag a home")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the home should come to the meeting."})
    if not group_homes(meeting.group).filter(pk=care_home.pk).exists():
        raise ValidationError({"care_home": f"{care_home.name} is not in the group's area."})
    flag = meeting.flags.filter(care_home=care_home).first() or HomeFlag(meeting=meeting, care_home=care_home)
    flag.chair_reason, flag.flagged_by, flag.flagged_at = reason.strip(), user, timezone.now()
    flag.removed_at, flag.removed_by, flag.removed_reason = None, None, ""
    flag.full_clean()
    flag.save()
    return flag


@transaction.atomic
def flag_remove(*, flag: HomeFlag, user, reason: str) -> HomeFlag:
    """The chair takes a home off the agenda, with a reason; the flag is kept as a record and
    the automatic refresh does not bring it back."""
    _require_chair_content(user, flag.meeting)
    _under_way(flag.meeting, "remove a flag")
    flag = HomeFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.is_removed:
        raise ValidationError("This home has already been taken off the agenda.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the home is taken off the agenda."})
    flag.removed_at, flag.removed_by, flag.removed_reason = timezone.now(), user, reason.strip()
    flag.full_clean()
    flag.save()
    return flag


# --- Deep dives ------------------------------------------------------------------------------


@transaction.atomic
def deep_dive_request(*, flag: HomeFlag, organisation: Organisation, user, question: str,
                      due_by: dt.datetime | None = None) -> DeepDiveRequest:
    """The chair asks the ambulance or acute trust's members for a deeper analysis of a
    flagged home, by the start of the meeting unless ``due_by``. They are emailed (without
    the home's name) once this transaction commits."""
    _require_chair_content(user, flag.meeting)
    meeting = _under_way(flag.meeting, "ask for a deep dive")
    if flag.is_removed:
        raise ValidationError("This home has been taken off the agenda.")
    if organisation.kind not in DEEP_DIVE_KINDS:
        raise ValidationError({"organisation": "Deep dives are asked of the ambulance service or an acute "
                                               "trust."})
    members = list(JigMembership.objects.current().filter(group=meeting.group_id, organisation=organisation)
                   .select_related("user"))
    if not members:
        raise ValidationError({"organisation": f"Nobody from {organisation} sits on the group to answer."})
    if not question.strip():
        raise ValidationError({"question": "Say what the group would like to know."})
    request = DeepDiveRequest(flag=flag, asked_of=organisation, question=question.strip(),
                              due_by=due_by or meeting.starts_at, created_by=user, modified_by=user)
    request.full_clean()
    request.save()
    recipients = sorted({m.user.email for m in members})
    transaction.on_commit(lambda: _notify_deep_dive(meeting, organisation, recipients, request.due_by))
    return request


def _notify_deep_dive(meeting: Meeting, organisation: Organisation, recipients: list[str], due_by) -> None:
    """Tell the organisation's members a deep dive is waiting. The email names no home: the
    question is read in the portal, after signing the meeting's statement."""
    body = (f"The chair of {meeting.group} has asked {organisation} for a deeper analysis of a home "
            f"flagged for the meeting on {meeting.date:%-d %B %Y}, by "
            f"{timezone.localtime(due_by):%-d %B %Y %H:%M}.\n\nSign in to {settings.PORTAL_BASE_URL}, "
            "sign the meeting's confidentiality statement, then read the question and answer it in the "
            "portal.\n")
    try:
        mail.EmailMessage(f"{settings.PORTAL_NAME}: a deep dive is asked of {organisation}", body,
                          settings.DEFAULT_FROM_EMAIL, recipients).send()
    except Exception:  # the request stands; the chair can tell them another way
        logger.exception("Could not email the deep dive request to %s", recipients)


def _require_answerer(user, request: DeepDiveRequest) -> Meeting:
    meeting = request.flag.meeting
    require_meeting_content(user, meeting)
    if not seats(user).filter(group=meeting.group_id, organisation=request.asked_of_id).exists():
        raise PermissionDenied(f"Only members sitting for {request.asked_of} can answer this.")
    return _under_way(meeting, "answer a deep dive")


@transaction.atomic
def deep_dive_answer(*, request: DeepDiveRequest, user, text: str, files=()) -> DeepDiveAnswer:
    """A member sitting for the organisation asked answers (or revises the answer) before the
    meeting closes, with any files attached."""
    _require_answerer(user, request)
    if not text.strip():
        raise ValidationError({"text": "Write the analysis."})
    answer = DeepDiveAnswer.objects.filter(request=request).first() or DeepDiveAnswer(
        request=request, created_by=user)
    answer.text, answer.answered_by, answer.answered_at, answer.modified_by = (
        text.strip(), user, timezone.now(), user)
    answer.full_clean()
    answer.save()
    for file in files:
        _attach(answer, file, user)
    return answer


@transaction.atomic
def deep_dive_attachment_add(*, answer: DeepDiveAnswer, user, file) -> DeepDiveAttachment:
    """Attach a file to an answer (same rule as answering)."""
    _require_answerer(user, answer.request)
    return _attach(answer, file, user)


def _attach(answer: DeepDiveAnswer, file, user) -> DeepDiveAttachment:
    attachment = DeepDiveAttachment(answer=answer, file=file, original_name=getattr(file, "name", "")[:255],
                                    uploaded_by=user)
    attachment.full_clean()
    attachment.save()
    return attachment
