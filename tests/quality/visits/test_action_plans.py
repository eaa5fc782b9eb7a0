"""Action plans: required after Requires improvement or Poor, submitted only when every shortfall
has an action, moved along by the right party, closed when verified, chased when overdue."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from quality.choices import ActionPlanStatus, PlanActionStatus, Rating, VisitEventKind, VisitNoticeKind
from quality.models import ActionUpdate, VisitNotice
from quality.visits import services
from quality.visits.overdue import overdue_flag, overdue_notices_send, overdue_run
from quality.visits.selectors import open_actions_visible_to

from .factories import published_visit

pytestmark = pytest.mark.django_db
S = PlanActionStatus


@pytest.fixture
def plan(area, people):
    """Published Requires improvement: staffing (key) Poor, cleanliness Requires improvement."""
    visit = published_visit(area.home, people, by_standard={"12": 1, "7": 2})
    assert visit.published_rating == Rating.REQUIRES_IMPROVEMENT
    return visit.action_plan


def standard(plan, code):
    return plan.visit.framework_version.standards.get(code=code)


def add(plan, people, code, days=30, **fields):
    return services.plan_action_add(plan=plan, user=people.manager, standard=standard(plan, code),
                                    description=fields.get("description", f"Put standard {code} right."),
                                    owner=fields.get("owner", "Deputy manager"),
                                    target_on=timezone.localdate() + dt.timedelta(days=days))


def submitted(plan, people):
    actions = [add(plan, people, "12"), add(plan, people, "7")]
    services.action_plan_submit(plan=plan, user=people.manager)
    return actions


def test_a_plan_is_required_within_14_days_of_publishing_requires_improvement_or_poor(plan, area, people):
    assert plan.due_on == plan.visit.published_on + dt.timedelta(days=14)
    assert plan.status == ActionPlanStatus.AWAITING
    assert "Overall: Requires improvement" in plan.required_because
    assert [r.standard.code for r in services.action_plan_shortfalls(plan)] == ["7", "12"]
    good = published_visit(area.second_home, people)
    assert good.published_rating == Rating.GOOD and not hasattr(good, "action_plan")


def test_submission_is_refused_until_every_shortfall_has_an_action(plan, people):
    with pytest.raises(services.ActionPlanIncomplete) as refused:
        services.action_plan_submit(plan=plan, user=people.manager)
    assert len(refused.value.gaps) == 3  # standards 7 and 12, and "add at least one action"
    add(plan, people, "12")
    with pytest.raises(services.ActionPlanIncomplete) as refused:
        services.action_plan_submit(plan=plan, user=people.manager)
    assert refused.value.gaps == ["Standard 7 (Cleanliness and infection control) is rated Requires "
                                  "improvement and has no action."]
    add(plan, people, "7")
    plan = services.action_plan_submit(plan=plan, user=people.manager)
    assert plan.status == ActionPlanStatus.SUBMITTED and plan.submitted_by == people.manager


def test_an_action_needs_an_owner_and_a_target_date_that_has_not_passed(plan, people):
    with pytest.raises(ValidationError, match="owner"):
        add(plan, people, "12", owner=" ")
    with pytest.raises(ValidationError, match="cannot be in the past"):
        add(plan, people, "12", days=-1)
    with pytest.raises(PermissionDenied):
        services.plan_action_add(plan=plan, user=people.officer, standard=standard(plan, "12"),
                                 description="x", owner="y", target_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        add(plan, type(people)(**{**people.__dict__, "manager": people.other_manager}), "12")


def test_actions_move_only_along_the_allowed_paths_by_the_right_party(plan, people):
    staffing, cleaning = submitted(plan, people)
    with pytest.raises(PermissionDenied):
        services.plan_action_start(action=staffing, user=people.officer)  # the provider's move
    with pytest.raises(ValidationError, match="cannot become verified"):
        services.plan_action_verify(action=staffing, user=people.officer)  # not completed yet
    services.plan_action_start(action=staffing, user=people.manager)
    with pytest.raises(ValidationError, match="evidence"):
        services.plan_action_complete(action=staffing, user=people.manager, evidence="")
    services.plan_action_complete(action=staffing, user=people.manager, evidence="New rota from 1 May.",
                                  file=SimpleUploadedFile("rota.pdf", b"%PDF-1.4 rota"))
    with pytest.raises(PermissionDenied):
        services.plan_action_verify(action=staffing, user=people.manager)  # the officer's move
    with pytest.raises(ValidationError, match="Say why"):
        services.plan_action_reopen(action=staffing, user=people.officer, reason="")
    services.plan_action_reopen(action=staffing, user=people.officer, reason="Nights still short.")
    services.plan_action_complete(action=staffing, user=people.manager, evidence="Two more night staff.")
    staffing = services.plan_action_verify(action=staffing, user=people.officer)
    assert staffing.status == S.VERIFIED and staffing.verified_by == people.officer
    with pytest.raises(ValidationError, match="cannot become reopened"):
        services.plan_action_reopen(action=staffing, user=people.officer, reason="Changed my mind")
    with pytest.raises(ValidationError, match="verified action cannot change"):
        services.plan_action_update(action=staffing, user=people.manager, owner="Manager", reason="x")
    history = list(ActionUpdate.objects.filter(action=staffing).values_list("from_status", "to_status"))
    assert history == [("", S.OPEN), (S.OPEN, S.IN_PROGRESS), (S.IN_PROGRESS, S.COMPLETED),
                       (S.COMPLETED, S.REOPENED), (S.REOPENED, S.COMPLETED), (S.COMPLETED, S.VERIFIED)]
    assert ActionUpdate.objects.filter(action=staffing).exclude(evidence_file="").count() == 1
    plan.refresh_from_db()
    assert plan.status == ActionPlanStatus.SUBMITTED  # one action still open


def test_verifying_the_last_action_closes_the_plan(plan, people):
    for action in submitted(plan, people):
        services.plan_action_complete(action=action, user=people.manager, evidence="Done.")
        services.plan_action_verify(action=action, user=people.council_officer)
    plan.refresh_from_db()
    assert plan.status == ActionPlanStatus.CLOSED and plan.closed_on
    assert VisitEventKind.PLAN_CLOSED in plan.visit.events.values_list("kind", flat=True)
    assert not open_actions_visible_to(people.council_officer).exists()


def test_actions_move_only_once_the_plan_is_submitted_and_changes_after_need_a_reason(plan, people):
    action = add(plan, people, "12")
    with pytest.raises(ValidationError, match="once the plan is submitted"):
        services.plan_action_start(action=action, user=people.manager)
    add(plan, people, "7")
    services.action_plan_submit(plan=plan, user=people.manager)
    with pytest.raises(ValidationError, match="Say why"):
        services.plan_action_update(action=action, user=people.manager, owner="Registered manager")
    services.plan_action_update(action=action, user=people.manager, owner="Registered manager",
                                reason="The deputy has left.")
    with pytest.raises(ValidationError):
        services.plan_action_remove(action=action, user=people.manager)


def test_commissioners_see_open_actions_across_their_homes_only(plan, area, people):
    submitted(plan, people)
    assert open_actions_visible_to(people.council_officer).count() == 2
    assert open_actions_visible_to(people.officer).count() == 2  # the NHS commissioner too
    from tests.commissioning.factories import MembershipFactory

    elsewhere = MembershipFactory(role="commissioner", organisation=area.other_council).user
    assert not open_actions_visible_to(elsewhere).exists()
    assert open_actions_visible_to(people.manager).count() == 2
    assert not open_actions_visible_to(people.other_manager).exists()


# Overdue ---------------------------------------------------------------------------------

def test_overdue_actions_are_flagged_and_notified_once(plan, area, people, mailoutbox):
    staffing, cleaning = submitted(plan, people)
    later = staffing.target_on + dt.timedelta(days=1)
    run = overdue_run(today=later)
    staffing.refresh_from_db()
    assert staffing.overdue_since == later and set(run.actions_flagged) == {staffing.pk, cleaning.pk}
    assert len(mailoutbox) == 1
    [email] = mailoutbox
    managers = {people.manager.email, area.users["manager_one_home"].email}
    officers = {people.officer.email, people.council_officer.email}
    assert set(email.to) == managers | officers
    assert "Standard 12" in email.body and "Standard 7" in email.body
    assert VisitNotice.objects.filter(kind=VisitNoticeKind.ACTION_OVERDUE).count() == 2

    again = overdue_run(today=later + dt.timedelta(days=1))  # the next day: nothing new
    assert again.actions_flagged == [] and again.sent == [] and again.already_sent == 2
    assert len(mailoutbox) == 1
    staffing.refresh_from_db()
    assert staffing.overdue_since == later  # kept from the first day

    services.plan_action_complete(action=staffing, user=people.manager, evidence="Done.")
    assert overdue_flag(today=later + dt.timedelta(days=2)).cleared == 0  # completing cleared it already
    staffing.refresh_from_db()
    assert staffing.overdue_since is None


def test_a_new_target_date_that_is_missed_again_is_notified_again(plan, people, mailoutbox):
    staffing, _ = submitted(plan, people)
    first_late = staffing.target_on + dt.timedelta(days=1)
    overdue_run(today=first_late)
    services.plan_action_update(action=staffing, user=people.manager, reason="Recruitment takes longer.",
                                target_on=timezone.localdate() + dt.timedelta(days=60))
    assert overdue_flag(today=first_late).cleared == 1  # not overdue against its new date
    overdue_run(today=timezone.localdate() + dt.timedelta(days=61))
    assert VisitNotice.objects.filter(action=staffing).count() == 2
    assert len(mailoutbox) == 2


def test_a_plan_not_submitted_on_time_is_overdue(plan, people, mailoutbox):
    late = plan.due_on + dt.timedelta(days=1)
    assert overdue_run(today=plan.due_on).plans_flagged == []  # the due date itself is in time
    run = overdue_run(today=late)
    plan.refresh_from_db()
    assert run.plans_flagged == [plan.pk] and plan.overdue_since == late
    assert "was due on" in mailoutbox[0].body
    overdue_run(today=late + dt.timedelta(days=1))
    assert VisitNotice.objects.filter(kind=VisitNoticeKind.PLAN_OVERDUE).count() == 1 and len(mailoutbox) == 1
    submitted(plan, people)
    plan.refresh_from_db()
    assert plan.overdue_since is None


def test_a_notice_that_fails_to_send_is_tried_again(plan, people, monkeypatch, mailoutbox):
    submitted(plan, people)
    late = timezone.localdate() + dt.timedelta(days=31)

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", broken)
        run = overdue_run(today=late)
    assert run.failed and not VisitNotice.objects.exists()
    assert overdue_notices_send(today=late).sent and len(mailoutbox) == 1


def test_publishing_submitting_and_moving_actions_rate_the_home_again(area, people):
    """The visit rating and overdue actions are risk components: each of these records a
    recompute of the home, queued once it commits."""
    from jig.models import RiskRecompute

    def jobs():
        return list(RiskRecompute.objects.values_list("home_ids", flat=True))

    visit = published_visit(area.home, people, by_standard={"12": 1, "7": 2})
    assert jobs() == [[area.home.pk]]
    actions = submitted(visit.action_plan, people)
    assert len(jobs()) == 2
    for action in actions:
        services.plan_action_complete(action=action, user=people.manager, evidence="Rota attached.")
        services.plan_action_verify(action=action, user=people.officer)
    assert len(jobs()) == 6 and set(map(tuple, jobs())) == {(area.home.pk,)}  # each move
