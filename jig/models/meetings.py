"""The Joint Intelligence Group: the group, its documents and members, and its monthly meetings.

The JIG works on MARAC principles (docs/jig-meetings.md): membership is kept in
``JigMembership`` (which decides who is a member, whatever portal role a person holds), and
each meeting's sensitive content is open only to current members who have signed that
meeting's confidentiality statement (``ConfidentialitySignature``). Who may read what is
decided in ``jig.meeting_selectors``; writes go through ``jig.meeting_services``.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.choices import OrganisationKind
from commissioning.models import JobRecord, Organisation, TrackedModel

from ..choices import AttendanceStatus, DocumentKind, JigRole, MeetingStatus, Weekday


class JigGroup(TrackedModel):
    """One Joint Intelligence Group: the councils and NHS commissioners whose homes it covers,
    when it meets (the nth weekday of each month) and what makes a meeting quorate.

    The group's area is every active home whose council is one of ``councils`` or whose NHS
    commissioner (or that commissioner's ICB) is one of ``commissioners``.
    """

    name = models.CharField(max_length=200, unique=True)
    councils = models.ManyToManyField(
        Organisation, blank=True, related_name="jig_groups_as_council",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY})
    commissioners = models.ManyToManyField(
        Organisation, blank=True, related_name="jig_groups_as_commissioner",
        limit_choices_to={"kind": OrganisationKind.NHS_COMMISSIONER})
    meeting_week = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="Which week of the month it meets: 1 for the first Tuesday (say), up to 4.")
    meeting_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.TUESDAY)
    meeting_time = models.TimeField(default=dt.time(10, 0), help_text="UK time.")
    quorum_members = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1)],
        help_text="Members present (chairs and members; observers do not count).")
    quorum_needs_chair = models.BooleanField(
        default=True, help_text="The chair or the co-chair must be present.")
    quorum_needs_council_and_nhs = models.BooleanField(
        default=True, help_text="At least one member present from a council and one from the NHS.")
    is_active = models.BooleanField(default=True, help_text="Inactive groups have no new meetings.")
    history = HistoricalRecords(m2m_fields=[councils, commissioners])

    class Meta:
        ordering = ["name"]
        verbose_name = "JIG group"
        constraints = [
            models.CheckConstraint(condition=Q(meeting_week__gte=1, meeting_week__lte=4),
                                   name="jiggroup_meeting_week_1_to_4"),
            models.CheckConstraint(condition=Q(meeting_weekday__gte=0, meeting_weekday__lte=4),
                                   name="jiggroup_meets_on_a_weekday"),
            models.CheckConstraint(condition=Q(quorum_members__gte=1), name="jiggroup_quorum_at_least_one"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupDocument(models.Model):
    """One version of a group document: terms of reference, the standing agenda (one item a
    line) or the confidentiality statement members sign. Versions are never changed; a new
    version becomes the current one of its kind."""

    group = models.ForeignKey(JigGroup, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    version = models.PositiveIntegerField()
    text = models.TextField()
    notes = models.CharField(max_length=500, blank=True, help_text="What changed, and why.")
    is_current = models.BooleanField(default=True)
    published_on = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["group", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["group", "kind", "version"], name="groupdocument_unique_version"),
            models.UniqueConstraint(fields=["group", "kind"], condition=Q(is_current=True),
                                    name="groupdocument_one_current_per_kind"),
            models.CheckConstraint(condition=~Q(text=""), name="groupdocument_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, version {self.version}"

    @property
    def agenda_items(self) -> list[str]:
        """For a standing agenda: its items, one a non-empty line, without list numbering."""
        items = []
        for line in self.text.splitlines():
            item = line.strip().lstrip("-*•").strip()
            head, _, rest = item.partition(" ")
            if rest and head.rstrip(".)").isdigit():
                item = rest.strip()
            if item:
                items.append(item)
        return items


class JigMembershipQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> "JigMembershipQuerySet":
        """Memberships in force on ``on`` (today) of active people in active groups."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on), starts_on__lte=on,
                           user__is_active=True, group__is_active=True)


class JigMembership(TrackedModel):
    """A person's seat on a group, for an organisation, in a role, from ``starts_on`` until
    (not including) ``ends_on``. This, not the portal role, decides who is a JIG member."""

    group = models.ForeignKey(JigGroup, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="jig_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="jig_memberships",
                                     help_text="The organisation the person sits for.")
    role = models.CharField(max_length=16, choices=JigRole.choices, default=JigRole.MEMBER)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True,
                               help_text="The first day the person is no longer a member.")
    history = HistoricalRecords()

    objects = JigMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "role", "user__full_name"]
        verbose_name = "JIG membership"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="jigmembership_ends_after_start"),
            models.UniqueConstraint(fields=["group", "user"], condition=Q(ends_on__isnull=True),
                                    name="jigmembership_one_open_per_person"),
            models.UniqueConstraint(fields=["group", "role"],
                                    condition=Q(ends_on__isnull=True,
                                                role__in=[JigRole.CHAIR, JigRole.CO_CHAIR]),
                                    name="jigmembership_one_chair_and_co_chair"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on > on)


class Meeting(TrackedModel):
    """One monthly meeting of a group: scheduled (by the beat task or the chair), opened by
    the chair on the day, then closed. The agenda's standing items are copied from the
    standing agenda current when it was scheduled; flagged homes and open actions join them
    (``jig.meeting_selectors``)."""

    group = models.ForeignKey(JigGroup, on_delete=models.PROTECT, related_name="meetings")
    month = models.DateField(help_text="The first day of the month the meeting is for.")
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    agenda = models.JSONField(default=list, blank=True, help_text="The standing items, in order.")
    standing_agenda = models.ForeignKey(GroupDocument, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", help_text="The version the items came from.")
    minutes = models.TextField(blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    was_quorate = models.BooleanField(null=True, blank=True, help_text="Recorded when the meeting closes.")
    history = HistoricalRecords(excluded_fields=["minutes"])

    class Meta:
        ordering = ["group", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["group", "month"], name="meeting_one_per_group_and_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="meeting_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(status=MeetingStatus.SCHEDULED) | Q(opened_at__isnull=False),
                name="meeting_opened_has_time"),
            models.CheckConstraint(
                condition=~Q(status=MeetingStatus.CLOSED)
                | Q(closed_at__isnull=False, was_quorate__isnull=False),
                name="meeting_closed_has_time_and_quorum"),
        ]

    def __str__(self) -> str:
        return f"{self.group} – {timezone.localtime(self.starts_at):%-d %B %Y}"

    @property
    def date(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()


class Attendance(models.Model):
    """Whether a member was present or sent apologies (the minutes' attendance list)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(JigMembership, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=12, choices=AttendanceStatus.choices)
    note = models.CharField(max_length=200, blank=True, help_text="Say if a deputy attended, for example.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["meeting", "membership__user__full_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"],
                                               name="attendance_once_per_member")]

    def __str__(self) -> str:
        return f"{self.membership.user}: {self.get_status_display()}"


class ConfidentialitySignature(models.Model):
    """A member's signature of the confidentiality statement for one meeting: the act that
    opens the meeting's content to them. Timestamped, with the statement version signed;
    never changed or removed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="signatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="jig_signatures")
    membership = models.ForeignKey(JigMembership, on_delete=models.PROTECT, related_name="signatures",
                                   help_text="The seat the person signed in.")
    statement = models.ForeignKey(GroupDocument, on_delete=models.PROTECT, related_name="signatures",
                                  limit_choices_to={"kind": DocumentKind.CONFIDENTIALITY_STATEMENT})
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "signed_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"],
                                               name="confidentialitysignature_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.user} signed {timezone.localtime(self.signed_at):%d/%m/%Y %H:%M}"


class MeetingPack(JobRecord):
    """The meeting pack as a PDF, made by a background task with visible progress and kept
    per meeting. Only current members who signed the meeting's statement may download it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="packs")
    file = models.FileField(upload_to="jig/packs/%Y/", blank=True)

    class Meta:
        ordering = ["-requested_on"]
        verbose_name = "meeting pack"

    def __str__(self) -> str:
        return f"Pack for {self.meeting} ({timezone.localtime(self.requested_on):%d/%m/%Y %H:%M})"
