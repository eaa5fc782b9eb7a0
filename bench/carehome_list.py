"""Time the care home list page, its CSV export and the API list at national scale.

    .venv/bin/python -m bench.carehome_list [--rows 15000] [--repeat 5]

Reuses the registry ``bench.import_cqc`` left in the benchmark database when it holds
the same national directory; otherwise builds it with the same import. Each request is
made through Django's test client (the whole middleware stack and templates, no network)
by:

* a commissioner in an ICB whose sub-ICB locations cover a fifth of the national areas
  (about 3,000 of 15,000 homes): the access rule with the ICB's parent join;
* an administrator, who sees every home.

It prints the median of ``--repeat`` requests (after one warm-up) and the SQL queries one
request runs. The CSV export streams every visible home, so it is read to the end.
"""

import argparse
import hashlib
import sys

from bench import (
    add_common_arguments,
    configure,
    median_ms,
    national_directory_csv,
    print_table,
    reset_database,
    seed_national_organisations,
)

ENDPOINTS = [
    ("list page", "/care-homes/"),
    ("CSV export", "/care-homes/export.csv"),
    ("API list", "/api/v1/care-homes/"),
]
ICB_SHARE = 5  # the bench ICB covers one national area in this many


def ensure_registry(args: argparse.Namespace) -> None:
    """The national registry of ``args.rows`` homes: reused if already imported, else imported."""
    from carehomes.models import CareHome, CqcImport
    from commissioning.choices import JobStatus

    from .import_cqc import bench_user, time_import

    content = national_directory_csv(args.rows)
    checksum = hashlib.sha256(content).hexdigest()
    if (CqcImport.objects.filter(checksum=checksum, status=JobStatus.SUCCEEDED).exists()
            and CareHome.objects.count() == args.rows):
        print(f"Reusing the registry of {args.rows:,} homes already imported.")
        return
    reset_database(args)
    seed_national_organisations(args.rows)
    seconds, _, counts = time_import(content, f"cqc-national-{args.rows}.csv", bench_user())
    print(f"Imported {counts['rows_created']:,} homes in {seconds:.1f} s.")


def bench_users() -> dict:
    """The commissioner (of an ICB over a fifth of the areas) and the administrator."""
    from commissioning.choices import CommissionerKind, OrganisationKind, Role
    from commissioning.models import Organisation, User
    from commissioning.services import membership_create

    icb, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.NHS_COMMISSIONER, name="NHS Benchmark Integrated Care Board",
        defaults={"commissioner_kind": CommissionerKind.ICB, "ods_code": "QBN"})
    areas = (Organisation.objects.filter(kind=OrganisationKind.NHS_COMMISSIONER,
                                         commissioner_kind=CommissionerKind.CCG)
             .order_by("name").values_list("pk", flat=True))
    Organisation.objects.filter(pk__in=list(areas)[::ICB_SHARE]).update(parent=icb)
    users = {}
    for key, role in (("commissioner (ICB)", Role.COMMISSIONER),
                      ("administrator", Role.ADMINISTRATOR)):
        email = f"{role}@bench.invalid"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, full_name=f"Benchmark {role}")
            membership_create(user=user, organisation=icb, role=role)
        users[key] = user
    return users


def measure(users: dict, repeat: int) -> list[dict]:
    """Median time and queries of each endpoint for each user."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from carehomes.selectors import carehomes_visible_to

    results = []
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        visible = carehomes_visible_to(user).count()
        for name, url in ENDPOINTS:

            def fetch(url=url, client=client, label=label):
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"GET {url} as {label}: {response.status_code}")
                body = (b"".join(response.streaming_content) if response.streaming
                        else response.content)
                return len(body)

            with CaptureQueriesContext(connection) as queries:
                size = fetch()
            count = len(queries)  # now: later requests reset the connection's query log
            results.append({"user": label, "endpoint": name, "url": url, "homes": visible,
                            "ms": median_ms(fetch, repeat), "queries": count,
                            "bytes": size})
    return results


def report(rows: int, results: list[dict], repeat: int) -> None:
    print_table(f"Care home list at national scale: {rows:,} homes; median of {repeat} requests",
                ["user", "endpoint", "homes visible", "median ms", "SQL queries", "KB"],
                [[r["user"], r["endpoint"], f"{r['homes']:,}", f"{r['ms']:,.0f}", r["queries"],
                  f"{r['bytes'] / 1024:,.0f}"] for r in results])


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--repeat", type=int, default=5, help="Timed requests per endpoint.")
    args = parser.parse_args(argv)
    configure(args)
    ensure_registry(args)
    results = measure(bench_users(), args.repeat)
    report(args.rows, results, args.repeat)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
