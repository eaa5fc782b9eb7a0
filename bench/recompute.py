"""Timing the full risk recompute against one hand-written SQL aggregate (issue 4's target: 3×).

Used by ``bench/feeds.py`` once the feeds are loaded; see bench/README.md. On its own it times
the recompute on the feeds a run of ``bench.feeds`` left in the benchmark database:

    .venv/bin/python -m bench.recompute [--repeat 5] [--rebuild] [--profile]

Before timing, every active home gets what the components from visits and the JIG read, at
national scale, unless a run already made it: a published quality monitoring visit in the last
two years (ratings spread as in the demo), action plans after Requires improvement and Poor
(half submitted with actions in every state, half awaiting), and soft intelligence on one home
in five (``seed_quality``). The SQL baseline reads the same: the latest visit rating, the
overdue actions and plans, and the weighed soft intelligence of every home.

The recompute reads the feeds' monthly summary (``jig.summary``), which loading leaves to be
counted again. That one-off refresh is timed on its own first (``--rebuild`` notes everything
beforehand, so the whole summary is counted again). Then, ``--repeat`` times: a full recompute
with this month's ratings deleted first (every rating written whole), a full recompute again
(the steady state: the ratings come out as stored, so only their stamps are written; this is
the figure held to the target) and the SQL aggregate. Last, the refresh a recompute does after
one month's national files (every home's latest month of both feeds counted again).
"""

import argparse
import cProfile
import datetime as dt
import io
import pstats
import statistics
import sys

from bench import add_common_arguments, configure, print_table, timed, timed_cpu

RECOMPUTE_TARGET = 3.0

BASELINE_SQL = """
    WITH amb AS (
        SELECT care_home_id, count(*) AS callouts,
               count(*) FILTER (WHERE outcome = 'see_and_convey') AS conveyed,
               count(*) FILTER (WHERE is_fall) AS falls,
               count(DISTINCT person_token) AS people
          FROM jig_ambulanceincident
         WHERE care_home_id IS NOT NULL AND called_at >= %(start)s AND called_at < %(end)s
         GROUP BY care_home_id),
    hos AS (
        SELECT care_home_id,
               count(*) FILTER (WHERE kind = 'admission' AND is_emergency) AS admissions,
               count(*) FILTER (WHERE kind = 'ae_attendance') AS attendances,
               coalesce(sum(bed_days), 0) AS bed_days
          FROM jig_hospitalactivity
         WHERE care_home_id IS NOT NULL AND arrived_at >= %(start)s AND arrived_at < %(end)s
         GROUP BY care_home_id),
    vis AS (
        SELECT DISTINCT ON (care_home_id) care_home_id, published_rating
          FROM quality_visit
         WHERE published_on > %(since)s AND published_on <= %(day)s AND published_rating <> ''
         ORDER BY care_home_id, published_on DESC, id DESC),
    act AS (
        SELECT v.care_home_id, count(*) AS overdue
          FROM quality_planaction a
          JOIN quality_actionplan p ON p.id = a.plan_id
          JOIN quality_visit v ON v.id = p.visit_id
         WHERE p.status = 'submitted' AND a.status IN ('open', 'in_progress', 'reopened')
           AND a.target_on < %(day)s
         GROUP BY v.care_home_id),
    pln AS (
        SELECT v.care_home_id, count(*) AS late
          FROM quality_actionplan p JOIN quality_visit v ON v.id = p.visit_id
         WHERE p.status = 'awaiting' AND p.due_on < %(day)s
         GROUP BY v.care_home_id),
    soft AS (
        SELECT care_home_id,
               sum(CASE sensitivity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) AS weight
          FROM jig_softintelligence
         WHERE archived_at IS NULL AND reported_on >= %(start)s AND reported_on <= %(day)s
         GROUP BY care_home_id)
    SELECT h.id, h.beds, coalesce(a.callouts, 0) / greatest(h.beds, 1)::numeric AS callouts_per_bed,
           coalesce(a.conveyed, 0)::numeric / nullif(a.callouts, 0) AS conveyed_share,
           coalesce(a.falls, 0), coalesce(a.callouts - a.people, 0) AS repeat_calls,
           coalesce(o.admissions, 0) / greatest(h.beds, 1)::numeric AS admissions_per_bed,
           coalesce(o.attendances, 0), coalesce(o.bed_days, 0),
           vis.published_rating, coalesce(act.overdue, 0) + coalesce(pln.late, 0), coalesce(soft.weight, 0)
      FROM carehomes_carehome h
      LEFT JOIN amb a ON a.care_home_id = h.id
      LEFT JOIN hos o ON o.care_home_id = h.id
      LEFT JOIN vis ON vis.care_home_id = h.id
      LEFT JOIN act ON act.care_home_id = h.id
      LEFT JOIN pln ON pln.care_home_id = h.id
      LEFT JOIN soft ON soft.care_home_id = h.id
     WHERE h.status = 'active'
"""


def sql_baseline(month: dt.date) -> tuple[float, int]:
    from django.db import connection
    from django.utils import timezone

    from quality.reports import add_months

    start = add_months(month, -3)
    day = min(timezone.localdate(), add_months(month, 1) - dt.timedelta(days=1))
    params = {"start": start, "end": month, "day": day, "since": day.replace(year=day.year - 3)}
    with connection.cursor() as cursor:
        seconds, rows = timed(lambda: (cursor.execute(BASELINE_SQL, params), cursor.fetchall())[1])
    return seconds, len(rows)


BENCH_NOTE = "bench.recompute"
VISIT_RATINGS = [("excellent", 5), ("good", 65), ("requires_improvement", 25), ("poor", 5)]


def seed_quality(seed: int = 7) -> dict:
    """Visits, action plans and soft intelligence for every active home, as the docstring says;
    nothing when a run already made them. Returns the counts there are."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from carehomes.choices import HomeStatus
    from carehomes.models import CareHome
    from commissioning.models import Organisation
    from jig.choices import IntelligenceCategory, Sensitivity
    from jig.models import JigGroup, SoftIntelligence
    from quality.choices import ActionPlanStatus, LeadOrganisation, PlanActionStatus, VisitStatus
    from quality.models import ActionPlan, PlanAction, Visit
    from quality.visits.framework import framework_current

    def counts():
        visits = Visit.objects.filter(notes=BENCH_NOTE)
        return {"visits": visits.count(), "plans": ActionPlan.objects.filter(visit__in=visits).count(),
                "actions": PlanAction.objects.filter(plan__visit__in=visits).count(),
                "soft_intelligence": SoftIntelligence.objects.filter(group__name=BENCH_NOTE).count()}

    if Visit.objects.filter(notes=BENCH_NOTE).exists() and JigGroup.objects.filter(name=BENCH_NOTE).exists():
        return counts()
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    framework = framework_current()
    standard = framework.standards.order_by("pk").first()
    homes = list(CareHome.objects.filter(status=HomeStatus.ACTIVE).order_by("pk")
                 .values_list("pk", flat=True))
    ratings, weights = zip(*VISIT_RATINGS, strict=True)
    with transaction.atomic():
        Visit.objects.filter(notes=BENCH_NOTE).delete()
        JigGroup.objects.filter(name=BENCH_NOTE).delete()
        visits = []
        for pk in homes:
            published = today - dt.timedelta(days=rng.randint(5, 730))
            visited = published - dt.timedelta(days=40)
            visits.append(Visit(
                care_home_id=pk, framework_version=framework, lead_organisation=LeadOrganisation.COUNCIL,
                status=VisitStatus.PUBLISHED, planned_on=visited, started_on=visited, notes=BENCH_NOTE,
                shared_on=published - dt.timedelta(days=20),
                comments_close_on=published - dt.timedelta(days=6),
                published_on=published, published_rating=rng.choices(ratings, weights)[0]))
        Visit.objects.bulk_create(visits, batch_size=2000)
        shortfalls = [v for v in visits if v.published_rating in ("requires_improvement", "poor")]
        plans = [ActionPlan(visit=v, due_on=v.published_on + dt.timedelta(days=14), required_because="Rated.",
                            **({"status": ActionPlanStatus.SUBMITTED, "submitted_on": now} if n % 2 else {}))
                 for n, v in enumerate(shortfalls)]
        ActionPlan.objects.bulk_create(plans, batch_size=2000)
        done = {"completed_on": now, "completion_evidence": "Seen."}
        states = {PlanActionStatus.OPEN: {}, PlanActionStatus.IN_PROGRESS: {}, PlanActionStatus.REOPENED: {},
                  PlanActionStatus.COMPLETED: done, PlanActionStatus.VERIFIED: {**done, "verified_on": now}}
        actions = [PlanAction(plan=plan, standard=standard, description="Put it right.", owner="The manager",
                              target_on=plan.due_on + dt.timedelta(days=rng.randint(14, 180)),
                              status=status, **states[status])
                   for plan in plans if plan.status == ActionPlanStatus.SUBMITTED
                   for status in rng.sample(list(states), 3)]
        PlanAction.objects.bulk_create(actions, batch_size=2000)
        group = JigGroup.objects.create(name=BENCH_NOTE)
        sources = list(Organisation.objects.order_by("pk")[:20])
        SoftIntelligence.objects.bulk_create(
            (SoftIntelligence(group=group, care_home_id=pk, source_organisation=rng.choice(sources),
                              reported_on=today - dt.timedelta(days=rng.randint(0, 120)),
                              category=rng.choice(IntelligenceCategory.values),
                              sensitivity=rng.choice(Sensitivity.values), text="Benchmark concern.")
             for pk in rng.sample(homes, len(homes) // 5)), batch_size=2000)
    return counts()


# As a month's national files leave them: every home with that month's counts, both feeds.
LAST_MONTH_NOTES_SQL = """
    INSERT INTO jig_feedmonthchange (kind, care_home_ids, first_months, last_months)
    SELECT kind, array_agg(care_home_id), array_agg(month), array_agg(month)
      FROM jig_feedmonth, unnest(%(kinds)s::text[]) AS kind
     WHERE month = %(month)s
     GROUP BY kind"""


def refresh_after_month_files(month: dt.date) -> tuple[float, dict]:
    """The refresh a recompute does after one month's national files: every home's ``month``
    of both feeds noted (as the loader notes them) and counted again."""
    from django.db import connection

    from jig import summary

    with connection.cursor() as cursor:
        cursor.execute(LAST_MONTH_NOTES_SQL, {"kinds": list(summary.FEEDS), "month": month})
    return timed(summary.refresh)


def full_recompute(month: dt.date, profiler: cProfile.Profile | None = None) -> tuple[float, float, int]:
    """(seconds, Python CPU seconds, ratings written) of one full recompute job."""
    from jig.choices import RecomputeScope
    from jig.risk.engine import risk_recompute_run
    from jig.risk.services import recompute_create

    job = recompute_create(scope=RecomputeScope.FULL, month=month)
    seconds, cpu, job = timed_cpu(lambda: _run(risk_recompute_run, job, profiler))
    return seconds, cpu, job.ratings_written


def measure_recompute(repeat: int, *, rebuild: bool = False, profile: bool = False) -> dict:
    """The one-off refresh of the summary, then ``repeat`` rounds of: a full recompute writing
    every rating new (this month's deleted first), a full recompute again (ratings as they are:
    the steady state), and the SQL baseline; then the refresh after one month's files."""
    from django.db import connection

    from jig import summary
    from jig.models import RiskRating
    from jig.risk.services import month_current
    from quality.reports import add_months

    seeded = seed_quality()
    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
        cursor.execute("ANALYZE jig_ambulanceincident, jig_hospitalactivity, quality_visit, "
                       "quality_actionplan, quality_planaction, jig_softintelligence")
    if rebuild:
        summary.mark_everything()
    refresh_seconds, counted = timed(summary.refresh)  # what loading left: once, not per recompute
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE jig_feedmonth, jig_feedseries")  # as autovacuum would
    month = month_current()
    new, runs, baseline = [], [], []
    for number in range(repeat):
        RiskRating.objects.filter(month=month).delete()
        new.append(full_recompute(month))
        profiler = cProfile.Profile() if profile and number == 0 else None
        runs.append(full_recompute(month, profiler))
        baseline.append(sql_baseline(month))
        print(f"  round {number + 1}: every rating new {new[-1][0]:.2f} s, again {runs[-1][0]:.2f} s "
              f"({runs[-1][1]:.2f} s Python CPU), SQL {baseline[-1][0]:.2f} s", file=sys.stderr, flush=True)
        if profiler:
            print_profile(profiler)
    month_refresh = [refresh_after_month_files(add_months(month, -1)) for _ in range(repeat)]
    return {"month": month, "seeded": seeded, "runs": runs, "seconds": statistics.median(r[0] for r in runs),
            "cpu": statistics.median(r[1] for r in runs), "ratings": runs[-1][2],
            "new_seconds": statistics.median(r[0] for r in new),
            "new_cpu": statistics.median(r[1] for r in new),
            "refresh_seconds": refresh_seconds, "refresh_rows": sum(counted.values()),
            "refresh_whole": rebuild, "month_refresh_seconds": statistics.median(r[0] for r in month_refresh),
            "month_refresh_rows": sum(month_refresh[-1][1].values()),
            "sql_seconds": statistics.median(b[0] for b in baseline), "sql_rows": baseline[-1][1]}


def _run(work, job, profiler: cProfile.Profile | None):
    if profiler is None:
        return work(job=job)
    return profiler.runcall(work, job=job)


def print_profile(profiler: cProfile.Profile) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print("\nProfile of the first full recompute (by cumulative time):")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:8000])


def verdict(ratio: float, target: float) -> str:
    return f"yes (≤{target:g}×)" if ratio <= target else f"no (>{target:g}×)"


def report_recompute(recompute: dict) -> None:
    ratio = recompute["seconds"] / recompute["sql_seconds"]
    new_ratio = recompute["new_seconds"] / recompute["sql_seconds"]
    runs, homes = len(recompute["runs"]), f"{recompute['ratings']:,}"
    print_table(f"Full recompute for {recompute['month']:%B %Y} (median of {runs})",
                ["step", "homes", "seconds", "Python CPU s", "vs SQL", "within 3×?"], [
                    ["risk_recompute_run (full job)", homes, f"{recompute['seconds']:.2f}",
                     f"{recompute['cpu']:.2f}", f"{ratio:.1f}×", verdict(ratio, RECOMPUTE_TARGET)],
                    ["  the same, every rating new", homes, f"{recompute['new_seconds']:.2f}",
                     f"{recompute['new_cpu']:.2f}", f"{new_ratio:.1f}×", ""],
                    ["one SQL aggregate (3 months)", f"{recompute['sql_rows']:,}",
                     f"{recompute['sql_seconds']:.2f}", "—", "1.0×", ""]])
    seeded = recompute["seeded"]
    print(f"  Both read {seeded['visits']:,} published visits, {seeded['plans']:,} action plans with "
          f"{seeded['actions']:,} actions\n  and {seeded['soft_intelligence']:,} items of soft intelligence "
          "besides the feeds and returns.")
    print("  The first row is the steady state: the feeds' summary is up to date and the ratings "
          "come out as stored,\n  so only their stamps are written. The second deletes the month's "
          "ratings first (the first recompute\n  of a month, or after a model change): every "
          "rating's components are written whole.")
    first = ("everything counted again (--rebuild)" if recompute["refresh_whole"]
             else "what loading left, once")
    print_table("The feeds' monthly summary, refreshed by each recompute before it reads (not in the "
                "figures above: nothing to do there)",
                ["refresh", "(home, month) rows counted", "seconds"], [
                    [f"after loading: {first}", f"{recompute['refresh_rows']:,}",
                     f"{recompute['refresh_seconds']:.2f}"],
                    [f"after one month's files (median of {runs})", f"{recompute['month_refresh_rows']:,}",
                     f"{recompute['month_refresh_seconds']:.2f}"]])


def main(argv: list[str] | None = None) -> dict:
    """Time the recompute on the feeds already in the benchmark database (see the docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--repeat", type=int, default=5, help="Runs of the recompute and the SQL baseline.")
    parser.add_argument("--rebuild", action="store_true", help="Count the whole summary again first.")
    parser.add_argument("--profile", action="store_true", help="Profile the first recompute.")
    args = parser.parse_args(argv)
    configure(args)

    from jig.models import AmbulanceIncident

    if not AmbulanceIncident.objects.exists():
        raise SystemExit("No feeds in the benchmark database: run `python -m bench.feeds` first.")
    recompute = measure_recompute(args.repeat, rebuild=args.rebuild, profile=args.profile)
    report_recompute(recompute)
    return recompute


if __name__ == "__main__":
    main(sys.argv[1:])
