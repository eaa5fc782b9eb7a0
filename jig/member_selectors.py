"""Reads the JIG members' pages need beyond ``jig.meeting_selectors``: one record by its id for
the person asking (404 when it is missing or not theirs to see), the deep dives asked of
their organisations, and the homes of their groups' areas to pick from.

Each is built on ``meeting_selectors`` (``seats``, ``meetings_visible_to``,
``soft_intelligence_visible_to`` ...), so the membership rules live there only. Content
(a flag's reasons, a deep dive's question and answer, an attachment) still needs
``meeting_content_allowed`` for its meeting: the pages check it after finding the record.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from carehomes.models import CareHome

from .choices import VOTING_ROLES
from .meeting_selectors import (
    actions_visible_to,
    group_homes,
    groups_visible_to,
    meetings_visible_to,
    planning_applications_visible_to,
    seats,
    soft_intelligence_visible_to,
)
from .models import DeepDiveAttachment, DeepDiveRequest, HomeFlag, JigGroup, JigMembership, Meeting

HOME_SEARCH_LIMIT = 25


def group_for(user, pk: int) -> JigGroup:
    """A group the user sits on (administrators: any), else 404."""
    return get_object_or_404(groups_visible_to(user), pk=pk)


def voting_groups(user) -> QuerySet:
    """The groups the user may record soft intelligence and planning notices for."""
    return JigGroup.objects.filter(pk__in=seats(user).filter(role__in=VOTING_ROLES).values("group_id"))


def member_group_homes(groups) -> QuerySet:
    """The active homes of any of these groups' areas."""
    homes = CareHome.objects.none()
    for group in groups:
        homes = homes | group_homes(group)
    return homes.distinct()


def homes_matching(groups, query: str) -> list[CareHome]:
    """Homes of the groups' areas whose name, postcode or CQC location ID matches (a few)."""
    query = query.strip()
    if not query:
        return []
    return list(member_group_homes(groups).filter(
        Q(name__icontains=query) | Q(postcode__istartswith=query) | Q(cqc_location_id__iexact=query))
        .select_related("local_authority").order_by("name", "pk")[:HOME_SEARCH_LIMIT])


def home_in_groups(groups, pk) -> CareHome | None:
    """The home, if it is in one of the groups' areas."""
    try:
        return member_group_homes(groups).select_related("local_authority", "provider").get(pk=pk)
    except (CareHome.DoesNotExist, ValueError, TypeError):
        return None


def membership_for(group: JigGroup, pk: int) -> JigMembership:
    return get_object_or_404(JigMembership.objects.filter(group=group).select_related("user", "organisation"),
                             pk=pk)


def flag_for(user, pk: int) -> HomeFlag:
    """A flag of a meeting the user may see (check the content rule before showing it)."""
    return get_object_or_404(HomeFlag.objects.filter(meeting__in=meetings_visible_to(user)).select_related(
        "meeting__group", "care_home"), pk=pk)


def deep_dives_asked_of(user) -> QuerySet:
    """Deep dives asked of an organisation the user sits for, in a group they sit on."""
    mine = Q(pk__in=[])
    for seat in seats(user):
        mine |= Q(flag__meeting__group=seat.group_id, asked_of=seat.organisation_id)
    return (DeepDiveRequest.objects.filter(mine).select_related(
        "flag__meeting__group", "flag__care_home", "asked_of", "answer")
        .order_by("-flag__meeting__starts_at", "due_by", "pk"))


def deep_dive_for(user, pk: int) -> DeepDiveRequest:
    """A deep dive on a meeting the user may see (answering also needs a seat for its trust)."""
    return get_object_or_404(DeepDiveRequest.objects.filter(flag__meeting__in=meetings_visible_to(user))
                             .select_related("flag__meeting__group", "flag__care_home", "asked_of"), pk=pk)


def attachment_for(user, pk: int) -> DeepDiveAttachment:
    """An attachment to an answer about a meeting the user may see (check content before serving)."""
    return get_object_or_404(DeepDiveAttachment.objects.filter(
        answer__request__flag__meeting__in=meetings_visible_to(user)).select_related(
        "answer__request__flag__meeting__group"), pk=pk)


def action_for(user, pk: int):
    return get_object_or_404(actions_visible_to(user).select_related("meeting__group"), pk=pk)


def soft_intelligence_item_for(user, pk: int):
    return get_object_or_404(soft_intelligence_visible_to(user), pk=pk)


def planning_application_for(user, pk: int):
    return get_object_or_404(planning_applications_visible_to(user).select_related("group"), pk=pk)


def pack_for(meeting: Meeting, pk: int):
    """One of the meeting's packs (the page has checked the person may read its content)."""
    try:
        return meeting.packs.select_related("requested_by").get(pk=pk)
    except meeting.packs.model.DoesNotExist as exc:
        raise Http404("Not found") from exc


def signature_of(user, meeting: Meeting):
    """The person's signature of the meeting's statement, or None."""
    return meeting.signatures.filter(user=user).select_related("statement").first()


def meeting_attendance(meeting: Meeting) -> list:
    """Who was recorded present or sending apologies (members may see it; the pack has it)."""
    return list(meeting.attendance.select_related("membership__user", "membership__organisation",
                                                  "recorded_by"))


def meeting_members(meeting: Meeting) -> list[JigMembership]:
    """The seats current on the meeting's day."""
    return list(JigMembership.objects.current(meeting.date).filter(group=meeting.group_id)
                .select_related("user", "organisation").order_by("user__full_name"))


def deep_dive_organisations(group: JigGroup) -> list:
    """The ambulance and acute trusts with a member on the group now: who a deep dive can be asked of."""
    from commissioning.models import Organisation

    from .agenda_services import DEEP_DIVE_KINDS

    sitting = JigMembership.objects.current().filter(group=group).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=sitting, kind__in=DEEP_DIVE_KINDS).order_by("name"))


def deep_dives_waiting(user) -> QuerySet:
    """Deep dives asked of the person's organisations, not yet answered, for meetings not closed."""
    from .choices import MeetingStatus

    return deep_dives_asked_of(user).filter(answer__isnull=True, flag__removed_at__isnull=True,
                                            flag__meeting__status__in=[MeetingStatus.SCHEDULED,
                                                                       MeetingStatus.OPEN])


def sits_for(user, dive: DeepDiveRequest) -> bool:
    """Whether the person sits on the group for the trust the deep dive is asked of."""
    return seats(user).filter(group=dive.flag.meeting.group_id, organisation=dive.asked_of_id).exists()


def area_councils(group: JigGroup) -> list:
    """The councils of the homes in the group's area (to filter its dashboard by)."""
    from commissioning.choices import OrganisationKind
    from commissioning.models import Organisation

    return list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY,
                                            pk__in=group_homes(group).values("local_authority"))
                .order_by("name"))


def meetings_under_way(user, group: JigGroup) -> list[Meeting]:
    """The group's meetings not yet closed, soonest first (the dashboard offers each)."""
    from .choices import MeetingStatus

    return list(meetings_visible_to(user).filter(group=group).exclude(status=MeetingStatus.CLOSED)
                .order_by("starts_at"))


def may_edit_intelligence(user, item) -> bool:
    """The member who recorded a live item, or the group's chair (as the service decides)."""
    from .meeting_selectors import is_chair

    if item.is_archived:
        return False
    recorder = item.recorded_by_id == user.pk and seats(user).filter(group=item.group_id).exists()
    return recorder or is_chair(user, item.group)


def action_counts(actions: QuerySet) -> dict[str, int]:
    """How many of these actions are in each status, and how many are overdue (one query)."""
    from django.db.models import Count
    from django.utils import timezone

    from .choices import JIG_ACTION_OUTSTANDING, JigActionStatus

    today = timezone.localdate()
    counts = actions.order_by().aggregate(
        overdue=Count("pk", filter=Q(status__in=JIG_ACTION_OUTSTANDING, due_on__lt=today)),
        **{status: Count("pk", filter=Q(status=status)) for status in JigActionStatus.values})
    return counts
