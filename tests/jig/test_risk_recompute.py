"""Recompute jobs: storing ratings, chaining months, reruns, concurrency, failures and tasks."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.core.management import call_command
from django.db import OperationalError, connection, connections

from commissioning.choices import JobStatus
from jig.choices import RecomputeScope
from jig.models import RiskRating, RiskRecompute
from jig.risk import tasks as risk_tasks
from jig.risk.engine import risk_recompute_run
from jig.risk.services import (
    month_current,
    recompute_create,
    recompute_homes_later,
    recompute_request,
    risk_model_current,
)
from quality.reports import add_months
from tests.jig.factories import (
    AmbulanceIncidentFactory,
    FeedBatchFactory,
    RiskComponentFactory,
    RiskModelFactory,
)

UTC = dt.UTC
APRIL, MAY = dt.date(2025, 4, 1), dt.date(2025, 5, 1)


def busy(area, months, per_month, *, falls=False):
    """``per_month`` call-outs at the first home in each of ``months``: it rates red on call-outs
    (and on falls-related call-outs with ``falls``)."""
    batch = FeedBatchFactory()
    for month in months:
        for n in range(per_month):
            AmbulanceIncidentFactory(batch=batch, care_home=area.home,
                                     called_at=dt.datetime(month.year, month.month, 2 + n, 12, tzinfo=UTC),
                                     is_fall=falls)


def run(month, scope=RecomputeScope.FULL, **kwargs) -> RiskRecompute:
    return risk_recompute_run(job=recompute_create(scope=scope, month=month, **kwargs))


@pytest.mark.django_db
def test_a_full_recompute_rates_every_active_home_and_records_the_job(area):
    busy(area, [dt.date(2025, 1, 1)], 3)
    job = run(APRIL)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.ratings_written, job.progress_done, job.progress_total) == (3, 3, 3)
    assert job.model == risk_model_current() and job.started_on and job.finished_on
    assert "3 ratings for April 2025" in job.log
    ratings = RiskRating.objects.filter(month=APRIL)
    assert ratings.count() == 3
    rating = ratings.get(care_home=area.home)
    assert rating.recompute == job and rating.model == job.model
    assert [c["code"] for c in rating.components][0] == "callouts_rate"
    assert rating.components[0]["band"] == "red"
    assert rating.previous_score is None and rating.previous_rag == "" and rating.score_change is None


@pytest.mark.django_db
def test_running_twice_replaces_the_ratings_rather_than_adding(area):
    run(APRIL)
    first = set(RiskRating.objects.values_list("pk", flat=True))
    second_job = run(APRIL)
    assert RiskRating.objects.filter(month=APRIL).count() == 3
    assert set(RiskRating.objects.values_list("pk", flat=True)) == first
    assert set(RiskRating.objects.values_list("recompute", flat=True)) == {second_job.pk}


@pytest.mark.django_db
def test_each_rating_keeps_the_previous_months_score_and_the_change(area):
    busy(area, [dt.date(2025, 2, 1)], 3)  # in April's window and May's
    run(APRIL)
    april = RiskRating.objects.get(care_home=area.home, month=APRIL)
    busy(area, [dt.date(2025, 4, 1)], 0)
    run(MAY)
    may = RiskRating.objects.get(care_home=area.home, month=MAY)
    assert may.previous_score == april.score
    assert may.previous_rag == april.rag
    assert may.score_change == may.score - april.score


@pytest.mark.django_db
def test_recomputing_an_earlier_month_updates_the_next_months_comparison(area):
    run(MAY)
    assert RiskRating.objects.get(care_home=area.home, month=MAY).previous_score is None
    busy(area, [dt.date(2025, 3, 1)], 4)  # April's window only
    job = run(APRIL)
    april = RiskRating.objects.get(care_home=area.home, month=APRIL)
    may = RiskRating.objects.get(care_home=area.home, month=MAY)
    assert april.score > 0
    assert (may.previous_score, may.previous_rag) == (april.score, april.rag)
    assert may.score_change == may.score - april.score
    assert job.ratings_changed_rag == 0  # nothing before April to move from


@pytest.mark.django_db
def test_rag_moves_since_last_month_are_counted(area):
    run(APRIL)
    busy(area, [dt.date(2025, 4, 1)], 6, falls=True)
    job = run(MAY)
    may = RiskRating.objects.get(care_home=area.home, month=MAY)
    assert may.previous_rag == "green" and may.rag != "green"
    assert job.ratings_changed_rag == 1


@pytest.mark.django_db
def test_a_homes_recompute_rates_only_those_homes(area):
    job = run(APRIL, scope=RecomputeScope.HOMES, home_ids=[area.second_home.pk])
    assert job.ratings_written == 1
    assert list(RiskRating.objects.values_list("care_home", flat=True)) == [area.second_home.pk]


@pytest.mark.django_db
def test_ingestion_queues_a_recompute_of_its_homes_when_it_commits(area, django_capture_on_commit_callbacks):
    batch = FeedBatchFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = recompute_homes_later(home_ids=[area.home.pk, area.home.pk, area.other_home.pk], batch=batch)
        assert RiskRating.objects.count() == 0  # nothing until the batch commits
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.scope, job.batch, job.month, job.home_ids) == (
        RecomputeScope.HOMES, batch, month_current(), sorted([area.home.pk, area.other_home.pk]))
    assert job.status == JobStatus.SUCCEEDED
    assert set(RiskRating.objects.values_list("care_home", flat=True)) == {area.home.pk, area.other_home.pk}


@pytest.mark.django_db
def test_no_homes_means_no_recompute(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert recompute_homes_later(home_ids=[]) is None
    assert callbacks == [] and not RiskRecompute.objects.exists()


@pytest.mark.django_db
def test_a_commissioner_asks_for_a_full_recompute(area, django_capture_on_commit_callbacks):
    user = area.users["commissioner"]
    with django_capture_on_commit_callbacks(execute=True):
        job = recompute_request(user=user)
    job.refresh_from_db()
    assert (job.scope, job.requested_by, job.status, job.ratings_written) == (
        RecomputeScope.FULL, user, JobStatus.SUCCEEDED, 3)


@pytest.mark.django_db
def test_a_failed_recompute_records_its_error(area):
    broken = RiskModelFactory()
    RiskComponentFactory(model=broken, code="gone_away", weight=Decimal(100))
    job = recompute_create(scope=RecomputeScope.FULL, month=APRIL)
    job.model = broken
    job.save()
    risk_tasks.risk_recompute_task.delay(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.stage == "Failed"
    assert job.error == "ValueError: The model uses components this portal does not know: gone_away."
    assert not RiskRating.objects.exists()


@pytest.mark.django_db
def test_a_database_error_is_retried_then_succeeds(area, monkeypatch):
    calls = []
    real = risk_tasks.risk_recompute_run

    def flaky(*, job):
        calls.append(job.pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(job=job)

    monkeypatch.setattr(risk_tasks, "risk_recompute_run", flaky)
    job = recompute_create(scope=RecomputeScope.FULL, month=APRIL)
    with pytest.raises(Retry):  # Celery retries it with backoff
        risk_tasks.risk_recompute_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.stage == "Database error: trying again" and "server closed" in job.error
    risk_tasks.risk_recompute_task.apply(args=[job.pk], retries=1)  # the retry
    job.refresh_from_db()
    assert len(calls) == 2
    assert job.status == JobStatus.SUCCEEDED and job.error == ""


@pytest.mark.django_db
def test_a_database_error_on_the_last_retry_fails_the_job(area, monkeypatch):
    def down(*, job):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(risk_tasks, "risk_recompute_run", down)
    job = recompute_create(scope=RecomputeScope.FULL, month=APRIL)
    risk_tasks.risk_recompute_task.apply(args=[job.pk], retries=risk_tasks.MAX_RETRIES)
    job.refresh_from_db()
    assert (job.status, job.stage) == (JobStatus.FAILED, "Failed")
    assert job.error == "OperationalError: the database system is shutting down"


@pytest.mark.django_db
def test_the_nightly_task_rates_every_home_this_month(area):
    result = risk_tasks.risk_recompute_nightly_task.delay().get()
    job = RiskRecompute.objects.get()
    assert result["skipped"] is False
    assert (job.scope, job.month, job.status, job.ratings_written) == (
        RecomputeScope.NIGHTLY, month_current(), JobStatus.SUCCEEDED, 3)


@pytest.mark.django_db
def test_the_nightly_task_skips_while_another_run_holds_its_lock(area):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(current_database()), %s)",
                           [risk_tasks.RISK_NIGHTLY_LOCK])
        assert risk_tasks.risk_recompute_nightly_task.delay().get() == {"skipped": True}
    finally:
        other.close()
    assert not RiskRecompute.objects.exists()


@pytest.mark.django_db
def test_the_command_rates_months_oldest_first_so_they_chain(area):
    call_command("recompute_risk", months=2)
    this, last = month_current(), add_months(month_current(), -1)
    assert RiskRating.objects.filter(month=last).count() == 3
    rating = RiskRating.objects.get(care_home=area.home, month=this)
    assert rating.previous_score == RiskRating.objects.get(care_home=area.home, month=last).score


@pytest.mark.django_db(transaction=True)
def test_concurrent_recomputes_never_give_two_ratings_for_one_home_and_month(area):
    busy(area, [dt.date(2025, 3, 1)], 3)
    jobs = [recompute_create(scope=RecomputeScope.FULL, month=APRIL) for _ in range(3)]
    barrier, errors = threading.Barrier(len(jobs)), []

    def work(job):
        try:
            barrier.wait()
            risk_recompute_run(job=job)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert RiskRating.objects.filter(month=APRIL).count() == 3
    assert set(RiskRecompute.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
