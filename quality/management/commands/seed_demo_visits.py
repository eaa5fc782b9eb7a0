"""Build a year of quality monitoring visits for the demo area (run ``seed_demo`` first)."""

import time

from django.core.management.base import BaseCommand, CommandError

from quality.visits.demo import DEMO_SEED, DemoNotReady, describe, seed_demo_visits


class Command(BaseCommand):
    help = ("Build a year of quality monitoring visits for the demo area through the real services: "
            "about thirty published reports, action plans in every state, and visits at every stage "
            "now. Safe to run again: if the area has visits already, nothing changes.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEMO_SEED)

    def handle(self, *args, seed: int, **options):
        started = time.monotonic()
        try:
            summary = seed_demo_visits(seed=seed)
        except DemoNotReady as exc:
            raise CommandError(str(exc)) from exc
        if summary.already_built:
            self.stdout.write("The demo area has visits already: nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{summary.created} visits built in {time.monotonic() - started:.1f} s."))
        for line in describe(summary):
            self.stdout.write(line)
