"""Time the JIG meeting pack at national scale: the PDF for a meeting with 40 flagged homes.

    .venv/bin/python -m bench.pack [--rows 15000] [--flagged 40] [--repeat 3]

Reuses the national registry ``bench.import_cqc`` (or the other benchmarks) left in the
benchmark database, or imports it as ``bench.carehome_list`` does. Then it builds what a
pack needs, without timing it:

* **ratings** for every active home for this month and last month, each with every component
  of the current risk model (value, band, points and the sentence saying why), bulk-inserted.
  Ratings a run of ``bench.feeds`` left for both months are reused instead. Homes keep their
  RAG between the months, except ``--flagged`` homes that turn red this month;
* a **group** covering the whole national area (every served council and NHS commissioner),
  with its three documents, a chair, a co-chair and the ambulance and acute trusts' members;
  last month's meeting (closed, with attendance and actions, some done, some overdue, training
  among them) and this month's, with the ``--flagged`` homes flagged for the reasons the real
  rules (``jig.flagging``) give, deep dives asked and most answered, soft intelligence on the
  flagged homes and elsewhere, and three planning applications awaiting a decision;

and times, as the median of ``--repeat`` runs after one warm-up:

* ``pack_context(meeting)`` alone (the data: the dashboard of every home, the flags, actions);
* ``meeting_pack_render(pack=)``: the whole job the Celery task runs (context, charts, visits,
  WeasyPrint, storing the file), with how much of it is WeasyPrint (``render_pdf``);

printing seconds, Python CPU seconds, SQL queries, pages and MB. The PDFs are written to a
temporary MEDIA_ROOT, removed afterwards. The SPC charts read the homes' feed series: zeros
unless ``bench.feeds`` loaded feeds into the same database (the output says which).
"""

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import tempfile
from decimal import Decimal
from unittest import mock

from bench import add_common_arguments, configure, print_table, timed_cpu

SEED = 2016
FLAGGED = 40
OTHER_INTELLIGENCE = 300  # soft intelligence items on homes that are not flagged
LEVELS = [(0.70, 0.05), (0.20, 0.25), (0.10, 0.55)]  # (share of homes, chance a component is red)


# Ratings ----------------------------------------------------------------------------------------

class Rater:
    """Components as the engine writes them, for a home at a chosen level of risk."""

    def __init__(self, model, window: str):
        from jig.risk.components import REGISTRY

        self.model, self.window = model, window
        self.rows = [(c, REGISTRY[c.code]) for c in model.components.order_by("order", "pk")
                     if c.code in REGISTRY]

    def components(self, rng: random.Random, red_chance: float) -> tuple[list[dict], Decimal]:
        from jig.risk.components import band_phrase

        parts, score = [], Decimal(0)
        for row, spec in self.rows:
            roll = rng.random()
            band = "red" if roll < red_chance else "amber" if roll < red_chance * 2.2 else "green"
            value = float({"red": row.red_from * Decimal("1.2"), "amber": row.amber_from,
                           "green": row.amber_from / 2}[band])
            points = {"red": row.weight, "amber": row.weight / 2, "green": Decimal(0)}[band]
            rate = spec.unit == "× area rate"
            display = f"{value:.2f} × the area rate" if rate else f"{value:g} {spec.unit}"
            part = {"code": row.code, "label": spec.label, "value": value, "display": display, "band": band,
                    "weight": float(row.weight), "contribution": float(points),
                    "why": f"{spec.label}: {display} in {self.window}: "
                           f"{band_phrase(band, row.amber_from, row.red_from)}."}
            if row.code == "spc_signals":
                part["series"] = ["falls_callouts"] if band != "green" else []
            parts.append(part)
            score += points
        return parts, score

    def rag(self, score: Decimal) -> str:
        if score >= self.model.red_from:
            return "red"
        return "amber" if score >= self.model.amber_from else "green"

    def drawn(self, rng: random.Random, rag: str, red_chance: float) -> tuple[list[dict], Decimal]:
        """Components giving ``rag`` (drawn again until they do)."""
        while True:
            parts, score = self.components(rng, red_chance)
            if self.rag(score) == rag:
                return parts, score


def rate_every_home(home_ids: list[int], flagged: list[int], months: list[dt.date], rng) -> int:
    """Two months of ratings for every home; ``flagged`` turn from amber to red. Bulk insert."""
    from django.utils import timezone

    from jig.models import RiskRating
    from jig.risk.services import risk_model_current
    from quality.charts import month_label

    model = risk_model_current()
    previous, current = months
    rater = Rater(model, f"the three months to {month_label(previous)}")
    RiskRating.objects.filter(month__in=months).delete()
    now, chosen, rows = timezone.now(), set(flagged), []
    for pk in home_ids:
        if pk in chosen:
            before, before_score = rater.drawn(rng, "amber", 0.2)
            after, score = rater.drawn(rng, "red", 0.5)
        else:
            share = rng.random()
            red_chance = next(chance for cumulative, chance in _cumulative() if share < cumulative)
            after, score = rater.components(rng, red_chance)
            before, before_score = after, score
        for month, parts, points, last in ((previous, before, before_score, None),
                                           (current, after, score, before_score)):
            rows.append(RiskRating(
                care_home_id=pk, month=month, model=model, score=points, rag=rater.rag(points),
                components=parts,
                previous_score=last, previous_rag=rater.rag(last) if last is not None else "",
                score_change=None if last is None else points - last, computed_on=now))
    RiskRating.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _cumulative():
    total = 0.0
    for share, chance in LEVELS:
        total += share
        yield total, chance


def ratings_reusable(home_ids: list[int], months: list[dt.date]) -> bool:
    from jig.models import RiskRating

    return all(RiskRating.objects.filter(month=month, care_home__in=home_ids).count() == len(home_ids)
               for month in months)


# The group, its meetings and what members recorded ----------------------------------------------

DOCUMENTS = {
    "terms_of_reference": "The group shares intelligence about care homes to keep residents safe, and agrees "
                          "actions across the council and the NHS.",
    "standing_agenda": "1. Welcome, apologies and confidentiality statement\n2. Minutes and actions of the "
                       "last meeting\n3. Dashboard: homes flagged for discussion\n4. Planning applications\n"
                       "5. Any other business",
    "confidentiality_statement": "I will not share what is discussed at this meeting outside it, except to "
                                 "protect a person from harm, and then only as the law allows.",
}


def clear_jig() -> None:
    """Empty the JIG's meeting tables (and their history), so every run starts alike."""
    from django.db import connection

    from jig import models

    tables = []
    for name in ("MeetingPack", "DeepDiveAttachment", "DeepDiveAnswer", "DeepDiveRequest", "HomeFlag",
                 "JigAction", "SoftIntelligence", "PlanningApplication", "ConfidentialitySignature",
                 "Attendance", "Meeting", "JigMembership", "GroupDocument", "JigGroup"):
        model = getattr(models, name)
        tables.append(model._meta.db_table)
        history = getattr(model, "history", None)
        if history is not None:
            tables.append(history.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t) for t in tables)} CASCADE")


def _person(email: str, name: str):
    from commissioning.models import User

    return User.objects.filter(email=email).first() or User.objects.create_user(email=email, full_name=name)


def build_group(admin):
    """The national group with its documents and members: (group, {key: person})."""
    from commissioning.choices import OrganisationKind
    from commissioning.models import Organisation
    from jig import meeting_services as ms
    from jig.choices import JigRole

    from .feeds import bench_trusts

    councils = list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, is_served=True))
    commissioners = list(Organisation.objects.filter(kind=OrganisationKind.NHS_COMMISSIONER))
    group = ms.jig_group_create(user=admin, name="National benchmark JIG", councils=councils,
                                commissioners=commissioners, quorum_members=3)
    for kind, text in DOCUMENTS.items():
        ms.group_document_publish(group=group, kind=kind, text=text, user=admin)
    trusts = bench_trusts()
    seats = {"chair": (councils[0], JigRole.CHAIR), "co_chair": (commissioners[0], JigRole.CO_CHAIR),
             "ambulance": (trusts["ambulance"], JigRole.MEMBER),
             "acute": (trusts["hospital"], JigRole.MEMBER)}
    people, year_ago = {}, dt.date.today() - dt.timedelta(days=365)
    for key, (organisation, role) in seats.items():
        person = _person(f"jig.{key}@bench.invalid", f"Benchmark JIG {key.replace('_', ' ')}")
        ms.membership_add(group=group, user=admin, person=person, organisation=organisation, role=role,
                          starts_on=year_ago)
        people[key] = type(person).objects.get(pk=person.pk)
    return group, people, trusts


def build_meetings(group, people, trusts, months, flagged: list[int], home_ids: list[int], rng):
    """Last month's meeting (closed) and this month's (scheduled, flagged, signed by two)."""
    from django.utils import timezone

    from jig import meeting_services as ms
    from jig.agenda_services import ratings_as_of
    from jig.choices import AttendanceStatus, MeetingStatus
    from jig.flagging import homes_to_flag
    from jig.models import Attendance, HomeFlag

    previous, current = months
    last, _ = ms.meeting_schedule(group=group, month=previous)
    type(last).objects.filter(pk=last.pk).update(
        status=MeetingStatus.CLOSED, opened_at=last.starts_at,
        closed_at=last.starts_at + dt.timedelta(hours=2), was_quorate=True,
        minutes="The group reviewed the flagged homes and agreed the actions below.")
    Attendance.objects.bulk_create(Attendance(meeting=last, membership=seat, status=AttendanceStatus.PRESENT)
                                   for seat in group.memberships.all())
    meeting, _ = ms.meeting_schedule(group=group, month=current)
    for key in ("chair", "acute", "ambulance"):
        ms.statement_sign(meeting=meeting, user=people[key])
    reasons = homes_to_flag(flagged, ratings_as_of(current, flagged), ratings_as_of(previous, flagged))
    now = timezone.now()
    HomeFlag.objects.bulk_create(
        HomeFlag(meeting=meeting, care_home_id=pk, reasons=reasons.get(pk, []), flagged_at=now,
                 refreshed_at=now, chair_reason="" if reasons.get(pk) else "Highest score in the area.",
                 flagged_by=None if reasons.get(pk) else people["chair"])
        for pk in flagged)
    last.refresh_from_db()
    _deep_dives(meeting, people, trusts)
    _actions(last, meeting, group, people, flagged, rng)
    _intelligence(group, meeting, people, flagged, home_ids, rng)
    _planning(group, people)
    return meeting


def _deep_dives(meeting, people, trusts) -> None:
    from jig.models import DeepDiveAnswer, DeepDiveRequest

    for n, flag in enumerate(meeting.flags.order_by("pk")[:12]):
        trust, answerer = ((trusts["hospital"], people["acute"]) if n % 2 else
                           (trusts["ambulance"], people["ambulance"]))
        request = DeepDiveRequest.objects.create(
            flag=flag, asked_of=trust, due_by=meeting.starts_at, created_by=people["chair"],
            question="What do the conveyances and admissions from the home over the last six months show?")
        if n < 9:
            DeepDiveAnswer.objects.create(
                request=request, answered_by=answerer, created_by=answerer,
                text="Call-outs rose from about 6 to 14 a month since the summer, most between 22:00 and "
                     "06:00; two thirds were falls, half of them conveyed. Three residents account for a "
                     "third of the calls. Admissions for urinary infections doubled over the same months.")


def _actions(last, meeting, group, people, flagged, rng) -> None:
    from django.utils import timezone

    from jig.choices import JigActionStatus, TrainingTheme
    from jig.models import JigAction

    today, owners = timezone.localdate(), [people["chair"], people["ambulance"], people["acute"]]
    themes = [TrainingTheme.FALLS, TrainingTheme.UTI_CATHETER, TrainingTheme.PRESSURE_ULCERS]
    rows = []
    for n in range(40):
        owner = owners[n % 3]
        status = [JigActionStatus.OPEN, JigActionStatus.IN_PROGRESS, JigActionStatus.DONE][n % 3]
        theme = themes[n % 3] if n % 5 == 0 else ""
        rows.append(JigAction(
            meeting=last if n < 30 else meeting, care_home_id=flagged[n % len(flagged)] if n % 4 else None,
            description=f"Action {n + 1}: review the home's falls and night staffing with its manager.",
            owner=owner, owner_organisation=owner.memberships.first().organisation,
            due_on=today + dt.timedelta(days=rng.randint(-20, 40)), status=status,
            completed_on=today if status == JigActionStatus.DONE else None,
            is_training=bool(theme), training_theme=theme, created_by=people["chair"]))
    JigAction.objects.bulk_create(rows)


def _intelligence(group, meeting, people, flagged, home_ids, rng) -> None:
    from django.utils import timezone

    from jig.choices import IntelligenceCategory, Sensitivity
    from jig.models import SoftIntelligence

    today = timezone.localdate()
    sources = [m.organisation for m in group.memberships.select_related("organisation")]
    homes = [pk for pk in flagged for _ in range(3)]
    homes += rng.sample(home_ids, min(OTHER_INTELLIGENCE, len(home_ids)))
    SoftIntelligence.objects.bulk_create(
        SoftIntelligence(group=group, care_home_id=pk, meeting=meeting if n % 2 else None,
                         source_organisation=rng.choice(sources),
                         reported_on=today - dt.timedelta(days=rng.randint(1, 80)),
                         category=rng.choice(IntelligenceCategory.values),
                         sensitivity=rng.choice(Sensitivity.values),
                         text="Relatives report that call bells go unanswered at night.",
                         recorded_by=people["ambulance"], created_by=people["ambulance"])
        for n, pk in enumerate(homes))


def _planning(group, people) -> None:
    from django.utils import timezone

    from carehomes.choices import RegistrationType
    from jig.models import PlanningApplication

    council = group.councils.order_by("pk").first()
    PlanningApplication.objects.bulk_create(
        PlanningApplication(group=group, council=council, reference=f"26/0{n}123/FUL",
                            proposed_beds=60 + 10 * n,
                            site_address=f"Land east of Station Road, plot {n}", postcode="SM1 1AA",
                            registration_type=RegistrationType.NURSING, applicant="Benchmark Care Ltd",
                            received_on=timezone.localdate() - dt.timedelta(days=20 * n + 5),
                            created_by=people["chair"])
        for n in range(1, 4))


# Timing -----------------------------------------------------------------------------------------

def measure(meeting, chair, repeat: int) -> dict:
    """Median timings of ``pack_context`` and of ``meeting_pack_render``, with their queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from pypdf import PdfReader

    from jig import meeting_pack
    from jig.meeting_selectors import pack_context
    from jig.models import MeetingPack

    context_runs = []
    for number in range(repeat + 1):
        with CaptureQueriesContext(connection) as queries:
            seconds, cpu, context = timed_cpu(lambda: pack_context(meeting))
        if number:  # the first is a warm-up
            context_runs.append((seconds, cpu, len(queries)))
    homes = len(context["dashboard"].rows)
    renders = []
    pdf_seconds: list[float] = []
    real_render = meeting_pack.render_pdf

    def timed_render(*args, **kwargs):
        seconds, _, content = timed_cpu(lambda: real_render(*args, **kwargs))
        pdf_seconds.append(seconds)
        return content

    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media), \
            mock.patch.object(meeting_pack, "render_pdf", timed_render):
        for number in range(repeat + 1):
            pack = MeetingPack.objects.create(meeting=meeting, requested_by=chair, stage="Waiting to start")
            with CaptureQueriesContext(connection) as queries:
                seconds, cpu, pack = timed_cpu(lambda pack=pack: meeting_pack.meeting_pack_render(pack=pack))
            with pack.file.open("rb") as handle:
                content = handle.read()
            pages = len(PdfReader(io.BytesIO(content)).pages)
            print(f"  render {number}{' (warm-up)' if not number else ''}: {seconds:.2f} s, {pages} pages",
                  file=sys.stderr, flush=True)
            if number:
                renders.append({"seconds": seconds, "cpu": cpu, "queries": len(queries), "pages": pages,
                                "bytes": len(content), "pdf_seconds": pdf_seconds[-1], "status": pack.status})
    return {
        "homes": homes, "flagged": len(context["flags"]),
        "context": {"seconds": statistics.median(r[0] for r in context_runs),
                    "cpu": statistics.median(r[1] for r in context_runs), "queries": context_runs[-1][2]},
        "render": {key: statistics.median(r[key] for r in renders)
                   for key in ("seconds", "cpu", "queries", "pages", "bytes", "pdf_seconds")},
        "renders": renders,
    }


def feed_events() -> int:
    from jig.models import AmbulanceIncident

    return AmbulanceIncident.objects.filter(care_home__isnull=False).count()


def report(figures: dict, repeat: int) -> None:
    context, render = figures["context"], figures["render"]
    print_table(
        f"Meeting pack at national scale: {figures['homes']:,} homes in the group's area, "
        f"{figures['flagged']} flagged; median of {repeat}",
        ["step", "seconds", "Python CPU s", "SQL queries", "pages", "MB"],
        [["pack_context (the data only)", f"{context['seconds']:.2f}", f"{context['cpu']:.2f}",
          context["queries"], "", ""],
         ["meeting_pack_render (whole job)", f"{render['seconds']:.2f}", f"{render['cpu']:.2f}",
          render["queries"], render["pages"], f"{render['bytes'] / 1_048_576:.2f}"],
         ["  of which WeasyPrint (render_pdf)", f"{render['pdf_seconds']:.2f}", "", "", "", ""]])
    print(f"\nFeed series behind the SPC charts: {figures['feed_events']:,} matched ambulance incidents "
          f"in the database{' (charts of zeros)' if not figures['feed_events'] else ''}.")
    print(f"Ratings: {figures['ratings']}.")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--flagged", type=int, default=FLAGGED, help=f"Flagged homes (default {FLAGGED}).")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs of each step (after one warm-up).")
    parser.add_argument("--new-ratings", action="store_true",
                        help="Generate the two months of ratings even if both are already there.")
    args = parser.parse_args(argv)
    configure(args)

    from carehomes.choices import HomeStatus
    from carehomes.models import CareHome
    from jig.risk.services import month_current
    from quality.reports import add_months

    from .carehome_list import ensure_registry
    from .import_cqc import bench_user

    ensure_registry(args)
    rng = random.Random(SEED)
    current = month_current()
    months = [add_months(current, -1), current]
    home_ids = list(CareHome.objects.filter(status=HomeStatus.ACTIVE).order_by("pk")
                    .values_list("pk", flat=True))
    clear_jig()
    if not args.new_ratings and ratings_reusable(home_ids, months):
        from jig.models import RiskRating

        flagged = list(RiskRating.objects.filter(month=current, care_home__in=home_ids)
                       .order_by("-score", "pk").values_list("care_home_id", flat=True)[:args.flagged])
        ratings = f"reused, {2 * len(home_ids):,} for {months[0]:%B} and {months[1]:%B %Y}"
    else:
        flagged = sorted(rng.sample(home_ids, args.flagged))
        seconds, _, written = timed_cpu(lambda: rate_every_home(home_ids, flagged, months, rng))
        ratings = (f"{written:,} generated for {months[0]:%B} and {months[1]:%B %Y} in {seconds:.1f} s "
                   "(set-up, not timed)")
    group, people, trusts = build_group(bench_user())
    meeting = build_meetings(group, people, trusts, months, flagged, home_ids, rng)
    print(f"Built the group and its meetings: {meeting.flags.count()} flagged homes.", file=sys.stderr,
          flush=True)
    figures = measure(meeting, people["chair"], args.repeat)
    figures.update(ratings=ratings, feed_events=feed_events())
    report(figures, args.repeat)
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
