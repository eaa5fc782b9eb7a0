"""Build 24 months of monthly returns for the demo area (run ``seed_demo`` first)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from carehomes.models import CareHome
from quality.demo import DEMO_SEED, MONTHS, seed_demo_returns


class Command(BaseCommand):
    help = (f"Build {MONTHS} months of plausible monthly returns, ending last month, for the "
            "demo area's homes. Safe to run again: existing returns are left as they are.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="Build as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, seed: int, today: dt.date | None, **options):
        if not CareHome.objects.filter(local_authority__is_served=True).exists():
            raise CommandError("There are no homes in the demo area. Run manage.py seed_demo first.")
        today = today or timezone.localdate()
        started = time.monotonic()
        summary = seed_demo_returns(today=today, seed=seed)
        self.stdout.write(self.style.SUCCESS(
            f"Monthly returns from {summary.first_month:%B %Y} to {summary.last_month:%B %Y}: "
            f"{summary.returns_created} created with {summary.versions_created} versions "
            f"in {time.monotonic() - started:.1f} s."))
        self.stdout.write(f"{summary.last_month:%B %Y}: {summary.not_started} homes not started, "
                          f"{summary.drafts} drafts.")
        if summary.late_homes:
            self.stdout.write(f"Late for {summary.last_month:%B %Y} ({len(summary.late_homes)}): "
                              + ", ".join(summary.late_homes))
        self.stdout.write("Getting worse over the last months: "
                          + ", ".join(summary.deteriorating_homes))
        if summary.manager_home:
            self.stdout.write(f"The demo manager has a return to do: {summary.manager_home}, "
                              f"{summary.last_month:%B %Y}.")
