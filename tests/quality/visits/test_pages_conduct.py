"""Carrying out a visit from the pages: planning and scheduling, the assessment form's autosave
endpoint and its whole-form fallback, observations, people spoken to by role, and finishing."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.choices import Role
from quality.choices import PersonSpokenToRole, Rating, VisitEventKind, VisitKind, VisitStatus
from quality.models import Answer, PersonSpokenTo, Visit, VisitStandardRating
from quality.visits import services
from quality.visits.scoring import visit_standards
from tests.commissioning.factories import MembershipFactory

from .pages import OTHER, SQ, C, M, Q, client_of, first_question, in_days, quick_visit, standard

pytestmark = pytest.mark.django_db


def autosave(client, visit, **payload):
    return client.post(reverse("visits:autosave", args=[visit.pk]), data=json.dumps(payload),
                       content_type="application/json")


# --- Planning -----------------------------------------------------------------------------------

def test_an_officer_schedules_a_visit_from_the_planning_list(area, people):
    officer = client_of(area, people, C)
    listed = officer.get(reverse("visits:planning"))
    homes = [row["home"] for row in listed.context["rows"]]
    assert area.home in homes and area.other_home not in homes
    assert b"Never visited" in listed.content
    schedule = reverse("visits:visit-schedule", args=[area.home.cqc_location_id])
    form = officer.get(schedule).context["form"]
    offered = set(form.fields["officers"].queryset)
    assert {people.officer, people.council_officer, people.senior} <= offered
    assert people.manager not in offered
    response = officer.post(schedule, {
        "planned_on": in_days(7).isoformat(), "kind": VisitKind.UNANNOUNCED, "planned_days": "2",
        "lead_organisation": "council", "officers": [people.officer.pk, people.council_officer.pk],
        "lead_officer": people.officer.pk, "notes": "Follow up the falls.",
    })
    visit = Visit.objects.get(care_home=area.home)
    assert response.status_code == 302 and response.url == reverse("visits:visit-detail", args=[visit.pk])
    assert visit.kind == VisitKind.UNANNOUNCED and visit.planned_days == 2
    assert visit.visit_officers.get(is_lead=True).user == people.officer
    # Planned: no longer listed as due, unless asked for.
    assert area.home not in [r["home"] for r in officer.get(reverse("visits:planning")).context["rows"]]
    with_planned = officer.get(reverse("visits:planning") + "?scheduled=on")
    assert area.home in [r["home"] for r in with_planned.context["rows"]]


def test_scheduling_shows_the_services_refusal(area, people):
    officer = client_of(area, people, Q)
    response = officer.post(reverse("visits:visit-schedule", args=[area.home.cqc_location_id]), {
        "planned_on": in_days(-1).isoformat(), "kind": "announced", "planned_days": "1",
        "lead_organisation": "council"})
    assert response.status_code == 400
    assert "A visit cannot be planned for a day that has passed." in response.content.decode()


def test_the_planning_list_filters_and_sorts(area, people):
    officer = client_of(area, people, C)
    by_name = officer.get(reverse("visits:planning") + "?sort=name&within=365")
    names = [r["home"].name for r in by_name.context["rows"]]
    assert names == sorted(names)
    named = officer.get(reverse("visits:planning") + f"?name={area.second_home.name}")
    assert [r["home"] for r in named.context["rows"]] == [area.second_home]


def test_a_visit_page_says_what_the_officer_can_do_next(area, people):
    visit = quick_visit(area.home, people, "planned")
    page = client_of(area, people, Q).get(reverse("visits:visit-detail", args=[visit.pk]))
    assert page.context["can"]["plan"]
    assert b"Start the visit" in page.content
    started = client_of(area, people, Q).post(reverse("visits:visit-start", args=[visit.pk]))
    assert started.url == reverse("visits:assessment", args=[visit.pk])
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.IN_PROGRESS


def test_officers_are_added_and_removed(area, people):
    visit = quick_visit(area.home, people, "planned")
    officer = client_of(area, people, C)
    page = reverse("visits:visit-officers", args=[visit.pk])
    officer.post(page, {"officer": people.senior.pk})
    assert visit.visit_officers.filter(user=people.senior).exists()
    officer.post(reverse("visits:visit-officer-remove", args=[visit.pk, people.senior.pk]))
    assert not visit.visit_officers.filter(user=people.senior).exists()
    refused = officer.post(page, {"officer": people.manager.pk})
    assert refused.status_code == 400  # not one of the officers offered


def test_a_visit_is_cancelled_with_a_reason(area, people):
    visit = quick_visit(area.home, people, "planned")
    page = reverse("visits:visit-cancel", args=[visit.pk])
    assert client_of(area, people, C).post(page, {"reason": ""}).status_code == 400
    client_of(area, people, C).post(page, {"reason": "The home closed to visitors (outbreak)."})
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.CANCELLED


# --- The autosave endpoint -------------------------------------------------------------------------

def test_autosave_saves_one_question_and_answers_with_the_ratings(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    question = first_question(visit, "3")
    response = autosave(client_of(area, people, Q), visit, question=question.pk, score="1",
                        evidence="Two care plans out of date.")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["saved"] is True
    assert data["saved_at"] == f"{timezone.localtime():%H:%M}"
    assert data["ratings"]["standards"]["3"] == {"rating": "poor", "label": "Poor", "mean": "1.00"}
    assert data["ratings"]["overall"]["rating"] == Rating.POOR
    answer = Answer.objects.get(visit=visit, question=question)
    assert (answer.score, answer.evidence) == (1, "Two care plans out of date.")
    assert answer.saved_by == people.officer
    # The indicative ratings are kept too (visit_ratings_compute).
    assert VisitStandardRating.objects.get(visit=visit, standard=question.standard).rating == Rating.POOR


def test_autosave_sending_the_same_again_changes_nothing(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    question = first_question(visit, "2")
    client = client_of(area, people, Q)
    autosave(client, visit, question=question.pk, score="3", evidence="Seen.")
    events = visit.events.count()
    again = autosave(client, visit, question=question.pk, score="3", evidence="Seen.")
    assert again.json()["saved"] is True
    assert visit.events.count() == events


def test_autosave_not_assessed_clears_a_score(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    question = first_question(visit, "2")
    client = client_of(area, people, Q)
    autosave(client, visit, question=question.pk, score="4")
    data = autosave(client, visit, question=question.pk, score="").json()
    assert data["saved"] and Answer.objects.get(visit=visit, question=question).score is None
    assert data["ratings"]["standards"]["2"]["label"] == "Not rated yet"


@pytest.mark.parametrize("score", ["5", "0", "x", "3.5"])
def test_autosave_refuses_a_bad_score_with_a_message(area, people, score):
    visit = quick_visit(area.home, people, "in_progress")
    question = first_question(visit, "2")
    response = autosave(client_of(area, people, Q), visit, question=question.pk, score=score)
    assert response.status_code == 400
    assert response.json() == {"saved": False, "field": "score", "errors": [
        "Choose a score: 4 Excellent, 3 Good, 2 Requires improvement, 1 Poor, or Not assessed"]}
    assert not Answer.objects.filter(visit=visit).exists()


def test_autosave_refuses_a_question_of_another_framework_and_a_finished_visit(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    client = client_of(area, people, Q)
    assert autosave(client, visit, question=999999, score="3").status_code == 400
    drafted = quick_visit(area.second_home, people, "shared")
    refused = autosave(client, drafted, question=first_question(drafted, "2").pk, score="3")
    assert refused.status_code == 400
    assert "You cannot change scores while the visit is shared with provider" in refused.json()["errors"][0]


def test_autosave_refuses_a_manager_and_hides_other_visits(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    question = first_question(visit, "2")
    refused = autosave(client_of(area, people, M), visit, question=question.pk, score="3")
    assert refused.status_code == 403 and refused.json()["saved"] is False
    assert autosave(client_of(area, people, OTHER), visit, question=question.pk, score="3").status_code == 403
    elsewhere = Client()
    elsewhere.force_login(MembershipFactory(role=Role.QUALITY_OFFICER, organisation=area.other_council).user)
    hidden = autosave(elsewhere, visit, question=question.pk, score="3")
    assert hidden.status_code == 404 and hidden.json()["saved"] is False
    assert not Answer.objects.filter(visit=visit).exists()


def test_autosave_needs_the_csrf_token(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.officer)
    response = client.post(reverse("visits:autosave", args=[visit.pk]),
                           data=json.dumps({"question": first_question(visit, "2").pk, "score": "3"}),
                           content_type="application/json")
    assert response.status_code == 403
    assert not Answer.objects.filter(visit=visit).exists()


def test_autosave_saves_findings_and_the_summary(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    client = client_of(area, people, Q)
    saved = autosave(client, visit, standard=standard(visit, "6").pk, findings="Referrals were made on time.")
    assert saved.json()["saved"] is True
    assert VisitStandardRating.objects.get(visit=visit, standard=standard(visit, "6")).findings == (
        "Referrals were made on time.")
    autosave(client, visit, summary="A calm, well-led home.")
    assert Visit.objects.get(pk=visit.pk).summary == "A calm, well-led home."


# --- The whole form, without JavaScript ---------------------------------------------------------------

def test_the_form_lists_every_question_with_its_guidance(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    page = client_of(area, people, Q).get(reverse("visits:assessment", args=[visit.pk]))
    assert page.status_code == 200
    questions = [q for s in visit_standards(visit) for q in s.questions.all()]
    content = page.content.decode()
    for question in questions:
        assert f'name="score-{question.pk}"' in content
    assert questions[0].guidance in content and questions[0].evidence_prompts[0] in content
    assert 'data-autosave-url="' + reverse("visits:autosave", args=[visit.pk]) in content
    assert "js/visit-assessment.js" in content


def test_the_whole_form_posted_saves_the_same_as_autosave(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    q1, q2 = first_question(visit, "1"), first_question(visit, "7")
    data = {f"score-{q1.pk}": "2", f"evidence-{q1.pk}": "Care plans reviewed late.", f"score-{q2.pk}": "4",
            f"findings-{standard(visit, '7').pk}": "Very clean throughout.", "summary": "Mostly good."}
    response = client_of(area, people, Q).post(reverse("visits:assessment", args=[visit.pk]), data)
    assert response.status_code == 302
    answers = {a.question_id: (a.score, a.evidence) for a in Answer.objects.filter(visit=visit)}
    assert answers == {q1.pk: (2, "Care plans reviewed late."), q2.pk: (4, "")}
    visit.refresh_from_db()
    assert visit.summary == "Mostly good." and visit.indicative_rating == Rating.GOOD  # (2 + 4) / 2 = 3
    assert VisitStandardRating.objects.get(visit=visit, standard=standard(visit, "7")).findings == (
        "Very clean throughout.")
    assert visit.events.filter(kind=VisitEventKind.RATINGS_COMPUTED).exists()


def test_the_whole_form_refuses_a_bad_score_and_keeps_what_was_typed(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    q1, q2 = first_question(visit, "1"), first_question(visit, "2")
    response = client_of(area, people, Q).post(reverse("visits:assessment", args=[visit.pk]), {
        f"score-{q1.pk}": "9", f"score-{q2.pk}": "3", f"evidence-{q2.pk}": "Consent forms signed."})
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content and f'href="#id_score-{q1.pk}"' in content
    assert "Consent forms signed." in content
    assert not Answer.objects.filter(visit=visit).exists()  # nothing saved until it is all right


# --- Observations, people spoken to and finishing -----------------------------------------------------

def test_observations_are_added_and_removed(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    client = client_of(area, people, SQ)
    page = reverse("visits:observation-add", args=[visit.pk])
    client.post(page, {"text": "Fire door wedged open.", "standard": standard(visit, "9").pk})
    observation = visit.observations.get()
    assert observation.standard.code == "9"
    assert client.post(page, {"text": ""}).status_code == 400
    client.post(reverse("visits:record-remove", args=[visit.pk, "observation", observation.pk]))
    assert not visit.observations.exists()


def test_people_spoken_to_are_kept_by_role_and_never_by_name(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    client = client_of(area, people, Q)
    page = reverse("visits:person-add", args=[visit.pk])
    client.post(page, {"role": PersonSpokenToRole.RESIDENT, "count": "3", "description": ""})
    client.post(page, {"role": PersonSpokenToRole.CARE_STAFF, "count": "1",
                       "description": "night care assistant"})
    assert PersonSpokenTo.objects.filter(visit=visit).count() == 2
    named = client.post(page, {"role": PersonSpokenToRole.RELATIVE, "count": "1", "description": "Mrs Patel"})
    assert named.status_code == 400
    assert "This looks like a person&#x27;s name." in named.content.decode()
    with_a_name_field = client.post(page, {"role": PersonSpokenToRole.RESIDENT, "count": "1",
                                           "resident_name": "John Smith"})
    assert with_a_name_field.status_code == 400
    message = "People spoken to are recorded by role only: do not send names."
    assert message in with_a_name_field.content.decode()
    assert PersonSpokenTo.objects.filter(visit=visit).count() == 2


def test_finishing_the_fieldwork_makes_the_draft_report(area, people):
    visit = quick_visit(area.home, people, "in_progress")
    page = reverse("visits:visit-finish", args=[visit.pk])
    client = client_of(area, people, Q)
    nothing_scored = client.post(page, {"duration_hours": "6.5"})
    assert nothing_scored.status_code == 400
    assert "Score at least one question of the core standards" in nothing_scored.content.decode()
    services.answer_save(visit=visit, question=first_question(visit, "1"), user=people.officer, score=3)
    assert client.post(page, {"duration_hours": ""}).status_code == 400
    done = client.post(page, {"duration_hours": "6.5", "summary": "A settled home."})
    assert done.url == reverse("visits:report", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DRAFT_REPORT and str(visit.duration_hours) == "6.5"
    # Finished: the form sends officers back to the visit page.
    assert client.get(page).status_code == 302


def test_a_planned_visit_is_rescheduled_with_a_reason(area, people):
    visit = quick_visit(area.home, people, "planned")
    page = reverse("visits:visit-reschedule", args=[visit.pk])
    client = client_of(area, people, Q)
    data = {"planned_on": in_days(10).isoformat(), "planned_days": "2", "kind": VisitKind.UNANNOUNCED}
    assert client.post(page, data).status_code == 400  # no reason
    client.post(page, {**data, "reason": "The manager is on leave that week."})
    visit.refresh_from_db()
    assert (visit.planned_on, visit.planned_days, visit.kind) == (in_days(10), 2, VisitKind.UNANNOUNCED)
    log = client.get(reverse("visits:visit-detail", args=[visit.pk])).content.decode()
    assert "The manager is on leave that week." in log
