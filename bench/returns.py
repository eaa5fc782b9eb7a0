"""Time the bulk upload of monthly returns and the commissioners' return pages at national scale.

    .venv/bin/python -m bench.returns [--rows 15000] [--upload-rows 2000] [--months 24] [--repeat 3]

Reuses the national registry ``bench.import_cqc`` (or ``bench.carehome_list``) left in the
benchmark database when it holds the same directory; otherwise imports it first. Then:

* **the upload**: a generated CSV of ``--upload-rows`` homes × last month, through the real
  upload service (``quality.uploads.return_upload_run``, the work the Celery task does):
  checking only, the first upload (every return created) and the same file again (every
  return unchanged). It prints rows per second.
* **the pages**: ``--months`` months of returns for every home (15,000 × 24 = 360,000 by
  default), bulk-inserted in batches (not through the service: this is set-up), then the
  compliance page (``quality:compliance``) and, if it exists, the benchmark page
  (``quality:benchmark``), for a commissioner of an ICB and for an administrator: the
  median server time of ``--repeat`` requests and the SQL queries of one request. A page
  that does not exist yet is skipped with a note.
"""

import argparse
import csv
import datetime as dt
import io
import sys

from bench import (
    add_common_arguments,
    configure,
    median_ms,
    print_table,
    timed,
    timed_cpu,
)

PAGES = [("compliance page", "quality:compliance"), ("benchmark page", "quality:benchmark")]
INSERT_BATCH = 5_000
UPLOAD_COUNTS = ["rows_in_file", "rows_created", "rows_updated", "rows_unchanged",
                 "rows_rejected"]


def months_back(count: int) -> list[dt.date]:
    """The first days of the last ``count`` whole months, most recent first."""
    from django.utils import timezone

    month, months = timezone.localdate().replace(day=1), []
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


def clear_returns() -> None:
    """Empty the returns tables (the registry stays), so every run starts alike."""
    from django.db import connection

    from quality.models import MonthlyReturn, ReturnUpload, ReturnVersion

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table)
                       for m in (ReturnVersion, MonthlyReturn, ReturnUpload))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")


def home_values(indicators, beds: int, seed: int) -> dict:
    """A plausible, valid return for a home of ``beds`` beds (no soft warnings on a first month)."""
    beds = max(beds or 0, 8)
    occupied = beds - 2 - seed % 3
    council, chc, joint = occupied // 2, occupied // 8, occupied // 16
    deaths = (seed % 3, seed % 2, 0)
    known = {
        "beds_registered": beds, "beds_occupied": occupied, "beds_vacant_reserved": 1,
        "beds_vacant_available": beds - occupied - 1, "occupied_council": council,
        "occupied_nhs_chc": chc, "occupied_joint": joint,
        "occupied_self_funded": occupied - council - chc - joint, "occupied_other": 0,
        "deaths_in_home": deaths[0], "deaths_in_hospital": deaths[1], "deaths_elsewhere": 0,
        "deaths_preferred_place": deaths[0], "falls": 2 + seed % 6, "falls_with_injury": seed % 2,
        "agency_hours_percent": 5 + seed % 10 + 0.5, "sickness_percent": 3.5,
        "training_mandatory_percent": 90, "training_dementia_percent": 75,
        "training_eol_percent": 60, "issues_for_commissioners": "",
    }
    by_kind = {"count": 1 + seed % 4, "number": 2.5, "percent": 50, "text": ""}
    return {i.key: known.get(i.key, by_kind[i.kind]) for i in indicators}


def upload_csv(homes: list, month: dt.date) -> bytes:
    from quality.services import indicator_set_current
    from quality.uploads import template_header

    indicators = list(indicator_set_current().indicators.all())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(template_header())
    for n, (location, beds) in enumerate(homes):
        values = home_values(indicators, beds, n)
        writer.writerow([location, f"{month:%Y-%m}", *values.values(), "Y", "", ""])
    return out.getvalue().encode()


def time_upload(content: bytes, filename: str, user) -> tuple[float, float, dict]:
    from commissioning.choices import JobStatus
    from quality.uploads import return_upload_record, return_upload_run

    upload = return_upload_record(filename=filename, content=content, user=user)
    seconds, cpu, upload = timed_cpu(lambda: return_upload_run(upload=upload))
    if upload.status != JobStatus.SUCCEEDED:
        raise SystemExit(f"The upload did not succeed ({upload.status}): {upload.stage} "
                         f"{upload.errors[:5]}")
    return seconds, cpu, {name: getattr(upload, name) for name in UPLOAD_COUNTS}


def time_check(content: bytes, user) -> tuple[float, float, int]:
    """Reading and checking the file only (the first half of an upload), writing nothing."""
    from carehomes.importers.tables import read_table
    from quality.models import ReturnUpload
    from quality.uploads import LOCATION, upload_check

    upload = ReturnUpload(filename="check.csv", content=content, requested_by=user)
    seconds, cpu, plan = timed_cpu(
        lambda: upload_check(upload, read_table("check.csv", content, LOCATION)))
    if plan.problems:
        raise SystemExit(f"The generated file has problems: {plan.problems[:5]}")
    return seconds, cpu, len(plan.rows)


def measure_upload(upload_rows: int) -> dict:
    from carehomes.choices import HomeStatus
    from carehomes.models import CareHome

    from .import_cqc import bench_user

    clear_returns()
    homes = list(CareHome.objects.exclude(status=HomeStatus.DEREGISTERED).order_by("pk")
                 .values_list("cqc_location_id", "beds")[:upload_rows])
    month = months_back(1)[0]
    content = upload_csv(homes, month)
    user = bench_user()
    check_seconds, check_cpu, checked = time_check(content, user)
    first_seconds, first_cpu, first = time_upload(content, f"returns-{len(homes)}.csv", user)
    second_seconds, second_cpu, second = time_upload(content, f"returns-{len(homes)}-again.csv",
                                                     user)
    return {"rows": len(homes), "bytes": len(content), "month": month, "checked": checked,
            "check_seconds": check_seconds, "check_cpu": check_cpu,
            "first_seconds": first_seconds, "first_cpu": first_cpu, "first": first,
            "second_seconds": second_seconds, "second_cpu": second_cpu, "second": second}


def _returns_for(home, months, indicator_set, values, now):
    """One home's returns: most submitted on time, some late, a few drafts or missing."""
    from django.utils import timezone

    from quality.choices import ReturnStatus
    from quality.models import MonthlyReturn
    from quality.services import due_date_for

    for index, month in enumerate(months):
        roll = (home.pk * 7 + index * 13) % 100
        if roll < (10 if index == 0 else 2):
            continue  # not started
        due_on = due_date_for(month)
        submitted_on = None
        status = ReturnStatus.SUBMITTED
        if roll < (20 if index == 0 else 4):
            status = ReturnStatus.DRAFT
        else:
            late = roll >= 90
            day = due_on + dt.timedelta(days=5 if late else -3)
            submitted_on = min(now, timezone.make_aware(dt.datetime.combine(day, dt.time(10))))
        yield MonthlyReturn(
            care_home_id=home.pk, month=month, indicator_set=indicator_set, status=status,
            due_on=due_on, values=values, first_submitted_on=submitted_on,
            submitted_on=submitted_on, version_count=1 if submitted_on else 0)


def insert_history(months: int) -> tuple[float, int]:
    """Every home's returns for ``months`` months, with ``bulk_create`` in batches (set-up only:
    the service is timed by the upload)."""
    from django.utils import timezone

    from carehomes.models import CareHome
    from quality.models import MonthlyReturn
    from quality.services import indicator_set_current

    clear_returns()
    indicator_set = indicator_set_current()
    indicators = list(indicator_set.indicators.all())
    wanted, now = months_back(months), timezone.now()

    def insert() -> int:
        batch, total = [], 0
        for home in CareHome.objects.only("pk", "beds").order_by("pk").iterator(chunk_size=2000):
            values = home_values(indicators, home.beds, home.pk)
            batch.extend(_returns_for(home, wanted, indicator_set, values, now))
            if len(batch) >= INSERT_BATCH:
                MonthlyReturn.objects.bulk_create(batch)
                total, batch = total + len(batch), []
        MonthlyReturn.objects.bulk_create(batch)
        return total + len(batch)

    seconds, inserted = timed(insert)
    with_connection_analyze()
    return seconds, inserted


def with_connection_analyze() -> None:
    """Fresh planner statistics after the bulk insert, as autovacuum would give a real table."""
    from django.db import connection

    from quality.models import MonthlyReturn

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(MonthlyReturn._meta.db_table)}")


def measure_pages(users: dict, repeat: int) -> tuple[list[dict], list[str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    results, notes = [], []
    for page, name in PAGES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            notes.append(f"The {page} ({name}) does not exist yet, so it was not timed.")
            continue
        for label, user in users.items():
            client = Client()
            client.force_login(user)

            def fetch(url=url, client=client, label=label):
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"GET {url} as {label}: {response.status_code}")
                return len(response.content)

            with CaptureQueriesContext(connection) as queries:
                size = fetch()
            count = len(queries)
            results.append({"page": page, "user": label, "url": url, "queries": count,
                            "ms": median_ms(fetch, repeat), "bytes": size})
    return results, notes


def report(upload: dict, history: dict, pages: list[dict], notes: list[str]) -> None:
    rows = upload["rows"]

    def line(label, seconds, cpu):
        return [label, f"{seconds:.2f}", f"{cpu:.2f}", f"{rows / seconds:,.0f}"]

    print(f"\nUpload of returns: {rows:,} homes × 1 month ({upload['month']:%B %Y}), "
          f"{upload['bytes'] / 1e6:.1f} MB")
    print_table("Timings", ["step", "seconds", "Python CPU s", "rows/s"], [
        line("read and check only (no writes)", upload["check_seconds"], upload["check_cpu"]),
        line("first upload (all created)", upload["first_seconds"], upload["first_cpu"]),
        line("same file again (all unchanged)", upload["second_seconds"], upload["second_cpu"]),
    ])
    print_table("Counts", ["count", "first upload", "same file again"],
                [[name, f"{upload['first'][name]:,}", f"{upload['second'][name]:,}"]
                 for name in UPLOAD_COUNTS])
    print(f"\nReturns for the pages: {history['returns']:,} ({history['homes']:,} homes × "
          f"{history['months']} months, some missing), bulk-inserted in "
          f"{history['seconds']:.1f} s")
    if pages:
        print_table(f"Pages; median of {history['repeat']} requests",
                    ["page", "user", "median ms", "SQL queries", "KB"],
                    [[r["page"], r["user"], f"{r['ms']:,.0f}", r["queries"],
                      f"{r['bytes'] / 1024:,.0f}"] for r in pages])
    for note in notes:
        print(f"\nNote: {note}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--upload-rows", type=int, default=2_000,
                        help="Homes in the generated upload file (default 2,000).")
    parser.add_argument("--months", type=int, default=24,
                        help="Months of returns for every home behind the pages (default 24).")
    parser.add_argument("--repeat", type=int, default=3, help="Timed requests per page.")
    args = parser.parse_args(argv)
    configure(args)

    from carehomes.models import CareHome

    from .carehome_list import bench_users, ensure_registry

    ensure_registry(args)
    upload = measure_upload(args.upload_rows)
    seconds, inserted = insert_history(args.months)
    history = {"returns": inserted, "homes": CareHome.objects.count(), "months": args.months,
               "seconds": seconds, "repeat": args.repeat}
    pages, notes = measure_pages(bench_users(), args.repeat)
    report(upload, history, pages, notes)
    return {"upload": upload, "history": history, "pages": pages, "notes": notes}


if __name__ == "__main__":
    main(sys.argv[1:])
