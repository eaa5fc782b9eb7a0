"""Helpers for the visit page tests: who asks (every role, signed in or not), and visits taken
quickly through the services to the step a page needs (one question scored, not all of them)."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commissioning.choices import Role
from quality.choices import CommentOutcome
from quality.models import Question, Standard
from quality.visits import services

from .factories import People

C, Q, SQ, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.SENIOR_QUALITY_OFFICER,
                             Role.CARE_HOME_MANAGER, Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM,
                             Role.ADMINISTRATOR)
ONE, OTHER, NONE, ANON = "manager_one_home", "other_provider_manager", "no_role", "anonymous"
EVERYONE = [C, Q, SQ, M, ONE, OTHER, JC, JM, P, A, NONE, ANON]
OFFICERS = {C, Q, SQ, A}  # Action.VISIT, and the home is theirs
VIEWERS = {C, Q, SQ, M, ONE, OTHER, JC, JM, P, A}  # Action.VIEW
EXPORTERS = {C, Q, SQ, M, ONE, OTHER, JC, A}  # Action.EXPORT
PROVIDERS = {M, ONE, A}  # Action.RESPOND_TO_REPORT, for provider A's home


def user_of(area, people: People, who):
    if who == SQ:
        return people.senior
    if who == OTHER:
        return people.other_manager
    return area.users[who]


def client_of(area, people: People, who) -> Client:
    client = Client()
    if who != ANON:
        client.force_login(user_of(area, people, who))
    return client


def statuses(area, people, url: str, method: str = "get") -> dict:
    """What each person gets from one address: {who: status code}."""
    return {who: getattr(client_of(area, people, who), method)(url).status_code for who in EVERYONE}


def expected(*, ok=(), hidden=(), ok_code=200) -> dict:
    """The matrix: ``ok`` get the page, ``hidden`` get 404 (the visit is not theirs to see), the
    anonymous are sent to sign in, everyone else is refused (403)."""
    return {who: 302 if who == ANON else ok_code if who in ok else 404 if who in hidden else 403
            for who in EVERYONE}


def standard(visit, code: str) -> Standard:
    return visit.framework_version.standards.get(code=code)


def first_question(visit, code: str) -> Question:
    return Question.objects.filter(standard=standard(visit, code)).order_by("order").first()


def quick_visit(home, people: People, to: str = "planned", *, score: int = 3, poor: tuple = ()):
    """A visit to ``home`` at step ``to`` (planned, in_progress, draft_report, shared, published):
    one question of standard 1 scored ``score``, and the first question of each ``poor`` standard
    scored 1 (each then a shortfall)."""
    today = timezone.localdate()
    visit = services.visit_schedule(care_home=home, user=people.council_officer, planned_on=today,
                                    officers=[people.council_officer], lead_officer=people.officer)
    if to == "planned":
        return visit
    visit = services.visit_start(visit=visit, user=people.officer)
    if to == "in_progress":
        return visit
    services.answer_save(visit=visit, question=first_question(visit, "1"), user=people.officer, score=score,
                         evidence="Seen on the day.")
    for code in poor:
        services.answer_save(visit=visit, question=first_question(visit, code), user=people.officer, score=1)
    visit = services.visit_draft_report(visit=visit, user=people.officer, duration_hours="5",
                                        summary="A home that is improving.")
    if to == "draft_report":
        return visit
    visit = services.report_share(visit=visit, user=people.officer)
    if to == "shared":
        return visit
    services.report_provider_accept(visit=visit, user=people.manager)
    return services.report_publish(visit=visit, user=people.officer)


def comment_on(visit, people: People, code: str = "1", text: str = "The rating missed the new care plans.",
               files=()):
    return services.comment_add(visit=visit, user=people.manager, text=text, standard=standard(visit, code),
                                files=files)


def evidence_file(name: str = "care-plans.pdf", content: bytes = b"%PDF-1.4 evidence") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def disputed_visit(home, people: People):
    """A shared visit whose comment was not accepted and is disputed: ready for senior review."""
    visit = quick_visit(home, people, "shared")
    comment = comment_on(visit, people)
    services.comment_respond(comment=comment, user=people.officer, outcome=CommentOutcome.NOT_ACCEPTED,
                             reason="The plans were not in place on the day.")
    services.comment_dispute(comment=comment, user=people.manager, reason="They were, on the computer.")
    return visit, comment


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)
