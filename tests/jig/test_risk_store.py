"""Storing ratings (jig.risk.store), and a full recompute after feeds arrive by the real loader."""

import datetime as dt

import psycopg
import pytest
from django.utils import timezone

from commissioning.choices import JobStatus, Role
from jig import summary
from jig.choices import RecomputeScope
from jig.feeds.codes import FeedKind
from jig.models import FeedMonthChange, RiskModel, RiskRating, RiskRecompute
from jig.risk.context import RiskContext
from jig.risk.engine import ratings_compute, risk_recompute_run
from jig.risk.services import month_current, recompute_create, risk_model_current
from jig.risk.store import digest
from jig.services import feed_batch_record, feed_batch_run
from quality.reports import add_months
from tests.commissioning.factories import AcuteTrustFactory, AmbulanceTrustFactory
from tests.jig.factories import AmbulanceIncidentFactory

from .feed_files import ambulance_csv, ambulance_row, hospital_csv, hospital_row

UTC = dt.UTC
APRIL = dt.date(2025, 4, 1)

pytestmark = pytest.mark.django_db


def version_1() -> RiskModel:
    """The model these tests rate with, whichever version is current."""
    risk_model_current()  # made again if a flushed database lost it
    return RiskModel.objects.order_by("version").first()


def job_for(month=APRIL) -> RiskRecompute:
    job = recompute_create(scope=RecomputeScope.FULL, month=month)
    job.model = version_1()
    job.save()
    return job


def run(month=APRIL) -> None:
    risk_recompute_run(job=job_for(month))


@pytest.fixture
def sent(monkeypatch) -> list[tuple]:
    """The rows each rating write sends to the server by COPY."""
    rows = []
    real = psycopg.Copy.write_row

    def spy(self, row):
        rows.append(tuple(row))
        return real(self, row)

    monkeypatch.setattr(psycopg.Copy, "write_row", spy)
    return rows


def test_a_rerun_that_finds_the_same_components_keeps_them_and_stamps_the_rest(area, sent):
    AmbulanceIncidentFactory(care_home=area.home, called_at=dt.datetime(2025, 2, 3, 12, tzinfo=UTC))
    run()
    first = {r.care_home_id: r for r in RiskRating.objects.filter(month=APRIL)}
    assert all(len(row) == 5 and row[4] is not None for row in sent)  # new ratings: sent whole
    sent.clear()
    job = job_for()
    risk_recompute_run(job=job)
    assert sorted(row[0] for row in sent) == sorted(first) and all(row[4] is None for row in sent)
    for rating in RiskRating.objects.filter(month=APRIL):
        before = first[rating.care_home_id]
        assert rating.components == before.components
        assert rating.components_digest == before.components_digest
        assert (rating.score, rating.rag, rating.recompute) == (before.score, before.rag, job)
        assert rating.computed_on > before.computed_on


def test_components_that_change_are_written_again_with_their_digest(area, sent):
    run()
    before = RiskRating.objects.get(care_home=area.home, month=APRIL)
    for day in range(1, 7):  # March: red on call-outs
        AmbulanceIncidentFactory(care_home=area.home, called_at=dt.datetime(2025, 3, day, 12, tzinfo=UTC))
    sent.clear()
    run()
    after = RiskRating.objects.get(care_home=area.home, month=APRIL)
    assert after.components != before.components and after.score > before.score
    assert after.components_digest != before.components_digest
    [row] = [row for row in sent if row[0] == area.home.pk]
    assert row[4] is not None and digest(row[4]) == row[3] == after.components_digest


def _load(kind: str, content: bytes, user, trusts: dict) -> None:
    if kind not in trusts:
        trusts[kind] = AmbulanceTrustFactory() if kind == FeedKind.AMBULANCE else AcuteTrustFactory()
    batch = feed_batch_record(kind=kind, source=trusts[kind], filename=f"{kind}.csv", content=content,
                              user=user)
    assert feed_batch_run(batch=batch).status == JobStatus.SUCCEEDED, batch.errors


def _feeds_of_recent_months(area):
    """Call-outs and hospital records at the area's homes over the last few months, loaded
    by the real path, then a correction moving a call-out to another home and month."""
    user, month, trusts = area.users[Role.ADMINISTRATOR], month_current(), {}
    rows, hospital = [], []
    for back in range(1, 5):
        first = add_months(month, -back)
        for n in range(back + 2):
            home = (area.home, area.second_home, area.other_home)[n % 3]
            when = f"{min(2 + n, 28):02d}/{first:%m/%Y} 0{n % 10}:15"
            rows.append(ambulance_row(f"A-{back}-{n}", home, called=when, token=f"psd-person-{n % 2}",
                                      outcome="See and convey" if n % 2 else "See and treat"))
            hospital.append(hospital_row(f"H-{back}-{n}", home, arrived=when,
                                         discharged=f"{min(5 + n, 28):02d}/{first:%m/%Y}"))
    _load(FeedKind.AMBULANCE, ambulance_csv(rows), user, trusts)
    _load(FeedKind.HOSPITAL, hospital_csv(hospital), user, trusts)
    moved = ambulance_row("A-1-0", area.other_home, called=f"02/{add_months(month, -3):%m/%Y} 09:00",
                          token="psd-person-0")
    _load(FeedKind.AMBULANCE, ambulance_csv([moved]), user, trusts)


def _stored_equal_to_the_records(area) -> dict[int, RiskRating]:
    month = month_current()
    run(month)
    ctx = RiskContext(month=month, home_ids=[area.home.pk, area.second_home.pk, area.other_home.pk],
                      full=True, today=timezone.localdate())
    from_records = {r.home_id: r for r in ratings_compute(model=version_1(), ctx=ctx)}
    stored = {r.care_home_id: r for r in RiskRating.objects.filter(month=month)}
    assert set(stored) == set(from_records)
    for home_id, rating in stored.items():
        assert rating.components == from_records[home_id].components
        assert (rating.score, rating.rag) == (from_records[home_id].score, from_records[home_id].rag)
    return stored


def test_a_full_recompute_after_loading_feeds_equals_one_worked_out_from_the_records(area):
    _feeds_of_recent_months(area)
    stored = _stored_equal_to_the_records(area)
    assert any(c["value"] for r in stored.values() for c in r.components if c["code"] == "callouts_rate")


def test_loading_a_batch_notes_the_months_it_changed_not_the_whole_feed(area):
    summary.refresh()  # take any notes left before the test
    _feeds_of_recent_months(area)
    assert not FeedMonthChange.objects.filter(care_home_ids=None).exists()
    assert FeedMonthChange.objects.filter(care_home_ids__contains=[area.other_home.pk]).exists()
    _stored_equal_to_the_records(area)
