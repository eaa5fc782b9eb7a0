"""Helpers for the visits API tests: who is who, visits built quickly through the services
(answers in bulk), and checking one endpoint for many users at once."""

from django.utils import timezone

from commissioning.choices import Role
from quality.models import Answer, Visit
from quality.visits import services
from tests.api.conftest import ANONYMOUS

from .factories import questions_of

C, Q, SQO, M, JC, JM, P, ADMIN = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.SENIOR_QUALITY_OFFICER,
                                  Role.CARE_HOME_MANAGER, Role.JIG_CHAIR, Role.JIG_MEMBER,
                                  Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, OTHER_M, NONE = "manager_one_home", "other_manager", "no_role"
EVERYONE = [C, Q, SQO, M, ONE, OTHER_M, JC, JM, P, ADMIN, NONE, ANONYMOUS]
OFFICERS = {C, Q, SQO, ADMIN}
V = "/api/v1/visits/"
TODAY = timezone.localdate


# Visits built quickly: the services for every step, answers in bulk ------------------------------

def scored(visit, officer, default=3, by_standard=None) -> None:
    by_standard = by_standard or {}
    Answer.objects.bulk_create(
        Answer(visit=visit, question=q, saved_by=officer, evidence=f"Seen for {q.code}.",
               score=by_standard.get(q.standard.code, default)) for q in questions_of(visit))


def planned(home, people) -> Visit:
    return services.visit_schedule(care_home=home, user=people.officer, planned_on=TODAY(),
                                   lead_officer=people.officer)


def drafted(home, people, **scores) -> Visit:
    visit = services.visit_start(visit=planned(home, people), user=people.officer)
    scored(visit, people.officer, **scores)
    return services.visit_draft_report(visit=visit, user=people.officer, duration_hours=6, summary="Settled.")


def shared(home, people, **scores) -> Visit:
    return services.report_share(visit=drafted(home, people, **scores), user=people.officer)


def published(home, people, **scores) -> Visit:
    visit = shared(home, people, **scores)
    services.report_provider_accept(visit=visit, user=people.manager)
    return services.report_publish(visit=visit, user=people.officer)


def expected(default_for_officers, *, seen_by=(), others=404) -> dict:
    """The status each user gets reading a record: officers ``default_for_officers``, ``seen_by``
    200, everyone else ``others``; 401 anonymous and 403 with no role."""
    result = {who: others for who in EVERYONE}
    result.update({who: 200 for who in seen_by})
    result.update({who: default_for_officers for who in OFFICERS})
    result.update({ANONYMOUS: 401, NONE: 403})
    return result


def check(call, method, url, statuses: dict, body=None) -> None:
    wrong = {}
    for who, status in statuses.items():
        response = call(who, method, url, body)
        if response.status_code != status:
            wrong[who] = (response.status_code, status, getattr(response, "data", None))
    assert not wrong, f"{method.upper()} {url}: (got, expected) {wrong}"


def refused(allowed: set, *, unseen: set = frozenset()) -> dict:
    """Everyone but ``allowed``: 403 (no such role, or the service refuses them), 404 when they
    cannot see the record, 401 anonymous."""
    statuses = {who: 404 if who in unseen else 403 for who in EVERYONE if who not in allowed}
    statuses[ANONYMOUS] = 401
    return statuses
