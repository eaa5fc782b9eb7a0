"""Who may open each visit page: every role against every page (the matrix), and a provider
never reaching an unshared draft, another provider's report, its evidence files or its PDF."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from commissioning.choices import JobStatus
from quality.choices import FrameworkStatus, PlanActionStatus
from quality.models import ReportPdf
from quality.visits import services

from .pages import (
    EXPORTERS,
    JC,
    JM,
    OFFICERS,
    OTHER,
    PROVIDERS,
    SQ,
    VIEWERS,
    A,
    C,
    M,
    P,
    client_of,
    comment_on,
    disputed_visit,
    evidence_file,
    expected,
    in_days,
    quick_visit,
    standard,
    statuses,
)

pytestmark = pytest.mark.django_db
PUBLIC = VIEWERS - {OTHER}  # every viewer of provider A's home sees its published report
OUTSIDERS = VIEWERS - OFFICERS - PROVIDERS  # see provider A's home, never its unpublished reports


def url(name, *args):
    return reverse(f"visits:{name}", args=args)


# --- Pages that list or need no visit ---------------------------------------------------------

@pytest.mark.parametrize(("name", "ok"), [
    ("visit-list", VIEWERS),
    ("planning", OFFICERS),
    ("action-plans", VIEWERS),
    ("open-actions", OFFICERS),
    ("ratings-export", EXPORTERS),
    ("actions-export", EXPORTERS),
    ("framework-list", VIEWERS),
])
def test_who_can_open_each_list_page(area, people, name, ok):
    assert statuses(area, people, url(name)) == expected(ok=ok)


def test_who_can_plan_a_visit_to_a_home(area, people):
    page = url("visit-schedule", area.home.cqc_location_id)
    assert statuses(area, people, page) == expected(ok=OFFICERS)
    other = url("visit-schedule", area.other_home.cqc_location_id)
    assert statuses(area, people, other) == expected(ok={A}, hidden=OFFICERS - {A})


# --- A visit at each step ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["visit-detail", "visit-reschedule", "visit-officers", "visit-cancel"])
def test_a_planned_visit_is_the_officers_alone(area, people, name):
    visit = quick_visit(area.home, people, "planned")
    hidden = VIEWERS - OFFICERS if name == "visit-detail" else set()
    assert statuses(area, people, url(name, visit.pk)) == expected(ok=OFFICERS, hidden=hidden)


@pytest.mark.parametrize("name", ["assessment", "visit-finish", "visit-detail", "report"])
def test_a_visit_in_progress_is_the_officers_alone(area, people, name):
    visit = quick_visit(area.home, people, "in_progress")
    hidden = VIEWERS - OFFICERS if name in ("visit-detail", "report") else set()
    assert statuses(area, people, url(name, visit.pk)) == expected(ok=OFFICERS, hidden=hidden)


def test_a_draft_report_is_hidden_from_the_provider_until_shared(area, people):
    visit = quick_visit(area.home, people, "draft_report")
    for name in ("visit-detail", "report"):
        assert statuses(area, people, url(name, visit.pk)) == expected(ok=OFFICERS, hidden=VIEWERS - OFFICERS)
    shared = services.report_share(visit=visit, user=people.officer)
    for name in ("visit-detail", "report"):
        assert statuses(area, people, url(name, shared.pk)) == expected(
            ok=OFFICERS | PROVIDERS, hidden=VIEWERS - OFFICERS - PROVIDERS)


def test_the_shared_reports_pages_per_role(area, people):
    visit = quick_visit(area.home, people, "shared")
    comment = comment_on(visit, people)
    not_theirs = VIEWERS - OFFICERS - PROVIDERS
    assert statuses(area, people, url("comment-add", visit.pk)) == expected(ok=PROVIDERS, hidden={OTHER})
    assert statuses(area, people, url("comment-evidence-add", visit.pk, comment.pk)) == expected(
        ok=PROVIDERS, hidden={OTHER})
    assert statuses(area, people, url("comment-respond", visit.pk, comment.pk)) == expected(ok=OFFICERS)
    for name in ("window-reopen", "escalate", "publish"):
        assert statuses(area, people, url(name, visit.pk)) == expected(ok=OFFICERS), name
    assert statuses(area, people, url("report", visit.pk)) == expected(ok=OFFICERS | PROVIDERS,
                                                                       hidden=not_theirs)
    services.comment_respond(comment=comment, user=people.officer, outcome="not_accepted", reason="Not seen.")
    assert statuses(area, people, url("comment-dispute", visit.pk, comment.pk)) == expected(
        ok=PROVIDERS, hidden={OTHER})


def test_only_a_senior_officer_who_was_not_on_the_visit_reviews_it(area, people):
    visit, _ = disputed_visit(area.home, people)
    services.report_escalate(visit=visit, user=people.officer, reason="The provider disputes standard 1.")
    assert statuses(area, people, url("senior-review", visit.pk)) == expected(ok={SQ, A})


def test_a_published_report_is_read_by_everyone_who_sees_the_home(area, people):
    visit = quick_visit(area.home, people, "published", score=1)
    for name in ("visit-detail", "report"):
        assert statuses(area, people, url(name, visit.pk)) == expected(ok=PUBLIC, hidden={OTHER}), name
    plan = visit.action_plan
    assert statuses(area, people, url("action-plan", plan.pk)) == expected(ok=PUBLIC, hidden={OTHER})
    assert statuses(area, people, url("action-add", plan.pk)) == expected(ok=PROVIDERS, hidden={OTHER})


def test_who_may_move_an_action(area, people):
    visit = quick_visit(area.home, people, "published", score=1)
    plan = visit.action_plan
    action = services.plan_action_add(plan=plan, user=people.manager, standard=standard(visit, "1"),
                                      description="Review every care plan.", owner="Deputy manager",
                                      target_on=in_days(30))
    services.action_plan_submit(plan=plan, user=people.manager)
    # Everyone who may see the plan reaches the page; it says so when the move is not theirs.
    complete = url("action-move", plan.pk, action.pk, PlanActionStatus.COMPLETED)
    assert statuses(area, people, complete) == expected(ok=PROVIDERS, ok_code=200, hidden={OTHER}) | {
        who: 302 for who in PUBLIC - PROVIDERS}
    assert statuses(area, people, url("action-edit", plan.pk, action.pk)) == expected(ok=PROVIDERS,
                                                                                      hidden={OTHER})


# --- Files: evidence and PDFs --------------------------------------------------------------------

def test_evidence_files_are_for_the_officers_and_the_provider_only(area, people):
    visit = quick_visit(area.home, people, "shared")
    comment = comment_on(visit, people, files=[evidence_file()])
    evidence = comment.evidence.get()
    page = url("comment-evidence", visit.pk, evidence.pk)
    assert statuses(area, people, page) == expected(ok=OFFICERS | PROVIDERS, hidden=OUTSIDERS)
    services.report_provider_accept(visit=visit, user=people.manager)
    services.comment_respond(comment=comment, user=people.officer, outcome="accepted", reason="Seen.")
    services.report_publish(visit=visit, user=people.officer)
    # Published: the chair, JIG members and partners read the report, not the provider's files.
    assert statuses(area, people, page) == expected(ok=OFFICERS | PROVIDERS, hidden=OUTSIDERS)
    assert statuses(area, people, url("report", visit.pk))[JC] == 200


def pdf_of(visit, user, *, done=True) -> ReportPdf:
    job = services.report_pdf_request(visit=visit, user=user)
    if done:
        job.file.save(f"visit-{visit.pk}.pdf", ContentFile(b"%PDF-1.7 the report"), save=False)
        ReportPdf.objects.filter(pk=job.pk).update(file=job.file.name, status=JobStatus.SUCCEEDED,
                                                  stage="Done")
    return job


def test_a_providers_pdf_is_its_own_and_only_once_shared(area, people):
    draft = quick_visit(area.home, people, "draft_report")
    early = pdf_of(draft, people.officer)
    for name in ("report-pdf", "report-pdf-status", "report-pdf-download"):
        assert statuses(area, people, url(name, draft.pk, early.pk)) == expected(
            ok=OFFICERS, hidden=VIEWERS - OFFICERS), name
    shared = services.report_share(visit=draft, user=people.officer)
    job = pdf_of(shared, people.manager)
    for name in ("report-pdf", "report-pdf-status", "report-pdf-download"):
        assert statuses(area, people, url(name, shared.pk, job.pk)) == expected(
            ok=OFFICERS | PROVIDERS, hidden=VIEWERS - OFFICERS - PROVIDERS), name
    # The PDF made of the draft before it was shared stays the officers'.
    assert statuses(area, people, url("report-pdf", shared.pk, early.pk))[M] == 404


# --- The framework --------------------------------------------------------------------------------

def test_framework_pages_per_role(area, people):
    current = services.framework_current()
    assert statuses(area, people, url("framework-detail", current.pk)) == expected(ok=VIEWERS)
    draft = services.framework_copy(source=current, user=area.users[C])
    assert draft.status == FrameworkStatus.DRAFT
    for name in ("framework-edit", "framework-publish", "framework-domain-add"):
        assert statuses(area, people, url(name, draft.pk)) == expected(ok={C, A}), name
    domain = draft.domains.first()
    assert statuses(area, people, url("framework-domain", draft.pk, domain.pk)) == expected(ok={C, A})
    assert statuses(area, people, url("framework-standard-add", draft.pk, domain.pk)) == expected(ok={C, A})


def test_the_care_home_page_shows_visits_to_those_who_may_see_them(area, people):
    quick_visit(area.home, people, "draft_report")
    home_page = reverse("carehomes:detail", args=[area.home.cqc_location_id])
    officer_page = client_of(area, people, C).get(home_page)
    assert officer_page.status_code == 200 and b"Draft report" in officer_page.content
    manager_page = client_of(area, people, M).get(home_page)
    assert b"Quality monitoring visits" in manager_page.content
    assert b"Draft report" not in manager_page.content  # not shared yet
    assert b"Plan a visit to this home" not in manager_page.content
    for who in (JM, P):
        assert b"Draft report" not in client_of(area, people, who).get(home_page).content
