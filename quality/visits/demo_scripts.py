"""The demo year of visits, visit by visit (``quality.visits.demo``): what each visit is, and the
dated steps that take it there through the services.

A ``Script`` says where a visit starts (days from today), how the home does (``profile``), how far
it has got (``until``) and what happens on the way (comments, a reopened window, a senior review,
and the action plan's actions). ``steps_for`` turns it into ``(moment, step)`` pairs, each step a
call of one service, run later in time order under ``demo_clock``.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain, cycle

from ..choices import CommentOutcome, Rating, SeniorReviewDecision, VisitKind, VisitStatus
from ..models import ActionPlan, Standard
from . import demo_text as text
from . import services
from .demo_clock import uk_moment
from .framework import framework_current

U, S = VisitKind.UNANNOUNCED, VisitStatus


@dataclass(frozen=True)
class Script:
    key: str
    home: str  # "any", "kingsmere", "mgr:N" (the demo manager's), "worse:N" (deteriorating), "same:<key>"
    start: int  # the visit's first day, in days from today
    profile: str = ""  # excellent, good, ri (a key standard Poor caps it), poor; "" for never scored
    until: str = S.PUBLISHED
    plan: str = ""  # what becomes of the action plan: a key of FATES, "late" or "awaiting"
    comments: tuple = ()  # indexes of demo_text.COMMENTS, or "section"
    accept: bool = False  # the provider says it has no further comments, so it is published early
    review: str = ""  # "upheld" (then published) or "open" (waiting for the senior officer)
    reopen: bool = False  # a late comment after the officer reopens the window
    ri: int | None = None  # good: how many standards Requires improvement (random 0-2 if None)
    shortfall: str = ""  # the standard that falls short (commented on, or the Poor key standard)
    medicines: int = 3  # the medicines module's level for nursing homes (4 best … 1 worst)
    kind: str = VisitKind.ANNOUNCED


SCRIPTS = [
    # Published over the last year: 2 Excellent, 20 Good, 7 Requires improvement, 1 Poor.
    Script("good-01", "any", -362, "good", accept=True),
    Script("closed", "kingsmere", -350, "ri", plan="closed"),
    Script("good-02", "any", -338, "good", comments=(0,), accept=True),
    Script("good-03", "any", -325, "good", kind=U),
    Script("good-04", "any", -310, "good", comments=(1,), ri=1),
    Script("mgr-first", "mgr:0", -300, "ri", plan="mixed", medicines=2),
    Script("good-05", "any", -292, "good", accept=True),
    Script("verify", "any", -270, "ri", plan="verify"),
    Script("good-06", "any", -255, "good", comments=(2, "section"), shortfall="12"),
    Script("excellent-1", "any", -240, "excellent", accept=True),
    Script("good-07", "any", -228, "good", reopen=True),
    Script("good-08", "any", -214, "good", kind=U),
    Script("good-09", "any", -205, "good", accept=True, kind=U),
    Script("cancelled", "any", -196, until=S.CANCELLED),
    Script("good-10", "any", -185, "good", accept=True),
    Script("good-11", "any", -172, "good", comments=(1,), ri=2),
    Script("upheld", "kingsmere", -160, "ri", plan="started", review="upheld", comments=(2,), shortfall="12"),
    Script("after-cancel", "same:cancelled", -150, "good", accept=True),
    Script("good-12", "any", -140, "good"),
    Script("revisit", "same:closed", -130, "good", accept=True),
    Script("in-progress", "any", -125, "ri", plan="in_progress"),
    Script("good-13", "any", -110, "good"),
    Script("excellent-2", "any", -92, "excellent"),
    Script("good-14", "any", -84, "good", comments=(0,), accept=True, kind=U),
    Script("poor", "worse:0", -75, "poor", plan="overdue", medicines=1, kind=U),
    Script("good-15", "any", -66, "good"),
    Script("good-16", "any", -55, "good", accept=True),
    Script("late", "worse:1", -45, "ri", plan="late"),
    Script("good-17", "any", -38, "good", comments=(2,), shortfall="12"),
    Script("good-18", "any", -30, "good", accept=True),
    Script("mgr-second", "mgr:0", -26, "ri", plan="awaiting"),
    # Under way today.
    Script("review-open", "kingsmere", -40, "good", until=S.SENIOR_REVIEW, review="open", comments=(2,),
           shortfall="12", ri=1),
    Script("shared-comment", "any", -16, "good", until=S.SHARED, comments=(0,)),
    Script("shared-mgr", "mgr:1", -9, "good", until=S.SHARED),
    Script("draft", "worse:2", -5, "ri", until=S.DRAFT_REPORT),
    Script("fieldwork", "worse:3", -1, "good", until=S.IN_PROGRESS),
    Script("planned-unannounced", "worse:4", 3, until=S.PLANNED, kind=U),
    Script("planned", "any", 12, until=S.PLANNED),
]

# What becomes of each action, in turn over the plan's shortfalls (after the first round, the
# first fate is not repeated: one action overdue is enough).
FATES = {
    "closed": ["verified"],
    "verify": ["verified", "completed"],
    "mixed": ["verified", "completed", "reopened", "in_progress"],
    "started": ["in_progress", "open"],
    "in_progress": ["in_progress", "open", "completed", "in_progress"],
    "overdue": ["overdue", "in_progress", "open", "completed", "verified"],
}


# The scores ---------------------------------------------------------------------------------------

def levels_for(script: Script, standards: list[Standard], rng: random.Random) -> dict[str, int]:
    """Each standard's level (4 Excellent … 1 Poor), chosen so the rule gives the profile's rating:
    Excellent 11 of 16 Excellent; Good a few better or worse; Requires improvement a key standard
    Poor (the cap) and 2-4 others Requires improvement; Poor 10 Poor and 5 Requires improvement."""
    core = [s.code for s in standards if s.module == "core"]
    keys = [s.code for s in standards if s.module == "core" and s.is_key]
    levels = dict.fromkeys(core, 3)
    others = [c for c in core if c not in keys and c != script.shortfall]
    if script.profile == "excellent":
        levels.update(dict.fromkeys(rng.sample(core, 11), 4))
    elif script.profile == "good":
        weaker = [script.shortfall] if script.shortfall else []
        count = script.ri if script.ri is not None else rng.randint(len(weaker), 2)
        levels.update(dict.fromkeys(weaker + rng.sample(others, count - len(weaker)), 2))
        better = [c for c in others if levels[c] == 3]
        levels.update(dict.fromkeys(rng.sample(better, rng.randint(0, 3)), 4))
    elif script.profile == "ri":
        levels[script.shortfall or rng.choice(keys)] = 1
        levels.update(dict.fromkeys(rng.sample(others, rng.randint(2, 4)), 2))
    elif script.profile == "poor":
        shuffled = rng.sample(core, len(core))
        levels.update({**dict.fromkeys(shuffled[:10], 1), **dict.fromkeys(shuffled[10:15], 2)})
    for s in standards:
        if s.module != "core":
            levels[s.code] = 4 if script.profile == "excellent" and rng.random() < 0.5 else script.medicines
    return levels


def scores_for(level: int, count: int, rng: random.Random) -> list[int | None]:
    """Question scores whose mean stays in ``level``'s band; now and then one not assessed."""
    scores: list[int | None] = [level] * count
    if count >= 3 and rng.random() < 0.5:
        scores[0] = {4: 3, 3: rng.choice([2, 4]), 2: rng.choice([1, 3]), 1: 2}[level]
    elif count >= 3 and level == 3 and rng.random() < 0.15:
        scores[0] = None
    rng.shuffle(scores)
    return scores


def evidence_for(question, score: int | None) -> str:
    prompt = (question.evidence_prompts or ["records"])[0].lower()
    if score is None:
        return "Not assessed on this visit."
    return f"Seen: {prompt}." if score >= 3 else f"Gaps found in {prompt}."


def findings_for(code: str, level: int) -> str:
    good, shortfall = text.FINDINGS.get(code, ("Met the standard.", "Did not meet the standard."))
    return f"{good} {text.EXCELLENT_EXTRA}" if level == 4 else good if level == 3 else shortfall


# The steps ----------------------------------------------------------------------------------------

@dataclass
class Run:
    """One visit as it is built: who acts, and the records the later steps need."""

    script: Script
    home: object
    lead: object
    second: object
    lead_organisation: str
    provider: object
    senior: object
    rng: random.Random
    levels: dict
    standards: dict
    visit: object = None
    comments: list = field(default_factory=list)
    review: object = None
    steps: list = field(default_factory=list)

    def at(self, day: dt.date, time: str, step: Callable, minutes: int = 0) -> None:
        """Add a step on ``day`` at ``time`` (UK), ``minutes`` later."""
        self.steps.append((uk_moment(day, time) + dt.timedelta(minutes=minutes), step))

    def standard(self, code: str):
        return self.standards[code]


def steps_for(script: Script, home, cast, rng: random.Random, *, today: dt.date) -> list:
    """The dated steps of one script (see the module docstring)."""
    version = framework_current()
    modules = version.modules_for(home.registration_type)
    standards = list(version.standards.filter(module__in=modules).select_related("domain")
                     .prefetch_related("questions").order_by("domain__order", "order"))
    lead, second, lead_organisation = cast.team(home)
    run = Run(script, home, lead, second, lead_organisation, provider=cast.provider_user(home),
              senior=cast.officers["senior"], rng=rng, levels=levels_for(script, standards, rng),
              standards={s.code: s for s in standards})
    day = today + dt.timedelta(days=script.start)
    _plan_the_visit(run, day)
    if script.until in (S.PLANNED, S.CANCELLED):
        return run.steps
    _carry_out(run, day, standards)
    if script.until in (S.IN_PROGRESS, S.DRAFT_REPORT):
        return run.steps
    shared_on = day + dt.timedelta(days=5)
    run.at(shared_on, "11:00", lambda: _set(run, services.report_share(visit=run.visit, user=run.lead)))
    published_on = _comment_period(run, shared_on)
    if script.until == S.PUBLISHED:
        run.at(published_on, "10:00",
               lambda: _set(run, services.report_publish(visit=run.visit, user=run.lead)))
        _action_plan(run, published_on, today)
    return run.steps


def _set(run: Run, visit) -> None:
    run.visit = visit


def _plan_the_visit(run: Run, day: dt.date) -> None:
    script = run.script
    days = 2 if run.home.beds >= 60 or script.until == S.IN_PROGRESS else 1

    def schedule():
        _set(run, services.visit_schedule(
            care_home=run.home, user=run.lead, planned_on=day, kind=script.kind, planned_days=days,
            lead_organisation=run.lead_organisation, officers=[run.second], lead_officer=run.lead,
            notes="Concerns from the JIG dashboard." if script.profile == "poor" else "Routine visit."))

    run.at(day - dt.timedelta(days=21), "10:00", schedule)
    if script.until == S.CANCELLED:
        run.at(day - dt.timedelta(days=3), "16:00",
               lambda: services.visit_cancel(visit=run.visit, user=run.lead, reason=text.CANCEL_REASON))


def _carry_out(run: Run, day: dt.date, standards: list) -> None:
    """Start, score every question one at a time, observe, write up and draft the report."""
    run.at(day, "09:30", lambda: _set(run, services.visit_start(visit=run.visit, user=run.lead)))
    questions = [(s, q) for s in standards for q in s.questions.all()]
    scores = {}
    for s in standards:
        scores.update(zip([q.pk for q in s.questions.all()], scores_for(run.levels[s.code],
                                                                          len(s.questions.all()), run.rng),
                          strict=True))
    if run.script.until == S.IN_PROGRESS:
        questions = questions[:len(questions) * 3 // 5]  # the officers are still at it
    for n, (_, question) in enumerate(questions):
        user = run.lead if n % 3 else run.second

        def answer(question=question, user=user):
            services.answer_save(visit=run.visit, question=question, user=user, score=scores[question.pk],
                                 evidence=evidence_for(question, scores[question.pk]))
        run.at(day, "10:00", answer, minutes=4 * n)
    weak = [code for code, level in run.levels.items() if level <= 2]
    seen = run.rng.sample(text.OBSERVATIONS, 2)
    run.at(day, "12:10", lambda: services.observation_add(visit=run.visit, user=run.second, text=seen[0]))
    if weak:
        note, code = run.rng.choice(text.SHORTFALL_OBSERVATIONS), run.rng.choice(weak)
        run.at(day, "13:40", lambda: services.observation_add(visit=run.visit, user=run.lead, text=note,
                                                              standard=run.standard(code)))
    else:
        run.at(day, "13:40", lambda: services.observation_add(visit=run.visit, user=run.lead, text=seen[1]))
    people = [p for p in text.PEOPLE if p[0] != "nurse" or run.home.registration_type != "residential"]
    for n, (role, count, description) in enumerate(run.rng.sample(people, 4)):
        run.at(day, "14:30", lambda role=role, count=count, description=description:
               services.person_spoken_to_add(visit=run.visit, user=run.lead, role=role, count=count,
                                             description=description), minutes=5 * n)
    if run.script.until == S.IN_PROGRESS:
        return
    for n, s in enumerate(standards):
        run.at(day + dt.timedelta(days=1), "10:00", lambda s=s: services.findings_save(
            visit=run.visit, standard=s, user=run.lead, findings=findings_for(s.code, run.levels[s.code])),
            minutes=2 * n)
    rating = {"ri": Rating.REQUIRES_IMPROVEMENT}.get(run.script.profile, run.script.profile)
    hours = run.rng.choice(["5.5", "6", "6.5", "7", "7.5"])
    run.at(day + dt.timedelta(days=3), "16:00", lambda: _set(run, services.visit_draft_report(
        visit=run.visit, user=run.lead, duration_hours=hours, summary=text.SUMMARIES[rating])))


def _comment_standard(run: Run, index) -> Standard | None:
    if index == "section":
        return None
    weak = [code for code, level in run.levels.items() if level == 2]
    code = {0: "3", 1: weak[0] if weak else "13", 2: run.script.shortfall or "12"}[index]
    return run.standard(code)


def _comment_period(run: Run, shared_on: dt.date) -> dt.date:
    """Comments, responses, a reopened window, a dispute and senior review; returns the day the
    report is published (after the window closes, or early once the provider has no more to say)."""
    script = run.script
    for n, index in enumerate(script.comments):
        standard = _comment_standard(run, index)
        said, outcome, reason = text.SECTION_COMMENT if index == "section" else text.COMMENTS[index]

        def comment(standard=standard, said=said):
            run.comments.append(services.comment_add(
                visit=run.visit, user=run.provider, text=said, standard=standard,
                section="" if standard else "summary"))
        run.at(shared_on + dt.timedelta(days=4), "14:00", comment, minutes=10 * n)
        if script.until == S.SHARED:
            continue

        def respond(n=n, standard=standard, outcome=outcome, reason=reason):
            amended = outcome == CommentOutcome.AMENDED
            services.comment_respond(
                comment=run.comments[n], user=run.lead, outcome=outcome, reason=reason,
                rating=Rating.GOOD if amended else None,
                findings=findings_for(standard.code, 3) if amended else None)
        run.at(shared_on + dt.timedelta(days=7), "10:00", respond, minutes=10 * n)
    if script.review:
        _senior_review(run, shared_on)
        return shared_on + dt.timedelta(days=16)
    if script.reopen:
        close_on = shared_on + dt.timedelta(days=21)
        run.at(shared_on + dt.timedelta(days=16), "09:00", lambda: services.comment_window_reopen(
            visit=run.visit, user=run.lead, close_on=close_on, reason=text.REOPEN_WINDOW_REASON))
        said, outcome, reason = text.COMMENTS[0]
        run.at(shared_on + dt.timedelta(days=17), "15:00", lambda: run.comments.append(services.comment_add(
            visit=run.visit, user=run.provider, text=said, standard=run.standard("16"))))
        run.at(shared_on + dt.timedelta(days=18), "10:00", lambda: services.comment_respond(
            comment=run.comments[-1], user=run.lead, outcome=outcome, reason=reason))
        return close_on + dt.timedelta(days=1)
    if script.accept:
        run.at(shared_on + dt.timedelta(days=8), "16:00",
               lambda: services.report_provider_accept(visit=run.visit, user=run.provider))
        return shared_on + dt.timedelta(days=9)
    return shared_on + dt.timedelta(days=15)


def _senior_review(run: Run, shared_on: dt.date) -> None:
    """The provider disputes the response; an officer sends it for review; the senior officer
    (never on the visit) upholds it, or has yet to decide."""
    run.at(shared_on + dt.timedelta(days=9), "10:00", lambda: services.comment_dispute(
        comment=run.comments[0], user=run.provider, reason=text.DISPUTE_REASON))

    def escalate():
        run.review = services.report_escalate(visit=run.visit, user=run.lead, reason=text.ESCALATION_REASON)
    run.at(shared_on + dt.timedelta(days=11), "09:00", escalate)
    if run.script.review == "upheld":
        run.at(shared_on + dt.timedelta(days=15), "15:00", lambda: services.senior_review_complete(
            review=run.review, user=run.senior, decision=SeniorReviewDecision.UPHELD,
            notes=text.REVIEW_NOTES))


def _action_plan(run: Run, published_on: dt.date, today: dt.date) -> None:
    """The provider adds an action per shortfall and submits the plan; then each action goes
    where its fate says, the provider starting and completing, the lead officer verifying."""
    kind = run.script.plan
    if not kind or kind == "late":
        return

    def plan() -> ActionPlan:
        return ActionPlan.objects.get(visit=run.visit)

    codes = [code for code, level in run.levels.items() if level <= 2]
    if kind == "awaiting":
        codes = codes[:1]
    submitted_on = published_on + dt.timedelta(days=9)
    fates = FATES.get(kind, ["open"])
    fates = chain(fates, cycle(fates[1:] or fates))
    added = []
    for n, code in enumerate(codes):
        fate = next(fates)
        target = {"open": today + dt.timedelta(days=run.rng.randint(21, 90)),
                  "in_progress": today + dt.timedelta(days=run.rng.randint(21, 90)),
                  "overdue": today - dt.timedelta(days=run.rng.randint(8, 20))}.get(
            fate, submitted_on + dt.timedelta(days=60))
        owner = run.rng.choice(text.OWNERS)

        def add(code=code, target=target, owner=owner):
            added.append(services.plan_action_add(
                plan=plan(), user=run.provider, standard=run.standard(code), owner=owner, target_on=target,
                description=text.ACTIONS.get(code, "Put the standard right.")))
        run.at(published_on + dt.timedelta(days=2 if kind == "awaiting" else 4), "10:00", add, minutes=3 * n)
        if kind != "awaiting":
            _action_fate(run, fate, n, added, submitted_on, today)
    if kind != "awaiting":
        run.at(submitted_on, "15:00", lambda: services.action_plan_submit(plan=plan(), user=run.provider))


def _action_fate(run: Run, fate: str, n: int, added: list, submitted_on: dt.date, today: dt.date) -> None:
    def later(days: int) -> dt.date:
        return submitted_on + dt.timedelta(days=days)

    def action():
        return added[n]

    if fate == "open":
        return
    run.at(later(7), "11:00", lambda: services.plan_action_start(action=action(), user=run.provider), n)
    if fate in ("in_progress", "overdue"):
        return
    evidence = run.rng.choice(text.COMPLETION_EVIDENCE)
    run.at(later(30), "12:00", lambda: services.plan_action_complete(
        action=action(), user=run.provider, evidence=evidence), n)
    if fate == "verified":
        run.at(later(38), "14:00", lambda: services.plan_action_verify(action=action(), user=run.lead), n)
    elif fate == "reopened":
        reason = run.rng.choice(text.REOPEN_REASONS)
        run.at(later(38), "14:00", lambda: services.plan_action_reopen(
            action=action(), user=run.lead, reason=reason), n)
        run.at(later(40), "09:00", lambda: services.plan_action_update(
            action=action(), user=run.provider, target_on=today + dt.timedelta(days=30),
            reason=text.PLAN_CHANGE_REASON), n)

