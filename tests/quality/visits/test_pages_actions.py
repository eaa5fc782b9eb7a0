"""Action plans from the pages, open actions across homes, the CSV exports, and list pages whose
number of queries does not grow with the number of rows."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quality.choices import ActionPlanStatus, PlanActionStatus
from quality.models import ActionPlan, PlanAction
from quality.visits import services
from tests.carehomes.factories import CareHomeFactory

from .pages import OTHER, C, M, Q, client_of, in_days, quick_visit, standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(area, people) -> ActionPlan:
    """Published Poor (standard 1) with standard 7 Poor too: two shortfalls, no actions yet."""
    return quick_visit(area.home, people, "published", score=1, poor=("7",)).action_plan


def add_action(plan, people, code="1", **fields) -> PlanAction:
    return services.plan_action_add(plan=plan, user=people.manager, standard=standard(plan.visit, code),
                                    description=fields.get("description", f"Put standard {code} right."),
                                    owner=fields.get("owner", "Deputy manager"),
                                    target_on=fields.get("target_on", in_days(30)))


def rows_of(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- Writing and submitting the plan -----------------------------------------------------------------

def test_the_provider_adds_an_action_for_a_shortfall(area, people, plan):
    manager = client_of(area, people, M)
    page = manager.get(reverse("visits:action-plan", args=[plan.pk]))
    content = page.content.decode()
    assert "1. Respecting and involving people who use services" in content
    assert "Standard 7" in content  # listed among what is still missing
    target = standard(plan.visit, "1")
    response = manager.post(reverse("visits:action-add", args=[plan.pk]), {
        "standard": target.pk, "description": "Review every care plan with the person.",
        "owner": "Deputy manager", "target_on": in_days(28).isoformat()})
    assert response.status_code == 302
    action = plan.actions.get()
    assert (action.standard, action.owner, action.target_on) == (target, "Deputy manager", in_days(28))


def test_an_action_needs_an_owner_and_a_date_not_in_the_past(area, people, plan):
    page = reverse("visits:action-add", args=[plan.pk])
    manager = client_of(area, people, M)
    missing = manager.post(page, {"standard": standard(plan.visit, "1").pk, "description": "Do it."})
    assert missing.status_code == 400
    assert "Enter who leads the action" in missing.content.decode()
    past = manager.post(page, {"standard": standard(plan.visit, "1").pk, "description": "Do it.",
                               "owner": "Manager", "target_on": in_days(-1).isoformat()})
    assert past.status_code == 400 and "The target date cannot be in the past." in past.content.decode()
    assert not plan.actions.exists()


def test_submission_is_refused_listing_each_shortfall_without_an_action(area, people, plan):
    add_action(plan, people, "1")
    response = client_of(area, people, M).post(reverse("visits:action-plan-submit", args=[plan.pk]))
    assert response.status_code == 400
    content = response.content.decode()
    assert "The action plan cannot be submitted yet" in content
    assert "Standard 7 (Cleanliness and infection control) is rated Poor and has no action." in content
    assert "Standard 1 (" not in content.split("cannot be submitted yet")[1].split("</ul>")[0]
    plan.refresh_from_db()
    assert plan.status == ActionPlanStatus.AWAITING


def test_the_provider_submits_then_moves_actions_and_the_officer_verifies(area, people, plan):
    first, second = add_action(plan, people, "1"), add_action(plan, people, "7")
    manager, officer = client_of(area, people, M), client_of(area, people, Q)
    assert manager.post(reverse("visits:action-plan-submit", args=[plan.pk])).status_code == 302
    page = manager.get(reverse("visits:action-plan", args=[plan.pk]))
    moves = {a.pk: [m["to"] for m in a.moves] for a in page.context["rows"][0]["actions"]}
    assert moves[first.pk] == [PlanActionStatus.IN_PROGRESS, PlanActionStatus.COMPLETED]
    officer_page = officer.get(reverse("visits:action-plan", args=[plan.pk]))
    officer_moves = {a.pk: a.moves for r in officer_page.context["rows"] for a in r["actions"]}
    assert officer_moves[first.pk] == []  # nothing for an officer to do until it is completed

    def move(client, action, to, **data):
        return client.post(reverse("visits:action-move", args=[plan.pk, action.pk, to]), data)

    assert move(manager, first, PlanActionStatus.IN_PROGRESS).status_code == 302
    no_evidence = move(manager, first, PlanActionStatus.COMPLETED, evidence="")
    assert no_evidence.status_code == 400
    move(manager, first, PlanActionStatus.COMPLETED, evidence="All plans reviewed; audit attached.",
         file=SimpleUploadedFile("audit.pdf", b"%PDF audit"))
    first.refresh_from_db()
    assert first.status == PlanActionStatus.COMPLETED and first.completion_file
    file_url = reverse("visits:action-file", args=[plan.pk, first.pk])
    assert b"".join(officer.get(file_url).streaming_content) == b"%PDF audit"
    assert client_of(area, people, OTHER).get(file_url).status_code == 404
    # An officer reopens with a reason; a manager cannot verify.
    assert move(officer, first, PlanActionStatus.REOPENED, note="").status_code == 400
    move(officer, first, PlanActionStatus.REOPENED, note="The audit covers only one floor.")
    assert PlanAction.objects.get(pk=first.pk).status == PlanActionStatus.REOPENED
    move(manager, first, PlanActionStatus.COMPLETED, evidence="Both floors audited.")
    refused = move(manager, first, PlanActionStatus.VERIFIED)
    assert refused.status_code == 403
    move(officer, first, PlanActionStatus.VERIFIED)
    move(manager, second, PlanActionStatus.COMPLETED, evidence="Deep clean done.")
    move(officer, second, PlanActionStatus.VERIFIED)
    plan.refresh_from_db()
    assert plan.status == ActionPlanStatus.CLOSED
    history = manager.get(reverse("visits:action-plan", args=[plan.pk])).content.decode()
    assert "The audit covers only one floor." in history


def test_a_submitted_action_changes_only_with_a_reason(area, people, plan):
    action = add_action(plan, people, "1")
    add_action(plan, people, "7")
    services.action_plan_submit(plan=plan, user=people.manager)
    page = reverse("visits:action-edit", args=[plan.pk, action.pk])
    manager = client_of(area, people, M)
    data = {"description": action.description, "owner": "Registered manager",
            "target_on": in_days(40).isoformat()}
    assert manager.post(page, data).status_code == 400
    manager.post(page, {**data, "reason": "The deputy left."})
    action.refresh_from_db()
    assert action.owner == "Registered manager" and action.target_on == in_days(40)


def test_actions_are_removed_only_before_submission(area, people, plan):
    action = add_action(plan, people, "1")
    client_of(area, people, M).post(reverse("visits:action-remove", args=[plan.pk, action.pk]))
    assert not plan.actions.exists()


# --- Across homes --------------------------------------------------------------------------------------

def test_open_actions_across_homes_overdue_first(area, people, plan):
    late, soon = add_action(plan, people, "1", target_on=in_days(3)), add_action(plan, people, "7")
    services.action_plan_submit(plan=plan, user=people.manager)
    PlanAction.objects.filter(pk=late.pk).update(overdue_since=timezone.localdate())
    page = client_of(area, people, C).get(reverse("visits:open-actions"))
    assert [a.pk for a in page.context["actions"]] == [late.pk, soon.pk]
    overdue_only = client_of(area, people, C).get(reverse("visits:open-actions") + "?overdue=on")
    assert [a.pk for a in overdue_only.context["actions"]] == [late.pk]


def test_the_actions_export_has_a_row_per_action(area, people, plan):
    late = add_action(plan, people, "1", target_on=in_days(1), owner="=HYPERLINK(x)")
    add_action(plan, people, "7")
    services.action_plan_submit(plan=plan, user=people.manager)
    PlanAction.objects.filter(pk=late.pk).update(target_on=in_days(-2))
    response = client_of(area, people, C).get(reverse("visits:actions-export"))
    assert response["Content-Disposition"].startswith('attachment; filename="visit-actions-')
    rows = rows_of(response)
    assert [(r["Standard"], r["Overdue"]) for r in rows] == [("1", "Yes"), ("7", "No")]
    first = rows[0]
    assert first["Care home"] == area.home.name and first["Status"] == "Open"
    assert first["Owner"] == "'=HYPERLINK(x)"  # not run as a formula
    assert first["Target date"] == in_days(-2).isoformat() and first["Plan status"] == "Submitted"
    assert rows_of(client_of(area, people, OTHER).get(reverse("visits:actions-export"))) == []


def test_the_ratings_export_has_a_row_per_published_visit(area, people):
    published = quick_visit(area.home, people, "published", score=1, poor=("7",))
    quick_visit(area.second_home, people, "shared")  # not published: not exported
    response = client_of(area, people, C).get(reverse("visits:ratings-export"))
    rows = rows_of(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["Visit"] == str(published.pk) and row["CQC location ID"] == area.home.cqc_location_id
    assert row["Overall rating"] == "Poor" and row["Published"] == timezone.localdate().isoformat()
    assert row["Standard 1: Respecting and involving people who use services"] == "Poor"
    assert row["Standard 7: Cleanliness and infection control"] == "Poor"
    assert row["Standard 2: Consent to care and treatment"] == ""  # not rated
    assert row["Medicines management rating"] == ""  # residential: no medicines module
    # The provider's staff export their own homes' published visits; another provider none.
    assert len(rows_of(client_of(area, people, M).get(reverse("visits:ratings-export")))) == 1
    assert rows_of(client_of(area, people, OTHER).get(reverse("visits:ratings-export"))) == []


# --- Queries do not grow with rows -----------------------------------------------------------------------

def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def more_homes(area, n):
    return [CareHomeFactory(provider=area.provider, local_authority=area.council,
                            nhs_commissioner=area.commissioner) for _ in range(n)]


def test_the_visit_list_runs_the_same_queries_for_one_visit_or_many(area, people):
    quick_visit(area.home, people, "shared")
    officer, manager = client_of(area, people, C), client_of(area, people, M)
    url = reverse("visits:visit-list")
    one, one_for_manager = queries(officer, url), queries(manager, url)
    for home in more_homes(area, 4):
        quick_visit(home, people, "shared")
    assert queries(officer, url) == one
    assert queries(manager, url) == one_for_manager
    assert len(manager.get(url).context["visits"]) == 5


def test_the_planning_list_runs_the_same_queries_for_few_homes_or_many(area, people):
    client = client_of(area, people, Q)
    before = queries(client, reverse("visits:planning"))
    more_homes(area, 6)
    assert queries(client, reverse("visits:planning")) == before


def test_open_actions_run_the_same_queries_for_few_actions_or_many(area, people, plan):
    add_action(plan, people, "1")
    add_action(plan, people, "7")
    services.action_plan_submit(plan=plan, user=people.manager)
    client = client_of(area, people, C)
    before = queries(client, reverse("visits:open-actions"))
    for home in more_homes(area, 3):
        other = quick_visit(home, people, "published", score=1).action_plan
        add_action(other, people, "1")
        services.action_plan_submit(plan=other, user=people.manager)
    assert queries(client, reverse("visits:open-actions")) == before
    assert len(client.get(reverse("visits:open-actions")).context["actions"]) == 5


def test_the_action_plans_list_runs_the_same_queries_for_few_or_many(area, people, plan):
    client = client_of(area, people, M)
    before = queries(client, reverse("visits:action-plans"))
    for home in more_homes(area, 3):
        quick_visit(home, people, "published", score=1)
    assert queries(client, reverse("visits:action-plans")) == before
