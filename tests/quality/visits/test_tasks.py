"""The visits' background work: the daily overdue check on beat, and the report PDF job."""

import datetime as dt

import pytest
from django.db import connections
from django.utils import timezone

from commissioning.choices import JobStatus
from quality.choices import VisitEventKind
from quality.models import ReportPdf, VisitNotice
from quality.tasks import overdue_actions_task, report_pdf_task
from quality.visits import pdf, services
from quality.visits.tasks import OVERDUE_LOCK

from .factories import published_visit, shared_visit


def test_beat_runs_the_overdue_check_every_morning(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    daily = schedule["quality.visits.tasks.overdue_actions_task"]
    assert daily.day_of_week == set(range(7)) and daily.hour == {7}
    assert overdue_actions_task.name == "quality.visits.tasks.overdue_actions_task"


@pytest.mark.django_db
def test_the_overdue_task_flags_and_notifies(area, people, mailoutbox, monkeypatch):
    visit = published_visit(area.home, people, by_standard={"12": 1})
    plan = visit.action_plan
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: plan.due_on + dt.timedelta(days=1))
    result = overdue_actions_task.apply().get()
    assert result["skipped"] is False and result["plans_flagged"] == 1 and result["sent"] == 1
    assert overdue_actions_task.apply().get()["already_sent"] == 1
    assert len(mailoutbox) == 1 and VisitNotice.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_overdue_task_does_nothing_while_another_run_holds_its_lock(area, mailoutbox):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(current_database()), %s)", [OVERDUE_LOCK])
        assert overdue_actions_task.apply().get() == {"skipped": True}
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(current_database()), %s)", [OVERDUE_LOCK])
        other.close()
    assert overdue_actions_task.apply().get()["skipped"] is False


@pytest.mark.django_db
def test_a_report_pdf_is_a_job_made_in_the_background(area, people, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    visit = shared_visit(area.home, people)
    seen = {}

    def render(context):
        seen.update(context)
        return b"%PDF-1.7 report"

    monkeypatch.setattr(pdf, "render_report_pdf", render)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_pdf_request(visit=visit, user=people.manager)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.is_draft and job.file.name.endswith("-draft.pdf")
    assert job.file.read() == b"%PDF-1.7 report"
    assert seen["is_draft"] and seen["overall"]["rating"] == visit.indicative_rating
    assert VisitEventKind.PDF_REQUESTED in visit.events.values_list("kind", flat=True)


@pytest.mark.django_db
def test_a_pdf_that_cannot_be_made_is_recorded_as_failed(area, people, monkeypatch):
    visit = shared_visit(area.home, people)
    job = ReportPdf.objects.create(visit=visit, visit_status=visit.status, requested_by=people.officer)

    def broken(context):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(pdf, "render_report_pdf", broken)
    report_pdf_task.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "RuntimeError: no fonts"
