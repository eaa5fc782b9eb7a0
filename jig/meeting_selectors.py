"""Reads of the JIG's meetings that decide visibility: pages, API, exports and the PDF use these.

The rules (docs/jig-meetings.md):

* **Members.** A person is a member of a group while they hold a current ``JigMembership``
  of it *and* a portal role that opens the JIG's area (``Action.JIG_MEMBER_AREA``). Portal
  roles alone (a commissioner, an administrator, a JIG member role without a seat) make
  nobody a member.
* **Meetings** (date, status, standing agenda) are visible to the group's members.
* **A meeting's content** (flagged homes and their reasons, deep dives, the soft
  intelligence shown at it, minutes, the pack) only to current members who signed that
  meeting's confidentiality statement: ``meeting_content_allowed``.
* **Soft intelligence** only to current members of the group it was recorded for.
* **Who signed** only to the group's chair and co-chair.

Functions that take no user (``actions_for_agenda``, ``meeting_flags``, ``pack_context``)
return content: call them only after ``meeting_content_allowed`` (or for work a member asked
for, such as rendering the pack).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from carehomes.choices import HomeStatus
from carehomes.models import CareHome
from commissioning import access
from commissioning.choices import OrganisationKind

from .choices import (
    CHAIR_ROLES,
    JIG_ACTION_OUTSTANDING,
    VOTING_ROLES,
    AttendanceStatus,
    DocumentKind,
    MeetingStatus,
    PlanningDecision,
)
from .models import (
    Attendance,
    ConfidentialitySignature,
    DeepDiveRequest,
    GroupDocument,
    JigAction,
    JigGroup,
    JigMembership,
    Meeting,
    MeetingPack,
    PlanningApplication,
    SoftIntelligence,
)

A = access.Action
NHS_KINDS = frozenset({OrganisationKind.NHS_COMMISSIONER, OrganisationKind.AMBULANCE_TRUST,
                       OrganisationKind.ACUTE_TRUST})
HELD_STATUSES = (MeetingStatus.OPEN, MeetingStatus.CLOSED)

# --- Membership ------------------------------------------------------------------------------


def seats(user, *, on: dt.date | None = None) -> QuerySet:
    """The user's current seats on groups (none unless their portal role opens the JIG's area)."""
    if not access.allowed(user, A.JIG_MEMBER_AREA):
        return JigMembership.objects.none()
    return JigMembership.objects.current(on).filter(user=user).select_related("group", "organisation")


def seat_on(user, group: JigGroup) -> JigMembership | None:
    """The user's current seat on ``group``, or None when they are not a member."""
    return seats(user).filter(group=group).first()


def is_member(user, group: JigGroup) -> bool:
    return seats(user).filter(group=group).exists()


def is_chair(user, group: JigGroup) -> bool:
    """The group's current chair or co-chair (with a portal role that may chair)."""
    return (access.allowed(user, A.CHAIR_JIG)
            and seats(user).filter(group=group, role__in=CHAIR_ROLES).exists())


def may_manage_group(user, group: JigGroup) -> bool:
    """Documents and membership: the group's chairs, and administrators setting a group up."""
    return access.is_unrestricted(user) or is_chair(user, group)


def groups_visible_to(user) -> QuerySet:
    """The groups the user is a member of (administrators: every group, to set them up)."""
    if access.is_unrestricted(user):
        return JigGroup.objects.all()
    return JigGroup.objects.filter(pk__in=seats(user).values("group_id"))


def group_homes(group: JigGroup) -> QuerySet:
    """The group's area: active homes of its councils, its NHS commissioners or their ICBs'."""
    councils = group.councils.values("pk")
    commissioners = group.commissioners.values("pk")
    return CareHome.objects.filter(status=HomeStatus.ACTIVE).filter(
        Q(local_authority__in=councils) | Q(nhs_commissioner__in=commissioners)
        | Q(nhs_commissioner__parent__in=commissioners))


def group_document(group: JigGroup, kind: str) -> GroupDocument | None:
    """The current version of one of the group's documents."""
    return group.documents.filter(kind=kind, is_current=True).first()


# --- Meetings --------------------------------------------------------------------------------


def meetings_visible_to(user) -> QuerySet:
    """Meetings of the groups the user is a member of, newest first."""
    return (Meeting.objects.filter(group__in=seats(user).values("group_id"))
            .select_related("group").order_by("-starts_at"))


def meeting_for(user, pk: int) -> Meeting:
    """A meeting the user may see, or 404 whether it is missing or not theirs to see."""
    try:
        return meetings_visible_to(user).get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404("Not found") from exc


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The group's last meeting that was held (opened) before this one's month."""
    return (Meeting.objects.filter(group=meeting.group_id, month__lt=meeting.month, status__in=HELD_STATUSES)
            .order_by("-month").first())


def has_signed(user, meeting: Meeting) -> bool:
    return bool(getattr(user, "pk", None)) and meeting.signatures.filter(user=user).exists()


def meeting_content_allowed(user, meeting: Meeting) -> bool:
    """Whether the user may read the meeting's sensitive content: a current member of its
    group who has signed its confidentiality statement. Nobody else, administrators included."""
    return is_member(user, meeting.group) and has_signed(user, meeting)


def require_meeting_content(user, meeting: Meeting) -> None:
    """For services and views: 403 unless ``meeting_content_allowed``."""
    if not meeting_content_allowed(user, meeting):
        raise PermissionDenied("Sign this meeting's confidentiality statement to see its content. "
                               "Only members of the group can sign.")


@dataclass(frozen=True)
class SignatureRow:
    """A member and their signature of the meeting's statement (None if not signed)."""

    membership: JigMembership
    signature: ConfidentialitySignature | None


def meeting_signatures(user, meeting: Meeting) -> list[SignatureRow]:
    """For the chair: every current member and whether (and when) they signed. Others: 403."""
    if not is_chair(user, meeting.group):
        raise PermissionDenied("Only the chair and co-chair can see who has signed.")
    signed = {s.user_id: s for s in meeting.signatures.select_related("statement")}
    members = (JigMembership.objects.current(meeting.date).filter(group=meeting.group_id)
               .select_related("user", "organisation").order_by("user__full_name"))
    rows = [SignatureRow(m, signed.pop(m.user_id, None)) for m in members]
    # People who signed in a seat that has since ended still appear: the record is kept.
    ended = JigMembership.objects.filter(pk__in=[s.membership_id for s in signed.values()]).select_related(
        "user", "organisation")
    by_pk = {m.pk: m for m in ended}
    rows += [SignatureRow(by_pk[s.membership_id], s) for s in signed.values()]
    return rows


def meeting_flags(meeting: Meeting, *, include_removed: bool = False) -> QuerySet:
    """The meeting's flagged homes with their deep dives (content: check access first)."""
    flags = meeting.flags.select_related("care_home__local_authority", "flagged_by").prefetch_related(
        Prefetch("deep_dives", queryset=DeepDiveRequest.objects.select_related(
            "asked_of", "answer__answered_by").prefetch_related("answer__attachments")))
    return flags if include_removed else flags.filter(removed_at__isnull=True)


@dataclass(frozen=True)
class Quorum:
    """Whether the members present make the meeting quorate, and what is missing if not."""

    is_quorate: bool
    present: int
    needed: int
    missing: list[str] = field(default_factory=list)


def meeting_quorum(meeting: Meeting) -> Quorum:
    """The group's quorum rule applied to the attendance recorded (observers do not count)."""
    group = meeting.group
    present = [a.membership for a in Attendance.objects.filter(
        meeting=meeting, status=AttendanceStatus.PRESENT, membership__role__in=VOTING_ROLES,
    ).select_related("membership__organisation")]
    missing = []
    if len(present) < group.quorum_members:
        missing.append(f"{group.quorum_members} members must be present; {len(present)} are.")
    if group.quorum_needs_chair and not any(m.role in CHAIR_ROLES for m in present):
        missing.append("The chair or the co-chair must be present.")
    kinds = {m.organisation.kind for m in present}
    if group.quorum_needs_council_and_nhs:
        if OrganisationKind.LOCAL_AUTHORITY not in kinds:
            missing.append("A member from a council must be present.")
        if not kinds & NHS_KINDS:
            missing.append("A member from the NHS must be present.")
    return Quorum(not missing, len(present), group.quorum_members, missing)


# --- Soft intelligence -----------------------------------------------------------------------


def soft_intelligence_visible_to(user, *, include_archived: bool = False) -> QuerySet:
    """Soft intelligence of the groups the user is a current member of; nothing for anybody
    else (care home managers, commissioners and administrators who are not members)."""
    items = SoftIntelligence.objects.filter(group__in=seats(user).values("group_id")).select_related(
        "care_home", "source_organisation", "recorded_by", "group")
    return items if include_archived else items.filter(archived_at__isnull=True)


def soft_intelligence_for_meeting(user, meeting: Meeting) -> QuerySet:
    """The live soft intelligence on the meeting's flagged homes, for a member who signed."""
    require_meeting_content(user, meeting)
    homes = meeting.flags.filter(removed_at__isnull=True).values("care_home_id")
    return soft_intelligence_visible_to(user).filter(group=meeting.group_id, care_home__in=homes)


# --- Actions and planning applications -------------------------------------------------------


def actions_visible_to(user) -> QuerySet:
    """Actions agreed by the groups the user is a member of."""
    return JigAction.objects.filter(meeting__group__in=seats(user).values("group_id")).select_related(
        "meeting", "care_home", "owner_organisation", "owner")


def with_overdue(actions: QuerySet, today: dt.date | None = None) -> QuerySet:
    """Annotate ``is_overdue``: still to do and due before ``today``."""
    today = today or timezone.localdate()
    return actions.annotate(is_overdue=ExpressionWrapper(
        Q(status__in=JIG_ACTION_OUTSTANDING, due_on__lt=today), output_field=BooleanField()))


@dataclass(frozen=True)
class AgendaActions:
    """A meeting's actions: those carried forward from earlier meetings (still open or in
    progress), and those agreed at this one. Each has ``is_overdue``."""

    carried_forward: list[JigAction]
    raised: list[JigAction]

    @property
    def overdue(self) -> list[JigAction]:
        return [a for a in [*self.carried_forward, *self.raised] if a.is_overdue]

    @property
    def training(self) -> list[JigAction]:
        return [a for a in [*self.carried_forward, *self.raised] if a.is_training]


def actions_for_agenda(meeting: Meeting, *, today: dt.date | None = None) -> AgendaActions:
    """The actions on a meeting's agenda (content: check access first). Open actions of every
    earlier meeting of the group carry forward until they are done or cancelled."""
    actions = with_overdue(JigAction.objects.filter(meeting__group=meeting.group_id).filter(
        Q(meeting=meeting) | Q(meeting__month__lt=meeting.month, status__in=JIG_ACTION_OUTSTANDING),
    ).select_related("meeting", "care_home", "owner_organisation", "owner"), today).order_by("due_on", "pk")
    actions = list(actions)
    return AgendaActions([a for a in actions if a.meeting_id != meeting.pk],
                         [a for a in actions if a.meeting_id == meeting.pk])


def planning_applications_visible_to(user) -> QuerySet:
    return PlanningApplication.objects.filter(group__in=seats(user).values("group_id")).select_related(
        "council", "decided_at")


def planning_applications_for_agenda(meeting: Meeting) -> list[PlanningApplication]:
    """Applications awaiting the group's decision, and those decided at this meeting."""
    return list(PlanningApplication.objects.filter(group=meeting.group_id).filter(
        Q(decision=PlanningDecision.PENDING) | Q(decided_at=meeting)).select_related("council")
        .order_by("received_on", "reference"))


# --- The pack ----------------------------------------------------------------------------------


def meeting_packs_for(user, meeting: Meeting) -> QuerySet:
    """The meeting's packs, for a member who signed; nothing for anybody else."""
    if not meeting_content_allowed(user, meeting):
        return MeetingPack.objects.none()
    return meeting.packs.select_related("requested_by")


def pack_download_allowed(user, pack: MeetingPack) -> bool:
    """A finished pack, to a current member who signed its meeting's statement."""
    return bool(pack.file) and meeting_content_allowed(user, pack.meeting)


def pack_context(meeting: Meeting, *, today: dt.date | None = None) -> dict:
    """Everything the meeting pack shows (content: render it only for a member who signed).

    A fixed number of queries whatever the number of homes, flags and actions.
    """
    from .agenda_services import ratings_as_of
    from .dashboard_selectors import dashboard_for_group

    group = meeting.group
    documents = {d.kind: d for d in group.documents.filter(is_current=True)}
    flags = list(meeting_flags(meeting))
    flagged_homes = [f.care_home_id for f in flags]
    intelligence: dict[int, list] = {}
    for item in SoftIntelligence.objects.filter(group=group, care_home__in=flagged_homes,
                                                archived_at__isnull=True).select_related(
            "source_organisation").order_by("-reported_on"):
        intelligence.setdefault(item.care_home_id, []).append(item)
    dashboard = dashboard_for_group(group, meeting=meeting, show_flags=True)
    rows = {row.home.pk: row for row in dashboard.rows}
    ratings = ratings_as_of(meeting.month, flagged_homes)  # each flagged home's every component
    return {
        "meeting": meeting,
        "group": group,
        "generated_at": timezone.now(),
        "terms_of_reference": documents.get(DocumentKind.TERMS_OF_REFERENCE),
        "confidentiality_statement": documents.get(DocumentKind.CONFIDENTIALITY_STATEMENT),
        "agenda": list(meeting.agenda),
        "members": list(JigMembership.objects.current(meeting.date).filter(group=group)
                        .select_related("user", "organisation").order_by("role", "user__full_name")),
        "attendance": list(meeting.attendance.select_related("membership__user", "membership__organisation")),
        "quorum": meeting_quorum(meeting),
        "flags": [{"flag": f, "row": rows.get(f.care_home_id), "rating": ratings.get(f.care_home_id),
                   "deep_dives": list(f.deep_dives.all()),
                   "soft_intelligence": intelligence.get(f.care_home_id, [])} for f in flags],
        "dashboard": dashboard,
        "actions": actions_for_agenda(meeting, today=today),
        "planning_applications": planning_applications_for_agenda(meeting),
        "minutes": meeting.minutes,
    }
