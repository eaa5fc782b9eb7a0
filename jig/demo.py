"""24 months of synthetic, pseudonymised ambulance and hospital feeds for the demo area.

For every home of the served councils (``quality.demo.demo_homes``), month by month up to
last month, the ambulance trust sends its incidents and the acute trust its A&E attendances
and admissions, as CSV files in the documented formats (``docs/feeds.md``). Each file goes
through the real path: a recorded upload batch, read, validated and loaded by
``jig.services.feed_batch_run`` (the work of the upload task), so the batches appear in the
feed history with their counts and the homes are queued for a risk recompute.

Rates, per occupied bed and year, are drawn per home: ambulance call-outs 1.5 to 2.5 (about
half seen and conveyed, about 30% falls under AMPDS protocol 17, mostly category 2 or 3),
emergency admissions 0.6 to 1 (5 to 10 bed days each on average) and a few more A&E
attendances; winter is busier. People are stable tokens per home (``psd-`` and letters and
digits, never an NHS number, a name or a date), some calling far more often than others. The
five homes that get worse in the returns demo (``quality.demo.deteriorating_homes``) get worse
here over the same months. One home's records are sometimes sent by postcode with its name
misspelt, and an unknown CQC location ID turns up, so the matching queue has work.

Deterministic (each home and month has its own seeded generator, record IDs are stable) and
idempotent: running again sends the same files, and every record in them is unchanged.
"""

import csv
import datetime as dt
import hashlib
import io
import math
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from carehomes.choices import HomeStatus
from carehomes.models import CareHome
from commissioning.choices import JobStatus, OrganisationKind, Role
from commissioning.models import Membership, Organisation, User
from commissioning.services import membership_create
from quality.demo import DEMO_SEED, decline_months_by_home, demo_homes, deteriorating_homes, poisson
from quality.reports import add_months, months_ending

from .feeds.codes import FeedKind
from .feeds.formats import FORMATS
from .models import FeedBatch
from .services import feed_batch_record, feed_batch_run, feed_sources

MONTHS = 24
LONDON = ZoneInfo("Europe/London")
TRUST_ODS = {FeedKind.AMBULANCE: "RZA", FeedKind.HOSPITAL: "RZK"}  # as carehomes.demo
SENDERS = {FeedKind.AMBULANCE: ("ambulance.api@demo.portal.nhs.uk", "Ambulance feed (API)"),
           FeedKind.HOSPITAL: ("hospital.api@demo.portal.nhs.uk", "Hospital feed (API)")}
UNKNOWN_CQC_ID = "1-199990001"  # a home outside the area: no home has it
CONVEYED_TO = ["RZK01", "RZK01", "RZK02"]
WINTER = {12, 1, 2}
TOKEN_LETTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
# (weight, AMPDS determinant and description); falls are drawn separately.
COMPLAINTS = [(14, "26-A-1 Sick person"), (12, "06-C-1 Breathing problems"),
              (7, "10-C-1 Chest pain"), (6, "31-D-2 Unconscious or fainting"),
              (5, "28-C-1 Stroke"), (4, "12-D-2 Convulsions or fitting"),
              (4, "21-B-1 Haemorrhage"), (3, "09-E-1 Cardiac arrest")]
FALLS = ["17-A-1 Falls, not dangerous body area", "17-A-2 Falls, non-recent",
         "17-B-1 Falls, possibly dangerous body area", "17-D-3 Falls, not alert"]
DIAGNOSES = [(16, "J18.9"), (14, "N39.0"), (10, "S72.0"), (8, "J44.1"), (8, "I50.9"),
             (7, "A41.9"), (6, "E86X"), (5, "I63.9"), (5, "R55"), (4, "K59.0")]
EMERGENCY_METHODS = [(80, "21"), (10, "22"), (4, "2A"), (3, "28"), (3, "2B")]
DESTINATIONS = [(85, "Care home"), (8, "Died"), (4, "Community hospital"), (3, "Hospice")]


@dataclass
class DemoFeedsSummary:
    first_month: dt.date | None = None
    last_month: dt.date | None = None
    homes: int = 0
    batches: int = 0
    rows_sent: int = 0
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0
    rejected: list[str] = field(default_factory=list)
    deteriorating_homes: list[str] = field(default_factory=list)
    misnamed_home: str = ""


@dataclass
class Profile:
    """One home's steady state, drawn once from its own generator."""

    occupied: float
    callouts: float  # per occupied bed and year
    conveyed: float  # share of call-outs seen and conveyed
    falls: float  # share of call-outs that are falls
    admissions: float  # emergency admissions per occupied bed and year
    attendances: float  # A&E attendances per occupied bed and year
    frequent: float  # share of events for the home's few frequent callers


# Random numbers and values ----------------------------------------------------------

def _pick(rng: random.Random, weighted: list[tuple[int, str]]) -> str:
    return rng.choices([v for _, v in weighted], weights=[w for w, _ in weighted])[0]


def person_token(seed: int, home_key: str, person: int) -> str:
    """A stable pseudonym: ``psd-`` then letters with single digits between (never a date,
    an NHS number or all digits)."""
    digest = hashlib.sha256(f"{seed}:{home_key}:{person}".encode()).digest()
    chars = [str(b % 10) if i % 3 == 2 else TOKEN_LETTERS[b % len(TOKEN_LETTERS)]
             for i, b in enumerate(digest[:12])]
    return "psd-" + "".join(chars)


def misspelt(name: str) -> str:
    """The home's name with one letter dropped from its longest word (as a typist might)."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) >= 4:
        words[longest] = word[:2] + word[3:]
    else:
        words[longest] = word + word[-1]
    return " ".join(words)


def _local(day: dt.date, minutes: int) -> dt.datetime:
    """A moment of a UK day; a time the clocks skipped (spring forward) moves an hour on."""
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    back = naive.replace(tzinfo=LONDON).astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None)
    return naive if back == naive else naive + dt.timedelta(hours=1)


def _moment(rng: random.Random, month: dt.date) -> dt.datetime:
    days = (add_months(month, 1) - month).days
    day = month + dt.timedelta(days=rng.randrange(days))
    hour = rng.choices(range(24), weights=[2, 2, 2, 2, 2, 3, 4, 6, 8, 8, 8, 7,
                                           7, 7, 7, 7, 7, 6, 6, 5, 4, 4, 3, 2])[0]
    return _local(day, hour * 60 + rng.randrange(60))


def _profile(home: CareHome, rng: random.Random) -> Profile:
    admissions = rng.uniform(0.6, 1.0)
    return Profile(occupied=max(1.0, home.beds * rng.uniform(0.85, 0.95)),
                   callouts=rng.uniform(1.5, 2.5), conveyed=rng.uniform(0.42, 0.58),
                   falls=rng.uniform(0.22, 0.36), admissions=admissions,
                   attendances=admissions * rng.uniform(1.15, 1.45), frequent=rng.uniform(0.2, 0.4))


# One home's month -------------------------------------------------------------------

@dataclass
class HomeMonth:
    """What is needed to write one home's records for one month."""

    home: CareHome
    key: str  # short and stable, for record IDs and tokens
    profile: Profile
    month: dt.date
    index: int  # months since the first month: residents come and go
    decline: float  # 0 (steady) to 1 (at its worst)
    identify_by_address: bool  # the month this home's first records come by postcode, misspelt

    def person(self, rng: random.Random, seed: int) -> str:
        residents = max(2, round(self.profile.occupied))
        start = round(self.index * residents * 0.04)  # about 4% of residents change a month
        frequent = max(1, residents // 10)
        offset = rng.randrange(frequent) if rng.random() < self.profile.frequent else rng.randrange(residents)
        return person_token(seed, self.key, start + offset)

    def home_fields(self, number: int) -> dict:
        if self.identify_by_address and number == 0:
            return {"home_postcode": self.home.postcode, "home_name": misspelt(self.home.name)}
        return {"cqc_location_id": self.home.cqc_location_id, "home_name": self.home.name}

    def rate(self, per_bed_year: float, winter: float, worse: float) -> float:
        busier = winter if self.month.month in WINTER else 1.0
        return self.profile.occupied * per_bed_year / 12 * busier * (1 + worse * self.decline)


def ambulance_records(hm: HomeMonth, seed: int) -> list[dict]:
    rng = random.Random(f"{seed}:ambulance:{hm.key}:{hm.month:%Y-%m}")
    records = []
    for number in range(poisson(rng, hm.rate(hm.profile.callouts, 1.15, 1.5))):
        fall = rng.random() < hm.profile.falls + 0.2 * hm.decline
        complaint = rng.choice(FALLS) if fall else _pick(rng, COMPLAINTS)
        category = ("C1" if complaint.startswith("09-") else
                    rng.choices(["C1", "C2", "C3", "C4"], weights=[6, 55, 32, 7])[0])
        conveyed = category == "C1" or rng.random() < hm.profile.conveyed + 0.1 * hm.decline
        outcome = ("See and convey" if conveyed
                   else rng.choices(["See and treat", "Hear and treat"], weights=[7, 3])[0])
        records.append({
            "source_record_id": f"AMB-{hm.month:%Y%m}-{hm.key}-{number:03d}",
            "called_at": f"{_moment(rng, hm.month):%d/%m/%Y %H:%M}", **hm.home_fields(number),
            "response_category": category, "chief_complaint": complaint, "outcome": outcome,
            "conveyed_to_site": rng.choice(CONVEYED_TO) if outcome == "See and convey" else "",
            "person_token": hm.person(rng, seed)})
    return records


def hospital_records(hm: HomeMonth, seed: int, today: dt.date) -> list[dict]:
    rng = random.Random(f"{seed}:hospital:{hm.key}:{hm.month:%Y-%m}")
    admissions = poisson(rng, hm.rate(hm.profile.admissions, 1.1, 1.2))
    attendances = poisson(rng, hm.rate(hm.profile.attendances, 1.1, 1.2))
    electives = poisson(rng, hm.profile.occupied * 0.08 / 12)
    records = []
    for number, kind in enumerate(["admission"] * admissions + ["elective"] * electives
                                  + ["attendance"] * attendances):
        arrived = _moment(rng, hm.month)
        common = {"arrived_at": f"{arrived:%d/%m/%Y %H:%M}", **hm.home_fields(number),
                  "person_token": hm.person(rng, seed)}
        if kind == "attendance":
            left = arrived.date() + dt.timedelta(days=int(arrived.hour >= 20))
            records.append({**common, "source_record_id": f"AE-{hm.month:%Y%m}-{hm.key}-{number:03d}",
                            "kind": "A&E attendance", "discharged_on": f"{left:%d/%m/%Y}",
                            "discharge_destination": "Care home"})
            continue
        emergency = kind == "admission"
        bed_days = (min(60, round(rng.lognormvariate(math.log(5.5), 0.8) * (1 + 0.3 * hm.decline)))
                    if emergency else rng.choice([0, 0, 1, 2]))
        left = arrived.date() + dt.timedelta(days=bed_days)
        records.append({
            **common, "source_record_id": f"APC-{hm.month:%Y%m}-{hm.key}-{number:03d}",
            "kind": "Admission",
            "admission_method": _pick(rng, EMERGENCY_METHODS) if emergency else rng.choice(["11", "12"]),
            "discharged_on": f"{left:%d/%m/%Y}" if left < today else "",  # still in hospital
            "primary_diagnosis": _pick(rng, DIAGNOSES) if emergency else "H25.9",
            "discharge_destination": _pick(rng, DESTINATIONS) if left < today else ""})
    return records


def feed_csv(kind: str, records: list[dict]) -> bytes:
    """Records (by field name) as a CSV file with the format's own headers."""
    columns = FORMATS[kind].columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    writer.writerows([record.get(c.field, "") for c in columns] for record in records)
    return out.getvalue().encode()


def _unknown_home_records(month: dt.date, seed: int) -> list[dict]:
    """A resident of a home outside the area, taken ill visiting family here."""
    rng = random.Random(f"{seed}:unknown:{month:%Y-%m}")
    return [{"source_record_id": f"AMB-{month:%Y%m}-XX-{n:03d}",
             "called_at": f"{_moment(rng, month):%d/%m/%Y %H:%M}", "cqc_location_id": UNKNOWN_CQC_ID,
             "response_category": "C3", "chief_complaint": rng.choice(FALLS),
             "outcome": "See and treat", "person_token": person_token(seed, "unknown", 0)}
            for n in range(2)]


# Senders and sending ----------------------------------------------------------------

def _trust(kind: str) -> Organisation:
    """The demo trust for this feed (by its ODS code), or else the first such trust."""
    trusts = Organisation.objects.filter(kind=(OrganisationKind.AMBULANCE_TRUST if kind == FeedKind.AMBULANCE
                                               else OrganisationKind.ACUTE_TRUST), is_archived=False)
    trust = trusts.filter(ods_code=TRUST_ODS[kind]).first() or trusts.order_by("pk").first()
    if trust is None:
        raise ValidationError(f"There is no {FeedKind(kind).label.lower()} trust. Run seed_demo first.")
    return trust


def _sender(kind: str, trust: Organisation) -> User:
    """The trust's partner system account (made once, with an API token)."""
    email, name = SENDERS[kind]
    user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, full_name=name)
    if not Membership.objects.filter(user=user, organisation=trust, role=Role.PARTNER_SYSTEM).exists():
        membership_create(user=user, organisation=trust, role=Role.PARTNER_SYSTEM)
    Token.objects.get_or_create(user=user)
    return user


def send_file(*, kind: str, trust: Organisation, user: User, filename: str, content: bytes) -> FeedBatch:
    """Record the file as the partner's upload and load it at once (the upload task's work)."""
    if not feed_sources(user, kind).filter(pk=trust.pk).exists():
        raise ValidationError(f"{user} cannot send {kind} feeds for {trust}.")
    batch = feed_batch_record(kind=kind, source=trust, filename=filename, content=content, user=user)
    return feed_batch_run(batch=batch)


# The whole demo ---------------------------------------------------------------------

def _home_months(homes, months, seed, declining, misnamed) -> dict[dt.date, list[HomeMonth]]:
    by_month: dict[dt.date, list[HomeMonth]] = {m: [] for m in months}
    for home in homes:
        key = "H" + hashlib.sha256(f"{seed}:{home.cqc_location_id}".encode()).hexdigest()[:8]
        profile = _profile(home, random.Random(f"{seed}:feeds:{home.cqc_location_id}"))
        started = home.registered_on.replace(day=1) if home.registered_on else months[0]
        ended = home.deregistered_on if home.status == HomeStatus.DEREGISTERED else None
        decline_start = len(months) - declining.get(home.pk, 0)
        for index, month in enumerate(months):
            if month < started or (ended and month > ended):
                continue
            decline = ((index - decline_start + 1) / declining[home.pk]
                       if home.pk in declining and index >= decline_start else 0.0)
            by_month[month].append(HomeMonth(
                home, key, profile, month, index, decline,
                identify_by_address=home == misnamed and index % 3 == 2))
    return by_month


def seed_demo_feeds(*, today: dt.date, seed: int = DEMO_SEED) -> DemoFeedsSummary:
    """Send 24 months of both feeds, ending last month, for the demo area's homes.

    Run ``seed_demo`` first. Safe to run again: the same files are sent and change nothing.
    """
    last_month = add_months(today.replace(day=1), -1)
    months = months_ending(last_month, MONTHS)
    homes = list(demo_homes())
    worse = deteriorating_homes(homes, seed)
    # The same months of decline as the returns demo (quality.demo.seed_demo_returns).
    declining = decline_months_by_home(homes, seed)
    steady = [h for h in homes if h.pk not in declining and h.status == HomeStatus.ACTIVE]
    misnamed = random.Random(f"{seed}:misnamed").choice(steady) if steady else None
    summary = DemoFeedsSummary(first_month=months[0], last_month=last_month, homes=len(homes),
                               deteriorating_homes=[f"{h.name} ({h.cqc_location_id})" for h in worse],
                               misnamed_home=f"{misnamed.name} ({misnamed.postcode})" if misnamed else "")
    senders = {kind: (trust := _trust(kind), _sender(kind, trust)) for kind in FeedKind.values}
    for month, home_months in _home_months(homes, months, seed, declining, misnamed).items():
        ambulance = [r for hm in home_months for r in ambulance_records(hm, seed)]
        if month >= months[-3]:
            ambulance += _unknown_home_records(month, seed)
        hospital = [r for hm in home_months for r in hospital_records(hm, seed, today)]
        for kind, records in ((FeedKind.AMBULANCE, ambulance), (FeedKind.HOSPITAL, hospital)):
            if not records:
                continue
            trust, user = senders[kind]
            batch = send_file(kind=kind, trust=trust, user=user, content=feed_csv(kind, records),
                              filename=f"{trust.ods_code or 'trust'}-{kind}-{month:%Y-%m}.csv")
            _count(summary, batch, len(records))
    return summary


def _count(summary: DemoFeedsSummary, batch: FeedBatch, sent: int) -> None:
    summary.batches += 1
    summary.rows_sent += sent
    if batch.status != JobStatus.SUCCEEDED:
        summary.rejected.append(f"{batch.filename}: {batch.stage} {batch.errors[:3]}")
        return
    summary.accepted += batch.rows_accepted
    summary.updated += batch.rows_updated
    summary.unchanged += batch.rows_unchanged
    summary.unmatched += batch.rows_unmatched
