"""Working out ratings: every component for every home at once, then one upsert for them all.

``ratings_compute`` is pure reading (a fixed number of queries, whatever the number of
homes); ``risk_recompute_run`` runs a recompute job: it holds a transaction-level advisory
lock (``RISK_RECOMPUTE_LOCK``) from before the first read to the commit, so two recomputes
(a feed batch's and the nightly one, say) run one after the other and the later one always
reads what the earlier wrote. Ratings are sent by ``COPY`` into a temporary table and written
from it with one ``INSERT ... ON CONFLICT (care_home, month) DO UPDATE``, so a rerun replaces
a rating rather than adding one, and the database's unique constraint backs it up.

A job's progress is written through a second, autocommitting connection, because the
work's own transaction is not visible to anyone polling the job until it commits.
"""

import json
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, connections, transaction
from django.utils import timezone

from carehomes.choices import HomeStatus
from carehomes.models import CareHome
from commissioning.choices import JobStatus
from commissioning.jobs import advisory_xact_lock, job_finish, job_start
from quality.reports import add_months

from ..choices import Rag, RecomputeScope
from ..models import RiskModel, RiskRecompute
from .components import REGISTRY
from .context import RiskContext

logger = logging.getLogger(__name__)

# Every recompute (any scope, any month) takes this transaction-level advisory lock
# (commissioning.jobs.advisory_xact_lock, keyed per database): "JRR1".
RISK_RECOMPUTE_LOCK = 0x4A525231
WRITE_CHUNK = 2000
RECOMPUTE_WORK_MEM = "64MB"
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class HomeRating:
    """A home's computed rating, before it is stored."""

    home_id: int
    score: Decimal
    rag: str
    components: list[dict]


def band_for(value: float | None, amber_from: Decimal, red_from: Decimal) -> str:
    if value is None:
        return "none"
    number = Decimal(str(value))
    if number >= red_from:
        return "red"
    if number >= amber_from:
        return "amber"
    return "green"


def contribution_for(band: str, weight: Decimal) -> Decimal:
    """Full weight when red, half when amber, nothing otherwise."""
    return {"red": weight, "amber": weight / 2}.get(band, Decimal(0))


def rag_for(score: Decimal, model: RiskModel) -> str:
    if score >= model.red_from:
        return Rag.RED
    if score >= model.amber_from:
        return Rag.AMBER
    return Rag.GREEN


def _json_number(value):
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def ratings_compute(*, model: RiskModel, ctx: RiskContext, progress=None) -> list[HomeRating]:
    """Every target home's rating under ``model``: each component's value, band and
    contribution, the score (their sum, to 2 places) and the RAG.

    ``progress(done, total, stage)`` is told as each component finishes.
    """
    rows = list(model.components.all())
    unknown = [row.code for row in rows if row.code not in REGISTRY]
    if unknown:
        raise ValueError(f"The model uses components this portal does not know: {', '.join(unknown)}.")
    per_home: dict[int, list[dict]] = {pk: [] for pk in ctx.home_ids}
    totals: dict[int, Decimal] = dict.fromkeys(ctx.home_ids, Decimal(0))
    for done, row in enumerate(rows, start=1):
        component = REGISTRY[row.code]
        if progress:
            progress(done - 1, len(rows), f"Working out {component.label.lower()}")
        values = component.values(ctx)
        amber, red, weight = row.amber_from, row.red_from, _json_number(row.weight)
        points = {band: contribution_for(band, row.weight) for band in ("red", "amber", "green", "none")}
        points_json = {band: _json_number(points) for band, points in points.items()}
        for pk in ctx.home_ids:
            value = values.get(pk)
            band = band_for(value, amber, red)
            display, why = component.explain(ctx, pk, value, band, amber, red)
            totals[pk] += points[band]
            per_home[pk].append({
                "code": row.code, "label": component.label, "value": _json_number(value),
                "display": display, "band": band, "weight": weight,
                "contribution": points_json[band], "why": why,
            })
    ratings = []
    for pk in ctx.home_ids:
        score = totals[pk].quantize(CENTS, rounding=ROUND_HALF_UP)
        ratings.append(HomeRating(pk, score, rag_for(score, model), per_home[pk]))
    return ratings


NEW_TABLE = "jig_riskrating_new"
# The new ratings go to the server by COPY into a temporary table (text, not a 9 MB query
# string of quoted array literals), then one statement upserts them all.
NEW_TABLE_SQL = f"""
    DROP TABLE IF EXISTS {NEW_TABLE};
    CREATE TEMPORARY TABLE {NEW_TABLE} (care_home_id bigint PRIMARY KEY, score numeric, rag text,
                                        components jsonb) ON COMMIT DROP"""
UPSERT_SQL = f"""
    WITH written AS (
        INSERT INTO jig_riskrating (care_home_id, month, model_id, score, rag, components,
                                    previous_score, previous_rag, score_change, computed_on, recompute_id)
        SELECT n.care_home_id, %(month)s, %(model)s, n.score, n.rag, n.components,
               p.score, coalesce(p.rag, ''), n.score - p.score, %(now)s, %(job)s
          FROM {NEW_TABLE} n
          LEFT JOIN jig_riskrating p ON p.care_home_id = n.care_home_id AND p.month = %(previous)s
        ON CONFLICT (care_home_id, month) DO UPDATE
           SET model_id = EXCLUDED.model_id, score = EXCLUDED.score, rag = EXCLUDED.rag,
               components = EXCLUDED.components, previous_score = EXCLUDED.previous_score,
               previous_rag = EXCLUDED.previous_rag, score_change = EXCLUDED.score_change,
               computed_on = EXCLUDED.computed_on, recompute_id = EXCLUDED.recompute_id
        RETURNING rag, previous_rag
    )
    SELECT count(*), count(*) FILTER (WHERE previous_rag <> '' AND previous_rag <> rag) FROM written"""

# The following month's rating (if any) compares itself with the one just written.
CHAIN_SQL = f"""
    UPDATE jig_riskrating nxt
       SET previous_score = cur.score, previous_rag = cur.rag, score_change = nxt.score - cur.score
      FROM jig_riskrating cur
     WHERE cur.month = %(month)s AND nxt.month = %(next)s AND nxt.care_home_id = cur.care_home_id
       AND cur.care_home_id IN (SELECT care_home_id FROM {NEW_TABLE})"""


def ratings_write(*, ratings: list[HomeRating], month, model: RiskModel, job: RiskRecompute | None,
                  progress=None) -> tuple[int, int]:
    """Upsert ``ratings`` for ``month``; returns (ratings written, RAGs moved since last month)."""
    if not ratings:
        return 0, 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(NEW_TABLE_SQL)
        copy_sql = f"COPY {NEW_TABLE} (care_home_id, score, rag, components) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for start in range(0, len(ratings), WRITE_CHUNK):
                for r in ratings[start:start + WRITE_CHUNK]:
                    copy.write_row((r.home_id, r.score, r.rag, dumps(r.components)))
                if progress:
                    progress(min(start + WRITE_CHUNK, len(ratings)) // 2, len(ratings), "Saving ratings")
        cursor.execute(UPSERT_SQL, {"month": month, "model": model.pk, "now": timezone.now(),
                                    "job": job.pk if job else None, "previous": add_months(month, -1)})
        written, moved = cursor.fetchone()
        if progress:
            progress(written, len(ratings), "Saving ratings")
        cursor.execute(CHAIN_SQL, {"month": month, "next": add_months(month, 1)})
        cursor.execute(f"DROP TABLE {NEW_TABLE}")
    return written, moved


class _Progress:
    """Writes a job's progress where a poller can see it, during a transaction."""

    def __init__(self, job: RiskRecompute):
        self.job = job
        self.side = None

    def __call__(self, done: int, total: int, stage: str) -> None:
        self.job.progress_done, self.job.progress_total, self.job.stage = done, total, stage
        try:
            if self.side is None:
                self.side = connections.create_connection(connection.alias)
            with self.side.cursor() as cursor:
                cursor.execute(f"UPDATE {RiskRecompute._meta.db_table} SET progress_done = %s, "
                               "progress_total = %s, stage = %s WHERE id = %s",
                               [done, total, stage[:200], self.job.pk])
        except Exception:  # progress is a courtesy: never fail the work for it
            logger.warning("Could not record progress of risk recompute %s", self.job.pk, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def target_home_ids(job: RiskRecompute) -> list[int]:
    if job.scope == RecomputeScope.HOMES:
        return sorted({int(pk) for pk in job.home_ids})
    return list(CareHome.objects.filter(status=HomeStatus.ACTIVE).order_by("pk").values_list("pk", flat=True))


def risk_recompute_run(*, job: RiskRecompute) -> RiskRecompute:
    """Compute and store ratings for ``job.month``: the job's homes, or every active home for
    a full or nightly recompute, with the current model (or the job's, if it names one)."""
    from .services import risk_model_current

    job_start(job, stage="Waiting for any other recompute to finish")
    model = job.model or risk_model_current()
    if job.model_id != model.pk:
        RiskRecompute.objects.filter(pk=job.pk).update(model=model)
        job.model = model
    progress = _Progress(job)
    try:
        with transaction.atomic():
            advisory_xact_lock(RISK_RECOMPUTE_LOCK)
            with connection.cursor() as cursor:
                # The feed series' (home, month) groups, 350,000 nationally, are counted in
                # memory rather than spilled to disk (for this transaction only).
                cursor.execute(f"SET LOCAL work_mem = '{RECOMPUTE_WORK_MEM}'")
            home_ids = target_home_ids(job)
            ctx = RiskContext(month=job.month, home_ids=home_ids,
                              full=job.scope != RecomputeScope.HOMES)
            ratings = ratings_compute(model=model, ctx=ctx, progress=progress)
            written, moved = ratings_write(ratings=ratings, month=ctx.month, model=model, job=job,
                                           progress=progress)
    finally:
        progress.close()
    job_finish(job, status=JobStatus.SUCCEEDED, stage="Finished", progress_done=written,
               progress_total=len(ratings), ratings_written=written, ratings_changed_rag=moved,
               log=f"{job.log}{timezone.localtime():%H:%M:%S} {written} ratings for {job.month:%B %Y} "
                   f"with {model}; {moved} moved RAG since the month before.\n")
    return job
