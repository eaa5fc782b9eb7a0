"""Factories and builders for visits: a visit made directly, or taken through the services to a
given point of the workflow (so each test starts where it needs to)."""

from dataclasses import dataclass

import factory
from django.utils import timezone

from commissioning.choices import Role
from quality.choices import LeadOrganisation, VisitKind, VisitStatus
from quality.models import Question, Visit
from quality.visits import services
from quality.visits.framework import framework_current, standards_for
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import MembershipFactory


class VisitFactory(factory.django.DjangoModelFactory):
    """A planned visit, made directly (no event log): for reads and access tests."""

    class Meta:
        model = Visit

    care_home = factory.SubFactory(CareHomeFactory)
    framework_version = factory.LazyFunction(framework_current)
    lead_organisation = LeadOrganisation.COUNCIL
    kind = VisitKind.ANNOUNCED
    status = VisitStatus.PLANNED
    planned_on = factory.LazyFunction(timezone.localdate)


@dataclass
class People:
    """Who acts in the visit tests. The home is provider A's, in council 1 and the sub-ICB."""

    officer: object  # quality officer of the NHS commissioner
    council_officer: object  # commissioner of the council
    senior: object  # senior quality officer of the council
    manager: object  # manager of all provider A's homes
    other_manager: object  # manager of provider B's homes
    jig_member: object  # ambulance trust: may view homes, does not visit


def people_for(area) -> People:
    return People(
        officer=area.users[Role.QUALITY_OFFICER], council_officer=area.users[Role.COMMISSIONER],
        senior=MembershipFactory(role=Role.SENIOR_QUALITY_OFFICER, organisation=area.council).user,
        manager=area.users[Role.CARE_HOME_MANAGER],
        other_manager=MembershipFactory(role=Role.CARE_HOME_MANAGER, organisation=area.other_provider,
                                        all_provider_homes=True).user,
        jig_member=area.users[Role.JIG_MEMBER])


def questions_of(visit) -> list[Question]:
    standards = standards_for(visit.framework_version, visit.care_home.registration_type)
    return list(Question.objects.filter(standard__in=standards).select_related("standard")
                .order_by("standard__domain__order", "standard__order", "order"))


def score_visit(visit, user, default: int = 3, by_standard: dict | None = None) -> None:
    """Score every question of the visit: ``by_standard`` maps a standard code to its score."""
    by_standard = by_standard or {}
    for question in questions_of(visit):
        services.answer_save(visit=visit, question=question, user=user,
                             score=by_standard.get(question.standard.code, default),
                             evidence=f"Seen for {question.code}.")


def in_progress_visit(care_home, people: People) -> Visit:
    visit = services.visit_schedule(care_home=care_home, user=people.council_officer,
                                    planned_on=timezone.localdate(), officers=[people.council_officer],
                                    lead_officer=people.officer)
    return services.visit_start(visit=visit, user=people.officer)


def drafted_visit(care_home, people: People, default: int = 3, by_standard: dict | None = None) -> Visit:
    visit = in_progress_visit(care_home, people)
    score_visit(visit, people.officer, default, by_standard)
    return services.visit_draft_report(visit=visit, user=people.officer, duration_hours="6.5",
                                       summary="A settled home.")


def shared_visit(care_home, people: People, default: int = 3, by_standard: dict | None = None) -> Visit:
    return services.report_share(visit=drafted_visit(care_home, people, default, by_standard),
                                 user=people.officer)


def published_visit(care_home, people: People, default: int = 3, by_standard: dict | None = None) -> Visit:
    visit = shared_visit(care_home, people, default, by_standard)
    services.report_provider_accept(visit=visit, user=people.manager)
    return services.report_publish(visit=visit, user=people.officer)
