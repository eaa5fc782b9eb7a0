"""Rate every active home now, as the nightly task does, for this month and optionally earlier ones."""

from django.core.management.base import BaseCommand, CommandError

from jig.choices import RecomputeScope
from jig.risk.engine import risk_recompute_run
from jig.risk.services import month_current, recompute_create
from quality.reports import add_months


class Command(BaseCommand):
    help = ("Recompute every active home's risk rating synchronously. With --months N, the last N "
            "months up to this one, oldest first, so each month's change since the one before is right.")

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=1,
                            help="How many months to rate, ending with this one (default 1).")

    def handle(self, *args, months: int, **options):
        if months < 1:
            raise CommandError("--months must be 1 or more.")
        this_month = month_current()
        for back in range(months - 1, -1, -1):
            job = recompute_create(scope=RecomputeScope.FULL, month=add_months(this_month, -back))
            risk_recompute_run(job=job)
            self.stdout.write(f"{job.month:%B %Y}: {job.ratings_written} ratings, "
                              f"{job.ratings_changed_rag} moved RAG since the month before.")
