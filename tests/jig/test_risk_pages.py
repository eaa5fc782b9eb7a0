"""The risk pages from the outside: the area table, its CSV, a home's page, the model and recomputes."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from commissioning.choices import JobStatus, Role
from jig.choices import Rag, RecomputeScope
from jig.models import RiskModel, RiskRating, RiskRecompute
from jig.risk import services
from tests.carehomes.factories import CareHomeFactory

pytestmark = pytest.mark.django_db

C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE = "manager_one_home", "no_role"
WHO = [C, Q, M, JC, JM, P, A, ONE, NONE]
MONTH = dt.date(2026, 3, 1)
BEFORE = dt.date(2026, 2, 1)


def component(code, label, value, band, weight, contribution, display=None):
    return {"code": code, "label": label, "value": value, "display": display or str(value),
            "band": band, "weight": str(weight), "contribution": str(contribution),
            "why": f"{label} is {band}."}


COMPONENTS = [
    component("callouts_rate", "Ambulance call-outs", 1.2, "amber", 15, "7.5", "1.2 × area rate"),
    component("admissions_rate", "Emergency admissions", 2.1, "red", 15, 15, "2.1 × area rate"),
    component("cqc_rating", "CQC rating", None, "none", 10, 0, "No data"),
]


def rate(home, month=MONTH, score="40", rag=Rag.AMBER, previous_rag="", previous_score=None,
         components=None, model=None) -> RiskRating:
    """A rating written as the engine writes one."""
    score = Decimal(score)
    previous = None if previous_score is None else Decimal(previous_score)
    return RiskRating.objects.create(
        care_home=home, month=month, model=model or services.risk_model_current(), score=score, rag=rag,
        components=COMPONENTS if components is None else components, previous_rag=previous_rag,
        previous_score=previous, score_change=None if previous is None else score - previous,
        computed_on=timezone.now())


@pytest.fixture
def ratings(area):
    """March: home red (up from amber), second home green, the other council's home amber."""
    rate(area.home, BEFORE, "30", Rag.AMBER)
    return {
        "home": rate(area.home, MONTH, "55", Rag.RED, previous_rag=Rag.AMBER, previous_score="30"),
        "second_home": rate(area.second_home, MONTH, "10", Rag.GREEN),
        "other_home": rate(area.other_home, MONTH, "30", Rag.AMBER),
    }


def draft_model(user=None) -> RiskModel:
    return services.risk_model_copy(model=services.risk_model_current(), user=user)


# --- Who may see what -----------------------------------------------------------------------

READERS = {C: 200, Q: 200, JC: 200, JM: 200, P: 200, A: 200}
REFUSED = {M: 403, ONE: 403, NONE: 403}
MATRIX = {
    "risk-list": {**READERS, **REFUSED},
    "risk-export": {C: 200, Q: 200, JC: 200, A: 200, JM: 403, P: 403, **REFUSED},
    "risk-home": {**READERS, **REFUSED},
    "risk-home-other": {C: 404, Q: 404, JC: 404, JM: 200, P: 200, A: 200, **REFUSED},
    "risk-models": {**READERS, **REFUSED},
    "risk-model": {**READERS, **REFUSED},
    "risk-model-edit": {C: 200, A: 200, Q: 403, JC: 403, JM: 403, P: 403, **REFUSED},
    "risk-model-publish": {C: 200, A: 200, Q: 403, JC: 403, JM: 403, P: 403, **REFUSED},
    "risk-recomputes": {**READERS, **REFUSED},
    "risk-recompute": {**READERS, **REFUSED},
    "risk-recompute-status": {**READERS, **REFUSED},
}


def target(area, page) -> str:
    if page == "risk-home":
        return reverse("jig:risk-home", args=[area.home.pk])
    if page == "risk-home-other":
        return reverse("jig:risk-home", args=[area.other_home.pk])
    if page == "risk-model":
        return reverse("jig:risk-model", args=[services.risk_model_current().pk])
    if page in ("risk-model-edit", "risk-model-publish"):
        return reverse(f"jig:{page}", args=[draft_model().pk])
    if page in ("risk-recompute", "risk-recompute-status"):
        job = services.recompute_create(scope=RecomputeScope.FULL, month=MONTH)
        return reverse(f"jig:{page}", args=[job.pk])
    return reverse(f"jig:{page}")


@pytest.mark.parametrize("page", list(MATRIX))
@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(area, ratings, client_for, page, who):
    response = client_for(area.users[who]).get(target(area, page))
    assert response.status_code == MATRIX[page][who]


@pytest.mark.parametrize("page", list(MATRIX))
def test_anonymous_requests_are_sent_to_sign_in(area, client, page):
    response = client.get(target(area, page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


@pytest.mark.parametrize("who", [Q, JC, JM, P])
def test_only_people_who_may_change_manage_the_model_and_recompute(area, client_for, who):
    client = client_for(area.users[who])
    current = services.risk_model_current()
    assert client.post(reverse("jig:risk-model-copy", args=[current.pk])).status_code == 403
    assert client.post(reverse("jig:risk-recomputes")).status_code == 403
    assert RiskModel.objects.count() == 2 and not RiskRecompute.objects.exists()


def test_risk_ratings_are_in_the_menu_of_people_who_read_risk_only(area, client_for):
    risk = reverse("jig:risk-list")
    assert ("Risk ratings", risk) in client_for(area.users[JM]).get("/").context["portal_nav"]
    assert ("Risk ratings", risk) not in client_for(area.users[M]).get("/").context["portal_nav"]


def test_the_care_home_page_links_to_its_risk_page_for_people_who_read_risk(area, client_for):
    page = reverse("carehomes:detail", args=[area.home.cqc_location_id])
    link = reverse("jig:risk-home", args=[area.home.pk])
    assert link in client_for(area.users[Q]).get(page).content.decode()
    assert link not in client_for(area.users[M]).get(page).content.decode()


# --- The area table -------------------------------------------------------------------------

def listed(response) -> list:
    assert response.status_code == 200
    return [row["rating"].care_home for row in response.context["rows"]]


def test_the_table_shows_the_latest_month_highest_score_first(area, ratings, client_for):
    response = client_for(area.users[A]).get(reverse("jig:risk-list"))
    assert response.context["month"] == MONTH
    assert listed(response) == [area.home, area.other_home, area.second_home]
    assert response.context["total"] == 3
    assert [c[2] for c in response.context["counts"]] == [1, 1, 1]  # red, amber, green
    page = response.content.decode()
    assert "<svg" in page and "Homes by RAG rating, March 2026" in page


def test_the_table_holds_only_the_homes_the_user_may_see(area, ratings, client_for):
    response = client_for(area.users[C]).get(reverse("jig:risk-list"))
    assert listed(response) == [area.home, area.second_home]
    assert area.other_home.name not in response.content.decode()


def test_a_home_that_moved_shows_an_arrow_with_words_for_screen_readers(area, ratings, client_for):
    page = client_for(area.users[C]).get(reverse("jig:risk-list")).content.decode()
    assert "▲" in page
    assert '<span class="nhsuk-u-visually-hidden">up from amber</span>' in page
    assert "+25" in page  # the change in score


def test_the_table_sorts_by_name_and_by_change(area, ratings, client_for):
    client = client_for(area.users[A])
    by_name = listed(client.get(reverse("jig:risk-list"), {"sort": "name"}))
    assert by_name == sorted(by_name, key=lambda h: (h.name, h.pk))
    by_change = listed(client.get(reverse("jig:risk-list"), {"sort": "-change"}))
    assert by_change[0] == area.home  # the only home with a change; the others' come last
    by_score = listed(client.get(reverse("jig:risk-list"), {"sort": "score"}))
    assert by_score == [area.second_home, area.other_home, area.home]


def test_the_table_filters_by_rag_council_type_and_name(area, ratings, client_for):
    client = client_for(area.users[A])
    red = client.get(reverse("jig:risk-list"), {"rag": "red"})
    assert listed(red) == [area.home]
    assert [c[2] for c in red.context["counts"]] == [1, 1, 1]  # the counts ignore the RAG filter
    assert listed(client.get(reverse("jig:risk-list"), {"council": area.other_council.pk})) == [
        area.other_home]
    kind = area.home.registration_type
    assert area.home in listed(client.get(reverse("jig:risk-list"), {"registration_type": kind}))
    assert listed(client.get(reverse("jig:risk-list"), {"q": area.second_home.name})) == [area.second_home]


def test_another_month_with_ratings_can_be_chosen(area, ratings, client_for):
    response = client_for(area.users[A]).get(reverse("jig:risk-list"), {"month": "2026-02"})
    assert response.context["month"] == BEFORE
    assert listed(response) == [area.home]


def test_a_month_without_ratings_is_explained(area, ratings, client_for):
    response = client_for(area.users[A]).get(reverse("jig:risk-list"), {"month": "2019-01"})
    assert response.status_code == 200
    assert "Choose a month from the list" in response.content.decode()
    assert response.context["month"] == MONTH  # the latest instead


def test_a_council_outside_the_users_area_cannot_be_chosen(area, ratings, client_for):
    response = client_for(area.users[C]).get(reverse("jig:risk-list"), {"council": area.other_council.pk})
    assert area.other_home not in listed(response)
    assert "Choose one from the list" in response.content.decode()


def test_with_no_ratings_the_page_says_so(area, client_for):
    response = client_for(area.users[C]).get(reverse("jig:risk-list"))
    assert response.status_code == 200
    assert "There are no risk ratings" in response.content.decode()


def test_the_table_runs_the_same_number_of_queries_for_3_or_20_homes(area, ratings, client_for):
    client = client_for(area.users[A])
    counts = []
    for extra in (0, 17):
        for _ in range(extra):
            rate(CareHomeFactory(provider=area.provider, local_authority=area.council), MONTH, "20",
                 Rag.GREEN, previous_rag=Rag.RED, previous_score="60")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("jig:risk-list"))
        assert len(response.context["rows"]) == 3 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- The CSV export -------------------------------------------------------------------------

def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_a_row_per_home_and_columns_per_component(area, ratings, client_for):
    rows = read_csv(client_for(area.users[C]).get(reverse("jig:risk-export")))
    assert [r["CQC location ID"] for r in rows] == [area.home.cqc_location_id,
                                                    area.second_home.cqc_location_id]
    first = rows[0]
    assert first["Month"] == "2026-03" and first["Score"] == "55.00" and first["RAG"] == "Red"
    assert first["Previous RAG"] == "Amber" and first["Change in score"] == "25.00"
    callouts = [k for k in first if k.endswith(": value") and first[k] == "1.2 × area rate"]
    assert len(callouts) == 1
    label = callouts[0].removesuffix(": value")
    assert first[f"{label}: band"] == "amber" and first[f"{label}: points"] == "7.5"


def test_the_export_keeps_the_tables_filters_and_month(area, ratings, client_for):
    client = client_for(area.users[A])
    assert [r["Care home"] for r in read_csv(client.get(reverse("jig:risk-export"), {"rag": "green"}))] == [
        area.second_home.name]
    assert [r["Month"] for r in read_csv(client.get(reverse("jig:risk-export"), {"month": "2026-02"}))] == [
        "2026-02"]


def test_the_export_stops_formulas_running_in_a_spreadsheet(area, client_for):
    home = CareHomeFactory(provider=area.provider, local_authority=area.council, name="=HYPERLINK(1)")
    rate(home)
    rows = read_csv(client_for(area.users[C]).get(reverse("jig:risk-export")))
    assert rows[0]["Care home"] == "'=HYPERLINK(1)"


# --- A home's page --------------------------------------------------------------------------

def test_a_homes_page_explains_its_rating_biggest_contribution_first(area, ratings, client_for):
    response = client_for(area.users[JM]).get(reverse("jig:risk-home", args=[area.home.pk]))
    assert response.status_code == 200
    assert response.context["rating"] == ratings["home"]
    assert [c["code"] for c in response.context["components"]] == [
        "admissions_rate", "callouts_rate", "cqc_rating"]
    page = response.content.decode()
    assert "Emergency admissions is red." in page and "2.1 × area rate" in page
    assert f"Version {ratings['home'].model.version}" in page
    assert "up from amber" in page
    assert "Risk score by month" in page  # the score history chart
    assert [row["rating"].month for row in response.context["previous"]] == [BEFORE]


def test_a_homes_page_draws_an_spc_chart_for_each_feed_series(area, ratings, client_for):
    from jig import series

    response = client_for(area.users[JM]).get(reverse("jig:risk-home", args=[area.home.pk]))
    assert [c["code"] for c in response.context["spc"]] == list(series.SERIES)
    assert response.context["spc_last"] == BEFORE  # the 24 months before the rating's month
    assert response.context["spc_first"] == dt.date(2024, 3, 1)
    page = response.content.decode()
    assert page.count('class="xmr-icon"') == len(series.SERIES)
    assert "Ambulance call-outs" in page


def test_a_home_without_a_rating_says_so(area, client_for):
    response = client_for(area.users[C]).get(reverse("jig:risk-home", args=[area.second_home.pk]))
    assert response.status_code == 200
    assert "has no risk rating yet" in response.content.decode()


def test_a_missing_home_is_not_found(area, client_for):
    assert client_for(area.users[A]).get(reverse("jig:risk-home", args=[999999])).status_code == 404


# --- The model ------------------------------------------------------------------------------

def test_the_model_page_lists_each_component_with_its_weight_and_thresholds(area, client_for):
    current = services.risk_model_current()
    response = client_for(area.users[JM]).get(reverse("jig:risk-model", args=[current.pk]))
    page = response.content.decode()
    for item in response.context["components"]:
        assert escape(item["label"]) in page and item["description"]
    assert "Copy to a new draft" not in page  # a JIG member reads only
    assert response.context["total_weight"] == 100


def test_a_commissioner_copies_edits_and_publishes_a_new_version(area, client_for):
    user = area.users[C]
    client = client_for(user)
    current = services.risk_model_current()

    response = client.post(reverse("jig:risk-model-copy", args=[current.pk]))
    draft = RiskModel.objects.get(version=current.version + 1)
    assert response.status_code == 302 and response["Location"] == reverse("jig:risk-model", args=[draft.pk])
    assert draft.is_draft and draft.created_by == user

    first, second = list(draft.components.all())[:2]
    form = client.get(reverse("jig:risk-model-edit", args=[draft.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({"amber_from": "20", "red_from": "45",
                 f"{first.code}-weight": str(first.weight + 3),
                 f"{second.code}-weight": str(second.weight - 3),
                 f"{first.code}-red_from": str(first.red_from + 1)})
    response = client.post(reverse("jig:risk-model-edit", args=[draft.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    first.refresh_from_db()
    assert (draft.amber_from, draft.red_from) == (20, 45)
    assert first.weight == list(current.components.all())[0].weight + 3
    assert draft.total_weight == 100

    detail = client.get(reverse("jig:risk-model", args=[draft.pk])).content.decode()
    assert "It is ready to publish." in detail

    response = client.post(reverse("jig:risk-model-publish", args=[draft.pk]),
                           {"notes": "More on call-outs."})
    assert response.status_code == 302
    draft.refresh_from_db()
    current.refresh_from_db()
    assert draft.is_current and not draft.is_draft and draft.notes == "More on call-outs."
    assert not current.is_current


def test_a_draft_whose_weights_do_not_add_up_is_not_published(area, client_for):
    client = client_for(area.users[C])
    draft = draft_model(area.users[C])
    first = draft.components.first()
    services.risk_component_update(component=first, user=None, weight=first.weight + 1,
                                   amber_from=first.amber_from, red_from=first.red_from)

    detail = client.get(reverse("jig:risk-model", args=[draft.pk])).content.decode()
    assert "they must add up to 100" in detail

    response = client.post(reverse("jig:risk-model-publish", args=[draft.pk]), {"notes": "Try."})
    assert response.status_code == 400
    assert "they must add up to 100" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_edit_errors_link_to_the_box_and_change_nothing(area, client_for):
    client = client_for(area.users[C])
    draft = draft_model()
    first = draft.components.first()
    form = client.get(reverse("jig:risk-model-edit", args=[draft.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({"amber_from": "60", f"{first.code}-weight": "lots"})
    response = client.post(reverse("jig:risk-model-edit", args=[draft.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The amber score must be below the red score" in page
    assert f'href="#id_{first.code}-weight"' in page
    draft.refresh_from_db()
    assert draft.amber_from == 25


def test_a_published_version_cannot_be_edited(area, client_for):
    current = services.risk_model_current()
    client = client_for(area.users[C])
    page = reverse("jig:risk-model", args=[current.pk])
    response = client.post(reverse("jig:risk-model-edit", args=[current.pk]), {"amber_from": "1"})
    assert response.status_code == 302 and response["Location"] == page
    assert "is published, so it cannot change" in client.get(page).content.decode()
    publish = client.post(reverse("jig:risk-model-publish", args=[current.pk]), {"notes": "Again"})
    assert publish.status_code == 302 and publish["Location"] == page
    current.refresh_from_db()
    assert current.amber_from == 25
    assert current.notes != "Again"


# --- Recomputes -----------------------------------------------------------------------------

def test_the_recompute_button_queues_a_job_for_every_home(area, client_for,
                                                          django_capture_on_commit_callbacks):
    client = client_for(area.users[C])
    assert "Recompute every home now" in client.get(reverse("jig:risk-recomputes")).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("jig:risk-recomputes"))
    job = RiskRecompute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jig:risk-recompute", args=[job.pk])
    assert job.scope == RecomputeScope.FULL and job.requested_by == area.users[C]
    assert len(callbacks) == 1  # the task, queued once the request's transaction commits
    detail = client.get(reverse("jig:risk-recompute", args=[job.pk])).content.decode()
    assert 'data-status-url="' + reverse("jig:risk-recompute-status", args=[job.pk]) in detail
    assert "job-status.js" in detail


def test_the_recompute_button_is_only_for_people_who_may_change(area, client_for):
    page = client_for(area.users[JM]).get(reverse("jig:risk-recomputes")).content.decode()
    assert "Recompute every home now" not in page


def test_a_failed_recompute_shows_its_error(area, client_for):
    job = services.recompute_create(scope=RecomputeScope.NIGHTLY, month=MONTH)
    RiskRecompute.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="The database went away")
    client = client_for(area.users[JM])
    page = client.get(reverse("jig:risk-recompute", args=[job.pk])).content.decode()
    assert "The recompute failed" in page and "The database went away" in page
    status = client.get(reverse("jig:risk-recompute-status", args=[job.pk])).json()
    assert status == {"status": "failed", "stage": "Waiting to start", "percent": 0, "finished": True}


def test_a_recompute_asked_for_on_the_page_runs_and_its_ratings_are_listed(
        area, client_for, django_capture_on_commit_callbacks):
    client = client_for(area.users[C])
    with django_capture_on_commit_callbacks(execute=True):  # tasks run in-process in tests
        client.post(reverse("jig:risk-recomputes"))
    job = RiskRecompute.objects.get()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert client.get(reverse("jig:risk-recompute-status", args=[job.pk])).json()["finished"]
    response = client.get(reverse("jig:risk-list"))
    assert response.context["month"] == job.month
    assert {row["rating"].care_home for row in response.context["rows"]} == {area.home, area.second_home}
