"""What the JIG page tests share: a meeting under way with one of everything on it, and the
people who try to open its pages (test modules wrap ``build_world`` in a fixture)."""

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from carehomes.choices import RegistrationType
from commissioning.choices import JobStatus, Role
from jig import meeting_services as ms
from jig.agenda_services import deep_dive_answer, deep_dive_request, flag_add
from jig.choices import IntelligenceCategory, JigRole, Sensitivity
from jig.intelligence_services import action_create, planning_application_record, soft_intelligence_record
from jig.models import MeetingPack
from tests.commissioning.factories import MembershipFactory, UserFactory

SECRET = "Agency night staff were asleep on shift"  # the soft intelligence's words
ANSWER = "Admissions from the home doubled in three months"

ANON, COMMISSIONER, MANAGER, NO_SEAT, ADMIN = "anonymous", "commissioner", "manager", "no_seat", "admin"
OTHER_GROUP, UNSIGNED, SIGNED, CHAIR = "other_group", "unsigned", "signed", "chair"
EVERYONE = [ANON, COMMISSIONER, MANAGER, NO_SEAT, ADMIN, OTHER_GROUP, UNSIGNED, SIGNED, CHAIR]
MEMBERS = {OTHER_GROUP, UNSIGNED, SIGNED, CHAIR}  # sit on a group now (OTHER_GROUP on another one)


@dataclass
class World:
    jig: object
    flag: object
    dive: object
    attachment: object
    item: object
    action: object
    application: object
    pack: object
    people: dict

    @property
    def meeting(self):
        return self.jig.meeting


def build_world(jig) -> World:
    """This month's meeting, open: the chair and the acute trust's member signed its statement
    (the ambulance member did not). One flagged home with a deep dive answered with a file,
    soft intelligence, an action, a planning notice and a finished pack."""
    today = timezone.localdate()
    area, meeting = jig.area, jig.meeting
    ms.statement_sign(meeting=meeting, user=jig.chair)
    ms.statement_sign(meeting=meeting, user=jig.acute)
    ms.meeting_open(meeting=meeting, user=jig.chair)
    flag = flag_add(meeting=meeting, care_home=area.home, user=jig.chair,
                    reason="Whistleblowing about nights")
    dive = deep_dive_request(flag=flag, organisation=jig.acute_trust, user=jig.chair,
                             question="What do admissions from the home show?")
    answer = deep_dive_answer(request=dive, user=jig.acute, text=ANSWER,
                              files=[SimpleUploadedFile("analysis.pdf", b"%PDF-1.4 analysis")])
    item = soft_intelligence_record(group=jig.group, care_home=area.home, user=jig.ambulance,
                                    source_organisation=area.council,
                                    reported_on=today - dt.timedelta(days=5),
                                    category=IntelligenceCategory.STAFFING, sensitivity=Sensitivity.HIGH,
                                    text=SECRET)
    action = action_create(meeting=meeting, user=jig.chair, description="Visit the home within two weeks",
                           owner_organisation=jig.acute_trust, owner=jig.acute,
                           due_on=today + dt.timedelta(days=14))
    application = planning_application_record(
        group=jig.group, user=jig.ambulance, reference="26/01234/FUL", council=area.council,
        site_address="1 High Street", postcode="SM1 1EA", proposed_beds=60,
        registration_type=RegistrationType.NURSING, received_on=today - dt.timedelta(days=10))
    pack = MeetingPack.objects.create(meeting=meeting, requested_by=jig.acute, status=JobStatus.SUCCEEDED,
                                      stage="Done")
    pack.file.save("pack.pdf", ContentFile(b"%PDF-1.4 the pack"))
    other = UserFactory()
    other_group = ms.jig_group_create(user=jig.admin, name="Northfold JIG", councils=[area.other_council])
    ms.membership_add(group=other_group, user=jig.admin, person=other, organisation=area.other_council,
                      role=JigRole.CHAIR)
    people = {
        COMMISSIONER: area.users[Role.COMMISSIONER], MANAGER: area.users[Role.CARE_HOME_MANAGER],
        NO_SEAT: MembershipFactory(role=Role.JIG_MEMBER, organisation=area.council).user,
        ADMIN: jig.admin, OTHER_GROUP: other, UNSIGNED: jig.ambulance, SIGNED: jig.acute, CHAIR: jig.chair,
    }
    return World(jig, flag, dive, answer.attachments.get(), item, action, application, pack, people)


def client_of(world: World, who: str) -> Client:
    client = Client()
    if who != ANON:
        client.force_login(world.people[who])
    return client


def status_of(response) -> int:
    return response.status_code
