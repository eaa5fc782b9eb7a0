"""Time feed ingestion and the full risk recompute at national scale, against PostgreSQL floors.

    .venv/bin/python -m bench.feeds [--homes 15000] [--ambulance 2500000] [--hospital 1000000]
                                    [--months 36] [--repeat 3] [--profile]

Reuses the national registry ``bench.import_cqc`` (or the other benchmarks) left in the
benchmark database when it holds the same directory; otherwise imports it first. Empties the
feed and rating tables, then:

* **ingestion**: generates ``--ambulance`` incidents and ``--hospital`` hospital records over
  ``--months`` months, one CSV file per feed and month (the size a trust really sends: about
  70,000 incidents a month nationally), written to a temporary directory in the documented
  formats, and loads each through the real path: a recorded upload batch run by
  ``jig.services.feed_batch_run`` (read, validate, load with ``jig.loading.load_rows``, queue a
  recompute). It times the whole of each run and, inside it, the reading and validation
  (Python) and the database load (``load_rows``), and compares each with a bare ``COPY`` of
  the same file into a plain table of the same columns. Then one file is sent again (every
  record unchanged). The recompute a batch queues is recorded but not run here (with no broker
  Celery would run it in-process, after every file): it is timed on its own below.
* **recompute**: ``jig.risk.engine.risk_recompute_run`` for a full job (every active home, this
  month) against one hand-written SQL aggregate over the same data (call-outs, conveyed, falls
  and repeat callers per home over the last three months, with emergency admissions, A&E
  attendances and bed days), the median of ``--repeat`` runs each.

Targets (issue 4): ingestion within 2× of the bare COPY; the full recompute within 3× of the
SQL aggregate. Nothing fails on a timing: the figures and whether each target is met are printed.
"""

import argparse
import cProfile
import csv
import datetime as dt
import io
import pstats
import random
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

from bench import add_common_arguments, configure, print_table, timed, timed_cpu
from bench.recompute import measure_recompute, report_recompute, verdict

SEED = 2016
COPY_TABLE = "bench_feed_copy"
INGEST_TARGET = 2.0
UNKNOWN_SHARE, ADDRESS_SHARE = 0.001, 0.004  # records sent with an unknown CQC ID / postcode and name


# Generating the files ---------------------------------------------------------------------------

def months_back(count: int) -> list[dt.date]:
    """The first days of the last ``count`` whole months, oldest first."""
    from django.utils import timezone

    from quality.reports import add_months, months_ending

    return months_ending(add_months(timezone.localdate().replace(day=1), -1), count)


def _spring_forward(month: dt.date) -> dt.date | None:
    """The day UK clocks go forward (last Sunday of March), when 01:00–01:59 never happens."""
    if month.month != 3:
        return None
    last = dt.date(month.year, 3, 31)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


class Registry:
    """The registry's homes, as a trust would identify them, with weights by beds."""

    def __init__(self):
        from carehomes.models import CareHome

        rows = list(CareHome.objects.order_by("pk")
                    .values_list("cqc_location_id", "postcode", "name", "beds"))
        self.cqc = [r[0] for r in rows]
        self.postcode = [r[1] for r in rows]
        self.name = [r[2] for r in rows]
        self.residents = [max(4, round((r[3] or 20) * 1.5)) for r in rows]
        total, self.cumulative = 0, []
        for beds in (r[3] or 20 for r in rows):
            total += beds
            self.cumulative.append(total)

    def homes(self, rng: random.Random, count: int) -> list[int]:
        return rng.choices(range(len(self.cqc)), cum_weights=self.cumulative, k=count)

    def identify(self, rng: random.Random, home: int) -> tuple[str, str, str]:
        """(CQC location ID, postcode, name): mostly the CQC ID; a few by address or unknown."""
        roll = rng.random()
        if roll < UNKNOWN_SHARE:
            return f"1-19999{home % 10000:04d}", "", ""
        if roll < UNKNOWN_SHARE + ADDRESS_SHARE:
            return "", self.postcode[home], self.name[home]
        return self.cqc[home], "", ""

    def person(self, rng: random.Random, home: int) -> str:
        return f"psd-h{home:05d}p{rng.randrange(self.residents[home]):04d}"


def _moments(rng: random.Random, month: dt.date, count: int) -> list[dt.datetime]:
    days = ((month + dt.timedelta(days=32)).replace(day=1) - month).days
    gap = _spring_forward(month)
    start = dt.datetime.combine(month, dt.time())
    out = []
    for _ in range(count):
        moment = start + dt.timedelta(minutes=rng.randrange(days * 1440))
        if gap and moment.date() == gap and moment.hour == 1:
            moment += dt.timedelta(hours=1)
        out.append(moment)
    return out


def ambulance_rows(registry: Registry, month: dt.date, count: int, rng: random.Random):
    complaints = ["26-A-1 Sick person", "06-C-1 Breathing problems", "10-C-1 Chest pain",
                  "28-C-1 Stroke", "31-D-2 Unconscious or fainting"]
    falls = ["17-A-1 Falls", "17-B-1 Falls, possibly dangerous body area", "17-D-3 Falls"]
    for n, (home, moment) in enumerate(zip(registry.homes(rng, count), _moments(rng, month, count),
                                           strict=True)):
        cqc, postcode, name = registry.identify(rng, home)
        convey = rng.random() < 0.5
        yield (f"AMB-{month:%Y%m}-{n:06d}", moment.isoformat(timespec="minutes"), cqc, "", postcode, name,
               rng.choices(("C1", "C2", "C3", "C4"), weights=(6, 55, 32, 7))[0],
               rng.choice(falls) if rng.random() < 0.3 else rng.choice(complaints),
               "See and convey" if convey else rng.choice(("See and treat", "Hear and treat")),
               "RZK01" if convey else "", registry.person(rng, home))


def hospital_rows(registry: Registry, month: dt.date, count: int, rng: random.Random, today: dt.date):
    diagnoses = ["J18.9", "N39.0", "S72.0", "J44.1", "I50.9", "A41.9", ""]
    for n, (home, moment) in enumerate(zip(registry.homes(rng, count), _moments(rng, month, count),
                                           strict=True)):
        cqc, postcode, name = registry.identify(rng, home)
        person = registry.person(rng, home)
        if rng.random() < 0.55:
            yield (f"AE-{month:%Y%m}-{n:06d}", "A&E attendance", moment.isoformat(timespec="minutes"), "",
                   moment.date().isoformat(), "", "Care home", cqc, "", postcode, name, person)
            continue
        left = min(moment.date() + dt.timedelta(days=min(60, int(rng.expovariate(1 / 7.5)))),
                   today - dt.timedelta(days=1))
        yield (f"APC-{month:%Y%m}-{n:06d}", "Admission", moment.isoformat(timespec="minutes"),
               rng.choices(("21", "22", "2A", "28", "11"), weights=(70, 10, 3, 3, 14))[0],
               left.isoformat(), rng.choice(diagnoses), "Care home", cqc, "", postcode, name, person)


def write_files(folder: Path, registry: Registry, months: list[dt.date], totals: dict) -> list[dict]:
    """One CSV file per feed and month; the counts share each total out evenly."""
    from django.utils import timezone

    from jig.feeds.formats import FORMATS

    today, files = timezone.localdate(), []
    for kind, total in totals.items():
        header = [c.name for c in FORMATS[kind].columns]
        for index, month in enumerate(months):
            count = total * (index + 1) // len(months) - total * index // len(months)
            rng = random.Random(f"{SEED}:{kind}:{month}")
            rows = (ambulance_rows(registry, month, count, rng) if kind == "ambulance"
                    else hospital_rows(registry, month, count, rng, today))
            path = folder / f"{kind}-{month:%Y-%m}.csv"
            with path.open("w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(header)
                writer.writerows(rows)
            files.append({"kind": kind, "month": month, "path": path, "rows": count, "header": header})
    return files


# Timing ingestion -------------------------------------------------------------------------------

def clear_feeds() -> None:
    """Empty the feed and rating tables (the registry stays), so every run starts alike."""
    from django.db import connection

    from jig.models import (
        AmbulanceIncident,
        FeedBatch,
        HomeMatchRule,
        HospitalActivity,
        RiskRating,
        RiskRecompute,
    )

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (
        AmbulanceIncident, HospitalActivity, RiskRating, RiskRecompute, FeedBatch, HomeMatchRule))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def bench_trusts() -> dict:
    from commissioning.choices import OrganisationKind
    from commissioning.models import Organisation

    return {"ambulance": Organisation.objects.get_or_create(
                kind=OrganisationKind.AMBULANCE_TRUST, name="Benchmark Ambulance Service NHS Trust",
                defaults={"ods_code": "RYB"})[0],
            "hospital": Organisation.objects.get_or_create(
                kind=OrganisationKind.ACUTE_TRUST, name="Benchmark Hospitals NHS Trust",
                defaults={"ods_code": "RYC"})[0]}


class Split:
    """Times the steps inside ``feed_batch_run`` by wrapping the functions it calls, and records
    the recomputes it queues instead of running them (they are timed on their own)."""

    def __init__(self):
        self.seconds = {"read": 0.0, "validate": 0.0, "load": 0.0}
        self.queued: list[int] = []

    def wrap(self, step, work):
        def timed_step(*args, **kwargs):
            seconds, result = timed(lambda: work(*args, **kwargs))
            self.seconds[step] += seconds
            return result
        return timed_step

    def patches(self, stack: ExitStack) -> None:
        from jig import services
        from jig.risk.tasks import risk_recompute_task

        for name, step in (("read_table", "read"), ("parse_feed", "validate"), ("load_rows", "load")):
            stack.enter_context(mock.patch.object(services, name, self.wrap(step, getattr(services, name))))
        stack.enter_context(mock.patch.object(risk_recompute_task, "delay", self.queued.append))


def send(file: dict, trust, user, content: bytes) -> dict:
    """Record the file as an upload and run it through ``feed_batch_run``, timing its steps."""
    from commissioning.choices import JobStatus
    from jig.services import feed_batch_record, feed_batch_run

    batch = feed_batch_record(kind=file["kind"], source=trust, filename=file["path"].name,
                              content=content, user=user)
    split = Split()
    with ExitStack() as stack:
        split.patches(stack)
        seconds, cpu, batch = timed_cpu(lambda: feed_batch_run(batch=batch))
    if batch.status != JobStatus.SUCCEEDED:
        raise SystemExit(f"{file['path'].name} was not loaded ({batch.status}): {batch.stage} "
                         f"{batch.errors[:5]}")
    return {"seconds": seconds, "cpu": cpu, **split.seconds, "queued": len(split.queued), "batch": batch.pk,
            "received": batch.rows_received, "accepted": batch.rows_accepted, "updated": batch.rows_updated,
            "unchanged": batch.rows_unchanged, "unmatched": batch.rows_unmatched,
            "homes": batch.homes_affected}


def bare_copy(content: bytes, header: list[str]) -> float:
    """Seconds to COPY the same CSV bytes into an empty plain table of the same (text) columns."""
    from django.db import connection
    from psycopg import sql

    table = sql.Identifier(COPY_TABLE)
    columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in header)
    with connection.cursor() as cursor:
        raw = cursor.connection
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table).as_string(raw))
        cursor.execute(sql.SQL("CREATE TABLE {} ({})").format(table, columns).as_string(raw))
        copy_sql = sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv, HEADER true)").format(table)

        def copy():
            with cursor.copy(copy_sql) as stream:
                stream.write(content)

        seconds, _ = timed(copy)
        cursor.execute(sql.SQL("DROP TABLE {}").format(table).as_string(raw))
    return seconds


def stored_copy(kind: str, batch_pk: int) -> float:
    """Seconds to COPY a batch's records, already read, checked, typed and matched, into the
    feed table with its indexes, unique constraint and foreign key (then rolled back).

    This is the floor under any loading path on this schema: what the database needs to store
    the rows without reading, checking or matching anything. The rows are the batch's own, given
    new IDs and record IDs so they are stored beside the originals, as new records would be. The
    bare COPY into a plain table leaves out the indexes that idempotent re-sends (the unique
    constraint) and the pages (the home and time index) need.
    """
    from django.db import connection, transaction

    from jig.loading import MODELS

    model = MODELS[kind]
    columns = [f.column for f in model._meta.concrete_fields]
    chosen = ", ".join({"id": "id + 1000000000000", "source_record_id": "source_record_id || '~'"}.get(c, c)
                       for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        data = bytearray()
        with cursor.copy(f"COPY (SELECT {chosen} FROM {model._meta.db_table} WHERE batch_id = %s) "
                         "TO STDOUT (FORMAT binary)", [batch_pk]) as stream:
            for chunk in stream:
                data += chunk
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the foreign key inside the timing

        def copy():
            with cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN "
                             "(FORMAT binary)") as stream:
                stream.write(bytes(data))

        seconds, _ = timed(copy)
        transaction.set_rollback(True)
    return seconds


def measure_ingestion(files: list[dict], profile: bool) -> dict:
    from .import_cqc import bench_user

    trusts, user = bench_trusts(), bench_user()
    runs = []
    for number, file in enumerate(files):
        content = file["path"].read_bytes()
        profiler = cProfile.Profile() if profile and number == 0 else None
        if profiler:
            profiler.enable()
        run = send(file, trusts[file["kind"]], user, content)
        if profiler:
            profiler.disable()
            print_profile(profiler, file)
        run.update(file=file, bytes=len(content), copy=bare_copy(content, file["header"]),
                   stored=stored_copy(file["kind"], run["batch"]))
        runs.append(run)
        print(f"  {file['path'].name}: {run['received']:,} rows in {run['seconds']:.2f} s "
              f"(load {run['load']:.2f} s, bare COPY {run['copy']:.2f} s)", file=sys.stderr, flush=True)
    last = next((f for f in reversed(files) if f["kind"] == "ambulance"), files[-1])  # last ambulance month
    content = last["path"].read_bytes()
    resend = send(last, trusts[last["kind"]], user, content)
    resend.update(file=last, bytes=len(content), copy=bare_copy(content, last["header"]))
    return {"runs": runs, "resend": resend}


def print_profile(profiler: cProfile.Profile, file: dict) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(18)
    print(f"\nProfile of {file['path'].name} through feed_batch_run (by own time):")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


# Report -----------------------------------------------------------------------------------------

def totals(runs: list[dict]) -> dict:
    keys = ("seconds", "cpu", "read", "validate", "load", "copy", "stored", "received", "accepted",
            "unmatched", "bytes")
    return {k: sum(r[k] for r in runs) for k in keys} | {"files": len(runs)}


def report(figures: dict) -> None:
    ingestion, kinds = figures["ingestion"], ("ambulance", "hospital")
    groups = {kind: totals([r for r in ingestion["runs"] if r["file"]["kind"] == kind]) for kind in kinds}
    groups["both feeds"] = totals(ingestion["runs"])
    print(f"\nFeed ingestion: {figures['homes']:,} homes, {figures['months']} months, one file per feed "
          f"and month; files generated in {figures['generate_seconds']:.1f} s")
    rows = []
    for label, t in groups.items():
        if not t["files"]:
            continue
        rows_n, copy = t["received"], t["copy"]
        for step, seconds, cpu in (("real path (feed_batch_run)", t["seconds"], f"{t['cpu']:.1f}"),
                                   ("  read + validate (Python)", t["read"] + t["validate"], "—"),
                                   ("  database load (load_rows)", t["load"], "—"),
                                   ("bare COPY of the same files", copy, "—"),
                                   ("floor: stored rows COPY'd into the feed table", t["stored"], "—")):
            ratio = seconds / copy
            rows.append([label, step, t["files"], f"{rows_n:,}", f"{seconds:.1f}", cpu,
                         f"{rows_n / seconds:,.0f}", f"{ratio:.1f}×",
                         "" if step.startswith(("bare", "  read", "floor")) else
                         verdict(ratio, INGEST_TARGET)])
    print_table("Ingestion totals (every file, all records new)",
                ["feed", "step", "files", "rows", "seconds", "Python CPU s", "rows/s", "vs COPY",
                 "within 2×?"], rows)
    both = groups["both feeds"]
    print(f"\nStoring the checked rows alone (the floor: COPY into the feed table, indexes kept) takes "
          f"{both['stored'] / both['copy']:.1f}× the bare COPY; the real path takes "
          f"{both['seconds'] / both['stored']:.1f}× the floor.")
    per_file = []
    for kind in kinds:
        runs = [r for r in ingestion["runs"] if r["file"]["kind"] == kind]
        if runs:
            typical = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
            per_file.append([f"{kind} (median file)", f"{typical['received']:,}",
                             f"{typical['bytes'] / 1e6:.1f}", f"{typical['seconds']:.2f}",
                             f"{typical['load']:.2f}", f"{typical['copy']:.3f}",
                             f"{typical['seconds'] / typical['copy']:.1f}×",
                             f"{typical['load'] / typical['copy']:.1f}×"])
    resend = ingestion["resend"]
    per_file.append([f"resend of {resend['file']['path'].name} (all unchanged)", f"{resend['received']:,}",
                     f"{resend['bytes'] / 1e6:.1f}", f"{resend['seconds']:.2f}", f"{resend['load']:.2f}",
                     f"{resend['copy']:.3f}", f"{resend['seconds'] / resend['copy']:.1f}×",
                     f"{resend['load'] / resend['copy']:.1f}×"])
    print_table("One file", ["file", "rows", "MB", "real path s", "load_rows s", "COPY s",
                             "real vs COPY", "load vs COPY"], per_file)
    print(f"\nStored {both['accepted']:,} records; {both['unmatched']:,} wait in the matching queue. "
          f"The resend changed {resend['accepted'] + resend['updated']} and left {resend['unchanged']:,} "
          f"unchanged. Recomputes queued by the batches (recorded, not run): {figures['queued']}.")
    if figures.get("recompute"):
        report_recompute(figures["recompute"])

def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--homes", dest="rows", type=int, default=argparse.SUPPRESS,
                        help="Same as --rows: homes in the registry.")
    parser.add_argument("--ambulance", type=int, default=2_500_000,
                        help="Ambulance incidents (default 2.5M).")
    parser.add_argument("--hospital", type=int, default=1_000_000, help="Hospital records (default 1M).")
    parser.add_argument("--months", type=int, default=36, help="Months of data, one file per feed each.")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of the recompute and the SQL baseline.")
    parser.add_argument("--profile", action="store_true", help="Profile the first file's ingestion.")
    args = parser.parse_args(argv)
    configure(args)

    from carehomes.models import CareHome

    from .carehome_list import ensure_registry

    ensure_registry(args)
    clear_feeds()
    registry = Registry()
    months = months_back(args.months)
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as folder:
        generate_seconds, files = timed(lambda: write_files(
            Path(folder), registry, months, {"ambulance": args.ambulance, "hospital": args.hospital}))
        ingestion = measure_ingestion([f for f in files if f["rows"]], args.profile)
    figures = {"homes": CareHome.objects.count(), "months": args.months, "generate_seconds": generate_seconds,
               "ingestion": ingestion, "queued": sum(r["queued"] for r in ingestion["runs"]),
               "recompute": measure_recompute(args.repeat)}
    report(figures)
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
