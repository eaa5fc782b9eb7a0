"""Running a job's work in a task: failures are recorded, database errors left to retry."""

import pytest
from django.db import OperationalError

from commissioning.choices import JobStatus
from commissioning.jobs import job_run
from jig.feed_tasks import feed_batch_task
from jig.models import FeedBatch
from tests.commissioning.factories import AmbulanceTrustFactory


@pytest.fixture
def batch(db):
    return FeedBatch.objects.create(kind="ambulance", source=AmbulanceTrustFactory(), channel="upload",
                                    filename="f.csv", content=b"x", checksum="0" * 64)


def test_a_failure_is_recorded_on_the_job_with_its_error(batch):
    def work():
        raise ValueError("the file vanished")

    job_run(batch, work)

    batch.refresh_from_db()
    assert (batch.status, batch.stage, batch.error) == (JobStatus.FAILED, "Failed",
                                                        "ValueError: the file vanished")
    assert batch.finished_on is not None


def test_a_database_error_is_raised_for_the_task_to_retry(batch):
    def work():
        raise OperationalError("server closed the connection")

    with pytest.raises(OperationalError):
        job_run(batch, work)
    batch.refresh_from_db()
    assert batch.status == JobStatus.QUEUED


def test_a_feed_task_that_breaks_leaves_a_failed_batch_not_a_running_one(batch, monkeypatch):
    def explode(*, batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr("jig.services.feed_batch_run", explode)

    outcome = feed_batch_task.apply(args=[batch.pk]).get()

    batch.refresh_from_db()
    assert outcome["status"] == JobStatus.FAILED
    assert batch.error == "RuntimeError: disk full"
