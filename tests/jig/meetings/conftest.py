"""A JIG for the area: a group covering council 1 and its NHS commissioner (so ``home`` and
``second_home``, not ``other_home``), its documents, members in every role, and this month's
meeting, scheduled to start now."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from commissioning.choices import Role
from jig import meeting_services as ms
from jig.choices import DocumentKind, JigRole
from tests.commissioning.factories import AcuteTrustFactory, MembershipFactory, UserFactory

STANDING_AGENDA = """1. Welcome, apologies and confidentiality statement
2. Minutes and actions of the last meeting
3. Dashboard: homes flagged for discussion
4. Planning applications for new care homes
5. Any other business"""


@dataclass
class Jig:
    area: object
    group: object
    meeting: object
    admin: object
    chair: object
    co_chair: object
    ambulance: object
    acute: object
    acute_trust: object
    observer: object
    seats: dict


@pytest.fixture
def jig(area) -> Jig:
    admin = area.users[Role.ADMINISTRATOR]
    group = ms.jig_group_create(user=admin, name="Sutton JIG", councils=[area.council],
                                commissioners=[area.commissioner], quorum_members=3)
    ms.group_document_publish(group=group, kind=DocumentKind.TERMS_OF_REFERENCE, user=admin,
                              text="The JIG shares intelligence about care homes to keep residents safe.")
    ms.group_document_publish(group=group, kind=DocumentKind.STANDING_AGENDA, user=admin,
                              text=STANDING_AGENDA)
    ms.group_document_publish(group=group, kind=DocumentKind.CONFIDENTIALITY_STATEMENT, user=admin,
                              text="I will not share what is discussed outside this meeting.")
    acute_trust = AcuteTrustFactory()
    co_chair = MembershipFactory(role=Role.COMMISSIONER, organisation=area.commissioner).user
    acute = UserFactory()
    observer = UserFactory()
    year_ago = timezone.localdate() - dt.timedelta(days=365)
    ambulance_trust = area.users[Role.JIG_MEMBER].memberships.get().organisation
    seats = {}
    for person, organisation, role in [
        (area.users[Role.JIG_CHAIR], area.council, JigRole.CHAIR),
        (co_chair, area.commissioner, JigRole.CO_CHAIR),
        (area.users[Role.JIG_MEMBER], ambulance_trust, JigRole.MEMBER),
        (acute, acute_trust, JigRole.MEMBER),
        (observer, area.council, JigRole.OBSERVER),
    ]:
        seats[person.pk] = ms.membership_add(group=group, user=admin, person=person,
                                             organisation=organisation, role=role, starts_on=year_ago)
    meeting, _ = ms.meeting_schedule(group=group, month=timezone.localdate().replace(day=1),
                                     starts_at=timezone.now())
    return Jig(area, group, meeting, admin, area.users[Role.JIG_CHAIR], co_chair, area.users[Role.JIG_MEMBER],
               acute, acute_trust, observer, seats)


def fresh(user):
    """The same person read again (the portal caches a user's roles on the object)."""
    return type(user).objects.get(pk=user.pk)
