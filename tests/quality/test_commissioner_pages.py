"""Commissioners' return pages from the outside: compliance, trends, benchmark and the CSV export."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.choices import Role
from quality import reports
from quality.choices import ComplianceStatus, ReturnStatus
from quality.models import MonthlyReturn
from quality.selectors import compliance_status, homes_expected_to_return
from quality.services import due_date_for
from tests.carehomes.factories import CareHomeFactory
from tests.quality.factories import MonthlyReturnFactory, good_values

pytestmark = pytest.mark.django_db

C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE = "manager_one_home", "no_role"
WHO = [C, Q, M, JC, JM, P, A, ONE, NONE]


def month_due() -> dt.date:
    """The month the pages show by default: its due date has passed."""
    return reports.latest_due_month(timezone.localdate())


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def submitted(home, month, *, late=False, status=ReturnStatus.SUBMITTED, **overrides):
    due = due_date_for(month)
    when = at(due + dt.timedelta(days=3) if late else due - dt.timedelta(days=3))
    return MonthlyReturnFactory(care_home=home, month=month, status=status,
                                first_submitted_on=when, submitted_on=when,
                                values=good_values(**overrides))


def draft(home, month):
    return MonthlyReturnFactory(care_home=home, month=month, status=ReturnStatus.DRAFT)


# --- Who may see what -----------------------------------------------------------------

def target(area, page):
    if page in ("trends-home", "trends-second", "trends-other"):
        home = {"trends-home": area.home, "trends-second": area.second_home,
                "trends-other": area.other_home}[page]
        return reverse("quality:trends", args=[home.cqc_location_id])
    return reverse(f"quality:{page}")


MATRIX = [
    ("compliance", {M: 403, ONE: 403, P: 403, NONE: 403}, 200),
    ("benchmark", {M: 403, ONE: 403, P: 403, NONE: 403}, 200),
    ("export", {JM: 403, P: 403, NONE: 403}, 200),
    ("trends-home", {NONE: 404}, 200),
    ("trends-second", {ONE: 404, NONE: 404}, 200),
    ("trends-other", {JM: 200, P: 200, A: 200}, 404),
]


@pytest.mark.parametrize(("page", "overrides", "default"), MATRIX, ids=[m[0] for m in MATRIX])
@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(area, client_for, page, overrides, default, who):
    response = client_for(area.users[who]).get(target(area, page))
    assert response.status_code == overrides.get(who, default)


@pytest.mark.parametrize("page", ["compliance", "benchmark", "export", "trends-home"])
def test_anonymous_requests_are_sent_to_sign_in(area, client, page):
    response = client.get(target(area, page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


# --- Compliance -----------------------------------------------------------------------

def totals(response) -> dict[str, int]:
    return {status: response.context["counts"][n][2]
            for n, status in enumerate(ComplianceStatus.values)}


def test_compliance_counts_each_status_for_the_homes_the_commissioner_sees(area, client_for):
    month = month_due()
    late_submitter = CareHomeFactory(provider=area.provider, local_authority=area.council)
    CareHomeFactory(provider=area.provider, local_authority=area.council)  # nothing at all
    submitted(area.home, month)
    submitted(late_submitter, month, late=True)
    draft(area.second_home, month)
    submitted(area.other_home, month)  # another council's home: not the commissioner's

    response = client_for(area.users[C]).get(reverse("quality:compliance"))

    assert response.context["month"] == month
    assert totals(response) == {"submitted": 1, "submitted_late": 1, "draft": 0, "late": 2,
                                "not_due": 0}
    page = response.content.decode()
    assert area.home.name in page and late_submitter.name in page
    assert area.other_home.name not in page
    assert "<svg" in page and f"Returns for {month:%B %Y}" in page


def test_compliance_tables_by_council_and_by_provider(area, client_for):
    month = month_due()
    submitted(area.home, month)
    submitted(area.other_home, month, late=True)

    response = client_for(area.users[A]).get(reverse("quality:compliance"),
                                             {"month": f"{month:%Y-%m}"})

    councils = {row["group_name"]: row for row in response.context["by_council"]}
    assert councils[area.council.name]["submitted"] == 1
    assert councils[area.council.name]["late"] == 1  # second_home sent nothing
    assert councils[area.other_council.name]["submitted_late"] == 1
    providers = {row["group_name"]: row["total"] for row in response.context["by_provider"]}
    assert providers == {area.provider.name: 2, area.other_provider.name: 1}


def test_compliance_filters_by_status_council_and_provider(area, client_for):
    month = month_due()
    submitted(area.home, month)
    client = client_for(area.users[A])

    late = client.get(reverse("quality:compliance"), {"month": f"{month:%Y-%m}", "status": "late"})
    assert {row["home"] for row in late.context["rows"]} == {area.second_home, area.other_home}
    assert totals(late)["submitted"] == 1  # the totals still count every status

    council = client.get(reverse("quality:compliance"), {"council": area.other_council.pk})
    assert [row["home"] for row in council.context["rows"]] == [area.other_home]

    provider = client.get(reverse("quality:compliance"), {"provider": area.provider.pk})
    assert {row["home"] for row in provider.context["rows"]} == {area.home, area.second_home}


def test_compliance_cannot_be_filtered_to_homes_outside_the_users_area(area, client_for):
    response = client_for(area.users[C]).get(reverse("quality:compliance"),
                                             {"provider": area.other_provider.pk})
    assert area.other_home.name not in response.content.decode()
    assert "Choose one from the list" in response.content.decode()


def test_compliance_explains_a_month_that_is_not_offered(area, client_for):
    response = client_for(area.users[C]).get(reverse("quality:compliance"), {"month": "1999-01"})
    assert response.status_code == 200
    assert "Choose a month from the list" in response.content.decode()
    assert response.context["month"] == month_due()


@pytest.mark.parametrize("before_due", [True, False])
def test_compliance_in_the_database_agrees_with_compliance_status(area, before_due):
    month = dt.date(2026, 3, 1)
    due = due_date_for(month)
    today = due - dt.timedelta(days=1) if before_due else due + dt.timedelta(days=1)
    on_time = submitted(area.home, month)
    late = submitted(area.second_home, month, late=True, status=ReturnStatus.AMENDED)
    started = draft(area.other_home, month)
    untouched = CareHomeFactory()
    # Sent at 00:30 on the 15th in the UK, which is still the 14th in UTC: late.
    midnight = CareHomeFactory()
    just_late = submitted(midnight, month)
    just_late.first_submitted_on = timezone.make_aware(
        dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 30)))
    just_late.save()
    returns = {r.care_home_id: r for r in (on_time, late, started, just_late)}

    homes = reports.homes_with_compliance(
        homes_expected_to_return(area.users[A], month), month, today)

    in_sql = dict(homes.values_list("pk", "compliance"))
    expected = {h: compliance_status(returns.get(h), due, today) for h in in_sql}
    assert in_sql == expected
    assert in_sql[midnight.pk] == ComplianceStatus.SUBMITTED_LATE
    assert in_sql[untouched.pk] == (ComplianceStatus.NOT_DUE if before_due else ComplianceStatus.LATE)


def test_compliance_runs_the_same_number_of_queries_for_3_or_30_homes(area, client_for):
    month = month_due()
    client = client_for(area.users[A])

    def count_queries():
        client.get(reverse("quality:compliance"))  # warm the session and memberships
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("quality:compliance"))
        assert response.status_code == 200
        return len(queries)

    few = count_queries()
    for n in range(27):
        home = CareHomeFactory(provider=area.provider if n % 2 else area.other_provider,
                               local_authority=area.council)
        if n % 3 == 0:
            submitted(home, month)
        elif n % 3 == 1:
            draft(home, month)
    assert count_queries() == few


# --- Trends ---------------------------------------------------------------------------

def test_trends_show_counts_and_the_rate_per_10_occupied_beds(area, client_for):
    month = month_due()
    submitted(area.home, month, beds=40, occupied=30, falls=6, falls_with_injury=2)

    response = client_for(area.users[M]).get(
        reverse("quality:trends", args=[area.home.cqc_location_id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") >= 20
    assert "Falls per 10 occupied beds" in page
    # The hidden tables: 6 falls in the month, 6 / 30 beds × 10 = 2 per 10 occupied beds.
    assert f"<th class=\"nhsuk-table__cell\" scope=\"row\">{month:%B %Y}</th>" \
           f"<td class=\"nhsuk-table__cell\">6</td>" in page
    assert f"{month:%B %Y}</th><td class=\"nhsuk-table__cell\">2</td>" in page


def test_trends_leave_out_draft_returns(area, client_for):
    month = month_due()
    MonthlyReturnFactory(care_home=area.home, month=month, values=good_values(falls=99))
    response = client_for(area.users[C]).get(
        reverse("quality:trends", args=[area.home.cqc_location_id]))
    assert ">99<" not in response.content.decode()


# --- Benchmark ------------------------------------------------------------------------

def benchmark_area(area, month):
    """Four visible homes with falls per 10 beds of 1, 2, 3 and 10 (median 2.5)."""
    homes = [area.home, area.second_home,
             CareHomeFactory(provider=area.provider, local_authority=area.council),
             CareHomeFactory(provider=area.provider, local_authority=area.council)]
    for home, falls in zip(homes, [2, 4, 6, 20], strict=True):
        submitted(home, month, beds=25, occupied=20, falls=falls, falls_with_injury=0)
    submitted(area.other_home, month, beds=25, occupied=20, falls=20, falls_with_injury=0)
    return homes


def test_area_median_is_postgresqls_percentile_cont(area):
    month = month_due()
    benchmark_area(area, month)
    rated = reports.returns_with_rate(
        MonthlyReturn.objects.filter(care_home__provider=area.provider), month, "falls")
    assert reports.area_median(rated) == pytest.approx(2.5)
    assert sorted(r.rate for r in rated) == [1, 2, 3, 10]


def test_benchmark_flags_homes_above_one_and_a_half_times_the_area_median(area, client_for):
    month = month_due()
    homes = benchmark_area(area, month)

    response = client_for(area.users[C]).get(
        reverse("quality:benchmark"), {"month": f"{month:%Y-%m}", "indicator": "falls"})

    assert response.context["median"] == pytest.approx(2.5)  # the other council's home left out
    rows = list(response.context["returns"])
    assert [r.care_home for r in rows] == [homes[3], homes[2], homes[1], homes[0]]
    assert [r.flagged for r in rows] == [True, False, False, False]
    assert "Above 1.5 times the median" in response.content.decode()
    assert area.other_home.name not in response.content.decode()


def test_benchmark_sorts_by_name_and_shows_only_flagged_homes(area, client_for):
    month = month_due()
    homes = benchmark_area(area, month)
    client = client_for(area.users[C])
    by_name = client.get(reverse("quality:benchmark"),
                         {"month": f"{month:%Y-%m}", "indicator": "falls", "sort": "name"})
    names = [r.care_home.name for r in by_name.context["returns"]]
    assert names == sorted(names)
    flagged = client.get(reverse("quality:benchmark"),
                         {"month": f"{month:%Y-%m}", "indicator": "falls", "flagged": "on"})
    assert [r.care_home for r in flagged.context["returns"]] == [homes[3]]


def test_benchmark_runs_the_same_number_of_queries_for_3_or_30_homes(area, client_for):
    month = month_due()
    client = client_for(area.users[A])
    params = {"month": f"{month:%Y-%m}", "indicator": "falls"}
    for home in (area.home, area.second_home, area.other_home):
        submitted(home, month)

    def count_queries():
        client.get(reverse("quality:benchmark"), params)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("quality:benchmark"), params)
        return len(queries)

    few = count_queries()
    for _ in range(27):
        submitted(CareHomeFactory(), month)
    assert count_queries() == few


# --- Export ---------------------------------------------------------------------------

def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_has_a_row_per_return_with_every_answer(area, client_for):
    month = month_due()
    submitted(area.home, month, falls=7)
    draft(area.second_home, month)

    response = client_for(area.users[C]).get(
        reverse("quality:export"), {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"})

    rows = read_csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert {r["Home"] for r in rows} == {area.home.name, area.second_home.name}
    mine = next(r for r in rows if r["Home"] == area.home.name)
    assert mine["falls"] == "7" and mine["Status"] == "Submitted"
    assert mine["Month"] == f"{month:%Y-%m}" and mine["Council"] == area.council.name
    assert mine["Provider"] == area.provider.name and mine["Submitted on"]
    assert "issues_for_commissioners" in mine and "training_eol_percent" in mine


def test_managers_export_never_has_another_providers_home(area, client_for):
    month = month_due()
    submitted(area.home, month)
    submitted(area.other_home, month)

    for who in (M, ONE):
        rows = read_csv(client_for(area.users[who]).get(
            reverse("quality:export"), {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"}))
        homes = {r["CQC location ID"] for r in rows}
        assert area.other_home.cqc_location_id not in homes
        assert area.home.cqc_location_id in homes


def test_export_stops_formulas_running_in_a_spreadsheet(area, client_for):
    month = month_due()
    submitted(area.home, month, issues_for_commissioners='=HYPERLINK("http://evil","click")')
    rows = read_csv(client_for(area.users[C]).get(reverse("quality:export"),
                                                  {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"}))
    assert rows[0]["issues_for_commissioners"] == "'=HYPERLINK(\"http://evil\",\"click\")"


def test_export_leaves_out_months_outside_the_range(area, client_for):
    month = month_due()
    earlier = reports.add_months(month, -3)
    submitted(area.home, month)
    submitted(area.home, earlier)
    rows = read_csv(client_for(area.users[C]).get(reverse("quality:export"),
                                                  {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"}))
    assert [r["Month"] for r in rows] == [f"{month:%Y-%m}"]


def test_export_says_what_is_wrong_with_a_backwards_range(area, client_for):
    month = month_due()
    response = client_for(area.users[C]).get(
        reverse("quality:export"),
        {"start": f"{month:%Y-%m}", "end": f"{reports.add_months(month, -2):%Y-%m}"})
    assert response.status_code == 400
    assert "The first month must be the same as or before the last month" in response.content.decode()


def test_compliance_links_each_home_to_its_return_and_its_trends(area, client_for):
    month = month_due()
    monthly_return = submitted(area.home, month)
    response = client_for(area.users[C]).get(reverse("quality:compliance"))
    page = response.content.decode()
    assert f'href="{reverse("quality:return-detail", args=[monthly_return.pk])}"' in page
    assert f'href="{reverse("quality:trends", args=[area.home.cqc_location_id])}"' in page
    second = next(r for r in response.context["rows"] if r["home"] == area.second_home)
    assert second["return_url"] is None
