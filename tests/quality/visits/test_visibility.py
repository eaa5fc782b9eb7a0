"""Who sees a visit and its report: officers their organisation's homes; a provider's staff their
own homes' reports only once shared; everyone else who may view homes published reports only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from commissioning import access
from commissioning.choices import Role
from quality.choices import VisitStatus
from quality.models import (
    Answer,
    FactualAccuracyComment,
    PlanAction,
    Visit,
    VisitEvent,
    VisitOfficer,
    VisitStandardRating,
)
from quality.visits import services
from quality.visits.selectors import visit_events_visible_to, visit_for, visits_visible_to

from .factories import VisitFactory, drafted_visit, published_visit, shared_visit

pytestmark = pytest.mark.django_db
A = access.Action


def sees(user, visit) -> bool:
    return visits_visible_to(user).filter(pk=visit.pk).exists()


def test_a_provider_never_sees_a_planned_visit_or_a_draft(area, people):
    planned = VisitFactory(care_home=area.second_home, kind="unannounced")
    draft = drafted_visit(area.home, people)
    for visit in (planned, draft):
        assert not sees(people.manager, visit)
        with pytest.raises(Http404):
            visit_for(people.manager, visit.pk)
    for model in (Answer, VisitStandardRating, VisitEvent, VisitOfficer):
        assert not access.restrict(model.objects.filter(visit=draft), people.manager).exists(), model
    assert access.restrict(Answer.objects.filter(visit=draft), people.officer).exists()
    with pytest.raises(PermissionDenied):
        services.comment_add(visit=draft, user=people.manager, text="Seen it early", section="summary")


def test_a_provider_sees_its_homes_report_once_shared(area, people):
    visit = shared_visit(area.home, people)
    assert visit_for(people.manager, visit.pk) == visit
    assert visit_for(area.users["manager_one_home"], visit.pk) == visit
    assert access.restrict(VisitStandardRating.objects.filter(visit=visit), people.manager).count() == 16
    assert visit_events_visible_to(people.manager, visit).exists()
    comment = services.comment_add(visit=visit, user=people.manager, text="Fine", section="summary")
    assert access.restrict(FactualAccuracyComment.objects.all(), people.manager).get() == comment


def test_another_provider_never_sees_the_visit(area, people):
    visit = published_visit(area.home, people, by_standard={"12": 1})
    assert not sees(people.other_manager, visit)
    with pytest.raises(Http404):
        visit_for(people.other_manager, visit.pk)
    assert not access.restrict(PlanAction.objects.all(), people.other_manager).exists()
    with pytest.raises(PermissionDenied):
        services.plan_action_add(plan=visit.action_plan, user=people.other_manager,
                                 standard=visit.framework_version.standards.get(code="12"),
                                 description="x", owner="y", target_on=visit.published_on)


def test_a_manager_of_one_home_does_not_see_the_providers_other_homes_reports(area, people):
    visit = shared_visit(area.second_home, people)
    assert sees(people.manager, visit)
    assert not sees(area.users["manager_one_home"], visit)


def test_officers_see_the_homes_their_organisation_commissions(area, people):
    visit = drafted_visit(area.home, people)
    other = VisitFactory(care_home=area.other_home)
    for user in (people.officer, people.council_officer, people.senior, area.users[Role.ADMINISTRATOR]):
        assert sees(user, visit)
    assert not sees(people.officer, other) and not sees(people.council_officer, other)
    assert sees(area.users[Role.ADMINISTRATOR], other)


def test_people_who_do_not_visit_see_published_reports_only(area, people):
    draft = shared_visit(area.home, people)
    chair = area.users[Role.JIG_CHAIR]
    assert not sees(people.jig_member, draft) and not sees(chair, draft)
    published = services.report_publish(
        visit=services.report_provider_accept(visit=draft, user=people.manager), user=people.officer)
    assert sees(people.jig_member, published) and sees(chair, published)
    assert not sees(area.users["no_role"], published)


ROLE_EXPECTATIONS = {
    Role.COMMISSIONER: {A.VISIT},
    Role.QUALITY_OFFICER: {A.VISIT},
    Role.SENIOR_QUALITY_OFFICER: {A.VISIT, A.SENIOR_REVIEW},
    Role.CARE_HOME_MANAGER: {A.RESPOND_TO_REPORT},
    Role.JIG_CHAIR: set(),
    Role.JIG_MEMBER: set(),
    Role.PARTNER_SYSTEM: set(),
    Role.ADMINISTRATOR: {A.VISIT, A.RESPOND_TO_REPORT, A.SENIOR_REVIEW},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", [A.VISIT, A.RESPOND_TO_REPORT, A.SENIOR_REVIEW])
def test_the_visit_actions_per_role(role, action):
    assert (action in access.ROLE_ACTIONS[role]) is (action in ROLE_EXPECTATIONS[role])


def test_unshared_statuses_are_hidden_from_providers_and_shared_ones_shown(area, people):
    today = timezone.localdate()
    visit = VisitFactory(care_home=area.home, started_on=today, shared_on=today, comments_close_on=today,
                         published_on=today, published_rating="good")
    for status in VisitStatus:
        Visit.objects.filter(pk=visit.pk).update(status=status)
        expected = status in (VisitStatus.SHARED, VisitStatus.SENIOR_REVIEW, VisitStatus.PUBLISHED)
        assert sees(people.manager, visit) is expected, status
