"""Import a CQC care directory file (CSV or XLSX) from the command line.

Runs the same service as the upload page. By default it runs here and now and prints
the report; with --queue it hands the work to the Celery workers and prints the import's
number so its progress can be followed on the import page.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from carehomes.models import CqcImport
from carehomes.services import cqc_import_create, cqc_import_record, cqc_import_run
from commissioning.choices import JobStatus
from commissioning.models import User


class Command(BaseCommand):
    help = "Import the CQC care directory (CSV or XLSX) into the care home registry."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", help="Email of the person the import is recorded against.")
        parser.add_argument("--queue", action="store_true",
                            help="Send the import to the Celery workers instead of running it here.")

    def handle(self, *args, path: Path, user: str | None, queue: bool, **options):
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        person = None
        if user:
            person = User.objects.filter(email__iexact=user).first()
            if person is None:
                raise CommandError(f"No user with the email address {user}.")
        content = path.read_bytes()
        if queue:
            with transaction.atomic():
                job = cqc_import_create(filename=path.name, content=content, user=person)
            self.stdout.write(f"Import {job.pk} queued: /care-homes/imports/{job.pk}/")
            return
        job = cqc_import_record(filename=path.name, content=content, user=person)
        cqc_import_run(cqc_import=job)
        self._report(job)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Import {job.pk} was {job.get_status_display().lower()}: "
                               "nothing was changed.")

    def _report(self, job: CqcImport) -> None:
        self.stdout.write(
            f"Import {job.pk} of {job.filename}: {job.get_status_display()}\n"
            f"  rows in file {job.rows_in_file}, in the served area {job.rows_in_area}, "
            f"skipped {job.rows_skipped}\n"
            f"  created {job.rows_created}, updated {job.rows_updated}, "
            f"unchanged {job.rows_unchanged}, rejected {job.rows_rejected}, "
            f"deregistered {job.homes_deregistered}, new ratings {job.ratings_recorded}")
        for error in job.errors:
            self.stderr.write(f"  row {error['row']}, {error['column']}: “{error['value']}” "
                              f"{error['message']}")
        for warning in job.warnings:
            self.stdout.write(f"  note: {warning}")
