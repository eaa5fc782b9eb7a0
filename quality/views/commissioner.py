"""Commissioners' pages for monthly returns: compliance, a home's trends, the benchmark, the CSV.

Rows always come from ``selectors``/``access``; the counting is done in ``reports`` so
each page runs a fixed number of queries whatever the number of homes.
"""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from carehomes.selectors import carehome_for, carehomes_visible_to
from commissioning import access
from commissioning.choices import OrganisationKind
from commissioning.exports import csv_response
from commissioning.models import Organisation

from .. import charts, reports, selectors
from ..choices import ComplianceStatus, ReturnStatus
from ..services import indicator_set_current

PAGE_SIZE = 50
PROVIDER_ROWS = 25
MONTHS_OFFERED = 36


def _month_value(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def month_choices(today: dt.date) -> list[tuple[str, str]]:
    this_month = today.replace(day=1)
    return [(_month_value(m), charts.month_label(m))
            for m in (reports.add_months(this_month, -n) for n in range(MONTHS_OFFERED))]


def _to_month(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%Y-%m").date()


def _querystring(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def _return_url(pk) -> str | None:
    """The return's own page, if the returns pages are installed (written separately)."""
    if pk is None:
        return None
    try:
        return reverse("quality:return-detail", args=[pk])
    except NoReverseMatch:
        return None


class MonthForm(forms.Form):
    """A month picked from the last three years, as ?month=2026-10."""

    month = forms.ChoiceField(label="Month", required=False,
                              error_messages={"invalid_choice": "Choose a month from the list"})

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_month = reports.latest_due_month(today)
        self.fields["month"].choices = month_choices(today)
        self.fields["month"].initial = _month_value(self.default_month)

    def chosen_month(self) -> dt.date:
        value = self.is_valid() and self.cleaned_data.get("month")
        return _to_month(value) if value else self.default_month


class ComplianceFilterForm(MonthForm):
    council = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False,
                                     empty_label="All councils", label="Council")
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False,
                                      empty_label="All providers", label="Provider")
    status = forms.ChoiceField(choices=[("", "All"), *ComplianceStatus.choices], required=False,
                               label="Return status")

    def __init__(self, *args, homes, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the councils and providers of the homes this user may see.
        self.fields["council"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY, pk__in=homes.values("local_authority")
        ).order_by("name")
        self.fields["provider"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.CARE_PROVIDER, pk__in=homes.values("provider")).order_by("name")
        for name in ("council", "provider", "status"):
            self.fields[name].error_messages["invalid_choice"] = "Choose one from the list"

    def filtered(self, homes):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("council"):
            homes = homes.filter(local_authority=data["council"])
        if data.get("provider"):
            homes = homes.filter(provider=data["provider"])
        return homes


@login_required
@require_GET
def compliance(request):
    access.require(request.user, access.Action.MONITOR)
    today = timezone.localdate()
    form = ComplianceFilterForm(request.GET or None, today=today,
                                homes=carehomes_visible_to(request.user))
    month = form.chosen_month()
    homes = form.filtered(selectors.homes_expected_to_return(request.user, month))
    homes = reports.homes_with_compliance(homes, month, today)
    counts = reports.compliance_counts(homes)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    listed = homes.filter(compliance=status) if status else homes
    page = Paginator(listed.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(ComplianceStatus.choices)
    rows = [{"home": home, "status": home.compliance, "status_label": labels[home.compliance],
             "tag": reports.STATUS_TAGS[home.compliance], "return_url": _return_url(home.return_pk)}
            for home in page.object_list]
    querystring = _querystring(request)
    return render(request, "quality/compliance.html", {
        "form": form, "month": month, "due_on": reports.due_date_for(month), "today": today,
        "counts": [(value, label, counts[value], reports.STATUS_TAGS[value])
                   for value, label in ComplianceStatus.choices],
        "total": sum(counts.values()),
        "chart": charts.bar_chart(reports.compliance_bars(counts),
                                  title=f"Returns for {charts.month_label(month)}"),
        "status_labels": [label for _, label in ComplianceStatus.choices],
        "by_council": reports.compliance_by(homes, "local_authority"),
        "by_provider": reports.compliance_by(homes, "provider", limit=PROVIDER_ROWS),
        "provider_rows": PROVIDER_ROWS,
        "status_label": labels.get(status, ""),
        "page_obj": page, "rows": rows,
        "querystring_without_page": f"{querystring}&" if querystring else "",
        "can_export": access.allowed(request.user, access.Action.EXPORT),
        "month_value": _month_value(month),
    })


@login_required
@require_GET
def trends(request, cqc_location_id):
    home = carehome_for(request.user, cqc_location_id)
    last = timezone.localdate().replace(day=1)
    months = reports.months_ending(last, 24)
    indicators = indicator_set_current().indicators.all()
    charts_by_section: dict[str, list] = {}
    for trend in reports.home_trends(home, indicators, months):
        indicator = trend.indicator
        item = {"indicator": indicator,
                "counts": charts.line_chart(trend.counts, title=indicator.label,
                                            unit=indicator.unit)}
        if trend.rates is not None:
            item["rates"] = charts.line_chart(
                trend.rates, title=f"{indicator.label} per {reports.RATE_PER} occupied beds",
                unit=f"{indicator.unit} per {reports.RATE_PER} occupied beds".strip())
        charts_by_section.setdefault(indicator.get_section_display(), []).append(item)
    return render(request, "quality/trends.html", {
        "home": home, "first_month": months[0], "last_month": months[-1],
        "sections": list(charts_by_section.items()), "rate_per": reports.RATE_PER,
    })


class BenchmarkForm(MonthForm):
    indicator = forms.ChoiceField(label="Indicator", required=False,
                                  error_messages={"invalid_choice": "Choose an indicator from the list"})
    flagged = forms.BooleanField(label="Only homes above 1.5 times the median", required=False)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.key, i.label) for i in indicators]
        self.fields["indicator"].initial = indicators[0].key if indicators else ""


SORTS = {"name": "Home", "council": "Council", "rate": "Rate per 10 occupied beds"}


@login_required
@require_GET
def benchmark(request):
    access.require(request.user, access.Action.MONITOR)
    today = timezone.localdate()
    indicators = [i for i in indicator_set_current().indicators.all() if i.per_bed]
    form = BenchmarkForm(request.GET or None, today=today, indicators=indicators)
    month = form.chosen_month()
    valid = form.is_valid()
    key = (valid and form.cleaned_data.get("indicator")) or form.fields["indicator"].initial
    indicator = next((i for i in indicators if i.key == key), None)
    if indicator is None:
        return render(request, "quality/benchmark.html", {"form": form, "month": month})
    sort = request.GET.get("sort", "-rate")
    sort = sort if sort in reports.BENCHMARK_SORTS else "-rate"
    rated = reports.returns_with_rate(selectors.returns_visible_to(request.user), month, key)
    median = reports.area_median(rated)
    rows = reports.benchmark_rows(rated, median, sort)
    if valid and form.cleaned_data.get("flagged"):
        rows = rows.filter(flagged=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    expected = selectors.homes_expected_to_return(request.user, month).count()
    querystring = _querystring(request)
    return render(request, "quality/benchmark.html", {
        "form": form, "month": month, "indicator": indicator, "median": median,
        "threshold": median * reports.FLAG_FACTOR if median is not None else None,
        "rate_per": reports.RATE_PER, "page_obj": page, "returns": page.object_list,
        "expected": expected, "sort": sort,
        "headers": [_sort_header(request, field, label, sort) for field, label in SORTS.items()],
        "querystring_without_page": f"{querystring}&" if querystring else "",
    })


def _sort_header(request, field: str, label: str, current: str) -> dict:
    """A column heading that sorts by it; a second click reverses the order."""
    params = request.GET.copy()
    params.pop("page", None)
    descending_first = field == "rate"
    if current == field:
        params["sort"] = f"-{field}"
    elif current == f"-{field}":
        params["sort"] = field
    else:
        params["sort"] = f"-{field}" if descending_first else field
    aria = "ascending" if current == field else "descending" if current == f"-{field}" else "none"
    return {"label": label, "href": f"?{params.urlencode()}", "aria_sort": aria,
            "numeric": field == "rate"}


class ExportForm(forms.Form):
    start = forms.ChoiceField(label="From", required=False)
    end = forms.ChoiceField(label="To", required=False)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        last = reports.latest_due_month(today)
        for name in ("start", "end"):
            self.fields[name].choices = month_choices(today)
            self.fields[name].error_messages["invalid_choice"] = "Choose a month from the list"
        self.fields["start"].initial = _month_value(reports.add_months(last, -11))
        self.fields["end"].initial = _month_value(last)

    def default_range(self) -> tuple[dt.date, dt.date]:
        return _to_month(self.fields["start"].initial), _to_month(self.fields["end"].initial)

    def clean(self):
        data = super().clean()
        default_start, default_end = self.default_range()
        start = _to_month(data["start"]) if data.get("start") else default_start
        end = _to_month(data["end"]) if data.get("end") else default_end
        if start > end:
            self.add_error("start", "The first month must be the same as or before the last month")
        data["start"], data["end"] = start, end
        return data


EXPORT_HEADER = ["CQC location ID", "Home", "Provider", "Council", "Month", "Status",
                 "Submitted on", "Question set version"]


@login_required
@require_GET
def export(request):
    access.require(request.user, access.Action.EXPORT)
    form = ExportForm(request.GET or None, today=timezone.localdate())
    if not request.GET:
        start, end = form.default_range()
    elif form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        return render(request, "quality/compliance_export.html", {"form": form}, status=400)
    returns = (selectors.returns_visible_to(request.user, access.Action.EXPORT)
               .filter(month__gte=start, month__lte=end)
               .order_by("month", "care_home__name", "pk"))
    columns = reports.export_indicators(returns)
    statuses = dict(ReturnStatus.choices)
    rows = ([r.care_home.cqc_location_id, r.care_home.name, r.care_home.provider.name,
             r.care_home.local_authority.name if r.care_home.local_authority else "",
             _month_value(r.month), statuses.get(r.status, r.status),
             date_format(timezone.localtime(r.submitted_on), "d/m/Y H:i") if r.submitted_on else "",
             r.indicator_set.version, *[r.values.get(i.key, "") for i in columns]]
            for r in returns.iterator(chunk_size=2000))
    filename = f"monthly-returns-{_month_value(start)}-to-{_month_value(end)}.csv"
    return csv_response(filename, EXPORT_HEADER + [i.key for i in columns], rows)


urlpatterns = [
    path("compliance/", compliance, name="compliance"),
    path("homes/<str:cqc_location_id>/trends/", trends, name="trends"),
    path("benchmark/", benchmark, name="benchmark"),
    path("export.csv", export, name="export"),
]

