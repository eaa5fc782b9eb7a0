"""Benchmarks of the portal at national scale, and what they share.

Each benchmark runs against a database of its own (``BENCH_DATABASE_URL``, by default
``portal_bench_run`` on the local PostgreSQL), created and migrated if missing and
emptied before it starts, so it never touches the demo data. Under pytest a benchmark
is given ``--use-current-db`` and works in the test database pytest-django set up.

Nothing here passes or fails on a timing: the benchmarks print figures for people to read.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_run"
DEFAULT_ROWS = 15_000
# Flushing is only safe in a database kept for benchmarks; its name must say so.
DATABASE_NAME_MARKER = "bench"


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS,
                        help=f"Care homes in the generated national directory (default {DEFAULT_ROWS:,}).")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
                        help="The benchmark's own database; its name must contain 'bench'. "
                             "Default: $BENCH_DATABASE_URL or " + DEFAULT_DATABASE_URL)
    parser.add_argument("--use-current-db", action="store_true",
                        help="Use the database Django is already configured with (pytest).")


def configure(args: argparse.Namespace) -> None:
    """Point Django at the benchmark database, creating and migrating it; or keep pytest's."""
    if args.use_current_db:
        return
    name = urlsplit(args.database_url).path.lstrip("/")
    if DATABASE_NAME_MARKER not in name:
        raise SystemExit(f"Refusing to use database {name!r}: a benchmark empties its database, "
                         f"so the name must contain {DATABASE_NAME_MARKER!r}.")
    _create_database(args.database_url, name)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import warnings

    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    # WhiteNoise warns that collectstatic has not run; the pages do not need it here.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
    django.setup()
    setup_test_environment()  # lets the test client send Host: testserver
    call_command("migrate", verbosity=0, interactive=False)


def _create_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def reset_database(args: argparse.Namespace) -> None:
    """Empty every table of the benchmark's own database (pytest's test database starts empty)."""
    if args.use_current_db:
        return
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)


def seed_national_organisations(rows: int) -> list:
    """The served councils and NHS commissioners of ``national_areas(rows)``.

    The same organisations as ``carehomes.demo.seed_national`` makes before its import,
    so the timed import is exactly the one that command runs.
    """
    from carehomes.directory import national_areas
    from commissioning.choices import CommissionerKind, OrganisationKind
    from commissioning.models import Organisation

    areas = national_areas(rows)
    for index, area in enumerate(areas):
        Organisation.objects.update_or_create(
            kind=OrganisationKind.LOCAL_AUTHORITY, name=f"{area.council} (national)",
            defaults={"gss_code": f"E07{index + 1:06d}", "is_served": True,
                      "cqc_area_name": area.council})
        Organisation.objects.update_or_create(
            kind=OrganisationKind.NHS_COMMISSIONER, name=area.ccg_name,
            defaults={"commissioner_kind": CommissionerKind.CCG, "gss_code": area.ccg_code})
    return areas


def national_directory_csv(rows: int) -> bytes:
    """The generated national directory, as ``seed_national`` builds it."""
    from carehomes.demo import DEMO_SEED
    from carehomes.directory import build_directory, national_areas

    return build_directory(national_areas(rows), seed=DEMO_SEED,
                           provider_count=max(3, rows // 5)).csv_bytes()


def timed(work: Callable):
    """(seconds, result) of one call."""
    seconds, _, result = timed_cpu(work)
    return seconds, result


def timed_cpu(work: Callable):
    """(wall seconds, this process's CPU seconds, result) of one call.

    On a busy machine the CPU seconds move much less than the wall time; the database
    server's own work is in the wall time only.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def median_ms(work: Callable, repeat: int) -> float:
    """The median wall time of ``repeat`` calls, in milliseconds (after one warm-up call)."""
    work()
    return statistics.median(timed(work)[0] for _ in range(repeat)) * 1000


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence]) -> None:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for number, row in enumerate(cells):
        print("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if number == 0:
            print("  " + "  ".join("-" * w for w in widths))
