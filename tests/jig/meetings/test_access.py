"""Who may do what in the JIG: the portal roles' actions, membership, and the signed statement."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from commissioning import access
from commissioning.choices import Role
from commissioning.models import Membership
from jig import meeting_selectors as sel
from jig import meeting_services as ms
from jig.choices import IntelligenceCategory, Sensitivity
from jig.models import MeetingPack, SoftIntelligence
from tests.commissioning.factories import UserFactory

from .conftest import fresh
from .factories import JigGroupFactory, SoftIntelligenceFactory

pytestmark = pytest.mark.django_db

A = access.Action

# Every portal role against the JIG's actions: (members' area, chairing).
MATRIX = {
    Role.COMMISSIONER: (False, False),
    Role.QUALITY_OFFICER: (False, False),
    Role.CARE_HOME_MANAGER: (False, False),
    Role.JIG_CHAIR: (True, True),
    Role.JIG_MEMBER: (True, False),
    Role.PARTNER_SYSTEM: (False, False),
    Role.ADMINISTRATOR: (True, True),
    "no_role": (False, False),
}


@pytest.mark.parametrize(("role", "expected"), MATRIX.items())
def test_permission_matrix_of_the_jig_actions(area, role, expected):
    user = area.users[role]
    assert (access.allowed(user, A.JIG_MEMBER_AREA), access.allowed(user, A.CHAIR_JIG)) == expected


def test_senior_quality_officers_have_no_jig_actions(area):
    from tests.commissioning.factories import MembershipFactory

    user = MembershipFactory(role=Role.SENIOR_QUALITY_OFFICER, organisation=area.commissioner).user
    assert not access.allowed(user, A.JIG_MEMBER_AREA) and not access.allowed(user, A.CHAIR_JIG)


def test_anonymous_people_are_never_members(jig):
    assert not sel.is_member(AnonymousUser(), jig.group)
    assert not sel.meeting_content_allowed(AnonymousUser(), jig.meeting)


def test_an_administrators_role_makes_nobody_a_member(jig):
    assert access.allowed(jig.admin, A.JIG_MEMBER_AREA)
    assert not sel.is_member(jig.admin, jig.group)
    assert sel.may_manage_group(jig.admin, jig.group)  # sets the group up, reads none of it


# --- A meeting's content and pack ------------------------------------------------------------

def test_an_unsigned_member_is_refused_the_meetings_content(jig):
    assert sel.is_member(jig.ambulance, jig.group)
    assert not sel.meeting_content_allowed(jig.ambulance, jig.meeting)
    with pytest.raises(PermissionDenied, match="Sign this meeting's confidentiality statement"):
        sel.require_meeting_content(jig.ambulance, jig.meeting)
    with pytest.raises(PermissionDenied):
        sel.soft_intelligence_for_meeting(jig.ambulance, jig.meeting)
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    assert sel.meeting_content_allowed(jig.ambulance, jig.meeting)


def test_signing_one_meeting_opens_only_that_meeting(jig):
    from quality.reports import add_months

    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    next_meeting, _ = ms.meeting_schedule(group=jig.group, month=add_months(jig.meeting.month, 1))
    assert not sel.meeting_content_allowed(jig.ambulance, next_meeting)


def test_the_chair_too_must_sign_to_see_the_content(jig):
    assert not sel.meeting_content_allowed(jig.chair, jig.meeting)


def test_an_unsigned_member_cannot_ask_for_the_pack(jig):
    with pytest.raises(PermissionDenied):
        ms.meeting_pack_request(meeting=jig.meeting, user=jig.ambulance)
    assert not MeetingPack.objects.exists()


@pytest.mark.parametrize("who", [Role.COMMISSIONER, Role.ADMINISTRATOR, Role.CARE_HOME_MANAGER])
def test_non_members_cannot_ask_for_the_pack(jig, who):
    with pytest.raises(PermissionDenied):
        ms.meeting_pack_request(meeting=jig.meeting, user=jig.area.users[who])


def test_a_signed_member_asks_for_the_pack_and_only_signed_members_may_download_it(
        jig, django_capture_on_commit_callbacks):
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    with django_capture_on_commit_callbacks() as callbacks:
        pack = ms.meeting_pack_request(meeting=jig.meeting, user=jig.ambulance)
    assert len(callbacks) == 1  # the render task is queued after the commit
    assert (pack.status, pack.requested_by) == ("queued", jig.ambulance)
    pack.file.name = "jig/packs/2026/pack.pdf"
    assert sel.pack_download_allowed(jig.ambulance, pack)
    assert list(sel.meeting_packs_for(jig.ambulance, jig.meeting)) == [pack]
    for person in (jig.acute, jig.chair, jig.admin, jig.area.users[Role.COMMISSIONER]):
        assert not sel.pack_download_allowed(person, pack)
        assert not sel.meeting_packs_for(person, jig.meeting).exists()


def test_a_member_who_leaves_loses_the_content_they_signed_for(jig):
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    ms.membership_end(membership=jig.seats[jig.acute.pk], user=jig.chair)
    assert not sel.meeting_content_allowed(fresh(jig.acute), jig.meeting)


# --- Soft intelligence -----------------------------------------------------------------------

@pytest.fixture
def concern(jig):
    from jig.intelligence_services import soft_intelligence_record

    return soft_intelligence_record(
        group=jig.group, care_home=jig.area.home, user=jig.ambulance, source_organisation=jig.area.council,
        reported_on=jig.meeting.month, category=IntelligenceCategory.SAFEGUARDING,
        sensitivity=Sensitivity.HIGH, text="A relative reports bruising that was not explained.")


@pytest.mark.parametrize("who", ["chair", "co_chair", "ambulance", "acute", "observer"])
def test_members_see_the_groups_soft_intelligence(jig, concern, who):
    assert list(sel.soft_intelligence_visible_to(fresh(getattr(jig, who)))) == [concern]


@pytest.mark.parametrize("who", [Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                                 "manager_one_home", Role.PARTNER_SYSTEM, Role.ADMINISTRATOR, "no_role"])
def test_non_members_never_see_soft_intelligence(jig, concern, who):
    user = jig.area.users[who]
    assert not sel.soft_intelligence_visible_to(user, include_archived=True).exists()
    for action in A:
        assert not access.restrict(SoftIntelligence.objects.all(), user, action).exists()


def test_a_superuser_does_not_see_soft_intelligence(jig, concern):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert not sel.soft_intelligence_visible_to(superuser).exists()
    assert not access.restrict(SoftIntelligence.objects.all(), superuser, A.VIEW).exists()


def test_a_jig_role_without_a_seat_sees_no_soft_intelligence(jig, concern):
    outsider = UserFactory()
    Membership.objects.create(user=outsider, organisation=jig.area.council, role=Role.JIG_CHAIR)
    assert not sel.soft_intelligence_visible_to(outsider).exists()
    assert not access.restrict(SoftIntelligence.objects.all(), outsider, A.JIG_MEMBER_AREA).exists()


def test_former_members_and_other_groups_members_see_none_of_it(jig, concern):
    ms.membership_end(membership=jig.seats[jig.observer.pk], user=jig.chair)
    assert not sel.soft_intelligence_visible_to(fresh(jig.observer)).exists()
    other_group = JigGroupFactory(councils=[jig.area.council])
    elsewhere = SoftIntelligenceFactory(group=other_group, care_home=jig.area.home)
    assert elsewhere not in sel.soft_intelligence_visible_to(jig.ambulance)


def test_a_commissioner_who_sits_on_the_jig_sees_it_as_a_member(jig, concern):
    assert list(sel.soft_intelligence_visible_to(fresh(jig.co_chair))) == [concern]


def test_restrict_never_opens_soft_intelligence_wider_than_the_groups_members(jig, concern):
    # The access module, asked directly, keeps to the same members (narrowed to their homes).
    assert list(access.restrict(SoftIntelligence.objects.all(), jig.chair, A.JIG_MEMBER_AREA)) == [concern]
    assert not access.restrict(SoftIntelligence.objects.all(), jig.admin, A.JIG_MEMBER_AREA).exists()
