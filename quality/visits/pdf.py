"""The report as a PDF: a job record people can watch, made by a background task.

``report_pdf_request`` creates the ``ReportPdf`` record and queues ``report_pdf_task`` once the
transaction commits; the task runs ``report_pdf_run``, which renders ``report_context(visit)``
through ``REPORT_TEMPLATE`` with ``commissioning.pdf.render_pdf`` (WeasyPrint, print CSS) and
stores the file. A draft is marked OFFICIAL-SENSITIVE, a published report OFFICIAL. Until the
template exists, the job is recorded as failed with the reason (TemplateDoesNotExist).
"""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from commissioning import access
from commissioning.choices import JobStatus
from commissioning.jobs import job_finish, job_start

from ..choices import VisitEventKind
from ..models import ReportPdf, Visit
from .events import event_record, require_can
from .report import report_context


@transaction.atomic
def report_pdf_request(*, visit: Visit, user) -> ReportPdf:
    """Ask for the report as a PDF (anyone who may see the report); made in the background."""
    require_can(user, access.Action.VIEW, visit, "You cannot see this report.")
    job = ReportPdf.objects.create(visit=visit, visit_status=visit.status, requested_by=user)
    event_record(visit=visit, kind=VisitEventKind.PDF_REQUESTED, user=user,
                 summary="Report PDF requested" + (" (draft)." if job.is_draft else "."), pdf=job.pk)

    def queue():
        from .tasks import report_pdf_task

        report_pdf_task.delay(job.pk)

    transaction.on_commit(queue)
    return job


# Extends pdf/base.html; its context is report_context(visit).
REPORT_TEMPLATE = "quality/visits/report_pdf.html"


def render_report_pdf(context: dict) -> bytes:
    """The PDF's bytes from ``report_context``: the same content as the report page."""
    from commissioning.pdf import OFFICIAL, OFFICIAL_SENSITIVE, render_pdf

    return render_pdf(REPORT_TEMPLATE, context,
                      marking=OFFICIAL_SENSITIVE if context["is_draft"] else OFFICIAL)


def report_pdf_run(*, job: ReportPdf) -> ReportPdf:
    """Render and store the PDF, recording progress on the job (the task wraps this in job_run)."""
    job_start(job, stage="Rendering the report", total=1)
    content = render_report_pdf(report_context(job.visit))
    name = f"visit-{job.visit_id}-{timezone.localdate():%Y-%m-%d}{'-draft' if job.is_draft else ''}.pdf"
    job.file.save(name, ContentFile(content), save=False)
    ReportPdf.objects.filter(pk=job.pk).update(file=job.file.name)
    job_finish(job, status=JobStatus.SUCCEEDED, stage="Done", progress_done=1)
    return job
