"""Send 24 months of synthetic ambulance and hospital feeds for the demo area (run ``seed_demo`` first)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from carehomes.models import CareHome
from jig.demo import DEMO_SEED, MONTHS, seed_demo_feeds


class Command(BaseCommand):
    help = (f"Send {MONTHS} months of synthetic, pseudonymised ambulance incidents and hospital "
            "activity, ending last month, for the demo area's homes, one file per trust and month "
            "through the real upload path. Safe to run again: every record is then unchanged.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="Build as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, seed: int, today: dt.date | None, **options):
        if not CareHome.objects.filter(local_authority__is_served=True).exists():
            raise CommandError("There are no homes in the demo area. Run manage.py seed_demo first.")
        started = time.monotonic()
        summary = seed_demo_feeds(today=today or timezone.localdate(), seed=seed)
        if summary.rejected:
            raise CommandError("Some demo files were rejected (a bug in jig/demo.py): "
                               + "; ".join(summary.rejected))
        self.stdout.write(self.style.SUCCESS(
            f"Feeds from {summary.first_month:%B %Y} to {summary.last_month:%B %Y} for "
            f"{summary.homes} homes: {summary.batches} files, {summary.rows_sent:,} records sent, "
            f"{summary.accepted:,} new, {summary.updated:,} corrected, {summary.unchanged:,} "
            f"unchanged, in {time.monotonic() - started:.1f} s."))
        self.stdout.write(f"Waiting in the matching queue: {summary.unmatched} of the records sent.")
        if summary.misnamed_home:
            self.stdout.write(f"Sometimes sent by postcode with its name misspelt: {summary.misnamed_home}.")
        self.stdout.write("Getting worse over the last months: " + ", ".join(summary.deteriorating_homes))
