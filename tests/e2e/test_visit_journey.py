"""An officer completes an assessment on the page that saves as they go, finishes the fieldwork
and shares the draft; the provider comments on a standard within the 14 days; the officer sees it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quality.choices import VisitStatus
from quality.models import Answer, FactualAccuracyComment, Visit
from quality.visits import services
from tests.carehomes.factories import CareHomeFactory
from tests.e2e.conftest import heading, sign_in
from tests.e2e.test_accessibility import (
    BROKEN_REFERENCES,
    HIDDEN_FOCUSABLES,
    NAMELESS_CONTROLS,
    UNLABELLED_CONTROLS,
)
from tests.quality.visits.factories import people_for, questions_of
from tests.quality.visits.pages import comment_on, in_days, quick_visit, standard

COMMENT = "The new care plans were in place on the day of the visit."


def sign_out(tab) -> None:
    with tab.expect_navigation():
        tab.get_by_role("button", name="Sign out").click()


@pytest.mark.e2e
def test_an_officer_assesses_and_shares_and_the_provider_comments(page, area, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    people = people_for(area)
    visit = services.visit_schedule(care_home=area.home, user=people.council_officer,
                                    planned_on=timezone.localdate(), officers=[people.council_officer],
                                    lead_officer=people.officer)
    services.visit_start(visit=visit, user=people.officer)
    questions = questions_of(visit)[:4]  # standard 1's three questions and the first of standard 2

    # The officer opens the assessment from the visit's page.
    sign_in(page, people.officer)
    page.goto(f"/visits/{visit.pk}/")
    page.get_by_role("link", name="Continue the assessment").click()
    expect(page.locator("h1")).to_have_text("Assessment")
    expect(page.locator("#autosave-note")).to_be_visible()
    expect(page.locator("[data-rating-overall]")).to_have_text("Not rated yet")

    # Each score saves by itself: "Saved at" appears under the question, without submitting.
    scores = ["3 – Good", "4 – Excellent", "3 – Good", "2 – Requires improvement"]
    for question, score in zip(questions, scores, strict=True):
        box = page.locator(f"#question-{question.pk}")
        box.get_by_label(score, exact=True).check()
        expect(page.locator(f"#status-{question.pk}")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))
    first = page.locator(f"#question-{questions[0].pk}")
    first.get_by_label(f"Evidence for {questions[0].code}").fill("Staff knocked and waited before entering.")
    page.keyboard.press("Tab")  # leaving the box saves it
    expect(page.locator(f"#status-{questions[0].pk}")).to_contain_text("Saved at")
    # The indicative ratings follow: standard 1 (3, 4, 3) is Good, and so is the visit so far.
    panel = page.locator("#indicative-ratings")
    expect(panel.locator('[data-rating-for="1"]')).to_have_text("Good")
    expect(panel.locator('[data-rating-for="2"]')).to_have_text("Requires improvement")
    expect(panel.locator("[data-rating-overall]")).to_have_text("Good")
    expect(page.locator("#assessment-progress")).to_have_text(re.compile(r"^4 of \d+ questions scored\.$"))
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.IN_PROGRESS
    saved = {a.question_id: a for a in Answer.objects.filter(visit=visit)}
    assert [saved[q.pk].score for q in questions] == [3, 4, 3, 2]
    assert saved[questions[0].pk].evidence == "Staff knocked and waited before entering."

    # An observation, and people spoken to by role only.
    page.get_by_label("What did you see?").fill("The lounge was calm and staff joined in the quiz.")
    page.get_by_role("button", name="Add the observation").click()
    expect(page.locator("#observation-list")).to_contain_text("The lounge was calm")
    page.get_by_label("Who did you speak to?", exact=True).select_option(label="Resident")
    page.get_by_label("How many", exact=True).fill("3")
    page.get_by_role("button", name="Add people spoken to").click()
    expect(page.locator("#people-list")).to_contain_text("3 × resident")

    # Finish the fieldwork: the draft report, then share it.
    page.get_by_role("link", name="Finish the fieldwork").click()
    page.get_by_label("Hours at the home").fill("5.5")
    page.get_by_role("button", name="Finish and make the draft report").click()
    expect(page.locator("h1")).to_contain_text("Draft report")
    expect(page.locator("#overall-rating")).to_have_text("Good")
    page.get_by_role("button", name="Share the draft with the provider").click()
    expect(page.get_by_role("status").first).to_contain_text("The draft report is shared with the provider")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SHARED
    close_on = visit.comments_close_on
    sign_out(page)

    # The provider finds the draft from their home page and reads its indicative ratings.
    sign_in(page, people.manager)
    page.get_by_role("link", name="Your visit reports").click()
    page.locator("#visits").get_by_role("link", name=area.home.name).click()
    page.get_by_role("link", name="Read the draft report").click()
    expect(page.locator("#overall-rating")).to_have_text("Good")
    expect(page.locator("#draft-warning")).to_contain_text("indicative")
    expect(page.locator("#window-dates")).to_have_text(
        f"14 days: comments close on {close_on:%A} {close_on.day} {close_on:%B %Y}.")
    expect(page.locator("#rating-2")).to_contain_text("Requires improvement")

    # They comment on standard 1 within the window, with a file of evidence.
    page.get_by_role("link", name="Comment on standard 1", exact=True).click()
    standard_1 = visit.framework_version.standards.get(code="1")
    expect(page.get_by_label("What is your comment about?")).to_have_value(f"standard-{standard_1.pk}")
    page.get_by_label("Your comment", exact=True).fill(COMMENT)
    page.get_by_label("Evidence (optional)").set_input_files(
        files=[{"name": "care-plans.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 plans"}])
    page.get_by_role("button", name="Send your comment").click()
    expect(page.get_by_role("status").first).to_contain_text("Your comment has been sent")
    expect(page.locator(".portal-comment")).to_contain_text(COMMENT)
    comment = FactualAccuracyComment.objects.get(visit=visit)
    assert comment.standard.code == "1" and comment.evidence.get().original_name == "care-plans.pdf"
    sign_out(page)

    # The officer sees the comment under the standard, with its evidence, and can respond.
    sign_in(page, people.officer)
    page.goto(f"/visits/{visit.pk}/")
    expect(page.locator("#next-steps")).to_contain_text("1 comment needs a response")
    page.get_by_role("link", name="Respond to comments").click()
    section = page.locator(f"#standard-{comment.standard_id}")
    expect(section.locator(".portal-comment")).to_contain_text(COMMENT)
    expect(section.get_by_role("link", name="care-plans.pdf")).to_be_visible()
    expect(section.get_by_role("link", name=re.compile("^Respond"))).to_be_visible()

    # Another provider's manager: the report is "Page not found".
    sign_out(page)
    sign_in(page, people.other_manager)
    response = page.goto(f"/visits/{visit.pk}/report/")
    assert response.status == 404 and heading(page) == "Page not found"


def home(area):
    return CareHomeFactory(provider=area.provider, local_authority=area.council,
                           nhs_commissioner=area.commissioner)


def visit_pages(area, people) -> dict[str, str]:
    """A page of each kind, with content: a visit in progress, a shared report with a comment, a
    published report's action plan."""
    in_progress = quick_visit(area.home, people, "in_progress")
    shared = quick_visit(area.second_home, people, "shared")
    comment_on(shared, people)
    published, unvisited = (quick_visit(home(area), people, "published", score=1), home(area))
    services.plan_action_add(plan=published.action_plan, user=people.manager,
                             standard=standard(published, "1"), description="Review every care plan.",
                             owner="Deputy manager", target_on=in_days(20))
    return {
        "visit-list": "/visits/", "planning": "/visits/planning/", "open-actions": "/visits/actions/",
        "framework": f"/visits/framework/{published.framework_version_id}/",
        "visit-detail": f"/visits/{in_progress.pk}/", "assessment": f"/visits/{in_progress.pk}/assessment/",
        "schedule": f"/visits/planning/{unvisited.cqc_location_id}/schedule/",
        "report": f"/visits/{shared.pk}/report/",
        "respond": f"/visits/{shared.pk}/report/comments/{shared.comments.get().pk}/respond/",
        "plan": f"/visits/plans/{published.action_plan.pk}/",
        "care-home": f"/care-homes/{area.home.cqc_location_id}/",
    }


@pytest.mark.e2e
def test_visit_pages_have_labelled_fields_one_h1_and_sound_references(page, area, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    people = people_for(area)
    pages = visit_pages(area, people)
    sign_in(page, people.officer)
    for name, address in pages.items():
        response = page.goto(address)
        assert response.status == 200, name
        assert page.locator("h1").count() == 1, name
        assert page.evaluate(UNLABELLED_CONTROLS) == [], name
        assert page.evaluate(NAMELESS_CONTROLS) == [], name
        assert page.evaluate(BROKEN_REFERENCES) == [], name
        assert page.evaluate(HIDDEN_FOCUSABLES) == [], name
