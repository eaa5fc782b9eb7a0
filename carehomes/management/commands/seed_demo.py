"""Build the demo area (or a national-scale registry) and print the demo sign-ins."""

import time

from django.core.management.base import BaseCommand

from carehomes.demo import DEMO_PASSWORD, seed_demo_area, seed_national


class Command(BaseCommand):
    help = "Build a deterministic demo area; --homes N adds a national-scale registry of N homes."

    def add_arguments(self, parser):
        parser.add_argument("--homes", type=int, default=0,
                            help="Also build a national-scale registry of this many homes.")
        parser.add_argument("--seed", type=int, default=2016)

    def handle(self, *args, homes: int, seed: int, **options):
        started = time.monotonic()
        users, imports = seed_demo_area(seed=seed)
        for job in imports:
            self.stdout.write(f"{job.filename}: {job.status}, {job.rows_created} created, "
                              f"{job.rows_updated} updated, {job.rows_unchanged} unchanged, "
                              f"{job.homes_deregistered} deregistered")
        if homes:
            job = seed_national(homes=homes, seed=seed)
            self.stdout.write(f"National registry: {job.status}, {job.rows_created} homes created, "
                              f"{job.rows_unchanged} unchanged")
        self.stdout.write(self.style.SUCCESS(
            f"Demo area ready in {time.monotonic() - started:.1f} s. Sign in with:"))
        width = max(len(u.email) for u in users)
        for user in users:
            self.stdout.write(f"  {user.email.ljust(width)}  {user.role} — {user.organisation}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
