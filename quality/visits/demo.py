"""A year of quality monitoring visits for the demo area (run ``seed_demo`` first).

About thirty published assessments over the last year (two Excellent, twenty Good, seven
Requires improvement, one Poor), and visits at every stage now: planned (one unannounced), in
progress, a draft report, two drafts shared with their providers inside the 14-day window, and
one waiting for the senior quality officer's review. Every step goes through the real services
(``quality.visits.services``) as the officers and managers would take it, on the day it happened
(``demo_clock``): schedule, start, answers one at a time, observations, people spoken to,
findings, the draft, sharing, comments and responses, a reopened window, a dispute and senior
review, publication, and the action plans after it, with actions in every state (open, in
progress, completed, verified, reopened), one action overdue, one plan overdue and one closed.
The daily overdue check runs each morning of the year, as Celery beat would.

The five homes that get worse in the returns and feeds demo (``quality.demo.deteriorating_homes``)
get the worst and the most recent visits; the demo manager's homes get a shared draft and an
action plan to write. Providers' other homes act through a registered manager account each
(no password: it cannot sign in).

Deterministic (seeded) and idempotent: if the demo area has any visit already, nothing is done.
"""

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from carehomes.choices import HomeStatus
from commissioning import access
from commissioning.choices import Role
from commissioning.models import Membership, User
from commissioning.services import membership_create

from ..choices import ActionPlanStatus, PlanActionStatus, Rating, VisitStatus
from ..demo import DEMO_SEED, demo_homes, deteriorating_homes
from ..models import ActionPlan, PlanAction, Visit
from .demo_clock import demo_clock, uk_moment
from .demo_scripts import SCRIPTS, Script, steps_for
from .overdue import overdue_flag

OFFICERS = {"council": "commissioner@demo.portal.nhs.uk", "nhs": "quality.officer@demo.portal.nhs.uk",
            "icb": "nhs.commissioner@demo.portal.nhs.uk", "senior": "senior.officer@demo.portal.nhs.uk"}
MANAGER_EMAIL = "manager@demo.portal.nhs.uk"
OVERDUE_CHECK_AT = "07:15"  # as quality.visits.tasks.overdue_actions_task


class DemoNotReady(Exception):
    """The demo area or its users are missing: run ``seed_demo`` first."""


@dataclass
class Cast:
    """Who acts: the demo officers by key, and the provider's manager for each home."""

    officers: dict[str, User]
    demo_manager: User
    demo_manager_homes: list

    def team(self, home) -> tuple[User, User, str]:
        """The lead officer, the second officer and the lead organisation ("" for the default)."""
        council, nhs = self.officers["council"], self.officers["nhs"]
        if access.can(council, access.Action.VISIT, home) and access.can(nhs, access.Action.VISIT, home):
            return (council, nhs, "") if home.registration_type == "residential" else (nhs, council, "")
        lead = "joint" if home.registration_type == "dual" else "nhs"
        return self.officers["icb"], self.officers["senior"], lead

    def provider_user(self, home) -> User:
        """The demo manager for their homes; otherwise the home's registered manager (no password)."""
        if home in self.demo_manager_homes:
            return self.demo_manager
        email = f"rm.{home.cqc_location_id}@providers.demo.portal.nhs.uk"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, full_name=home.registered_manager or f"Registered manager, {home.name}",
            job_title="Registered manager")
        if not Membership.objects.filter(user=user, organisation=home.provider_id).exists():
            membership_create(user=user, organisation=home.provider, role=Role.CARE_HOME_MANAGER,
                              care_homes=[home])
        return user


@dataclass
class DemoVisitsSummary:
    created: int = 0
    already_built: bool = False
    ratings: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    plans: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    overdue_actions: int = 0
    overdue_plans: int = 0
    manager_homes: list[str] = field(default_factory=list)


def _cast() -> Cast:
    officers = {key: User.objects.filter(email=email, is_active=True).first()
                for key, email in OFFICERS.items()}
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    if manager is None or None in officers.values():
        raise DemoNotReady("The demo users are missing. Run manage.py seed_demo first.")
    homes = access.restrict(demo_homes().filter(status=HomeStatus.ACTIVE), manager,
                            access.Action.RESPOND_TO_REPORT)
    return Cast(officers, manager, list(homes.order_by("name", "pk")))


def _homes_for(scripts: list[Script], cast: Cast, seed: int) -> dict[str, object]:
    """Each script's home: the demo manager's, a deteriorating one, the same as another
    script's, or the next of a seeded shuffle of the other active homes."""
    active = list(demo_homes().filter(status=HomeStatus.ACTIVE).select_related("provider"))
    if not active:
        raise DemoNotReady("There are no homes in the demo area. Run manage.py seed_demo first.")
    worse = [h for h in deteriorating_homes(list(demo_homes()), seed) if h.status == HomeStatus.ACTIVE]
    reserved = {h.pk for h in [*worse, *cast.demo_manager_homes]}
    rest = [h for h in active if h.pk not in reserved]
    random.Random(f"{seed}:visit-homes").shuffle(rest)
    kingsmere = cast.officers["council"]
    chosen: dict[str, object] = {}
    for script in scripts:
        slot, _, arg = script.home.partition(":")
        pools = {"mgr": cast.demo_manager_homes, "worse": worse}
        if slot == "same":
            chosen[script.key] = chosen[arg]
        elif slot in pools and int(arg) < len(pools[slot]):
            chosen[script.key] = pools[slot][int(arg)]
        else:
            wanted = [h for h in rest if slot != "kingsmere" or access.can(kingsmere, access.Action.VISIT, h)]
            home = (wanted or rest)[0]
            rest.remove(home)
            chosen[script.key] = home
    return chosen


def _overdue_checks(first: dt.date, now: dt.datetime) -> list[tuple[dt.datetime, Callable]]:
    """The daily overdue check at 07:15 each morning from ``first`` to now."""
    checks, day = [], first
    while (moment := uk_moment(day, OVERDUE_CHECK_AT)) <= now:
        checks.append((moment, lambda day=day: overdue_flag(today=day)))
        day += dt.timedelta(days=1)
    return checks


def seed_demo_visits(*, seed: int = DEMO_SEED, now: dt.datetime | None = None) -> DemoVisitsSummary:
    """Build the demo year of visits ending ``now`` (see the module docstring). Raises
    ``DemoNotReady`` when the demo area is missing."""
    now = now or timezone.now()
    cast = _cast()
    summary = DemoVisitsSummary(manager_homes=[h.name for h in cast.demo_manager_homes])
    if Visit.objects.filter(care_home__in=demo_homes()).exists():
        summary.already_built = True
        return _counted(summary)
    with transaction.atomic():  # all or nothing, so a second run sees a whole year or none
        homes = _homes_for(SCRIPTS, cast, seed)
        steps = []
        for script in SCRIPTS:
            rng = random.Random(f"{seed}:visit:{script.key}")
            steps += steps_for(script, homes[script.key], cast, rng, today=timezone.localdate(now))
        if late := [moment for moment, _ in steps if moment > now]:
            raise ValueError(f"A demo step is in the future ({min(late):%d/%m/%Y %H:%M}).")
        steps += _overdue_checks(timezone.localdate(min(moment for moment, _ in steps)), now)
        for moment, step in sorted(steps, key=lambda s: s[0]):  # stable: a visit's steps keep their order
            with demo_clock(moment):
                step()
    summary.created = Visit.objects.filter(care_home__in=demo_homes()).count()
    return _counted(summary)


def _counted(summary: DemoVisitsSummary) -> DemoVisitsSummary:
    visits = Visit.objects.filter(care_home__in=demo_homes())
    summary.statuses = Counter(visits.values_list("status", flat=True))
    published = visits.filter(status=VisitStatus.PUBLISHED)
    summary.ratings = Counter(published.values_list("published_rating", flat=True))
    plans = ActionPlan.objects.filter(visit__in=visits)
    summary.plans = Counter(plans.values_list("status", flat=True))
    summary.overdue_plans = plans.filter(overdue_since__isnull=False).count()
    actions = PlanAction.objects.filter(plan__in=plans)
    summary.actions = Counter(actions.values_list("status", flat=True))
    summary.overdue_actions = actions.filter(overdue_since__isnull=False).count()
    return summary


def describe(summary: DemoVisitsSummary) -> list[str]:
    """The summary in lines, for the command."""
    label = {**dict(Rating.choices), **dict(VisitStatus.choices), **dict(ActionPlanStatus.choices),
             **dict(PlanActionStatus.choices)}

    def counts(counter):
        ordered = sorted(counter.items(), key=lambda item: -item[1])
        return ", ".join(f"{n} {label.get(key, key).lower()}" for key, n in ordered)

    return [f"Published ratings: {counts(summary.ratings)}.",
            f"Visits by status: {counts(summary.statuses)}.",
            f"Action plans: {counts(summary.plans)} ({summary.overdue_plans} overdue).",
            f"Actions: {counts(summary.actions)} ({summary.overdue_actions} overdue).",
            f"The demo manager's homes: {', '.join(summary.manager_homes) or 'none'}."]

