"""Pages: the area risk table, its CSV export and a home's risk page.

The risk model's pages and recomputes are in ``risk_models``. Rows always come from
``selectors`` (so from ``access``); each list runs a fixed number of queries whatever the
number of homes.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from commissioning import access
from commissioning.exports import csv_response
from quality import charts
from quality.reports import add_months

from .. import meeting_selectors, selectors, series
from ..charts import xmr_chart
from ..choices import Rag
from ..filtersets import RiskRatingPageFilterSet, month_value
from ..models import RiskComponent
from ..spc import xmr
from .risk_display import RAG_COLOURS, RAG_LABELS, RAG_TAGS, component_labels, rating_row

PAGE_SIZE = 50
SPC_MONTHS = 24
SORT_LABELS = {"name": "Care home", "score": "Score", "change": "Change"}


def _sort_header(request, field: str, label: str, current: str) -> dict:
    """A column heading that sorts by it; a second click reverses the order."""
    params = request.GET.copy()
    params.pop("page", None)
    descending_first = field != "name"
    if current == field:
        params["sort"] = f"-{field}"
    elif current == f"-{field}":
        params["sort"] = field
    else:
        params["sort"] = f"-{field}" if descending_first else field
    aria = "ascending" if current == field else "descending" if current == f"-{field}" else "none"
    return {"field": field, "label": label, "href": f"?{params.urlencode()}", "aria_sort": aria,
            "numeric": field != "name"}


def _filtered(request, ratings, months, *, without=()):
    """The month's ratings after the filters; no month chosen means the latest with ratings."""
    data = request.GET.copy()
    for key in without:
        data.pop(key, None)
    filterset = RiskRatingPageFilterSet(data, queryset=ratings, months=months)
    rows = filterset.qs
    chosen = filterset.form.cleaned_data.get("month")
    month = chosen or (months[0] if months else None)
    if not chosen:
        rows = rows.filter(month=month) if month else rows.none()
    return filterset, rows, month


@login_required
@require_GET
def risk_list(request):
    access.require(request.user, access.Action.READ_RISK)
    ratings = selectors.risk_ratings_visible_to(request.user)
    months = selectors.risk_rating_months(ratings)
    filterset, rows, month = _filtered(request, ratings, months)
    _, for_counts, _ = _filtered(request, ratings, months, without=("rag", "moved", "page", "sort"))
    counts = selectors.risk_rag_counts(for_counts)
    sort = request.GET.get("sort") or "-score"
    sort = sort if sort.lstrip("-") in SORT_LABELS else "-score"
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    querystring = params.urlencode()
    bars = [(label, counts[value], RAG_COLOURS[value]) for value, label in Rag.choices]
    return render(request, "jig/risk_list.html", {
        "filterset": filterset, "form": filterset.form, "month": month, "months": months,
        "counts": [(value, label, counts[value], RAG_TAGS[value]) for value, label in Rag.choices],
        "total": sum(counts.values()),
        "chart": charts.bar_chart(bars, title=f"Homes by RAG rating, {charts.month_label(month)}",
                                  category="RAG rating") if month else "",
        "page_obj": page, "rows": [rating_row(r) for r in page.object_list],
        "headers": [_sort_header(request, field, label, sort) for field, label in SORT_LABELS.items()],
        "querystring": querystring,
        "querystring_without_page": f"{querystring}&" if querystring else "",
        "can_export": access.allowed(request.user, access.Action.EXPORT),
        "can_change": access.allowed(request.user, access.Action.CHANGE),
    })


EXPORT_HEADER = ["CQC location ID", "Care home", "Provider", "Council", "Registration type", "Beds",
                 "Month", "Model version", "Score", "RAG", "Previous RAG", "Change in score",
                 "Computed on"]
COMPONENT_COLUMNS = ("value", "band", "points")


@login_required
@require_GET
def risk_export(request):
    """The table's ratings as CSV, one row per home, three columns per component."""
    access.require(request.user, access.Action.READ_RISK)
    access.require(request.user, access.Action.EXPORT)
    ratings = selectors.risk_ratings_visible_to(request.user, access.Action.EXPORT)
    months = selectors.risk_rating_months(ratings)
    _, rows, month = _filtered(request, ratings, months)
    codes = list(dict.fromkeys(
        RiskComponent.objects.filter(model__in=rows.values("model")).order_by("model__version", "order", "pk")
        .values_list("code", flat=True)))
    labels = component_labels(codes)
    header = EXPORT_HEADER + [f"{labels[code]}: {column}" for code in codes for column in COMPONENT_COLUMNS]

    def lines():
        for r in rows.iterator(chunk_size=2000):
            home = r.care_home
            by_code = {c.get("code"): c for c in r.components}
            cells = [home.cqc_location_id, home.name, home.provider.name,
                     home.local_authority.name if home.local_authority else "",
                     home.get_registration_type_display(), home.beds, month_value(r.month),
                     r.model.version, r.score, RAG_LABELS.get(r.rag, r.rag),
                     RAG_LABELS.get(r.previous_rag, ""), "" if r.score_change is None else r.score_change,
                     date_format(timezone.localtime(r.computed_on), "d/m/Y H:i")]
            for code in codes:
                component = by_code.get(code, {})
                cells += [component.get("display", ""), component.get("band", ""),
                          component.get("contribution", "")]
            yield cells

    name = f"risk-ratings-{month_value(month)}.csv" if month else "risk-ratings.csv"
    return csv_response(name, header, lines())


@login_required
@require_GET
def risk_home(request, pk):
    access.require(request.user, access.Action.READ_RISK)
    home = selectors.risk_home_for(request.user, pk)
    ratings = selectors.risk_ratings_for_home(home)
    current = ratings[0] if ratings else None
    components = sorted(current.components if current else [],
                        key=lambda c: Decimal(str(c.get("contribution") or 0)), reverse=True)
    # The SPC charts end where the rating's own signals do: the month before the rating's.
    rated_month = current.month if current else timezone.localdate().replace(day=1)
    last_month = add_months(rated_month, -1)
    return render(request, "jig/risk_home.html", {
        "home": home, "rating": current, "row": rating_row(current) if current else None,
        "components": [{**c, "tag": RAG_TAGS.get(c.get("band"), "grey"),
                        "band_label": RAG_LABELS.get(c.get("band"), "No band")}
                       for c in components],
        "score_chart": _score_chart(ratings),
        "spc": _spc_charts(home, last_month),
        "spc_first": add_months(last_month, 1 - SPC_MONTHS), "spc_last": last_month,
        "previous": [rating_row(r) for r in ratings[1:]],
        **_soft_intelligence(request.user, home),
    })


def _soft_intelligence(user, home) -> dict:
    """For JIG members only: the live soft intelligence of their groups about the home."""
    if not meeting_selectors.seats(user).exists():
        return {}
    items = meeting_selectors.soft_intelligence_visible_to(user).filter(care_home=home)
    return {"jig_member": True, "soft_intelligence": list(items[:20])}


def _score_chart(ratings):
    """The score month by month since the first rating kept; a month without one is a gap."""
    if not ratings:
        return ""
    by_month = {r.month: float(r.score) for r in ratings}
    months = series.months_between(min(by_month), max(by_month))
    return charts.line_chart([(m, by_month.get(m)) for m in months], title="Risk score by month",
                             unit="score")


def _spc_charts(home, last_month: dt.date) -> list[dict]:
    """An XmR chart of each monthly feed series behind the rating, over the last 24 months."""
    first_month = add_months(last_month, 1 - SPC_MONTHS)
    months = series.months_between(first_month, last_month)
    counts = series.monthly_counts(first_month, last_month, home_ids=[home.pk])[home.pk]
    charts_ = []
    for code, spec in series.SERIES.items():
        result = xmr(zip(months, counts[code], strict=True), direction=spec.direction,
                     cannot_be_negative=True)
        charts_.append({"code": code, "label": spec.label, "result": result,
                        "chart": xmr_chart(result, title=spec.label, unit=spec.unit)})
    return charts_


urlpatterns = [
    path("risk/", risk_list, name="risk-list"),
    path("risk/export.csv", risk_export, name="risk-export"),
    path("risk/homes/<int:pk>/", risk_home, name="risk-home"),
]
