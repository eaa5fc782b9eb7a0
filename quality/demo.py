"""24 months of plausible monthly returns for the demo area (built by ``carehomes.demo``).

Every active home in the served councils returns each month up to last month. Most returns
are on time; a few are submitted late or amended; for the latest month some homes have not
started and some have only a draft. A few homes (chosen by the seed) deteriorate over their
last 6 to 9 months, so the risk work has something to find.

Fast: the rows are made with ``bulk_create``, not one service call per return, but every set
of values goes through ``validation.check_return`` (with the home's history, as a real
submission would), and warnings get the confirming reason a manager would give.

Deterministic and idempotent: each home's series comes from its own seeded generator, and
returns that exist already are left as they are, so running again changes nothing.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from carehomes.choices import HomeStatus
from carehomes.models import CareHome
from commissioning import access
from commissioning.models import User

from .choices import ReturnSource, ReturnStatus
from .models import MonthlyReturn, ReturnVersion
from .services import due_date_for, first_of_month, indicator_set_current
from .validation import check_return, to_json

DEMO_SEED = 2016
MONTHS = 24
DETERIORATING_HOMES = 5
DEMO_MANAGER_EMAIL = "manager@demo.portal.nhs.uk"
WINTER = {12, 1, 2}
CONFIRMATION = "We have checked this figure and it is right."
DECLINE_NOTES = [
    "Several experienced carers have left and we are relying on agency staff.",
    "Our deputy manager has left and we are recruiting. Agency use is high.",
    "More falls this month. We have asked the falls team for a review.",
    "Two residents developed pressure ulcers. The tissue viability nurse is visiting.",
]
NOTES = [
    "The GP round moved to Thursdays, which has worked well.",
    "We had a delayed discharge from hospital this month.",
    "We are short of night staff and are recruiting.",
    "New activities coordinator started this month.",
]


@dataclass
class Profile:
    """One home's steady state, drawn once from its own generator."""

    occupancy: float
    shares: dict[str, float]
    falls_rate: float
    nursing: bool
    agency_percent: float
    decline_months: int = 0  # the last N months get steadily worse; 0 for most homes


@dataclass
class Planned:
    monthly_return: MonthlyReturn
    versions: list[dict] = field(default_factory=list)


@dataclass
class DemoReturnsSummary:
    returns_created: int = 0
    versions_created: int = 0
    first_month: dt.date | None = None
    last_month: dt.date | None = None
    late_homes: list[str] = field(default_factory=list)
    drafts: int = 0
    not_started: int = 0
    deteriorating_homes: list[str] = field(default_factory=list)
    manager_home: str = ""


# Random numbers ----------------------------------------------------------------------

def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


# Values ------------------------------------------------------------------------------

def _profile(home: CareHome, rng: random.Random) -> Profile:
    nursing = home.registration_type != "residential"
    return Profile(
        occupancy=rng.uniform(0.87, 0.95),
        shares={"occupied_council": rng.uniform(0.30, 0.55),
                "occupied_nhs_chc": rng.uniform(0.08, 0.18) if nursing else rng.uniform(0, 0.03),
                "occupied_joint": rng.uniform(0.01, 0.05), "occupied_other": rng.uniform(0, 0.04)},
        falls_rate=rng.uniform(0.2, 0.4), nursing=nursing, agency_percent=rng.uniform(2, 9))


def _beds(home, profile, decline, rng) -> dict:
    beds = home.beds
    rate = profile.occupancy + rng.uniform(-0.02, 0.02) - 0.15 * decline
    occupied = min(beds, max(0, round(beds * min(0.97, max(0.6, rate)))))
    reserved = min(beds - occupied, rng.choice([0, 0, 1, 1, 2]))
    values = {"beds_registered": beds, "beds_occupied": occupied,
              "beds_vacant_reserved": reserved,
              "beds_vacant_available": max(0, beds - occupied - reserved - rng.choice([0, 0, 1]))}
    funded = {key: round(occupied * share) for key, share in profile.shares.items()}
    while sum(funded.values()) > occupied:
        largest = max(funded, key=funded.get)
        funded[largest] -= 1
    values.update(funded, occupied_self_funded=occupied - sum(funded.values()))
    return values


def _movements(occupied, profile, rng) -> dict:
    in_home = poisson(rng, occupied * (0.03 if profile.nursing else 0.018))
    in_hospital = poisson(rng, occupied * 0.008)
    elsewhere = poisson(rng, occupied * 0.001)
    return {"admissions": poisson(rng, occupied * 0.06), "discharges": poisson(rng, occupied * 0.015),
            "deaths_in_home": in_home, "deaths_in_hospital": in_hospital,
            "deaths_elsewhere": elsewhere,
            "deaths_preferred_place": _binomial(rng, in_home + in_hospital + elsewhere, 0.7)}


def _safety(occupied, profile, decline, winter, rng) -> dict:
    falls = poisson(rng, occupied * profile.falls_rate * (1 + 2.2 * decline))
    callouts = poisson(rng, occupied * 0.07 * (1.2 if winter else 1) * (1 + 1.5 * decline))
    attendances = _binomial(rng, callouts, 0.7)
    ulcer_rate = (0.012 if profile.nursing else 0.005) * (1 + 5 * decline)
    return {
        "falls": falls, "falls_with_injury": _binomial(rng, falls, 0.12 + 0.1 * decline),
        "pressure_ulcers": poisson(rng, occupied * ulcer_rate),
        "utis": poisson(rng, occupied * 0.04 * (1.3 if winter else 1)),
        "infection_outbreaks": int(rng.random() < (0.08 if winter else 0.02)),
        "medication_errors": poisson(rng, occupied * 0.02 * (1 + 2 * decline)),
        "safeguarding_concerns": poisson(rng, occupied * 0.008 * (1 + 2 * decline)),
        "complaints": poisson(rng, occupied * 0.006 * (1 + 2 * decline)),
        "dols_applications": poisson(rng, occupied * 0.03),
        "ambulance_callouts": callouts, "ae_attendances": attendances,
        "emergency_admissions": _binomial(rng, attendances, 0.55),
    }


def _workforce(occupied, profile, decline, rng) -> dict:
    care = max(4, round(occupied * rng.uniform(0.8, 0.95)))
    nurses = max(2, round(occupied * 0.14)) if profile.nursing else 0
    agency = min(100.0, profile.agency_percent + rng.uniform(-1, 1) + 25 * decline)
    return {
        "staff_rn_employed": nurses,
        "staff_rn_agency": poisson(rng, nurses * (0.1 + 0.4 * decline)) if nurses else 0,
        "staff_care_employed": care,
        "staff_care_agency": poisson(rng, care * agency / 100),
        "staff_noncare_employed": max(2, round(occupied * rng.uniform(0.25, 0.35))),
        "staff_noncare_agency": poisson(rng, 0.3),
        "staff_vacancies": poisson(rng, care * 0.05 * (1 + 2 * decline)),
        "staff_leavers": poisson(rng, (care + nurses) * 0.02 * (1 + 3 * decline)),
        "agency_hours_percent": round(max(0.0, agency), 1),
        "sickness_percent": round(rng.uniform(2.5, 5.5) + 3 * decline, 1),
        "training_mandatory_percent": round(rng.uniform(88, 98) - 15 * decline, 1),
        "training_dementia_percent": round(rng.uniform(72, 94) - 10 * decline, 1),
        "training_eol_percent": round(rng.uniform(50, 85) - 10 * decline, 1),
    }


def return_values(home: CareHome, profile: Profile, month: dt.date, decline: float,
                  rng: random.Random) -> dict:
    """One month's values for a home. ``decline`` runs from 0 (steady) to 1 (at its worst)."""
    values = _beds(home, profile, decline, rng)
    occupied = values["beds_occupied"]
    values.update(_movements(occupied, profile, rng))
    values.update(_safety(occupied, profile, decline, month.month in WINTER, rng))
    values.update(_workforce(occupied, profile, decline, rng))
    notes = DECLINE_NOTES if decline > 0.3 else NOTES
    values["issues_for_commissioners"] = (rng.choice(notes) if rng.random() < 0.15 + 0.5 * decline
                                          else "")
    return values


# Plan ----------------------------------------------------------------------------------

def demo_homes():
    """Homes of the served councils with residents: active ones and those that left since."""
    return (CareHome.objects.filter(local_authority__is_served=True)
            .exclude(status=HomeStatus.DORMANT).order_by("cqc_location_id"))


def deteriorating_homes(homes: list[CareHome], seed: int) -> list[CareHome]:
    """The homes that get worse: chosen by the seed among active homes of 30 beds or more."""
    candidates = [h for h in homes if h.status == HomeStatus.ACTIVE and h.beds >= 30]
    return sorted(random.Random(seed).sample(candidates, min(DETERIORATING_HOMES, len(candidates))),
                  key=lambda h: h.name)


def decline_months_by_home(homes: list[CareHome], seed: int) -> dict[int, int]:
    """The deteriorating homes (by pk), each with how many of the last months get worse."""
    return {h.pk: random.Random(f"{seed}:decline:{h.pk}").randint(6, 9)
            for h in deteriorating_homes(homes, seed)}


def _manager_home(homes, declining_ids) -> tuple[CareHome | None, User | None]:
    """A home of the demo manager's that is left with its latest return to do."""
    manager = User.objects.filter(email=DEMO_MANAGER_EMAIL).first()
    if manager is None:
        return None, None
    visible = set(access.restrict(CareHome.objects.all(), manager, access.Action.SUBMIT_RETURN)
                  .values_list("pk", flat=True))
    mine = sorted((h for h in homes if h.pk in visible and h.pk not in declining_ids
                   and h.status == HomeStatus.ACTIVE), key=lambda h: h.name)
    return (mine[0] if mine else None), manager


def _months_due(home: CareHome, months: list[dt.date]) -> list[dt.date]:
    """The months the home was registered for (the rule of ``selectors.homes_due_a_return``)."""
    started = first_of_month(home.registered_on) if home.registered_on else months[0]
    return [m for m in months if m >= started and (
        home.status != HomeStatus.DEREGISTERED or (home.deregistered_on and m <= home.deregistered_on))]


def _submitted_at(rng, month: dt.date, late: bool, now: dt.datetime) -> dt.datetime:
    due_on = due_date_for(month)
    day = due_on + dt.timedelta(days=rng.randint(1, 20)) if late else (
        due_on - dt.timedelta(days=rng.randint(0, 12)))
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17),
                                                                  rng.randint(0, 59))))
    return min(moment, now - dt.timedelta(hours=1))


def _checked(indicators, values, history, *, complete=True):
    check = check_return(indicators, values, history=history, complete=complete)
    if not check.ok:  # a bug in this module, not in the data: stop before writing anything
        raise ValueError(f"Demo values break the rules: {check.errors}")
    return to_json(check.cleaned), {key: CONFIRMATION for key in check.warnings}


def _latest_state(rng, declining: bool) -> str:
    """How the latest month's return stands: most on time, some late, missing or draft."""
    if declining:
        return "on_time"
    roll = rng.random()
    return ("missing" if roll < 0.07 else "draft" if roll < 0.12
            else "late" if roll < 0.2 else "on_time")


def _plan_home(home, *, months, last_month, indicators, indicator_set, seed, decline_months, state_override,
               submitted_by, now) -> list[Planned]:
    rng = random.Random(f"{seed}:{home.cqc_location_id}")
    profile = _profile(home, rng)
    latest_state = state_override or _latest_state(rng, bool(decline_months))
    history: list[dict] = []
    planned = []
    decline_start = len(months) - decline_months
    for index, month in enumerate(months):
        decline = (index - decline_start + 1) / decline_months if (
            decline_months and index >= decline_start) else 0.0
        values = return_values(home, profile, month, decline, rng)
        last = month == last_month
        state = latest_state if last else (
            "late" if rng.random() < 0.06 else "amended" if rng.random() < 0.02 else "on_time")
        if state == "missing":
            continue
        base = {"care_home": home, "month": month, "indicator_set": indicator_set,
                "due_on": due_date_for(month), "created_by": submitted_by,
                "modified_by": submitted_by}
        if state == "draft":
            partial = dict(list(values.items())[:12])
            draft_values, _ = _checked(indicators, partial, [], complete=False)
            planned.append(Planned(MonthlyReturn(**base, status=ReturnStatus.DRAFT,
                                                 values=draft_values)))
            continue
        final, confirmations = _checked(indicators, values, history)
        first_at = _submitted_at(rng, month, state == "late", now)
        versions = [{"number": 1, "status": ReturnStatus.SUBMITTED, "values": final,
                     "confirmations": confirmations, "reason": ""}]
        if state == "amended":
            wrong = {**values, "admissions": values["admissions"] + 1}
            first_values, first_confirmations = _checked(indicators, wrong, history)
            versions = [{**versions[0], "values": first_values,
                         "confirmations": first_confirmations},
                        {"number": 2, "status": ReturnStatus.AMENDED, "values": final,
                         "confirmations": confirmations,
                         "reason": "Corrected the number of admissions."}]
        submitted_at = min(first_at + dt.timedelta(days=3 if state == "amended" else 0), now)
        planned.append(Planned(MonthlyReturn(
            **base, status=versions[-1]["status"], values=final, confirmations=confirmations,
            first_submitted_on=first_at, submitted_on=submitted_at, submitted_by=submitted_by,
            version_count=len(versions), created_on=first_at), versions))
        history.insert(0, final)
    return planned


# Write ---------------------------------------------------------------------------------

def _write(planned: list[Planned]) -> tuple[int, int]:
    existing = set(MonthlyReturn.objects.filter(
        care_home__in={p.monthly_return.care_home_id for p in planned},
        month__in={p.monthly_return.month for p in planned}).values_list("care_home_id", "month"))
    new = [p for p in planned if (p.monthly_return.care_home_id, p.monthly_return.month)
           not in existing]
    MonthlyReturn.objects.bulk_create([p.monthly_return for p in new], batch_size=500)
    versions = [ReturnVersion(monthly_return=p.monthly_return, source=ReturnSource.DEMO,
                              created_by=p.monthly_return.submitted_by, **spec)
                for p in new for spec in p.versions]
    ReturnVersion.objects.bulk_create(versions, batch_size=1000)
    if versions:
        # created_on is auto_now_add: set it to when each version was really submitted.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ReturnVersion._meta.db_table} v SET created_on = CASE WHEN v.number = 1 "
                f"THEN r.first_submitted_on ELSE r.submitted_on END "
                f"FROM {MonthlyReturn._meta.db_table} r "
                "WHERE v.monthly_return_id = r.id AND v.id = ANY(%s)", [[v.pk for v in versions]])
    return len(new), len(versions)


@transaction.atomic
def seed_demo_returns(*, today: dt.date, seed: int = DEMO_SEED) -> DemoReturnsSummary:
    """Build 24 months of returns, ending last month, for the demo area's homes.

    Run ``seed_demo`` first. Safe to run again: returns that exist are left as they are.
    """
    last_month = _add_months(first_of_month(today), -1)
    months = [_add_months(last_month, -k) for k in range(MONTHS - 1, -1, -1)]
    homes = list(demo_homes().select_related("provider"))
    declining = deteriorating_homes(homes, seed)
    decline_months = decline_months_by_home(homes, seed)
    manager_home, manager = _manager_home(homes, set(decline_months))
    indicator_set = indicator_set_current()
    indicators = list(indicator_set.indicators.all())
    now = timezone.now()
    planned: list[Planned] = []
    for home in homes:
        planned += _plan_home(
            home, months=_months_due(home, months), last_month=last_month, indicators=indicators,
            indicator_set=indicator_set,
            seed=seed, decline_months=decline_months.get(home.pk, 0),
            state_override="missing" if home == manager_home else None,
            submitted_by=manager if manager_home and home.provider_id == manager_home.provider_id
            else None, now=now)
    summary = DemoReturnsSummary(first_month=months[0], last_month=last_month,
                                 deteriorating_homes=[f"{h.name} ({h.cqc_location_id})"
                                                      for h in declining],
                                 manager_home=manager_home.name if manager_home else "")
    summary.returns_created, summary.versions_created = _write(planned)
    _summarise_latest(summary, homes, last_month, today)
    return summary


def _summarise_latest(summary: DemoReturnsSummary, homes, last_month: dt.date,
                      today: dt.date) -> None:
    active = [h for h in homes if h.status == HomeStatus.ACTIVE]
    latest = dict(MonthlyReturn.objects.filter(care_home__in=active, month=last_month)
                  .values_list("care_home_id", "status"))
    summary.not_started = sum(1 for h in active if h.pk not in latest)
    summary.drafts = sum(1 for status in latest.values() if status == ReturnStatus.DRAFT)
    if today > due_date_for(last_month):
        summary.late_homes = sorted(h.name for h in active
                                    if latest.get(h.pk, ReturnStatus.DRAFT) == ReturnStatus.DRAFT)
