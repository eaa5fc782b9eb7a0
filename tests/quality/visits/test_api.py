"""The visits API: who may call each endpoint (every role against every endpoint), what providers
never see, the workflow's refusals as 400s with their messages, and query counts on lists."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core import signals
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.choices import Role
from quality.choices import ActionPlanStatus, PlanActionStatus, Rating, VisitStatus
from quality.models import FactualAccuracyComment, PersonSpokenTo, ReportPdf, Visit
from quality.visits import services
from quality.visits.framework import framework_current
from tests.api.conftest import session_client, token_client
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import MembershipFactory

from .api_support import (
    ADMIN,
    ANONYMOUS,
    EVERYONE,
    JC,
    JM,
    NONE,
    OFFICERS,
    ONE,
    OTHER_M,
    SQO,
    TODAY,
    C,
    M,
    P,
    Q,
    V,
    check,
    drafted,
    expected,
    planned,
    published,
    refused,
    scored,
    shared,
)
from .factories import questions_of

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    """``published`` (Requires improvement, with a plan) and ``draft`` at provider A's first home,
    ``shared`` at its second, ``other`` published at provider B's home in another council."""

    published: Visit
    draft: Visit
    shared: Visit
    other: Visit
    comment: FactualAccuracyComment


@pytest.fixture
def users(area, people) -> dict:
    return {**area.users, SQO: people.senior, OTHER_M: people.other_manager}


@pytest.fixture
def call(users):
    clients = {}

    def make(who, method, url, body=None):
        if who not in clients:
            clients[who] = (APIClient() if who == ANONYMOUS else
                            token_client(users[who]) if who == P else session_client(users[who]))
        return getattr(clients[who], method)(url, body, format="json")

    return make


@pytest.fixture
def scene(area, people) -> Scene:
    published_ri = published(area.home, people, by_standard={"12": 1})
    other_officer = MembershipFactory(role=Role.QUALITY_OFFICER, organisation=area.other_council).user
    other_people = type(people)(**{**people.__dict__, "officer": other_officer,
                                   "manager": people.other_manager})
    other = published(area.other_home, other_people)
    visit = shared(area.second_home, people)
    comment = services.comment_add(visit=visit, user=people.manager, text="The rota was on the wall.",
                                   standard=visit.framework_version.standards.get(code="12"))
    return Scene(published_ri, drafted(area.home, people), visit, other, comment)


# Who reads what ---------------------------------------------------------------------------------

READERS = {
    "draft": set(),
    "shared": {M},
    "published": {M, ONE, JC, JM, P},
}


@pytest.mark.parametrize("which", ["draft", "shared", "published", "other"])
def test_who_reads_each_visit_and_its_records(scene, call, which):
    visit = getattr(scene, which)
    if which == "other":
        statuses = {**expected(404, seen_by={OTHER_M, JM, P}), ADMIN: 200}
    else:
        statuses = expected(200, seen_by=READERS[which])
    for path in ("", "report/", "answers/", "observations/", "people-spoken-to/"):
        check(call, "get", f"{V}{visit.pk}/{path}", statuses)
    pdf = ReportPdf.objects.create(visit=visit, visit_status=visit.status)
    check(call, "get", f"/api/v1/report-pdfs/{pdf.pk}/", statuses)


def test_lists_hold_only_what_each_user_may_see(scene, call):
    def ids(who, url):
        response = call(who, "get", url)
        assert response.status_code == 200, response.data
        return {row["id"] for row in response.data["results"]}

    s = scene
    assert ids(Q, V) == ids(C, V) == {s.published.pk, s.draft.pk, s.shared.pk}
    assert ids(M, V) == {s.published.pk, s.shared.pk}
    assert ids(ONE, V) == {s.published.pk}
    assert ids(OTHER_M, V) == {s.other.pk}
    assert ids(JM, V) == ids(P, V) == {s.published.pk, s.other.pk}
    assert ids(JC, V) == {s.published.pk}
    assert ids(ADMIN, V) == {s.published.pk, s.draft.pk, s.shared.pk, s.other.pk}
    assert ids(M, "/api/v1/visit-comments/") == {s.comment.pk}
    assert ids(JM, "/api/v1/visit-comments/") == ids(ONE, "/api/v1/visit-comments/") == set()
    plan = s.published.action_plan.pk
    assert ids(M, "/api/v1/action-plans/") == ids(JC, "/api/v1/action-plans/") == {plan}
    assert ids(OTHER_M, "/api/v1/action-plans/") == set()


def test_a_provider_gets_404_for_an_unshared_draft_another_providers_visit_their_reports_and_pdfs(
        scene, call):
    pdfs = {name: ReportPdf.objects.create(visit=visit, visit_status=visit.status)
            for name, visit in (("draft", scene.draft), ("other", scene.other), ("shared", scene.shared))}
    for visit in (scene.draft, scene.other):
        for path in ("", "report/", "answers/"):
            assert call(M, "get", f"{V}{visit.pk}/{path}").status_code == 404
    assert call(M, "get", f"/api/v1/report-pdfs/{pdfs['draft'].pk}/").status_code == 404
    assert call(M, "get", f"/api/v1/report-pdfs/{pdfs['other'].pk}/").status_code == 404
    assert call(M, "get", f"/api/v1/report-pdfs/{pdfs['shared'].pk}/").status_code == 200
    assert call(M, "post", "/api/v1/report-pdfs/", {"visit": scene.draft.pk}).status_code == 404
    # A PDF made before the draft was shared stays an officer's, even once it is shared.
    early = ReportPdf.objects.create(visit=scene.shared, visit_status=VisitStatus.DRAFT_REPORT)
    assert call(M, "get", f"/api/v1/report-pdfs/{early.pk}/").status_code == 404
    assert call(Q, "get", f"/api/v1/report-pdfs/{early.pk}/").status_code == 200
    # People who read published reports only never read a draft PDF of a report since published.
    before = ReportPdf.objects.create(visit=scene.published, visit_status=VisitStatus.SHARED)
    assert call(JM, "get", f"/api/v1/report-pdfs/{before.pk}/").status_code == 404


def test_everyone_who_may_use_the_api_reads_the_framework(call):
    version = framework_current()
    statuses = {**dict.fromkeys(EVERYONE, 200), ANONYMOUS: 401, NONE: 403}
    check(call, "get", "/api/v1/visit-frameworks/", statuses)
    check(call, "get", f"/api/v1/visit-frameworks/{version.pk}/", statuses)
    detail = call(M, "get", f"/api/v1/visit-frameworks/{version.pk}/").data
    assert [len(d["standards"]) for d in detail["domains"]] == [2, 3, 5, 3, 3, 4]  # and medicines
    assert detail["status"] == "published" and detail["rule"][0].startswith("Questions are scored")
    assert detail["domains"][1]["standards"][0]["questions"][0]["code"] == "3.1"


# Who writes what: each endpoint tried by everyone who may not, then by one who may -------------

def test_only_officers_plan_a_visit(area, call):
    home = CareHomeFactory(provider=area.provider, local_authority=area.council,
                           nhs_commissioner=area.commissioner)
    body = {"care_home": home.cqc_location_id, "planned_on": f"{TODAY():%Y-%m-%d}", "kind": "unannounced",
            "lead_officer": area.users[Q].email, "notes": "Concerns raised by the district nurses."}
    check(call, "post", V, refused(OFFICERS), body)
    check(call, "post", V, {C: 404}, {**body, "care_home": area.other_home.cqc_location_id})
    response = call(C, "post", V, body)
    assert response.status_code == 201, response.data
    assert response.data["status"] == VisitStatus.PLANNED and response.data["kind"] == "unannounced"
    assert response.data["officers"] == [
        {"name": area.users[Q].full_name, "organisation": area.commissioner.name, "is_lead": True}]
    assert response.data["notes"] == "Concerns raised by the district nurses."
    again = call(Q, "post", V, body)
    assert again.status_code == 400 and "already has a visit under way" in again.data["detail"]


def test_an_officer_must_be_someone_who_visits_the_home(area, call):
    body = {"care_home": area.home.cqc_location_id, "planned_on": f"{TODAY():%Y-%m-%d}",
            "officers": ["nobody@example.nhs.uk", area.users[JM].email]}
    response = call(C, "post", V, body)
    assert response.status_code == 400
    assert "nobody@example.nhs.uk is not a quality officer" in response.data["errors"]["officers"][0]
    past = call(C, "post", V, {**body, "officers": [], "planned_on": "2020-01-01"})
    assert past.data["errors"] == {"planned_on": ["A visit cannot be planned for a day that has passed."]}


@pytest.mark.parametrize(("path", "method", "body"), [
    ("start/", "post", {}),
    ("observations/", "post", {"text": "Lounge calm at lunchtime."}),
    ("people-spoken-to/", "post", {"role": "resident", "count": 3}),
    ("cancel/", "post", {"reason": "The home has an outbreak of flu."}),
])
def test_only_officers_carry_out_a_visit(area, people, call, path, method, body):
    visit = planned(area.second_home, people)
    if path not in ("start/", "cancel/"):
        services.visit_start(visit=visit, user=people.officer)
    check(call, method, f"{V}{visit.pk}/{path}", refused(OFFICERS), body)
    response = call(SQO, method, f"{V}{visit.pk}/{path}", body)
    assert response.status_code in (200, 201), response.data


def test_answers_are_saved_one_question_at_a_time(area, people, call):
    visit = services.visit_start(visit=planned(area.home, people), user=people.officer)
    question = questions_of(visit)[0]
    url = f"{V}{visit.pk}/answers/"
    check(call, "put", url, refused(OFFICERS), {"question": question.pk, "score": 3})
    response = call(Q, "put", url, {"question": question.pk, "score": 3, "evidence": "Care plans seen."})
    assert response.status_code == 200 and response.data["question_code"] == question.code
    assert response.data["standard"] == question.standard.code and response.data["score"] == 3
    events = visit.events.count()
    assert call(Q, "put", url, {"question": question.pk, "score": 3, "evidence": "Care plans seen."}
                ).status_code == 200
    assert visit.events.count() == events  # the same values again change nothing
    assert call(Q, "put", url, {"question": question.pk, "score": None}).data["score"] is None
    assert call(Q, "put", url, {"question": question.pk, "score": 5}).data["errors"]["score"]
    assert [a["score"] for a in call(Q, "get", url).data] == [None]
    assert call(M, "get", url).status_code == 404


def test_names_of_people_spoken_to_are_refused(area, people, call):
    visit = services.visit_start(visit=planned(area.home, people), user=people.officer)
    url = f"{V}{visit.pk}/people-spoken-to/"
    named = call(Q, "post", url, {"role": "relative", "name": "Mrs Patel"})
    assert named.status_code == 400 and "do not send names" in named.data["errors"]["name"][0]
    described = call(Q, "post", url, {"role": "relative", "description": "Mrs Patel's son"})
    assert described.status_code == 400 and "looks like a person's name" in described.data["detail"]
    assert call(Q, "post", url, {"role": "chef"}).data["errors"]["role"]
    fine = call(Q, "post", url, {"role": "relative", "count": 2, "description": "daughter of a resident"})
    assert fine.status_code == 201 and fine.data["count"] == 2
    assert PersonSpokenTo.objects.filter(visit=visit).count() == 1


def test_drafting_sharing_and_publishing_through_the_api(area, people, call):
    visit = services.visit_start(visit=planned(area.home, people), user=people.officer)
    scored(visit, people.officer, by_standard={"7": 2})
    url = f"{V}{visit.pk}/"
    findings = {"standard": "7", "findings": "The sluice room was cluttered."}
    check(call, "put", f"{url}findings/", refused(OFFICERS), findings)
    assert call(Q, "put", f"{url}findings/", findings).status_code == 200
    check(call, "post", f"{url}draft-report/", refused(OFFICERS), {"duration_hours": "5.5"})
    drafted_ = call(Q, "post", f"{url}draft-report/", {"duration_hours": "5.5"})
    assert drafted_.data["status"] == VisitStatus.DRAFT_REPORT and drafted_.data["rating"] == Rating.GOOD
    check(call, "post", f"{url}share/", refused(OFFICERS))
    assert call(C, "post", f"{url}share/").data["comments_close_on"] == f"{TODAY() + dt.timedelta(days=14)}"
    early = call(Q, "post", f"{url}publish/")
    assert early.status_code == 400
    assert early.data["errors"]["non_field_errors"][0].startswith("The provider may comment until")
    check(call, "post", f"{url}no-further-comments/", refused({M, ONE, ADMIN}, unseen={OTHER_M}))
    assert call(M, "post", f"{url}no-further-comments/").data["provider_accepted_on"]
    check(call, "post", f"{url}publish/", refused(OFFICERS))
    done = call(Q, "post", f"{url}publish/")
    assert done.data["status"] == VisitStatus.PUBLISHED and done.data["published_rating"] == Rating.GOOD
    report = call(JM, "get", f"{url}report/").data
    seven = next(s for d in report["domains"] for s in d["standards"] if s["code"] == "7")
    assert seven["rating"]["published_rating"] == Rating.REQUIRES_IMPROVEMENT
    assert seven["rating"]["findings"] == "The sluice room was cluttered." and seven["is_shortfall"]
    assert report["overall"]["label"] == "Good" and not report["is_draft"] and report["rule"]
    assert report["visit"]["notes"] is None  # planning notes are the officers'


# Comments -----------------------------------------------------------------------------------------

def test_the_provider_comments_within_the_window_and_an_officer_responds(scene, call):
    body = {"visit": scene.shared.pk, "text": "Training records were in the office.", "section": "summary"}
    check(call, "post", "/api/v1/visit-comments/", refused({M, ADMIN}, unseen={ONE, OTHER_M}), body)
    made = call(M, "post", "/api/v1/visit-comments/", body)
    assert made.status_code == 201 and made.data["response"] is None and made.data["standard"] is None
    url = f"/api/v1/visit-comments/{made.data['id']}/respond/"
    answer = {"outcome": "not_accepted", "reason": "The records were not available on the day."}
    check(call, "post", url, refused(OFFICERS), answer)
    responded = call(C, "post", url, answer)
    assert responded.data["response"]["outcome"] == "not_accepted"
    assert call(Q, "post", url, answer).data["detail"] == "This comment already has a response."
    dispute = f"/api/v1/visit-comments/{made.data['id']}/dispute/"
    check(call, "post", dispute, refused({M, ADMIN}, unseen={ONE, OTHER_M}), {"reason": "Shown."})
    disputed = call(M, "post", dispute, {"reason": "They were shown to the officer."})
    assert disputed.status_code == 200 and disputed.data["disputed_on"]
    publish = call(Q, "post", f"{V}{scene.shared.pk}/publish/").data["errors"]["non_field_errors"]
    assert "A disputed response must go to a senior officer's review first." in publish
    assert "Every comment needs a response." in publish


def test_a_comment_after_the_window_is_refused_with_the_reason(scene, call):
    closed = TODAY() - dt.timedelta(days=1)
    Visit.objects.filter(pk=scene.shared.pk).update(shared_on=closed - dt.timedelta(days=14),
                                                    comments_close_on=closed)
    response = call(M, "post", "/api/v1/visit-comments/",
                    {"visit": scene.shared.pk, "text": "Late but true.", "standard": "12"})
    assert response.status_code == 400
    assert response.data["detail"] == (f"The time for comments ended on {closed:%-d %B %Y}. Ask the "
                                       "visiting officer to reopen it if you need to comment.")
    assert call(M, "post", "/api/v1/visit-comments/", {"visit": scene.shared.pk, "text": "x",
                                                       "standard": "99"}).data["errors"]["standard"]


# Action plans -------------------------------------------------------------------------------------

def add_action(call, who, plan_id, code, days=30):
    return call(who, "post", f"/api/v1/action-plans/{plan_id}/actions/",
                {"standard": code, "description": f"Put standard {code} right.", "owner": "Deputy manager",
                 "target_on": f"{TODAY() + dt.timedelta(days=days)}"})


def test_an_incomplete_plan_is_refused_with_its_gaps_and_verified_actions_close_it(scene, call):
    plan = scene.published.action_plan
    url = f"/api/v1/action-plans/{plan.pk}/"
    detail = call(M, "get", url).data
    assert [s["standard"] for s in detail["shortfalls"]] == ["12"] and detail["gaps"]
    check(call, "post", f"{url}submit/", refused({M, ONE, ADMIN}, unseen={OTHER_M}))
    refused_ = call(M, "post", f"{url}submit/")
    assert refused_.status_code == 400
    assert refused_.data["gaps"] == ["Standard 12 (Staffing) is rated Poor and has no action.",
                                     "Add at least one action."]
    assert refused_.data["detail"].startswith("The action plan cannot be submitted yet: Standard 12")
    check(call, "post", f"{url}actions/", refused({M, ONE, ADMIN}, unseen={OTHER_M}),
          {"standard": "12", "description": "x", "owner": "y", "target_on": f"{TODAY()}"})
    action = add_action(call, ONE, plan.pk, "12")
    assert action.status_code == 201 and action.data["status"] == PlanActionStatus.OPEN
    assert add_action(call, M, plan.pk, "12", days=-1).data["errors"]["target_on"]
    submitted = call(M, "post", f"{url}submit/")
    assert submitted.status_code == 200 and submitted.data["status"] == ActionPlanStatus.SUBMITTED
    move = f"/api/v1/plan-actions/{action.data['id']}/move/"
    verify = call(M, "post", move, {"to_status": "verified"})
    assert verify.status_code == 403 and "officer" in verify.data["detail"]
    assert call(Q, "post", move, {"to_status": "in_progress"}).status_code == 403
    assert call(OTHER_M, "post", move, {"to_status": "in_progress"}).status_code == 404
    assert call(M, "post", move, {"to_status": "in_progress"}).data["status"] == PlanActionStatus.IN_PROGRESS
    assert call(M, "post", move, {"to_status": "completed"}).data["errors"]["evidence"]
    done = call(M, "post", move, {"to_status": "completed", "evidence": "New rota; agency use down to 4%."})
    assert done.data["status"] == PlanActionStatus.COMPLETED
    verified = call(Q, "post", move, {"to_status": "verified", "note": "Rota checked."})
    assert verified.data["status"] == PlanActionStatus.VERIFIED and verified.data["verified_by"]
    assert [u["to_status"] for u in verified.data["updates"]] == [
        "open", "in_progress", "completed", "verified"]
    closed = call(JC, "get", url).data
    assert closed["status"] == ActionPlanStatus.CLOSED and closed["closed_on"]
    assert closed["actions_total"] == 1


# Report PDFs --------------------------------------------------------------------------------------

def test_anyone_who_reads_the_report_may_ask_for_its_pdf_and_download_it(scene, call, settings):
    body = {"visit": scene.published.pk}
    check(call, "post", "/api/v1/report-pdfs/", {OTHER_M: 404, ANONYMOUS: 401, NONE: 403}, body)
    response = call(JM, "post", "/api/v1/report-pdfs/", body)
    assert response.status_code == 202 and response.data["status"] == "queued"
    assert response.data["download"] is None and not response.data["is_draft"]
    job = ReportPdf.objects.get(pk=response.data["id"])
    assert call(JM, "get", f"/api/v1/report-pdfs/{job.pk}/download/").status_code == 404  # not made yet
    job.file.save("visit.pdf", ContentFile(b"%PDF-1.7 report"), save=False)
    ReportPdf.objects.filter(pk=job.pk).update(file=job.file.name, status="succeeded")
    status_ = call(JM, "get", f"/api/v1/report-pdfs/{job.pk}/").data
    assert status_["finished"] and status_["percent"] == 100 and status_["download"].endswith("/download/")
    download = call(JM, "get", status_["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == b"%PDF-1.7 report"
    assert call(OTHER_M, "get", f"/api/v1/report-pdfs/{job.pk}/download/").status_code == 404


# Lists: filters and query counts ------------------------------------------------------------------

def test_visits_filter_by_status_home_council_rating_and_date(scene, call):
    def ids(**params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return {row["id"] for row in call(ADMIN, "get", f"{V}?{query}").data["results"]}

    s = scene
    assert ids(status="published") == {s.published.pk, s.other.pk}
    assert ids(care_home=s.shared.care_home.cqc_location_id) == {s.shared.pk}
    assert ids(council=s.other.care_home.local_authority_id) == {s.other.pk}
    assert ids(rating="requires_improvement") == {s.published.pk}
    assert ids(rating="good") == {s.other.pk, s.shared.pk, s.draft.pk}  # indicative before publication
    assert ids(date_from=f"{TODAY()}", date_to=f"{TODAY()}") == {s.published.pk, s.draft.pk, s.shared.pk,
                                                                  s.other.pk}
    assert ids(date_to=f"{TODAY() - dt.timedelta(days=1)}") == set()
    assert call(ADMIN, "get", f"{V}?date_from=yesterday").status_code == 400


LISTS = ["/api/v1/visits/", "/api/v1/visit-comments/", "/api/v1/action-plans/", "/api/v1/plan-actions/",
         "/api/v1/report-pdfs/", "/api/v1/visit-frameworks/"]


def _one_more_of_everything(area, people, n):
    home = CareHomeFactory(provider=area.provider, local_authority=area.council,
                           nhs_commissioner=area.commissioner)
    visit = published(home, people, by_standard={"12": 1, "7": 2})
    ReportPdf.objects.create(visit=visit, visit_status=visit.status, requested_by=people.officer)
    for code in ("12", "7"):
        services.plan_action_add(plan=visit.action_plan, user=people.manager, description=f"Action {n}",
                                 standard=visit.framework_version.standards.get(code=code), owner="Manager",
                                 target_on=TODAY() + dt.timedelta(days=20))
    again = shared(CareHomeFactory(provider=area.provider, local_authority=area.council,
                                   nhs_commissioner=area.commissioner), people)
    services.comment_add(visit=again, user=people.manager, text="Comment", section="summary")


def test_list_endpoints_take_the_same_number_of_queries_however_many_rows(area, people, call):
    _one_more_of_everything(area, people, 1)
    few = {}
    for url in LISTS:
        call(ADMIN, "get", url)  # a first request loads the session and the user's memberships
        with CaptureQueriesContext(connection) as queries:
            assert call(ADMIN, "get", url).status_code == 200
        few[url] = len(queries)
    _one_more_of_everything(area, people, 2)
    _one_more_of_everything(area, people, 3)
    for url in LISTS:
        with CaptureQueriesContext(connection) as more:
            response = call(ADMIN, "get", url)
        assert response.data["count"] >= (1 if "frameworks" in url else 3), url
        assert len(more) == few[url], (url, [q["sql"] for q in more.captured_queries])


# The responses keep to the published schema -------------------------------------------------------

@pytest.fixture
def in_process_calls():
    """Calls into the WSGI app keep the test's transaction (as in tests/api/test_schema.py)."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def test_real_responses_keep_to_the_schema(scene, people, users, in_process_calls):
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from tests.api.test_schema import schema  # built from the URLs on import

    plan = scene.published.action_plan
    action = services.plan_action_add(plan=plan, user=people.manager, description="More night staff.",
                                      standard=plan.visit.framework_version.standards.get(code="12"),
                                      owner="Registered manager", target_on=TODAY())
    services.comment_respond(comment=scene.comment, user=people.officer, outcome="amended", reason="Seen.",
                             rating=Rating.GOOD, findings="The rota was displayed.")
    ReportPdf.objects.create(visit=scene.shared, visit_status=scene.shared.status)
    token = token_client(users[ADMIN])._credentials["HTTP_AUTHORIZATION"]
    for path, params in [
        ("/api/v1/visits/", {}), ("/api/v1/visits/{id}/", {"id": scene.shared.pk}),
        ("/api/v1/visits/{id}/report/", {"id": scene.published.pk}),
        ("/api/v1/visits/{id}/report/", {"id": scene.shared.pk}),
        ("/api/v1/visits/{id}/answers/", {"id": scene.shared.pk}),
        ("/api/v1/visit-comments/", {}), ("/api/v1/action-plans/{id}/", {"id": plan.pk}),
        ("/api/v1/action-plans/", {}), ("/api/v1/plan-actions/{id}/", {"id": action.pk}),
        ("/api/v1/plan-actions/", {}), ("/api/v1/report-pdfs/", {}),
        ("/api/v1/visit-frameworks/{id}/", {"id": scene.shared.framework_version_id}),
    ]:
        case = schema[path]["GET"].Case(path_parameters=params)
        response = case.call(headers={"Authorization": token})
        assert response.status_code == 200, (path, response.text[:300])
        case.validate_response(response, checks=[response_schema_conformance])
