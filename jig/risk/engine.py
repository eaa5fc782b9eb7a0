"""Working out ratings: every component for every home at once, then one write for them all.

``ratings_compute`` is pure reading (a fixed number of queries, whatever the number of
homes); ``risk_recompute_run`` runs a recompute job: it holds a transaction-level advisory
lock (``RISK_RECOMPUTE_LOCK``) from before the first read to the commit, so two recomputes
(a feed batch's and the nightly one, say) run one after the other and the later one always
reads what the earlier wrote. Under that lock it first brings the feeds' monthly summary up
to date (``jig.summary.refresh``), then reads the feed series from it. Ratings are stored by
``jig.risk.store.ratings_write``.

A job's progress is written through a second, autocommitting connection, because the
work's own transaction is not visible to anyone polling the job until it commits.
"""

import gc
import json
import logging
import math
import operator
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, connections, transaction
from django.utils import timezone

from carehomes.choices import HomeStatus
from carehomes.models import CareHome
from commissioning.choices import JobStatus
from commissioning.jobs import advisory_xact_lock, job_finish, job_start

from .. import summary as feed_summary
from ..choices import Rag, RecomputeScope
from ..models import RiskModel, RiskRecompute
from .components import REGISTRY
from .context import RiskContext
from .store import ratings_write

logger = logging.getLogger(__name__)

# Every recompute (any scope, any month) takes this transaction-level advisory lock
# (commissioning.jobs.advisory_xact_lock, keyed per database): "JRR1".
RISK_RECOMPUTE_LOCK = 0x4A525231
RECOMPUTE_WORK_MEM = "64MB"
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class HomeRating:
    """A home's computed rating, before it is stored: ``components_json`` is the JSON list
    stored in ``RiskRating.components`` (see its docstring), written once as text."""

    home_id: int
    score: Decimal
    rag: str
    components_json: str

    @property
    def components(self) -> list[dict]:
        return json.loads(self.components_json)


BANDS = ("red", "amber", "green", "none")


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


def json_number(value) -> str:
    """``value`` (a number or None) as JSON; a whole number without a decimal point."""
    if value is None:
        return "null"
    number = float(value)
    if not math.isfinite(number):
        return json.dumps(number)
    return str(int(number)) if number.is_integer() else repr(number)  # repr: as json.dumps writes floats


class _Numbers(dict):
    """``json_number`` remembered per value."""

    def __missing__(self, value):
        text = self[value] = json_number(value)
        return text


class _Bands(dict):
    """``band_for`` under one component's thresholds, remembered per value: 15,000 homes share
    far fewer values, and each look-up would otherwise make a Decimal."""

    def __init__(self, amber_from: Decimal, red_from: Decimal):
        super().__init__()
        self.amber_from, self.red_from = amber_from, red_from

    def __missing__(self, value):
        band = self[value] = band_for(value, self.amber_from, self.red_from)
        return band


def ratings_compute(*, model: RiskModel, ctx: RiskContext, progress=None) -> list[HomeRating]:
    """Every target home's rating under ``model``: each component's value, band and
    contribution, the score (their sum, to 2 places) and the RAG.

    ``progress(done, total, stage)`` is told as each component finishes.
    """
    rows = list(model.components.all())
    unknown = [row.code for row in rows if row.code not in REGISTRY]
    if unknown:
        raise ValueError(f"The model uses components this portal does not know: {', '.join(unknown)}.")
    components = [REGISTRY[row.code] for row in rows]
    values = _values(ctx, components, progress)
    columns, scores = [], [Decimal(0)] * len(ctx.home_ids)
    for done, (row, component) in enumerate(zip(rows, components, strict=True), start=len(rows)):
        if progress:
            progress(done, 2 * len(rows), f"Explaining {component.label.lower()}")
        parts, points = _component_json(ctx, row, component, values[row.code])
        columns.append(parts)
        scores = list(map(operator.add, scores, points))
    ratings = []
    joined = map(",".join, zip(*columns, strict=True)) if columns else [""] * len(ctx.home_ids)
    for pk, total, parts in zip(ctx.home_ids, scores, joined, strict=True):
        score = total.quantize(CENTS, rounding=ROUND_HALF_UP)
        ratings.append(HomeRating(pk, score, rag_for(score, model), f"[{parts}]"))
    return ratings


def _values(ctx: RiskContext, components: list, progress) -> dict[str, dict]:
    """Every component's values. The slow queries run on the server meanwhile (their components
    come last, to give them longest); the explaining, after this, reads no data."""
    values: dict[str, dict] = {}
    with ctx.overlapped():
        for component in components:
            component.prefetch(ctx)
        waiting = [c for c in components if ctx.sent(c.code)]
        for done, component in enumerate([c for c in components if c not in waiting] + waiting):
            if progress:
                progress(done, 2 * len(components), f"Working out {component.label.lower()}")
            values[component.code] = component.values(ctx)
    return values


def _component_json(ctx: RiskContext, row, component, values: dict) -> tuple[list[str], list[Decimal]]:
    """Each target home's JSON object for one component (see ``RiskRating``) and what it adds
    to the score, in ``ctx.home_ids`` order.

    The objects are written from a template (code, label and weight are the same for every
    home), not from 225,000 dicts; homes the component explains alike share theirs.
    """
    text = json.encoder.encode_basestring  # a str as JSON, non-ASCII kept (ensure_ascii=False)
    bands = _Bands(row.amber_from, row.red_from)
    points = {band: contribution_for(band, row.weight) for band in BANDS}
    head = f'{{"code":{text(row.code)},"label":{text(component.label)},"value":'
    tails = {band: f',"band":"{band}","weight":{json_number(row.weight)},'
                   f'"contribution":{json_number(points[band])},"why":' for band in BANDS}
    written: dict = {}
    numbers = _Numbers()
    shared = component.explains_alike
    parts, home_bands = [], []
    for explained in component.explain_all(ctx, values, bands):
        value, band, display, why = explained
        part = written.get(explained) if shared else None
        if part is None:
            part = f'{head}{numbers[value]},"display":{text(display)}{tails[band]}{text(why)}}}'
            if shared:
                written[explained] = part
        parts.append(part)
        home_bands.append(band)
    return parts, list(map(points.__getitem__, home_bands))


class _Progress:
    """Writes a job's progress where a poller can see it, during a transaction: at most every
    ``EVERY`` seconds (a poller looks every second or two), without waiting for the disk."""

    EVERY = 0.5

    def __init__(self, job: RiskRecompute):
        self.job = job
        self.side = None
        self.last = None

    def __call__(self, done: int, total: int, stage: str) -> None:
        self.job.progress_done, self.job.progress_total, self.job.stage = done, total, stage
        now = time.monotonic()
        if self.last is not None and now - self.last < self.EVERY:
            return
        self.last = now
        try:
            if self.side is None:
                self.side = connections.create_connection(connection.alias)
                with self.side.cursor() as cursor:  # progress need not survive a crash
                    cursor.execute("SET synchronous_commit = off")
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


@contextmanager
def _without_cycle_collection():
    """Python's cycle collector off for the block. A national recompute makes millions of
    small objects (numbers, strings, lists) and no reference cycles to speak of, and the
    collector would walk all of them again and again: a fifth of the recompute's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
        with _without_cycle_collection(), transaction.atomic():
            advisory_xact_lock(RISK_RECOMPUTE_LOCK)
            with connection.cursor() as cursor:
                # For this transaction only: any recount of the summary is grouped in memory
                # rather than spilled to disk, and no query is compiled (JIT): compiling one of
                # these costs about a tenth of a second, more than it saves on them.
                cursor.execute(f"SET LOCAL work_mem = '{RECOMPUTE_WORK_MEM}'; SET LOCAL jit = off")
            progress(0, 1, "Counting the feeds that changed")
            feed_summary.refresh()
            home_ids = target_home_ids(job)
            ctx = RiskContext(month=job.month, home_ids=home_ids,
                              full=job.scope != RecomputeScope.HOMES, summary=True)
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
