"""Real tasks through Redis to a real Celery worker process.

Every other test runs tasks in-process. These prove the deployed path: a task is sent
through the broker, a separate ``celery worker`` process picks it up, reads the uploaded
file from the database, writes its results and returns them through Redis. The feed test
goes one step further: the worker's feed task queues the risk recompute itself (on commit),
and the same worker runs that too.

It needs ``CELERY_BROKER_URL`` pointing at a Redis that answers. Without one it is skipped
(the quick start has no Redis), except in CI (``CI=true``), where it must run.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import EagerResult
from django.conf import settings
from django.db import connections
from django.utils import timezone

from carehomes.directory import Area, build_directory
from carehomes.models import CareHome
from carehomes.services import cqc_import_record
from carehomes.tasks import cqc_import_task
from commissioning.celery import app as celery_app
from commissioning.choices import JobStatus
from jig.models import AmbulanceIncident, RiskRating, RiskRecompute
from jig.services import feed_batch_record
from jig.tasks import feed_batch_task
from quality.reports import add_months
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import AmbulanceTrustFactory, LocalAuthorityFactory, UserFactory
from tests.jig.feed_files import ambulance_csv, ambulance_row

ROOT = Path(__file__).resolve().parents[1]
HOMES = 6
# Generous for a loaded CI machine; the import itself takes well under a second.
RESULT_TIMEOUT_S = 120


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}. CI must run the worker test.")
    pytest.skip(reason)


def _broker_url() -> str:
    """The Redis the worker and this test share, or skip (fail in CI) with the reason."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url:
        _unavailable("CELERY_BROKER_URL is not set, so there is no Redis to send a task "
                     "through (set it to run this test, e.g. redis://127.0.0.1:6379/5)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis at {url} does not answer ({str(exc).rstrip('.')})")
    return url


def _test_database_url() -> str:
    """A DATABASE_URL for the test database pytest-django created (test_...), not the real one."""
    db = connections["default"].settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host, port = str(db["HOST"] or "localhost"), str(db["PORT"] or "")
    name = quote(db["NAME"], safe="")
    if host.startswith("/"):  # a Unix socket directory (the embedded PostgreSQL)
        query = {"host": host, **({"port": port} if port else {})}
        return f"postgres://{auth}/{name}?{urlencode(query)}"
    return f"postgres://{auth}{host}{':' + port if port else ''}/{name}"


def _start_worker(queue: str, broker_url: str, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # tasks the worker queues itself come back to it
        "DJANGO_SETTINGS_MODULE": "commissioning.settings.base",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or broker_url,
        "DATABASE_URL": _test_database_url(),
        "DEBUG": "false",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "commissioning", "worker",
        "--pool=solo", "--concurrency=1", "-Q", queue, "-n", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=15)


def _forget(queue: str, result, broker_url: str) -> None:
    """Leave nothing in Redis: the one-off queue, its bindings and the task's result."""
    import redis

    client = redis.Redis.from_url(broker_url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    if result is not None and not isinstance(result, EagerResult):
        result.forget()


def _wait_for_result(result, worker: subprocess.Popen, log_path: Path) -> dict:
    """The task's return value; fails at once, with the worker's log, if the worker dies."""
    deadline = time.monotonic() + RESULT_TIMEOUT_S
    while True:
        try:
            return result.get(timeout=2)
        except CeleryTimeoutError:
            if worker.poll() is not None:
                pytest.fail(f"The Celery worker exited with code {worker.returncode}:\n"
                            f"{log_path.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                pytest.fail(f"No result from the worker in {RESULT_TIMEOUT_S} s:\n"
                            f"{log_path.read_text(errors='replace')}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_cqc_import_runs_in_a_real_worker_through_redis(tmp_path):
    broker_url = _broker_url()
    council = LocalAuthorityFactory(name="Workerton Council", cqc_area_name="Workerton")
    area = Area("Workerton", "E38000990", "NHS Workerton", "WK", 51.5, -0.12, HOMES, "Workerton")
    content = build_directory([area], seed=99, other_rows=2).csv_bytes()
    # Committed at once (transaction=True), so the worker process can read it.
    cqc_import = cqc_import_record(filename="worker-test.csv", content=content,
                                   user=UserFactory())

    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "celery-worker.log"
    worker = _start_worker(queue, broker_url, log_path)
    eager = celery_app.conf.task_always_eager
    result = None
    try:
        celery_app.conf.task_always_eager = False  # the test settings run tasks in-process
        result = cqc_import_task.apply_async(args=[cqc_import.pk], queue=queue)
        assert not isinstance(result, EagerResult), "the task ran in-process, not in the worker"
        outcome = _wait_for_result(result, worker, log_path)
    finally:
        celery_app.conf.task_always_eager = eager
        _stop_worker(worker)
        _forget(queue, result, broker_url)

    cqc_import.refresh_from_db()
    assert cqc_import.status == JobStatus.SUCCEEDED, (cqc_import.stage, cqc_import.errors,
                                                      cqc_import.error)
    assert outcome == {"id": cqc_import.pk, "status": JobStatus.SUCCEEDED, "created": HOMES,
                       "updated": 0, "unchanged": 0}
    assert cqc_import.rows_created == HOMES
    assert CareHome.objects.filter(local_authority=council).count() == HOMES


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_feed_file_is_loaded_and_its_homes_rerated_by_a_real_worker(tmp_path):
    broker_url = _broker_url()
    home, quiet_home = CareHomeFactory(beds=20), CareHomeFactory(beds=20)
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    rows = [ambulance_row(f"W-{n}", home, called=f"15/{last_month:%m/%Y} 10:00") for n in range(4)]
    batch = feed_batch_record(kind="ambulance", source=AmbulanceTrustFactory(), filename="worker.csv",
                              content=ambulance_csv(rows), user=UserFactory())

    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "celery-worker.log"
    worker = _start_worker(queue, broker_url, log_path)
    eager = celery_app.conf.task_always_eager
    result = None
    try:
        celery_app.conf.task_always_eager = False
        result = feed_batch_task.apply_async(args=[batch.pk], queue=queue)
        assert not isinstance(result, EagerResult), "the task ran in-process, not in the worker"
        outcome = _wait_for_result(result, worker, log_path)
        deadline = time.monotonic() + RESULT_TIMEOUT_S
        recompute = None
        while time.monotonic() < deadline:  # the recompute the worker queued for itself
            recompute = RiskRecompute.objects.filter(batch=batch).first()
            if recompute and recompute.is_finished:
                break
            time.sleep(0.5)
    finally:
        celery_app.conf.task_always_eager = eager
        _stop_worker(worker)
        _forget(queue, result, broker_url)

    assert outcome["status"] == JobStatus.SUCCEEDED and outcome["accepted"] == 4, outcome
    assert AmbulanceIncident.objects.filter(care_home=home).count() == 4
    assert recompute is not None, log_path.read_text(errors="replace")
    assert recompute.status == JobStatus.SUCCEEDED, (recompute.error, log_path.read_text(errors="replace"))
    assert recompute.home_ids == [home.pk]
    rating = RiskRating.objects.get(care_home=home)
    assert rating.recompute == recompute
    assert not RiskRating.objects.filter(care_home=quiet_home).exists()
