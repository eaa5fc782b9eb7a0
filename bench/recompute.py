"""Timing the full risk recompute against one hand-written SQL aggregate (issue 4's target: 3×).

Used by ``bench/feeds.py`` once the feeds are loaded; see bench/README.md.
"""

import datetime as dt
import statistics

from bench import print_table, timed, timed_cpu

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
         GROUP BY care_home_id)
    SELECT h.id, h.beds, coalesce(a.callouts, 0) / greatest(h.beds, 1)::numeric AS callouts_per_bed,
           coalesce(a.conveyed, 0)::numeric / nullif(a.callouts, 0) AS conveyed_share,
           coalesce(a.falls, 0), coalesce(a.callouts - a.people, 0) AS repeat_calls,
           coalesce(o.admissions, 0) / greatest(h.beds, 1)::numeric AS admissions_per_bed,
           coalesce(o.attendances, 0), coalesce(o.bed_days, 0)
      FROM carehomes_carehome h
      LEFT JOIN amb a ON a.care_home_id = h.id
      LEFT JOIN hos o ON o.care_home_id = h.id
     WHERE h.status = 'active'
"""


def sql_baseline(month: dt.date) -> tuple[float, int]:
    from django.db import connection

    from quality.reports import add_months

    start = add_months(month, -3)
    with connection.cursor() as cursor:
        seconds, rows = timed(lambda: (cursor.execute(BASELINE_SQL, {"start": start, "end": month}),
                                       cursor.fetchall())[1])
    return seconds, len(rows)


def measure_recompute(repeat: int) -> dict:
    from django.db import connection

    from jig.choices import RecomputeScope
    from jig.risk.engine import risk_recompute_run
    from jig.risk.services import month_current, recompute_create

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
        cursor.execute("ANALYZE jig_ambulanceincident, jig_hospitalactivity")
    month = month_current()
    runs = []
    for _ in range(repeat):
        job = recompute_create(scope=RecomputeScope.FULL, month=month)
        seconds, cpu, job = timed_cpu(lambda job=job: risk_recompute_run(job=job))
        runs.append((seconds, cpu, job.ratings_written))
    baseline = [sql_baseline(month) for _ in range(repeat)]
    return {"month": month, "runs": runs, "seconds": statistics.median(r[0] for r in runs),
            "cpu": statistics.median(r[1] for r in runs), "ratings": runs[-1][2],
            "sql_seconds": statistics.median(b[0] for b in baseline), "sql_rows": baseline[-1][1]}


def verdict(ratio: float, target: float) -> str:
    return f"yes (≤{target:g}×)" if ratio <= target else f"no (>{target:g}×)"


def report_recompute(recompute: dict) -> None:
    ratio = recompute["seconds"] / recompute["sql_seconds"]
    print_table(f"Full recompute for {recompute['month']:%B %Y} (median of {len(recompute['runs'])})",
                ["step", "homes", "seconds", "Python CPU s", "vs SQL", "within 3×?"], [
                    ["risk_recompute_run (full job)", f"{recompute['ratings']:,}",
                     f"{recompute['seconds']:.2f}", f"{recompute['cpu']:.2f}", f"{ratio:.1f}×",
                     verdict(ratio, RECOMPUTE_TARGET)],
                    ["one SQL aggregate (3 months)", f"{recompute['sql_rows']:,}",
                     f"{recompute['sql_seconds']:.2f}", "—", "1.0×", ""]])
