"""The report as a PDF, made the real way (the request service, the task, WeasyPrint) and read
back with pypdf: the cover, ratings, findings, the action plan and the marking on every page."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from commissioning.choices import JobStatus
from commissioning.pdf import OFFICIAL, OFFICIAL_SENSITIVE
from quality.choices import CommentOutcome, PersonSpokenToRole, Rating
from quality.visits import services

from .factories import drafted_visit, in_progress_visit, score_visit

pytestmark = pytest.mark.django_db

STAFFING_FINDINGS = "Night shifts ran two carers short on four nights in the last month."


def pdf_text(visit, user, django_capture_on_commit_callbacks) -> list[str]:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_pdf_request(visit=visit, user=user)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    with job.file.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture
def published_ri(area, people):
    """Requires improvement: staffing (a key standard) Poor, with findings, comments, a plan."""
    visit = in_progress_visit(area.home, people)
    score_visit(visit, people.officer, default=3, by_standard={"12": 1, "4": 4})
    staffing = visit.framework_version.standards.get(code="12")
    services.findings_save(visit=visit, standard=staffing, user=people.officer, findings=STAFFING_FINDINGS)
    services.observation_add(visit=visit, user=people.officer, text="Call bells answered within two minutes.")
    services.person_spoken_to_add(visit=visit, user=people.officer, role=PersonSpokenToRole.RESIDENT, count=5)
    visit = services.visit_draft_report(visit=visit, user=people.officer, duration_hours="6.5",
                                        summary="A warm home let down by night staffing.")
    visit = services.report_share(visit=visit, user=people.officer)
    comment = services.comment_add(visit=visit, user=people.manager, standard=staffing,
                                   text="Two of those nights were covered by agency staff.")
    services.comment_respond(comment=comment, user=people.officer, outcome=CommentOutcome.NOT_ACCEPTED,
                             reason="The rota shows the shifts were not covered.")
    services.report_provider_accept(visit=visit, user=people.manager)
    visit = services.report_publish(visit=visit, user=people.officer)
    services.plan_action_add(plan=visit.action_plan, user=people.manager, standard=staffing,
                             description="Recruit three permanent night carers.", owner="Registered manager",
                             target_on=timezone.localdate() + dt.timedelta(days=60))
    return visit


def test_a_published_report_renders_to_an_a4_pdf_with_its_ratings_findings_and_plan(
        published_ri, people, django_capture_on_commit_callbacks):
    pages = pdf_text(published_ri, people.jig_member, django_capture_on_commit_callbacks)
    text = " ".join(pages)
    assert published_ri.published_rating == Rating.REQUIRES_IMPROVEMENT
    assert published_ri.care_home.name in pages[0]
    assert "Overall rating Requires improvement" in pages[0]
    assert published_ri.care_home.provider.name in pages[0]
    assert re.search(r"12 Staffing key standard [\d.]+ Poor", text)  # the ratings table
    assert "12. Staffing: Poor" in text and STAFFING_FINDINGS in text  # findings by standard
    assert "4. Meeting nutritional needs: Excellent" in text
    assert "Recruit three permanent night carers." in text and "Registered manager" in text
    assert "Response: Not accepted" in text and "Two of those nights were covered by agency staff." in text
    assert "Call bells answered within two minutes." in text and "Resident 5" in text
    assert "A warm home let down by night staffing." in text
    assert "is at most Requires improvement when a key standard is rated Poor" in text  # the rule
    assert "Report published" in text  # the record of the visit
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert page.count(OFFICIAL) == 2 and OFFICIAL_SENSITIVE not in page
    assert "DRAFT" not in text


def test_a_draft_is_marked_official_sensitive_and_draft_on_every_page(
        area, people, django_capture_on_commit_callbacks):
    visit = services.report_share(visit=drafted_visit(area.home, people), user=people.officer)
    pages = pdf_text(visit, people.manager, django_capture_on_commit_callbacks)
    assert "DRAFT: Shared with provider. Not for publication." in pages[0]
    assert "Indicative overall rating Good" in pages[0]
    for page in pages:
        assert page.count(OFFICIAL_SENSITIVE) == 2
        assert "DRAFT" in page
    assert "Page 1 of" in pages[0]
