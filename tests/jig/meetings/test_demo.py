"""The demo JIG: built through the services after the ratings, deterministic and idempotent."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from carehomes.demo import seed_demo_area
from carehomes.models import CareHome
from jig import meeting_selectors as sel
from jig.choices import AttendanceStatus, JigActionStatus, JigRole, MeetingStatus, PlanningDecision, Rag
from jig.meetings_demo import GROUP_NAME, PEOPLE
from jig.models import (
    Attendance,
    ConfidentialitySignature,
    DeepDiveRequest,
    HomeFlag,
    JigAction,
    JigGroup,
    JigMembership,
    Meeting,
    PlanningApplication,
    SoftIntelligence,
)
from quality.reports import add_months
from tests.jig.factories import RiskRatingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_area():
    """The demo area (organisations, homes, users) with ratings: one home turned red each month."""
    seed_demo_area()
    homes = list(CareHome.objects.filter(local_authority__is_served=True).order_by("cqc_location_id")[:6])
    this_month = timezone.localdate().replace(day=1)
    for back in range(3):
        month = add_months(this_month, -back)
        for n, home in enumerate(homes):
            red = n == back  # homes[0] is red this month, homes[1] last month, homes[2] before
            RiskRatingFactory(care_home=home, month=month, rag=Rag.RED if red else Rag.GREEN,
                              score=60 if red else 10)
    return homes


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (
        JigGroup, JigMembership, Meeting, HomeFlag, DeepDiveRequest, JigAction, SoftIntelligence,
        PlanningApplication, ConfidentialitySignature, Attendance)}


def test_the_demo_needs_this_months_ratings(db):
    with pytest.raises(CommandError, match="no risk ratings for this month"):
        call_command("seed_demo_jig")


def test_the_demo_group_its_held_meeting_and_this_months_meeting(demo_area, capsys):
    call_command("seed_demo_jig")
    out = capsys.readouterr().out
    group = JigGroup.objects.get(name=GROUP_NAME)
    assert set(group.documents.filter(is_current=True).values_list("kind", flat=True)) == {
        "terms_of_reference", "standing_agenda", "confidentiality_statement"}
    seats = {m.user.email: m.role for m in group.memberships.select_related("user")}
    assert seats == {email: role for email, _, _, role in PEOPLE.values()}
    assert {m.organisation.kind for m in group.memberships.select_related("organisation")} >= {
        "local_authority", "nhs_commissioner", "ambulance_trust", "acute_trust", "other_partner"}
    for email, *_ in PEOPLE.values():
        assert email in out
    assert group_homes_count(group) == CareHome.objects.filter(local_authority__is_served=True,
                                                               status="active").count()

    last, this = Meeting.objects.filter(group=group).order_by("month")
    assert last.month == add_months(this.month, -1) == add_months(timezone.localdate().replace(day=1), -1)
    # Last month's: held and closed, quorate, with attendance, signatures, minutes, actions, a decision.
    assert (last.status, last.was_quorate) == (MeetingStatus.CLOSED, True)
    assert last.opened_at == last.starts_at and last.minutes.startswith("Present:")
    attendance = dict(last.attendance.values_list("membership__user__email", "status"))
    assert attendance.pop("jig.cqc@demo.portal.nhs.uk") == AttendanceStatus.APOLOGIES
    assert set(attendance.values()) == {AttendanceStatus.PRESENT} and len(attendance) == 5
    assert last.signatures.count() == 5
    assert last.flags.filter(care_home=demo_area[1]).exists()  # turned red last month
    actions = JigAction.objects.filter(meeting=last)
    statuses = [a.status for a in actions]
    assert statuses.count(JigActionStatus.DONE) == 2 and JigActionStatus.IN_PROGRESS in statuses
    assert sum(a.is_overdue_on() for a in actions) == 1
    assert {a.training_theme for a in actions if a.is_training} == {"falls", "uti_catheter"}
    decided = PlanningApplication.objects.get(decided_at=last)
    assert decided.decision == PlanningDecision.SUPPORT
    assert SoftIntelligence.objects.filter(group=group).count() >= 5
    # This month's: scheduled, flagged by the rules, signed by three, deep dives answered and not.
    assert this.status == MeetingStatus.SCHEDULED and this.date >= timezone.localdate()
    assert this.flags.filter(care_home=demo_area[0], reasons__0__code="turned_red").exists()
    dives = DeepDiveRequest.objects.filter(flag__meeting=this).select_related("asked_of")
    assert sorted((d.asked_of.kind, hasattr(d, "answer")) for d in dives) == [
        ("acute_trust", False), ("ambulance_trust", True)]
    assert PlanningApplication.objects.filter(decision=PlanningDecision.PENDING).count() == 1
    signed = set(this.signatures.values_list("user__email", flat=True))
    assert signed == {PEOPLE[k][0] for k in ("chair", "ambulance", "acute")}
    chair = group.memberships.get(role=JigRole.CHAIR).user
    assert sel.meeting_content_allowed(chair, this) and sel.meeting_content_allowed(chair, last)


def group_homes_count(group) -> int:
    return sel.group_homes(group).count()


def test_running_the_demo_again_changes_nothing(demo_area):
    call_command("seed_demo_jig")
    before = counts()
    call_command("seed_demo_jig")
    assert counts() == before
