"""Build the demo area's Joint Intelligence Group and its meetings (after ``recompute_risk``)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from carehomes.demo import DEMO_PASSWORD
from jig.meetings_demo import seed_demo_jig
from jig.models import RiskRating


class Command(BaseCommand):
    help = ("Set up the demo JIG: its documents and members, last month's meeting (held and closed, with "
            "actions, soft intelligence, a planning decision and minutes) and this month's (flagged from "
            "this month's ratings, with deep dives). Run seed_demo and recompute_risk first. "
            "Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="Build as if today were this date (YYYY-MM-DD); the services still stamp "
                                 "what they record with the real time.")

    def handle(self, *args, today: dt.date | None, **options):
        today = today or timezone.localdate()
        if not RiskRating.objects.filter(month=today.replace(day=1)).exists():
            raise CommandError("There are no risk ratings for this month: run seed_demo, seed_demo_returns, "
                               "seed_demo_feeds and recompute_risk --months 12 first.")
        summary = seed_demo_jig(today=today)
        last, this = summary.last_meeting, summary.this_meeting
        self.stdout.write(self.style.SUCCESS(
            f"{summary.group}{'' if summary.created else ' (already there)'}: last month's meeting on "
            f"{last.date:%-d %B %Y} {last.get_status_display().lower()}; this month's on "
            f"{this.date:%-d %B %Y} {this.get_status_display().lower()} with {summary.flags} flagged homes; "
            f"{summary.actions} actions, {summary.soft_intelligence} items of soft intelligence."))
        self.stdout.write("Members (sign in with the demo password):")
        width = max(len(email) for email, _, _ in summary.people)
        for email, seat, organisation in summary.people:
            self.stdout.write(f"  {email.ljust(width)}  {seat} — {organisation}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
