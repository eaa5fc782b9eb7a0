"""Time the CQC directory import at national scale, against a bare PostgreSQL COPY.

    .venv/bin/python -m bench.import_cqc [--rows 15000] [--database-url URL]

Generates the national directory (``build_directory(national_areas(rows))``, as
``seed_demo --homes`` does), makes the served councils and NHS commissioners, then times:

* parsing and validating the file alone (no writes), for scale;
* the first import through ``carehomes.services.cqc_import_run``: every home created;
* the second import of the same file: every home unchanged (idempotency at scale);
* a bare ``COPY`` of the same CSV bytes into an empty table of text columns.
"""

import argparse
import sys

from bench import (
    add_common_arguments,
    configure,
    national_directory_csv,
    print_table,
    reset_database,
    seed_national_organisations,
    timed,
    timed_cpu,
)

COPY_TABLE = "bench_cqc_copy"
COUNTS = ["rows_in_file", "rows_in_area", "rows_skipped", "rows_created", "rows_updated",
          "rows_unchanged", "rows_rejected", "homes_deregistered", "ratings_recorded"]


def bench_user():
    """The person the imports are recorded against (history rows name them)."""
    from commissioning.models import User

    return User.objects.filter(email="bench@bench.invalid").first() or User.objects.create_user(
        email="bench@bench.invalid", full_name="Benchmark", is_staff=True, is_superuser=True)


def time_import(content: bytes, filename: str, user) -> tuple[float, float, dict]:
    """Wall and CPU seconds for ``cqc_import_run`` on a recorded file, and what it counted."""
    from carehomes.services import cqc_import_record, cqc_import_run
    from commissioning.choices import JobStatus

    job = cqc_import_record(filename=filename, content=content, user=user)
    seconds, cpu, job = timed_cpu(lambda: cqc_import_run(cqc_import=job))
    if job.status != JobStatus.SUCCEEDED:
        raise SystemExit(f"The import did not succeed ({job.status}): {job.stage} {job.errors[:5]}")
    return seconds, cpu, {name: getattr(job, name) for name in COUNTS}


def time_parse(content: bytes) -> tuple[float, float]:
    """Wall and CPU seconds to read and validate the file with the import's parser, writing nothing."""
    from carehomes.importers.cqc import LOCATION_ID, parse_directory
    from carehomes.importers.tables import read_table
    from carehomes.services import served_area_names

    areas = set(served_area_names())
    seconds, cpu, _ = timed_cpu(
        lambda: parse_directory(read_table("directory.csv", content, LOCATION_ID), areas))
    return seconds, cpu


def time_copy(content: bytes) -> tuple[float, int]:
    """Seconds to COPY the same CSV bytes into an empty table of text columns, and its rows."""
    from django.db import connection
    from psycopg import sql

    from carehomes.directory import DIRECTORY_HEADER

    table = sql.Identifier(COPY_TABLE)
    columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c))
                                 for c in DIRECTORY_HEADER)
    with connection.cursor() as cursor:
        raw = cursor.connection
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table).as_string(raw))
        cursor.execute(sql.SQL("CREATE TABLE {} ({})").format(table, columns).as_string(raw))
        copy_sql = sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv, HEADER true)").format(table)

        def copy():
            with cursor.copy(copy_sql) as stream:
                stream.write(content)

        seconds, _ = timed(copy)
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table).as_string(raw))
        copied = cursor.fetchone()[0]
        cursor.execute(sql.SQL("DROP TABLE {}").format(table).as_string(raw))
    return seconds, copied


def measure(rows: int) -> dict:
    """Run the timings on an empty registry and return the figures."""
    from carehomes.models import CareHome

    seed_national_organisations(rows)
    generate_seconds, content = timed(lambda: national_directory_csv(rows))
    user = bench_user()
    parse_seconds, parse_cpu = time_parse(content)
    first_seconds, first_cpu, first = time_import(content, f"cqc-national-{rows}.csv", user)
    second_seconds, second_cpu, second = time_import(content, f"cqc-national-{rows}-again.csv",
                                                     user)
    copy_seconds, copied = time_copy(content)
    return {
        "rows": rows, "bytes": len(content), "homes": CareHome.objects.count(),
        "generate_seconds": generate_seconds,
        "parse_seconds": parse_seconds, "parse_cpu": parse_cpu,
        "first_seconds": first_seconds, "first_cpu": first_cpu, "first": first,
        "second_seconds": second_seconds, "second_cpu": second_cpu, "second": second,
        "copy_seconds": copy_seconds, "copy_rows": copied,
    }


def report(figures: dict) -> None:
    rows = figures["first"]["rows_in_file"]
    copy = figures["copy_seconds"]

    def line(label, seconds, cpu=None):
        return [label, f"{seconds:.2f}", "—" if cpu is None else f"{cpu:.2f}",
                f"{rows / seconds:,.0f}", f"{seconds / copy:,.1f}×"]

    print(f"\nCQC directory import: {rows:,} rows, {figures['bytes'] / 1e6:.1f} MB "
          f"(generated in {figures['generate_seconds']:.1f} s)")
    print_table("Timings", ["step", "seconds", "Python CPU s", "rows/s", "vs COPY"], [
        line("parse and validate only (no writes)", figures["parse_seconds"], figures["parse_cpu"]),
        line("first import (all created)", figures["first_seconds"], figures["first_cpu"]),
        line("second import (all unchanged)", figures["second_seconds"], figures["second_cpu"]),
        line("bare COPY of the same CSV", copy),
    ])
    print_table("Counts", ["count", "first import", "second import"],
                [[name, f"{figures['first'][name]:,}", f"{figures['second'][name]:,}"]
                 for name in COUNTS])
    print(f"\nHomes in the registry: {figures['homes']:,}; rows copied: {figures['copy_rows']:,}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    args = parser.parse_args(argv)
    configure(args)
    reset_database(args)
    figures = measure(args.rows)
    report(figures)
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
