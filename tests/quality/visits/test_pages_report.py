"""The report from the pages: sharing, the provider's comments within the 14-day window (and the
refusal after it), officers' responses, disputes, senior review, publication and the PDF."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from commissioning.choices import JobStatus
from quality.choices import CommentOutcome, Rating, SeniorReviewDecision, VisitStatus
from quality.models import FactualAccuracyComment, ReportPdf, Visit, VisitOfficer
from quality.visits import services

from .pages import (
    SQ,
    C,
    M,
    Q,
    client_of,
    comment_on,
    disputed_visit,
    evidence_file,
    in_days,
    quick_visit,
    standard,
)

pytestmark = pytest.mark.django_db


def report(client, visit):
    return client.get(reverse("visits:report", args=[visit.pk]))


def test_the_draft_report_shows_indicative_ratings_and_can_be_shared(area, people):
    visit = quick_visit(area.home, people, "draft_report", score=2)
    officer = client_of(area, people, Q)
    page = report(officer, visit)
    content = page.content.decode()
    assert page.status_code == 200
    assert "Draft: OFFICIAL-SENSITIVE" in content and "Share the draft with the provider" in content
    assert page.context["overall"]["rating"] == Rating.REQUIRES_IMPROVEMENT
    close_on = timezone.localdate() + dt.timedelta(days=14)
    assert f"{close_on:%A} {close_on.day} {close_on:%B %Y}" in content
    officer.post(reverse("visits:report-share", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SHARED and visit.comments_close_on == close_on
    provider_page = report(client_of(area, people, M), visit).content.decode()
    assert f"14 days: comments close on {close_on:%A} {close_on.day} {close_on:%B %Y}." in provider_page
    assert "Requires improvement" in provider_page


def test_the_provider_comments_on_a_standard_with_evidence(area, people):
    visit = quick_visit(area.home, people, "shared")
    manager = client_of(area, people, M)
    target = standard(visit, "1")
    form = manager.get(reverse("visits:comment-add", args=[visit.pk]) + f"?standard={target.pk}")
    assert form.context["form"]["about"].value() == f"standard-{target.pk}"
    response = manager.post(reverse("visits:comment-add", args=[visit.pk]), {
        "about": f"standard-{target.pk}", "text": "The new care plans were in place.",
        "files": [evidence_file("plans.pdf"), evidence_file("audit.pdf")]})
    assert response.status_code == 302
    comment = FactualAccuracyComment.objects.get(visit=visit)
    assert comment.standard == target and comment.made_by == people.manager
    assert sorted(e.original_name for e in comment.evidence.all()) == ["audit.pdf", "plans.pdf"]
    # The officers see it, with its evidence, under the standard.
    page = report(client_of(area, people, Q), visit).content.decode()
    assert "The new care plans were in place." in page and "plans.pdf" in page
    evidence = comment.evidence.order_by("original_name").first()
    evidence_url = reverse("visits:comment-evidence", args=[visit.pk, evidence.pk])
    download = client_of(area, people, Q).get(evidence_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    assert download["Content-Disposition"].startswith("attachment")


def test_a_comment_on_a_section_of_the_report(area, people):
    visit = quick_visit(area.home, people, "shared")
    client_of(area, people, M).post(reverse("visits:comment-add", args=[visit.pk]), {
        "about": "summary", "text": "The summary leaves out the new manager."})
    comment = FactualAccuracyComment.objects.get(visit=visit)
    assert comment.section == "summary" and comment.standard is None


def test_a_file_of_the_wrong_kind_is_refused(area, people):
    visit = quick_visit(area.home, people, "shared")
    response = client_of(area, people, M).post(reverse("visits:comment-add", args=[visit.pk]), {
        "about": "other", "text": "See the script.", "files": [evidence_file("run.exe", b"MZ")]})
    assert response.status_code == 400
    assert "File extension “exe” is not allowed." in response.content.decode()
    assert not FactualAccuracyComment.objects.filter(visit=visit).exists()


def test_after_the_window_comments_are_refused_with_the_date(area, people):
    visit = quick_visit(area.home, people, "shared")
    # Shared 15 days ago: the last day for comments was yesterday (UK dates; the services' tests
    # cover the hour after midnight).
    close_on = in_days(-1)
    Visit.objects.filter(pk=visit.pk).update(shared_on=in_days(-15), comments_close_on=close_on)
    manager = client_of(area, people, M)
    page = reverse("visits:comment-add", args=[visit.pk])
    shown = manager.get(page)
    refused = manager.post(page, {"about": "other", "text": "Too late?"})
    report_page = report(manager, visit).content.decode()
    ended = f"The time for comments ended on {close_on.day} {close_on:%B %Y}."
    assert shown.status_code == 200 and ended in shown.content.decode()
    assert 'name="text"' not in shown.content.decode()  # no form to fill in
    assert refused.status_code == 400
    assert (f"{ended} Ask the visiting officer to reopen it if you need to comment."
            in refused.content.decode().replace("&#x27;", "'"))
    assert not FactualAccuracyComment.objects.filter(visit=visit).exists()
    assert ended in report_page and "Comment on the report" not in report_page


def test_an_officer_reopens_the_window_for_a_late_comment(area, people):
    visit = quick_visit(area.home, people, "shared")
    Visit.objects.filter(pk=visit.pk).update(shared_on=in_days(-20), comments_close_on=in_days(-6))
    officer = client_of(area, people, Q)
    page = reverse("visits:window-reopen", args=[visit.pk])
    assert officer.post(page, {"close_on": in_days(-1).isoformat(), "reason": "Late"}).status_code == 400
    officer.post(page, {"close_on": in_days(7).isoformat(), "reason": "The manager was on leave."})
    assert Visit.objects.get(pk=visit.pk).comments_close_on == in_days(7)
    response = client_of(area, people, M).post(reverse("visits:comment-add", args=[visit.pk]),
                                                {"about": "other", "text": "Now in time."})
    assert response.status_code == 302


def test_the_officer_responds_and_amends_the_rating(area, people):
    visit = quick_visit(area.home, people, "shared", score=2)
    comment = comment_on(visit, people)
    officer = client_of(area, people, Q)
    page = reverse("visits:comment-respond", args=[visit.pk, comment.pk])
    form = officer.get(page)
    assert "The rating missed the new care plans." in form.content.decode()
    nothing_changed = officer.post(page, {"outcome": CommentOutcome.AMENDED, "reason": "Seen the plans."})
    assert nothing_changed.status_code == 400
    assert "Say what was amended" in nothing_changed.content.decode()
    officer.post(page, {"outcome": CommentOutcome.AMENDED, "reason": "Seen the plans.",
                        "rating": Rating.GOOD})
    row = visit.standard_ratings.get(standard=standard(visit, "1"))
    assert row.rating == Rating.GOOD and row.is_amended
    assert row.indicative_rating == Rating.REQUIRES_IMPROVEMENT
    shown = report(client_of(area, people, M), visit).content.decode()
    assert "Accepted in part: report amended" in shown and "Seen the plans." in shown
    assert "Amended" in shown
    # One response per comment: the page shows it instead of the form.
    assert b'name="outcome"' not in officer.get(page).content


def test_the_provider_disputes_and_a_senior_officer_reviews(area, people):
    visit, comment = disputed_visit(area.home, people)
    officer = client_of(area, people, Q)
    publish_page = officer.get(reverse("visits:publish", args=[visit.pk])).content.decode()
    assert "A disputed response must go to a senior officer&#x27;s review first." in publish_page
    officer.post(reverse("visits:escalate", args=[visit.pk]), {"reason": "Standard 1 is disputed."})
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.SENIOR_REVIEW
    senior = client_of(area, people, SQ)
    page = reverse("visits:senior-review", args=[visit.pk])
    form = senior.get(page)
    assert "They were, on the computer." in form.content.decode()
    target = standard(visit, "1")
    senior.post(page, {"decision": SeniorReviewDecision.AMENDED, "notes": "The plans were on the system.",
                       f"rating-{target.pk}": Rating.GOOD})
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SHARED
    assert visit.standard_ratings.get(standard=target).rating == Rating.GOOD
    assert FactualAccuracyComment.objects.get(pk=comment.pk).resolved_by_review is not None


def test_a_senior_officer_on_the_visit_cannot_review_it(area, people):
    visit, _ = disputed_visit(area.home, people)
    services.report_escalate(visit=visit, user=people.officer, reason="Disputed.")
    # Officers are fixed once the report is drafted, so the senior joins the visit directly.
    VisitOfficer.objects.create(visit=visit, user=people.senior, organisation=area.council)
    page = client_of(area, people, SQ).get(reverse("visits:senior-review", args=[visit.pk]))
    assert page.status_code == 200
    assert "You were on this visit" in page.content.decode() and b'name="decision"' not in page.content


def test_publication_is_refused_with_the_problems_then_allowed(area, people):
    visit = quick_visit(area.home, people, "shared", score=1)
    officer = client_of(area, people, Q)
    page = reverse("visits:publish", args=[visit.pk])
    refused = officer.post(page)
    assert refused.status_code == 400
    assert "has not said it has no further comments" in refused.content.decode()
    client_of(area, people, M).post(reverse("visits:provider-accept", args=[visit.pk]))
    published = officer.post(page)
    assert published.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PUBLISHED and visit.published_rating == Rating.POOR
    assert visit.action_plan.due_on == timezone.localdate() + dt.timedelta(days=14)


def test_the_pdf_is_asked_for_watched_and_downloaded(area, people):
    visit = quick_visit(area.home, people, "shared")
    manager = client_of(area, people, M)
    # The task is queued once the request commits, which a test's transaction never does: the job
    # stays queued until the test finishes it by hand.
    response = manager.post(reverse("visits:report-pdf-request", args=[visit.pk]))
    job = ReportPdf.objects.get(visit=visit)
    assert job.requested_by == people.manager and job.visit_status == VisitStatus.SHARED
    assert response.url == reverse("visits:report-pdf", args=[visit.pk, job.pk])
    status = manager.get(reverse("visits:report-pdf-status", args=[visit.pk, job.pk])).json()
    assert status == {"status": "queued", "stage": "", "percent": 0, "finished": False}
    page = manager.get(response.url).content.decode()
    assert "This page updates by itself" in page and "Download the PDF" not in page
    not_ready = manager.get(reverse("visits:report-pdf-download", args=[visit.pk, job.pk]))
    assert not_ready.status_code == 404
    job.file.save("report.pdf", ContentFile(b"%PDF-1.7 report"), save=False)
    ReportPdf.objects.filter(pk=job.pk).update(file=job.file.name, status=JobStatus.SUCCEEDED, stage="Done")
    assert "Download the PDF" in manager.get(response.url).content.decode()
    download = manager.get(reverse("visits:report-pdf-download", args=[visit.pk, job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7 report"
    assert "(draft).pdf" in download["Content-Disposition"]


def test_a_provider_cannot_reach_another_providers_report_or_files(area, people):
    other_visit = quick_visit(area.second_home, people, "shared")
    comment = comment_on(other_visit, people, files=[evidence_file()])
    one_home = client_of(area, people, "manager_one_home")  # manages area.home only
    assert report(one_home, other_visit).status_code == 404
    evidence = comment.evidence.get()
    evidence_url = reverse("visits:comment-evidence", args=[other_visit.pk, evidence.pk])
    assert one_home.get(evidence_url).status_code == 404
    # Another visit's file through this visit's address: not found either.
    own = quick_visit(area.home, people, "shared")
    assert client_of(area, people, M).get(
        reverse("visits:comment-evidence", args=[own.pk, evidence.pk])).status_code == 404


def test_the_commissioner_sees_the_comment_count_on_the_visit_page(area, people):
    visit = quick_visit(area.home, people, "shared")
    comment_on(visit, people)
    page = client_of(area, people, C).get(reverse("visits:visit-detail", args=[visit.pk]))
    assert page.context["comments_waiting"] == 1
    assert "1 comment needs a response." in page.content.decode()


def test_the_provider_adds_evidence_later_and_says_it_has_no_further_comments(area, people):
    visit = quick_visit(area.home, people, "shared")
    comment = comment_on(visit, people)
    manager = client_of(area, people, M)
    manager.post(reverse("visits:comment-evidence-add", args=[visit.pk, comment.pk]),
                 {"file": evidence_file("rota.pdf")})
    assert [e.original_name for e in comment.evidence.all()] == ["rota.pdf"]
    assert "We have no further comments" in report(manager, visit).content.decode()
    manager.post(reverse("visits:provider-accept", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.provider_accepted_on is not None
    assert "We have no further comments" not in report(manager, visit).content.decode()
