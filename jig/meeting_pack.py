"""The meeting pack: an A4 PDF of a JIG meeting, made by ``jig.meeting_tasks.meeting_pack_task``.

``meeting_pack_render(pack=)`` renders ``jig.meeting_selectors.pack_context(meeting)`` through
``PACK_TEMPLATE`` with the shared renderer (``commissioning.pdf``, WeasyPrint), marked
OFFICIAL-SENSITIVE on every page, reporting its progress on the pack's job as it goes
("Gathering the dashboard", "Drawing home 3 of 40", "Writing the PDF"), then stores the file
on the ``MeetingPack`` and finishes the job. The task wraps it in ``commissioning.jobs.job_run``,
which records a failure on the job with its error.

What the pack holds, and why (docs/jig-meetings.md, "The meeting pack"):

* the cover (group, date, time, place, members with attendance and apologies), the agenda and
  the confidentiality statement members signed (its version);
* the dashboard **summarised**: homes counted by RAG and by movement since the last meeting,
  then a table of the flagged homes and the red ones (at most ``RED_ROWS`` red homes that are
  not flagged, highest score first, and how many more). A national group covers thousands of
  homes: the full table is the dashboard page, not paper;
* one section per flagged home, starting on a new page: why it is flagged, its rating with
  every component, XmR charts of its six monthly feed series (inline SVG from
  ``jig.charts``), its latest published quality monitoring visits and their outstanding
  actions, the deep dives and their answers, and its soft intelligence **counted** by
  category and sensitivity. The items' text stays in the portal: a printed copy travels,
  and a highly sensitive item may identify its source;
* the actions (carried forward and raised here; overdue marked), the planning applications,
  and the minutes once written.

Visits are read as every JIG member may read them (``quality.models.VisitScoped``: published
reports only, whoever asked for the pack), so the pack is the same for every member who
downloads it. If the visits app is not installed, that part is left out.
"""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from commissioning.choices import JobStatus
from commissioning.jobs import job_finish, job_log, job_start, job_update
from commissioning.pdf import OFFICIAL_SENSITIVE, render_pdf
from quality.reports import add_months

from . import series
from .charts import xmr_chart_svg
from .choices import Movement, Rag, Sensitivity
from .meeting_selectors import pack_context
from .models import MeetingPack
from .spc import Variation, xmr

PACK_TEMPLATE = "jig/pack/pack.html"
SPC_MONTHS = 24  # as the home's risk page
RECENT_VISITS = 2  # published visits shown per home
RED_ROWS = 60  # red homes that are not flagged listed in the dashboard summary
CHART_SIZE = {"width": 470, "height": 200}  # drawn in this box, printed half the page wide
CHART_ID = re.compile(r"\b(xmr-[0-9a-f]{10})(?=-title|-desc)")
BAND_CLASSES = {Rag.RED: "tag-red", Rag.AMBER: "tag-amber", Rag.GREEN: "tag-green"}


@dataclass
class HomePage:
    """What one flagged home's pages show."""

    entry: dict  # pack_context's: flag, row, rating, deep_dives, soft_intelligence
    components: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    visits: list = field(default_factory=list)
    visit_actions: list = field(default_factory=list)
    intelligence: list[dict] = field(default_factory=list)

    @property
    def home(self):
        return self.entry["flag"].care_home


def meeting_pack_render(*, pack: MeetingPack) -> MeetingPack:
    """Render the pack's meeting to PDF, store it on ``pack`` and finish its job."""
    meeting = pack.meeting
    job_start(pack, stage="Gathering the dashboard", total=2)
    job_log(pack, f"Pack for {meeting} asked for by {pack.requested_by or 'the system'}.")
    context = pack_context(meeting)
    flags = context["flags"]
    job_update(pack, progress_total=len(flags) + 2, progress_done=1)
    pages = home_pages(context, progress=lambda n: job_update(
        pack, stage=f"Drawing home {n} of {len(flags)}", progress_done=n + 1))
    job_update(pack, stage="Writing the PDF", progress_done=len(flags) + 1)
    content = render_pdf(PACK_TEMPLATE, {**context, **dashboard_summary(context["dashboard"]),
                                         "homes": pages, "pack": pack,
                                         "spc_last": add_months(meeting.month, -1)},
                         marking=OFFICIAL_SENSITIVE)
    pack.file.save(pack_filename(pack), ContentFile(content), save=False)
    MeetingPack.objects.filter(pk=pack.pk).update(file=pack.file.name)
    job_log(pack, f"Written: {len(flags)} flagged homes, {len(content) / 1_048_576:.1f} MB.")
    job_finish(pack, status=JobStatus.SUCCEEDED, stage="Done", progress_done=len(flags) + 2)
    return pack


def pack_filename(pack: MeetingPack) -> str:
    meeting = pack.meeting
    return f"{slugify(meeting.group.name)}-{meeting.date:%Y-%m-%d}-pack-{pack.pk}.pdf"


# --- The dashboard, summarised -----------------------------------------------------------------


def dashboard_summary(dashboard) -> dict:
    """Counts by RAG and movement, and the rows to list: every flagged home, and the red ones."""
    counts = Counter((row.rag, row.movement) for row in dashboard.rows)
    matrix = [{"rag": rag, "label": Rag(rag).label if rag else "Not rated",
               "tag": BAND_CLASSES.get(rag, "tag-grey"),
               "cells": [counts[(rag, movement)] for movement in Movement.values] if rag else [],
               "total": sum(n for (rag_, _), n in counts.items() if rag_ == rag)}
              for rag in [*Rag.values, ""]]
    flagged = [row for row in dashboard.rows if row.is_flagged]
    red = [row for row in dashboard.rows if row.rag == Rag.RED and not row.is_flagged]
    return {
        "rag_matrix": matrix,
        "movement_labels": [Movement(m).label for m in Movement.values],
        "homes_total": len(dashboard.rows),
        "summary_rows": flagged + red[:RED_ROWS],
        "red_not_listed": max(0, len(red) - RED_ROWS),
    }


# --- One flagged home's pages ------------------------------------------------------------------


def home_pages(context: dict, *, progress=None) -> list[HomePage]:
    """Each flagged home's components, charts, visits and soft intelligence counts, calling
    ``progress(n)`` as the nth is drawn. The series and visits are read for every home at once."""
    entries = context["flags"]
    home_ids = [entry["flag"].care_home_id for entry in entries]
    last_month = add_months(context["meeting"].month, -1)  # where the rating's own signals end
    first_month = add_months(last_month, 1 - SPC_MONTHS)
    counts = series.monthly_counts(first_month, last_month, home_ids=home_ids) if home_ids else {}
    months = series.months_between(first_month, last_month)
    visits, visit_actions = published_visits(home_ids)
    pages = []
    for number, entry in enumerate(entries, start=1):
        home_id = entry["flag"].care_home_id
        pages.append(HomePage(
            entry=entry, components=_components(entry["rating"]),
            charts=_charts(months, counts.get(home_id) or series.zero_counts(len(months)), home_id),
            visits=visits.get(home_id, []), visit_actions=visit_actions.get(home_id, []),
            intelligence=intelligence_counts(entry["soft_intelligence"])))
        if progress:
            progress(number)
    return pages


def _components(rating) -> list[dict]:
    """Every component of the rating, the largest contribution first, with its band's tag."""
    if rating is None:
        return []
    components = sorted(rating.components, key=lambda c: float(c.get("contribution") or 0), reverse=True)
    return [{**c, "tag": BAND_CLASSES.get(c.get("band"), "tag-grey"),
             "band_label": Rag(c["band"]).label if c.get("band") in Rag.values else "No band"}
            for c in components]


def _charts(months: list[dt.date], counts: dict[str, list[int]], home_id: int) -> list[dict]:
    charts = []
    for code, spec in series.SERIES.items():
        result = xmr(zip(months, counts[code], strict=True), direction=spec.direction,
                     cannot_be_negative=True)
        svg = xmr_chart_svg(result, title=spec.label, unit=spec.unit, **CHART_SIZE)
        # A chart's id comes from its numbers, so two homes with the same series would share
        # one: the home's id keeps every id in the document unique.
        svg = mark_safe(CHART_ID.sub(rf"\1-h{home_id}", svg))  # noqa: S308 - our own SVG
        charts.append({"code": code, "label": spec.label, "concern": result.variation == Variation.CONCERN,
                       "svg": svg})
    return charts


def intelligence_counts(items) -> list[dict]:
    """Live items counted by category, split by sensitivity (the text stays in the portal)."""
    by_category: dict[str, Counter] = {}
    labels = {}
    for item in items:
        by_category.setdefault(item.category, Counter())[item.sensitivity] += 1
        labels[item.category] = item.get_category_display()
    return [{"category": labels[code], "counts": [found[s] for s in Sensitivity.values],
             "total": sum(found.values())}
            for code, found in sorted(by_category.items(), key=lambda kv: labels[kv[0]])]


def published_visits(home_ids: list[int]) -> tuple[dict[int, list], dict[int, list]]:
    """Each home's latest published visits, and the outstanding actions of their plans.

    Two queries for every home. Published reports only: what every JIG member may read.
    """
    try:
        from quality.choices import ACTION_OUTSTANDING_STATUSES, VisitStatus
        from quality.models import PlanAction, Visit
    except ImportError:  # the visits app is not part of this deployment
        return {}, {}
    if not home_ids:
        return {}, {}
    visits: dict[int, list] = {}
    for visit in (Visit.objects.filter(care_home__in=home_ids, status=VisitStatus.PUBLISHED)
                  .order_by("care_home_id", "-published_on", "-pk")):
        found = visits.setdefault(visit.care_home_id, [])
        if len(found) < RECENT_VISITS:
            found.append(visit)
    actions: dict[int, list] = {}
    for action in (PlanAction.objects.filter(plan__visit__care_home__in=home_ids,
                                             plan__visit__status=VisitStatus.PUBLISHED,
                                             status__in=ACTION_OUTSTANDING_STATUSES)
                   .select_related("plan__visit", "standard").order_by("target_on", "pk")):
        actions.setdefault(action.plan.visit.care_home_id, []).append(action)
    return visits, actions

