"""The demo area's Joint Intelligence Group: its documents, members and two meetings.

Built through the real services, after the demo's risk ratings (the flags depend on them):

* **the group** "Kingsmere and Ashbourne Vale JIG" covers both served councils and the ICB
  (so its sub-ICB locations' homes too), with its terms of reference, standing agenda and
  confidentiality statement. Chair: Jo Chair (Kingsmere Council); co-chair: Sam Cochair (the
  ICB); members from the ambulance service (Jamie Member), the acute trust (Asha Acute), adult
  safeguarding (Sol Safeguarding, Ashbourne Vale Council) and CQC (Casey Inspector);
* **last month's meeting**, held and closed: CQC sent apologies, everybody else signed the
  statement and was recorded present, its homes were flagged by the rules, five actions were
  agreed (one done, one in progress, one overdue, two training actions: falls, and UTIs and
  catheter care), soft intelligence was recorded, a planning application was decided
  (supported), and the minutes were written;
* **this month's meeting**, scheduled (on the group's usual day, or later this month if that
  has passed), its flags refreshed from this month's ratings, the chair, the ambulance and
  acute members signed; a deep dive asked of the ambulance service and answered, another asked
  of the acute trust and still to answer; a second planning application waits for a decision.

Deterministic for a given day, and idempotent: running it again finds what is there and adds
nothing. The services stamp what they record with the time they run; the demo then sets the
held meeting's times (opening, signatures, closing) to its own day, as they would have been.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from carehomes.choices import RegistrationType
from carehomes.demo import DEMO_PASSWORD
from commissioning.choices import OrganisationKind
from commissioning.models import Organisation, User
from quality.reports import add_months

from . import agenda_services as agenda
from . import intelligence_services as intel
from . import meeting_services as ms
from .choices import (
    AttendanceStatus,
    DocumentKind,
    IntelligenceCategory,
    JigActionStatus,
    JigRole,
    MeetingStatus,
    PlanningDecision,
    Sensitivity,
    TrainingTheme,
)
from .meeting_selectors import group_homes
from .models import (
    Attendance,
    ConfidentialitySignature,
    DeepDiveRequest,
    JigAction,
    JigGroup,
    Meeting,
    PlanningApplication,
    RiskRating,
    SoftIntelligence,
)

GROUP_NAME = "Kingsmere and Ashbourne Vale JIG"
LOCATION = "Kingsmere Civic Centre, Committee Room 2"
CQC_NAME = "Care Quality Commission"
ADMIN = "admin@demo.portal.nhs.uk"
# key: (email, name, organisation key, seat); the chair and the ambulance member come from seed_demo.
PEOPLE = {
    "chair": ("jig.chair@demo.portal.nhs.uk", "Jo Chair", "council_1", JigRole.CHAIR),
    "co_chair": ("jig.cochair@demo.portal.nhs.uk", "Sam Cochair", "icb", JigRole.CO_CHAIR),
    "ambulance": ("jig.member@demo.portal.nhs.uk", "Jamie Member", "ambulance", JigRole.MEMBER),
    "acute": ("jig.acute@demo.portal.nhs.uk", "Asha Acute", "acute", JigRole.MEMBER),
    "safeguarding": ("jig.safeguarding@demo.portal.nhs.uk", "Sol Safeguarding", "council_2", JigRole.MEMBER),
    "cqc": ("jig.cqc@demo.portal.nhs.uk", "Casey Inspector", "cqc", JigRole.MEMBER),
}
DOCUMENTS = {
    DocumentKind.TERMS_OF_REFERENCE: (
        "The Joint Intelligence Group brings together the councils, the NHS commissioner, the ambulance "
        "service, the acute trust, adult safeguarding and CQC to share what each knows about the area's care "
        "homes, so that concerns are found early and acted on together.\n\n"
        "It meets monthly, jointly chaired by the council and the NHS. It is quorate with four members "
        "present, including the chair or co-chair and members from a council and from the NHS. Members "
        "review the dashboard before each meeting; the ambulance and acute members give a deeper analysis of "
        "the homes it flags. Actions are agreed at the meeting and followed up at the next. The group "
        "decides whether to support planning applications for new care homes, and turns the gaps in training "
        "it finds into co-produced training programmes."),
    DocumentKind.STANDING_AGENDA: (
        "1. Welcome, apologies and the confidentiality statement\n"
        "2. Minutes and actions of the last meeting\n"
        "3. The dashboard: homes flagged for discussion\n"
        "4. Deep dives from the ambulance service and the acute trust\n"
        "5. Soft intelligence\n"
        "6. Planning applications for new care homes\n"
        "7. Training needs\n"
        "8. Any other business"),
    DocumentKind.CONFIDENTIALITY_STATEMENT: (
        "I understand that what is shared at this meeting is confidential. I will not discuss it or pass it "
        "on outside the meeting, except to protect a person from harm and then only as the law and my "
        "organisation's policies allow. I will keep any papers securely and destroy them when no longer "
        "needed. I sign this statement at the start of each meeting I attend."),
}
MINUTES = (
    "Present: the chair, the co-chair, and the members for the ambulance service, the acute trust and adult "
    "safeguarding. Apologies: CQC.\n\n"
    "The group reviewed the dashboard and the homes flagged by the rules. {homes} were discussed in detail. "
    "Actions were agreed as recorded. The group supported planning application {reference}, noting the "
    "shortage of nursing beds in Ashbourne Vale. Falls and catheter care were agreed as training themes.")


@dataclass
class DemoJigSummary:
    group: str = ""
    people: list[tuple[str, str, str]] = field(default_factory=list)  # email, seat, organisation
    last_meeting: Meeting | None = None
    this_meeting: Meeting | None = None
    flags: int = 0
    actions: int = 0
    soft_intelligence: int = 0
    created: bool = False


def _organisations() -> dict[str, Organisation]:
    kinds = {"council_1": (OrganisationKind.LOCAL_AUTHORITY, "Kingsmere Council"),
             "council_2": (OrganisationKind.LOCAL_AUTHORITY, "Ashbourne Vale Council"),
             "icb": (OrganisationKind.NHS_COMMISSIONER, "NHS Riverside and Downs Integrated Care Board"),
             "ambulance": (OrganisationKind.AMBULANCE_TRUST, "Riverside Ambulance Service NHS Trust"),
             "acute": (OrganisationKind.ACUTE_TRUST, "Kingsmere Hospitals NHS Foundation Trust")}
    orgs = {key: Organisation.objects.get(kind=kind, name=name) for key, (kind, name) in kinds.items()}
    orgs["cqc"], _ = Organisation.objects.get_or_create(kind=OrganisationKind.OTHER_PARTNER, name=CQC_NAME)
    return orgs


def _person(email: str, name: str) -> User:
    return User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=DEMO_PASSWORD, full_name=name)


def _group(admin, orgs) -> tuple[JigGroup, bool]:
    group = JigGroup.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        return group, False
    group = ms.jig_group_create(user=admin, name=GROUP_NAME, councils=[orgs["council_1"], orgs["council_2"]],
                                commissioners=[orgs["icb"]])
    for kind, text in DOCUMENTS.items():
        ms.group_document_publish(group=group, kind=kind, text=text, user=admin)
    return group, True


def _seats(group, admin, orgs, today: dt.date) -> dict[str, User]:
    people = {}
    for key, (email, name, org_key, role) in PEOPLE.items():
        person = _person(email, name)
        if not group.memberships.filter(user=person, ends_on__isnull=True).exists():
            ms.membership_add(group=group, user=admin, person=person, organisation=orgs[org_key], role=role,
                              starts_on=add_months(today.replace(day=1), -12))
        people[key] = User.objects.get(pk=person.pk)  # read again: their portal roles changed
    return people


def _starts_this_month(group, this_month: dt.date, today: dt.date) -> dt.datetime:
    """The usual day if it is still to come; else the next weekday this month (else today)."""
    usual = ms.meeting_starts_at(group, this_month)
    if timezone.localtime(usual).date() > today:
        return usual
    day = today + dt.timedelta(days=1)
    while day.month == today.month and day.weekday() > 4:
        day += dt.timedelta(days=1)
    day = day if day.month == today.month else today
    return timezone.make_aware(dt.datetime.combine(day, group.meeting_time))


def _discussed(meeting, chair, ratings_month: dt.date, count: int = 2) -> list:
    """The meeting's flagged homes; if the rules flagged fewer than ``count``, the chair adds the
    highest-scoring homes of the area with a reason."""
    flags = list(meeting.flags.filter(removed_at__isnull=True).select_related("care_home")
                 .order_by("care_home__name"))
    if len(flags) < count:
        flagged = {f.care_home_id for f in flags}
        top = (RiskRating.objects.filter(month=ratings_month, care_home__in=group_homes(meeting.group))
               .exclude(care_home__in=flagged).select_related("care_home")
               .order_by("-score", "care_home__name"))
        for rating in top[:count - len(flags)]:
            flags.append(agenda.flag_add(meeting=meeting, care_home=rating.care_home, user=chair,
                                         reason="Raised by adult safeguarding after two alerts this month."))
    return [f.care_home for f in flags]


def _held_last_month(group, people, orgs, month: dt.date, today: dt.date) -> Meeting:
    chair = people["chair"]
    meeting, _ = ms.meeting_schedule(group=group, month=month, user=chair, location=LOCATION)
    if meeting.status == MeetingStatus.CLOSED:
        return meeting
    if meeting.status == MeetingStatus.SCHEDULED:
        cqc_seat = group.memberships.get(user=people["cqc"], ends_on__isnull=True)
        ms.attendance_record(meeting=meeting, membership=cqc_seat, status=AttendanceStatus.APOLOGIES,
                             user=people["cqc"], note="At an inspection")
        meeting = ms.meeting_open(meeting=meeting, user=chair)
    for key in ("chair", "co_chair", "ambulance", "acute", "safeguarding"):
        ms.statement_sign(meeting=meeting, user=people[key])
    homes = _discussed(meeting, chair, month)
    _last_actions(meeting, people, orgs, homes, today)
    _intelligence(group, meeting, people, orgs, homes, today)
    application = _planning(group, people["safeguarding"], orgs, "26/00412/FUL", 72,
                            "Land at the former Ashbourne Vale Depot, Mill Lane", "AV4 2DL",
                            add_months(month, -1).replace(day=20))
    intel.planning_decision_record(application=application, meeting=meeting, user=chair,
                                   decision=PlanningDecision.SUPPORT,
                                   reasons="Nursing beds are short in Ashbourne Vale; the applicant's other "
                                           "homes are rated Good. Support, on condition of an aligned GP "
                                           "practice.")
    meeting = ms.meeting_close(meeting=meeting, user=chair, minutes=MINUTES.format(
        homes=" and ".join(h.name for h in homes), reference=application.reference))
    _as_held(meeting)
    return meeting


def _as_held(meeting: Meeting) -> None:
    """The held meeting's times as they were on its day (the services stamp the time they run)."""
    start = meeting.starts_at
    Meeting.objects.filter(pk=meeting.pk).update(opened_at=start, closed_at=start + dt.timedelta(hours=2))
    for n, signature in enumerate(meeting.signatures.order_by("pk")):
        at = start - dt.timedelta(minutes=10 - n)
        ConfidentialitySignature.objects.filter(pk=signature.pk).update(signed_at=at)
        Attendance.objects.filter(meeting=meeting, membership=signature.membership_id).update(recorded_at=at)


def _action(meeting, chair, description, owner, org, due_on, home=None, theme="") -> JigAction:
    existing = JigAction.objects.filter(meeting=meeting, description=description).first()
    return existing or intel.action_create(meeting=meeting, user=chair, description=description, owner=owner,
                                           owner_organisation=org, due_on=due_on, care_home=home,
                                           training_theme=theme)


def _last_actions(meeting, people, orgs, homes, today: dt.date) -> None:
    chair, first, second = people["chair"], homes[0], homes[-1]
    held = meeting.date
    done = _action(meeting, chair, f"Unannounced quality monitoring visit to {first.name}.", chair,
                   orgs["council_1"], held + dt.timedelta(days=14), first)
    intel.action_update(action=done, user=chair, status=JigActionStatus.DONE,
                        progress_note="Visited; the report is being drafted.")
    _action(meeting, chair, f"Review falls call-outs from {first.name} with its manager and share the "
                            "findings with the group.", people["ambulance"], orgs["ambulance"],
            min(held + dt.timedelta(days=7), today - dt.timedelta(days=1)), first)  # left open: overdue
    progress = _action(meeting, chair, f"Share discharge summaries for residents of {second.name} readmitted "
                                       "within 30 days.", people["acute"], orgs["acute"],
                       today + dt.timedelta(days=30), second)
    intel.action_update(action=progress, user=people["acute"], status=JigActionStatus.IN_PROGRESS,
                        progress_note="Summaries for August and September sent; October to follow.")
    _action(meeting, chair, "Co-produce falls prevention training for night staff with the homes flagged "
                            "this quarter.", people["safeguarding"], orgs["council_2"],
            today + dt.timedelta(days=60), theme=TrainingTheme.FALLS)
    training = _action(meeting, chair, "Catheter care sessions with the community continence team.",
                       people["co_chair"], orgs["icb"], held + dt.timedelta(days=21),
                       theme=TrainingTheme.UTI_CATHETER)
    if training.status != JigActionStatus.DONE:
        intel.action_update(action=training, user=chair, status=JigActionStatus.DONE,
                            progress_note="Two sessions held; 31 staff from 9 homes attended.")


INTELLIGENCE = [
    ("ambulance", "ambulance", IntelligenceCategory.STAFFING, Sensitivity.MEDIUM, 40,
     "Crews report one carer on duty for the upstairs unit at night on three recent call-outs."),
    ("safeguarding", "council_2", IntelligenceCategory.SAFEGUARDING, Sensitivity.HIGH, 35,
     "Two safeguarding alerts about unexplained bruising in a month; enquiries are under way."),
    ("acute", "acute", IntelligenceCategory.CLINICAL_CARE, Sensitivity.MEDIUM, 25,
     "Ward staff note residents admitted dehydrated, twice with catheter-related infections."),
    ("co_chair", "icb", IntelligenceCategory.LEADERSHIP, Sensitivity.LOW, 12,
     "The registered manager has resigned; the deputy is acting manager from next month."),
    ("chair", "council_1", IntelligenceCategory.COMPLAINTS, Sensitivity.LOW, 5,
     "Three complaints from families about visiting being refused at short notice."),
]


def _intelligence(group, meeting, people, orgs, homes, today: dt.date) -> None:
    for n, (who, source, category, sensitivity, days_ago, text) in enumerate(INTELLIGENCE):
        home = homes[n % len(homes)]
        if SoftIntelligence.objects.filter(group=group, care_home=home, text=text).exists():
            continue
        intel.soft_intelligence_record(group=group, care_home=home, user=people[who],
                                       source_organisation=orgs[source],
                                       reported_on=today - dt.timedelta(days=days_ago), category=category,
                                       sensitivity=sensitivity, text=text,
                                       meeting=meeting if days_ago > 20 else None)


def _planning(group, person, orgs, reference, beds, site, postcode, received_on) -> PlanningApplication:
    existing = PlanningApplication.objects.filter(council=orgs["council_2"], reference=reference).first()
    return existing or intel.planning_application_record(
        group=group, user=person, reference=reference, council=orgs["council_2"], site_address=site,
        postcode=postcode, proposed_beds=beds, registration_type=RegistrationType.NURSING,
        received_on=received_on, applicant="Vale Care Homes Ltd")


def _this_month(group, people, orgs, month: dt.date, today: dt.date) -> Meeting:
    chair = people["chair"]
    meeting, _ = ms.meeting_schedule(group=group, month=month, user=chair, location=LOCATION,
                                     starts_at=_starts_this_month(group, month, today))
    for key in ("chair", "ambulance", "acute"):
        ms.statement_sign(meeting=meeting, user=people[key])
    if meeting.status == MeetingStatus.CLOSED:
        return meeting
    agenda.meeting_flags_refresh(meeting=meeting, user=chair)
    homes = _discussed(meeting, chair, month)
    flags = {f.care_home_id: f for f in meeting.flags.filter(removed_at__isnull=True)}
    answered = _deep_dive(flags[homes[0].pk], orgs["ambulance"], chair,
                          "How have call-outs and conveyances from the home changed over the last six "
                          "months, and at what times of day?")
    if not hasattr(answered, "answer"):
        agenda.deep_dive_answer(request=answered, user=people["ambulance"], text=(
            "Call-outs rose from 4 to 11 a month since the summer, two thirds of them between 22:00 and "
            "06:00. Most are falls (AMPDS 17), about half conveyed. Three residents account for a third of "
            "the calls; the crews' notes mention waits for a second carer to help lift."))
    _deep_dive(flags[homes[-1].pk], orgs["acute"], chair,
               "What do admissions and A&E attendances from the home show, and are there readmissions within "
               "30 days?")
    _intelligence(group, None, people, orgs, homes, today)
    _planning(group, people["safeguarding"], orgs, "26/00587/FUL", 64,
              "Former Kingsmere Dairy site, Station Road", "KM2 7QP", today - dt.timedelta(days=9))
    return meeting


def _deep_dive(flag, organisation, chair, question) -> DeepDiveRequest:
    existing = DeepDiveRequest.objects.filter(flag=flag, asked_of=organisation).first()
    return existing or agenda.deep_dive_request(flag=flag, organisation=organisation, user=chair,
                                                question=question)


@transaction.atomic
def seed_demo_jig(*, today: dt.date | None = None) -> DemoJigSummary:
    """Build (or find) the demo group and its two meetings. Needs ``seed_demo`` and ratings."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    orgs = _organisations()
    admin = User.objects.get(email=ADMIN)
    group, created = _group(admin, orgs)
    people = _seats(group, admin, orgs, today)
    last = _held_last_month(group, people, orgs, add_months(this_month, -1), today)
    meeting = _this_month(group, people, orgs, this_month, today)
    return DemoJigSummary(
        group=group.name, created=created,
        people=[(PEOPLE[key][0], JigRole(PEOPLE[key][3]).label, orgs[PEOPLE[key][2]].name) for key in people],
        last_meeting=last, this_meeting=meeting,
        flags=meeting.flags.filter(removed_at__isnull=True).count(),
        actions=JigAction.objects.filter(meeting__group=group).count(),
        soft_intelligence=SoftIntelligence.objects.filter(group=group, archived_at__isnull=True).count())
