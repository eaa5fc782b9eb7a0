"""A visit from planning to publication: the services' rules, and a dated event for each step."""

import datetime as dt
import zoneinfo
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from carehomes.choices import RegistrationType
from quality.choices import (
    CommentOutcome,
    LeadOrganisation,
    PersonSpokenToRole,
    Rating,
    SeniorReviewDecision,
    VisitEventKind,
    VisitStatus,
)
from quality.models import Answer, PersonSpokenTo, Question, Visit, VisitEvent
from quality.visits import services
from quality.visits.report import report_context
from tests.carehomes.factories import CareHomeFactory

from .factories import VisitFactory, drafted_visit, in_progress_visit, questions_of, score_visit, shared_visit

pytestmark = pytest.mark.django_db
UTC = dt.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")


@contextmanager
def at(moment: dt.datetime):
    """Run as if it were ``moment`` (aware): UK dates follow from it."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def kinds(visit) -> list[str]:
    return list(VisitEvent.objects.filter(visit=visit).order_by("at", "pk").values_list("kind", flat=True))


def test_the_full_journey_from_planning_to_a_closed_action_plan(area, people, mailoutbox):
    home = area.home  # residential: the council leads
    visit = services.visit_schedule(care_home=home, user=people.council_officer,
                                    planned_on=timezone.localdate(), kind="unannounced",
                                    officers=[people.council_officer], lead_officer=people.officer)
    assert visit.lead_organisation == LeadOrganisation.COUNCIL and visit.framework_version.number == 1
    assert {o.organisation for o in visit.visit_officers.all()} == {area.council, area.commissioner}
    services.visit_start(visit=visit, user=people.officer)
    score_visit(visit, people.officer, default=3, by_standard={"7": 2, "16": 1})
    services.observation_add(visit=visit, user=people.officer, text="Sluice room door propped open.",
                             standard=visit.framework_version.standards.get(code="7"))
    services.person_spoken_to_add(visit=visit, user=people.officer, role=PersonSpokenToRole.RESIDENT, count=4)
    services.person_spoken_to_add(visit=visit, user=people.council_officer,
                                  role=PersonSpokenToRole.CARE_STAFF, description="night care assistant")
    services.findings_save(visit=visit, standard=visit.framework_version.standards.get(code="16"),
                           user=people.officer, findings="Daily notes were missing for three days.")
    visit = services.visit_draft_report(visit=visit, user=people.officer, duration_hours=7)
    assert visit.indicative_rating == Rating.GOOD  # 14 × Good, RI, Poor: (42 + 2 + 1)/16 = 2.81
    visit = services.report_share(visit=visit, user=people.officer)
    records = visit.framework_version.standards.get(code="16")
    comment = services.comment_add(visit=visit, user=people.manager, standard=records,
                                   text="The notes were on the electronic system.")
    services.comment_respond(comment=comment, user=people.officer, outcome=CommentOutcome.AMENDED,
                             reason="Seen on the system afterwards.", rating=Rating.REQUIRES_IMPROVEMENT,
                             findings="Notes were kept electronically but not reviewed.")
    services.report_provider_accept(visit=visit, user=people.manager)
    visit = services.report_publish(visit=visit, user=people.officer)
    assert visit.status == VisitStatus.PUBLISHED and visit.published_rating == Rating.GOOD
    assert not hasattr(visit, "action_plan") or visit.action_plan is None  # Good: no plan needed
    assert visit.standard_ratings.get(standard=records).published_rating == Rating.REQUIRES_IMPROVEMENT
    assert kinds(visit)[:4] == [VisitEventKind.SCHEDULED, VisitEventKind.OFFICER_ASSIGNED,
                                VisitEventKind.OFFICER_ASSIGNED, VisitEventKind.STARTED]
    assert {VisitEventKind.ANSWER_SAVED, VisitEventKind.OBSERVATION_ADDED,
            VisitEventKind.PERSON_SPOKEN_TO_ADDED, VisitEventKind.REPORT_DRAFTED, VisitEventKind.SHARED,
            VisitEventKind.COMMENT_ADDED,
            VisitEventKind.COMMENT_RESPONDED, VisitEventKind.RATING_AMENDED, VisitEventKind.PROVIDER_ACCEPTED,
            VisitEventKind.PUBLISHED} <= set(kinds(visit))
    assert all(e.at and e.summary for e in visit.events.all())

    context = report_context(visit)
    assert context["overall"]["label"] == "Good" and not context["is_draft"]
    assert [d.domain.title for d in context["domains"]][0] == "Involvement and information"
    assert [s.standard.code for s in context["shortfalls"]] == ["7", "16"]
    assert context["comments"][0].response.outcome == CommentOutcome.AMENDED
    assert len(context["people_spoken_to"]) == 2 and context["action_plan"] is None


def test_scores_are_saved_one_at_a_time_and_resaving_the_same_changes_nothing(area, people):
    visit = in_progress_visit(area.home, people)
    question = questions_of(visit)[0]
    first = services.answer_save(visit=visit, question=question, user=people.officer, score=2, evidence="A")
    again = services.answer_save(visit=visit, question=question, user=people.officer, score=2, evidence="A ")
    changed = services.answer_save(visit=visit, question=question, user=people.officer, score=None,
                                   evidence="Could not see it.")
    assert first.pk == again.pk == changed.pk and Answer.objects.filter(visit=visit).count() == 1
    assert changed.score is None
    assert kinds(visit).count(VisitEventKind.ANSWER_SAVED) == 2
    with pytest.raises(ValidationError):
        services.answer_save(visit=visit, question=question, user=people.officer, score=5)


def test_a_residential_home_is_not_scored_on_medicines_management(area, people):
    visit = in_progress_visit(area.home, people)
    assert area.home.registration_type == RegistrationType.RESIDENTIAL
    medicines = Question.objects.get(standard__version=visit.framework_version, code="M2.1")
    with pytest.raises(ValidationError, match="not part of this visit"):
        services.answer_save(visit=visit, question=medicines, user=people.officer, score=3)


def test_a_nursing_home_gets_a_medicines_management_rating_and_the_nhs_leads(area, people):
    home = CareHomeFactory(provider=area.provider, local_authority=area.council,
                           nhs_commissioner=area.commissioner, registration_type=RegistrationType.NURSING)
    visit = drafted_visit(home, people, by_standard={"M1": 2, "M2": 1})
    assert visit.lead_organisation == LeadOrganisation.NHS
    assert visit.indicative_rating == Rating.GOOD
    assert visit.indicative_detail["modules"]["medicines"]["rating"] == Rating.REQUIRES_IMPROVEMENT


def test_a_home_has_one_visit_under_way_at_a_time(area, people):
    services.visit_schedule(care_home=area.home, user=people.officer, planned_on=timezone.localdate())
    with pytest.raises(ValidationError, match="already has a visit under way"):
        services.visit_schedule(care_home=area.home, user=people.officer,
                                planned_on=timezone.localdate() + dt.timedelta(days=7))
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says so too
        VisitFactory(care_home=area.home)


def test_officers_must_be_of_the_homes_council_or_nhs_commissioner(area, people):
    visit = services.visit_schedule(care_home=area.home, user=people.officer, planned_on=timezone.localdate())
    from tests.commissioning.factories import MembershipFactory

    elsewhere = MembershipFactory(role="quality_officer", organisation=area.other_council).user
    for outsider in (elsewhere, people.manager, people.jig_member):
        with pytest.raises(ValidationError, match="is not a quality officer"):
            services.visit_officer_assign(visit=visit, user=people.officer, officer=outsider)
    with pytest.raises(ValidationError, match="at least one officer"):
        services.visit_start(visit=visit, user=people.officer)
    with pytest.raises(PermissionDenied):
        services.visit_schedule(care_home=area.other_home, user=people.officer,
                                planned_on=timezone.localdate())


def test_people_spoken_to_are_kept_by_role_never_by_name(area, people):
    visit = in_progress_visit(area.home, people)
    for description in ("Mrs Patel", "John Smith", "Mary"):
        with pytest.raises(ValidationError, match="looks like a person"):
            services.person_spoken_to_add(visit=visit, user=people.officer, role="resident",
                                          description=description)
    with pytest.raises(ValidationError) as refused:
        services.person_spoken_to_add_from_data(visit=visit, user=people.officer,
                                                data={"role": "relative", "name": "Jo", "resident_name": "X"})
    assert set(refused.value.message_dict) == {"name", "resident_name"}
    person = services.person_spoken_to_add_from_data(
        visit=visit, user=people.officer, data={"role": "relative", "count": "2",
                                                "description": "Daughter of a resident"})
    assert person.count == 2 and PersonSpokenTo.objects.filter(visit=visit).count() == 1


def test_fieldwork_stops_once_the_draft_is_shared(area, people):
    visit = shared_visit(area.home, people)
    question = questions_of(visit)[0]
    with pytest.raises(ValidationError, match="shared with provider"):
        services.answer_save(visit=visit, question=question, user=people.officer, score=1)
    with pytest.raises(ValidationError):
        services.visit_cancel(visit=visit, user=people.officer, reason="Too late")


# The 14-day window, in UK dates ----------------------------------------------------------

def test_the_window_closes_14_uk_days_after_sharing_across_the_autumn_clock_change(area, people):
    visit = drafted_visit(area.home, people)
    # 23:30 UTC on Saturday 24 October 2026 is 00:30 BST on Sunday 25 October in London.
    with at(dt.datetime(2026, 10, 24, 23, 30, tzinfo=UTC)):
        visit = services.report_share(visit=visit, user=people.officer)
    assert visit.shared_on == dt.date(2026, 10, 25)
    assert visit.comments_close_on == dt.date(2026, 11, 8)
    with at(dt.datetime(2026, 11, 8, 23, 59, tzinfo=UTC)):  # 23:59 GMT on the last day
        services.comment_add(visit=visit, user=people.manager, text="Just in time.",
                             standard=visit.framework_version.standards.get(code="1"))
    with (at(dt.datetime(2026, 11, 9, 0, 1, tzinfo=UTC)),
          pytest.raises(ValidationError, match="ended on 8 November")):
        services.comment_add(visit=visit, user=people.manager, text="Too late.", section="summary")


def test_a_comment_sent_after_midnight_bst_is_late_though_utc_still_says_the_last_day(area, people):
    visit = drafted_visit(area.home, people)
    with at(dt.datetime(2026, 3, 28, 12, 0, tzinfo=UTC)):  # GMT
        visit = services.report_share(visit=visit, user=people.officer)
    assert visit.comments_close_on == dt.date(2026, 4, 11)
    late = dt.datetime(2026, 4, 11, 23, 30, tzinfo=UTC)  # 00:30 BST on 12 April
    assert late.astimezone(LONDON).date() == dt.date(2026, 4, 12)
    with at(late), pytest.raises(ValidationError, match="Ask the visiting officer to reopen"):
        services.comment_add(visit=visit, user=people.manager, text="Late.", section="summary")


def test_an_officer_reopens_the_window_to_let_a_late_comment_in(area, people):
    visit = shared_visit(area.home, people)
    after = visit.comments_close_on + dt.timedelta(days=3)
    with at(dt.datetime.combine(after, dt.time(10), LONDON)):
        with pytest.raises(ValidationError):
            services.comment_add(visit=visit, user=people.manager, text="Late.", section="summary")
        with pytest.raises(PermissionDenied):
            services.comment_window_reopen(visit=visit, user=people.manager, close_on=after, reason="Please")
        with pytest.raises(ValidationError, match="Say why"):
            services.comment_window_reopen(visit=visit, user=people.officer, close_on=after, reason=" ")
        reopen = services.comment_window_reopen(visit=visit, user=people.officer,
                                                close_on=after + dt.timedelta(days=2),
                                                reason="The manager was on leave.")
        comment = services.comment_add(visit=visit, user=people.manager, text="Late but allowed.",
                                       section="summary")
    visit.refresh_from_db()
    assert reopen.previous_close_on < visit.comments_close_on == after + dt.timedelta(days=2)
    assert comment.pk and VisitEventKind.WINDOW_REOPENED in kinds(visit)


def test_the_report_is_published_only_when_the_window_is_over_and_comments_are_answered(area, people):
    visit = shared_visit(area.home, people)
    with pytest.raises(ValidationError, match="may comment until"):
        services.report_publish(visit=visit, user=people.officer)
    services.comment_add(visit=visit, user=people.manager, text="A typo in the address.",
                         section="visit_details")
    services.report_provider_accept(visit=visit, user=people.manager)
    with pytest.raises(ValidationError, match="Every comment needs a response"):
        services.report_publish(visit=visit, user=people.officer)
    day_after = dt.datetime.combine(visit.comments_close_on + dt.timedelta(days=1), dt.time(9), LONDON)
    with at(day_after), pytest.raises(ValidationError, match="Every comment needs a response"):
        services.report_publish(visit=visit, user=people.officer)
    comment = visit.comments.get()
    services.comment_respond(comment=comment, user=people.officer, outcome=CommentOutcome.ACCEPTED,
                             reason="Corrected.")
    with pytest.raises(ValidationError, match="already has a response"):
        services.comment_respond(comment=comment, user=people.officer, outcome=CommentOutcome.ACCEPTED,
                                 reason="Again.")
    assert services.report_publish(visit=visit, user=people.officer).status == VisitStatus.PUBLISHED


def test_an_unresolved_dispute_goes_to_a_senior_review_which_may_amend(area, people):
    visit = shared_visit(area.home, people, by_standard={"12": 1})  # staffing Poor, key
    assert visit.indicative_rating == Rating.REQUIRES_IMPROVEMENT
    staffing = visit.framework_version.standards.get(code="12")
    comment = services.comment_add(visit=visit, user=people.manager, standard=staffing,
                                   text="Two agency staff were on shift and not counted.")
    with pytest.raises(ValidationError, match="did not accept"):
        services.comment_dispute(comment=comment, user=people.manager, reason="Not yet answered")
    services.comment_respond(comment=comment, user=people.officer, outcome=CommentOutcome.NOT_ACCEPTED,
                             reason="The rota showed them, but they were not on the floor.")
    services.comment_dispute(comment=comment, user=people.manager,
                             reason="They were; see the signing-in book.")
    services.report_provider_accept(visit=visit, user=people.manager)
    with pytest.raises(ValidationError, match="senior officer's review"):
        services.report_publish(visit=visit, user=people.officer)
    review = services.report_escalate(visit=visit, user=people.officer, reason="Staffing numbers disputed.")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SENIOR_REVIEW
    with pytest.raises(PermissionDenied):
        services.senior_review_complete(review=review, user=people.officer, decision="upheld", notes="Fine")
    amendment = [{"standard": staffing, "rating": Rating.REQUIRES_IMPROVEMENT,
                  "findings": "Staffing met the tool's level on the day; deployment needs work."}]
    with pytest.raises(ValidationError, match="Give the amendments"):
        services.senior_review_complete(review=review, user=people.senior,
                                        decision=SeniorReviewDecision.AMENDED, notes="Checked")
    review = services.senior_review_complete(review=review, user=people.senior,
                                             decision=SeniorReviewDecision.AMENDED,
                                             notes="The signing-in book supports the provider.",
                                             amendments=amendment)
    assert review.amendments[0]["before"]["rating"] == Rating.POOR
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SHARED
    assert visit.indicative_rating == Rating.GOOD  # no Poor key standard now
    comment.refresh_from_db()
    assert comment.resolved_by_review == review
    visit = services.report_publish(visit=visit, user=people.officer)
    assert visit.published_rating == Rating.GOOD
    rating = visit.standard_ratings.get(standard=staffing)
    assert rating.indicative_rating == Rating.POOR and rating.published_rating == Rating.REQUIRES_IMPROVEMENT
    assert rating.is_amended and "Senior review" in rating.amendment_reason


def test_a_senior_reviewer_must_not_have_been_on_the_visit(area, people):
    from tests.commissioning.factories import MembershipFactory

    visit = shared_visit(area.home, people)
    MembershipFactory(user=people.council_officer, role="senior_quality_officer", organisation=area.council)
    comment = services.comment_add(visit=visit, user=people.manager, text="Wrong.", section="summary")
    services.comment_respond(comment=comment, user=people.officer, outcome="not_accepted", reason="Right.")
    services.comment_dispute(comment=comment, user=people.manager, reason="Still wrong.")
    review = services.report_escalate(visit=visit, user=people.officer, reason="Disputed")
    council_officer = type(people.council_officer).objects.get(pk=people.council_officer.pk)
    with pytest.raises(ValidationError, match="not on the visit"):
        services.senior_review_complete(review=review, user=council_officer, decision="upheld", notes="Ok")


def test_a_visit_is_cancelled_with_a_reason_and_kept(area, people):
    visit = services.visit_schedule(care_home=area.home, user=people.officer, planned_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.visit_cancel(visit=visit, user=people.officer, reason="")
    services.visit_cancel(visit=visit, user=people.officer, reason="Outbreak of norovirus.")
    visit = Visit.objects.get(pk=visit.pk)
    assert visit.status == VisitStatus.CANCELLED and visit.cancelled_reason
    services.visit_schedule(care_home=area.home, user=people.officer, planned_on=timezone.localdate())
