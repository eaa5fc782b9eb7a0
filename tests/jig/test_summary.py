"""The feeds' monthly summary (jig.summary): the notes that keep it right, its refresh, and that
what it gives is what the records give."""

import datetime as dt
import random

import pytest
from django.db import connection

from jig import series, summary
from jig.feeds.codes import FeedKind, HospitalKind, Outcome
from jig.models import AmbulanceIncident, FeedMonth, FeedMonthChange, FeedSeries
from tests.jig.factories import (
    AmbulanceIncidentFactory,
    FeedBatchFactory,
    HospitalActivityFactory,
    HospitalBatchFactory,
)

UTC = dt.UTC
FIRST, LAST = dt.date(2024, 1, 1), dt.date(2025, 12, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def settled():
    """Start from a summary that holds what the records hold, with no notes waiting."""
    summary.refresh()


def at(year: int, month: int, day: int = 15, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def matches_the_records(homes) -> None:
    """The summary (refreshed) gives every home what the records give, month by month."""
    summary.refresh()
    ids = [home.pk for home in homes]
    assert summary.monthly_counts(FIRST, LAST, ids) == series.monthly_counts(FIRST, LAST, ids)
    assert summary.monthly_counts(FIRST, LAST) == {
        pk: counts for pk, counts in series.monthly_counts(FIRST, LAST).items()
        if any(any(c) for c in counts.values())}
    assert not FeedMonthChange.objects.exists()


def notes() -> set[tuple]:
    """The notes waiting, as (feed, home, month): no month is every month, no home every home."""
    found = set()
    for note in FeedMonthChange.objects.all():
        if note.care_home_ids is None:
            found.add((note.kind, None, None))
            continue
        for home, first, last in zip(note.care_home_ids, note.first_months, note.last_months, strict=True):
            month = first
            while month is not None and month <= last:
                found.add((note.kind, home, month))
                month = (month + dt.timedelta(days=32)).replace(day=1)
            if first is None:
                found.add((note.kind, home, None))
    return found


def test_records_written_without_notes_have_their_whole_feed_counted_again(area):
    batch = FeedBatchFactory()
    AmbulanceIncidentFactory(batch=batch, care_home=area.home, called_at=at(2025, 2),
                             outcome=Outcome.SEE_AND_CONVEY, is_fall=True)
    # 23:30 UTC on 31 March 2025 is 00:30 BST on 1 April: April's.
    AmbulanceIncidentFactory(batch=batch, care_home=area.home, called_at=dt.datetime(2025, 3, 31, 23, 30,
                                                                                      tzinfo=UTC))
    AmbulanceIncidentFactory(batch=batch, care_home=area.second_home, called_at=at(2024, 6))
    AmbulanceIncidentFactory(batch=batch, care_home=None, called_at=at(2025, 2))  # nobody's
    hospital = HospitalBatchFactory()
    HospitalActivityFactory(batch=hospital, care_home=area.home, arrived_at=at(2025, 2), admission=True,
                            bed_days=6)
    HospitalActivityFactory(batch=hospital, care_home=area.home, arrived_at=at(2025, 3),
                            kind=HospitalKind.ADMISSION, admission_method="11", is_emergency=False,
                            bed_days=2)
    assert notes() == {(FeedKind.AMBULANCE, None, None), (FeedKind.HOSPITAL, None, None)}
    matches_the_records([area.home, area.second_home, area.other_home])
    feb = FeedMonth.objects.get(care_home=area.home, month=dt.date(2025, 2, 1))
    assert (feb.callouts, feb.conveyed, feb.falls_callouts, feb.emergency_admissions, feb.bed_days) == (
        1, 1, 1, 1, 6)
    assert FeedMonth.objects.get(care_home=area.home, month=dt.date(2025, 4, 1)).callouts == 1


def test_the_packed_series_takes_months_before_after_and_inside_it(area):
    batch = FeedBatchFactory()
    AmbulanceIncidentFactory(batch=batch, care_home=area.home, called_at=at(2024, 6))
    AmbulanceIncidentFactory(batch=batch, care_home=area.home, called_at=at(2024, 9))
    summary.refresh()
    assert FeedSeries.objects.get(care_home=area.home).first_month == dt.date(2024, 6, 1)
    for when in (at(2024, 3), at(2024, 7), at(2025, 1), at(2025, 1, 20)):  # before, inside, after a gap
        AmbulanceIncidentFactory(batch=batch, care_home=area.home, called_at=when)
    # Notes for just those months, as a loader would leave (not the factory's note for the
    # whole feed), so that the refresh puts each month in place in the packed series.
    FeedMonthChange.objects.all().delete()
    months = [dt.date(2024, 3, 1), dt.date(2024, 7, 1), dt.date(2025, 1, 1)]
    FeedMonthChange.objects.create(kind=FeedKind.AMBULANCE, care_home_ids=[area.home.pk] * 3,
                                   first_months=months, last_months=months)
    summary.refresh()
    packed = FeedSeries.objects.get(care_home=area.home)
    assert packed.first_month == dt.date(2024, 3, 1)
    assert len(packed.counts) == 11 * summary.MONTH_BYTES  # March 2024 to January 2025
    assert summary.monthly_counts(FIRST, LAST, [area.home.pk]) == series.monthly_counts(
        FIRST, LAST, [area.home.pk])
    summary.mark_everything()  # packed whole, the series is the same to the byte
    summary.refresh()
    assert bytes(FeedSeries.objects.get(care_home=area.home).counts) == bytes(packed.counts)


def test_a_merge_notes_new_records_and_where_corrected_ones_were_and_are(area):
    batch = FeedBatchFactory()
    moved = AmbulanceIncidentFactory(batch=batch, care_home=area.home, called_at=at(2025, 1))
    summary.refresh()
    with connection.cursor() as cursor:
        # The loader's merge table, as jig.loading builds it: a new record, and a correction
        # moving a stored one to another home and month.
        cursor.execute("""CREATE TEMP TABLE jig_feed_merge ON COMMIT DROP AS
                          SELECT * FROM (VALUES (%s::bigint, %s::timestamptz, NULL::bigint, false),
                                                (%s, %s, %s, true))
                                 AS m (care_home_id, called_at, existing_id, changed)""",
                       [area.other_home.pk, at(2025, 5), area.second_home.pk, at(2025, 3), moved.pk])
        with summary.merge_marked(cursor, FeedKind.AMBULANCE):
            AmbulanceIncidentFactory(batch=batch, care_home=area.other_home, called_at=at(2025, 5))
            AmbulanceIncident.objects.filter(pk=moved.pk).update(care_home=area.second_home,
                                                                 called_at=at(2025, 3))
        cursor.execute("DROP TABLE jig_feed_merge")
    assert notes() == {(FeedKind.AMBULANCE, area.other_home.pk, dt.date(2025, 5, 1)),
                       (FeedKind.AMBULANCE, area.second_home.pk, dt.date(2025, 3, 1)),
                       (FeedKind.AMBULANCE, area.home.pk, dt.date(2025, 1, 1))}
    matches_the_records([area.home, area.second_home, area.other_home])
    assert FeedMonth.objects.get(care_home=area.home, month=dt.date(2025, 1, 1)).callouts == 0


def test_vouching_ends_with_the_block(area):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE jig_feed_merge (care_home_id bigint, called_at timestamptz, "
                       "existing_id bigint, changed boolean) ON COMMIT DROP")
        with summary.merge_marked(cursor, FeedKind.AMBULANCE):
            pass
        cursor.execute("DROP TABLE jig_feed_merge")
    AmbulanceIncidentFactory(care_home=area.home, called_at=at(2025, 1))
    assert notes() == {(FeedKind.AMBULANCE, None, None)}
    matches_the_records([area.home])


def test_records_moved_between_homes_have_those_homes_counted_again(area):
    batch = FeedBatchFactory()
    for month in (1, 4, 9):
        AmbulanceIncidentFactory(batch=batch, care_home=area.home, called_at=at(2025, month),
                                 match_key="home:AB1 2CD|ROSE HOUSE")
    summary.refresh()
    with summary.homes_marked([area.home.pk, area.second_home.pk]):  # as a matching rule would
        AmbulanceIncident.objects.filter(match_key="home:AB1 2CD|ROSE HOUSE").update(
            care_home=area.second_home)
    assert {(kind, home) for kind, home, month in notes()} == {
        (kind, home.pk) for kind in FeedKind for home in (area.home, area.second_home)}
    matches_the_records([area.home, area.second_home])


def test_emptying_a_feed_table_counts_it_again(area):
    AmbulanceIncidentFactory(care_home=area.home, called_at=at(2025, 1))
    summary.refresh()
    with connection.cursor() as cursor:  # the record's foreign key checks first: TRUNCATE waits for none
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE jig_ambulanceincident")
    assert notes() == {(FeedKind.AMBULANCE, None, None)}
    matches_the_records([area.home])
    assert FeedMonth.objects.get(care_home=area.home, month=dt.date(2025, 1, 1)).callouts == 0


def test_a_refresh_with_nothing_noted_writes_nothing(django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # savepoint, lock, take the notes, look, drop, release
        assert summary.refresh() == {}


def test_records_moving_at_random_are_counted_right_month_by_month(area):
    """Records moved between homes and months, each change noted for just the months it
    touched (as the loader notes them): the summary's packed series, updated month by month,
    stay equal to the records and to the series packed afresh."""
    rng = random.Random(20261123)
    homes = [area.home, area.second_home, area.other_home]
    months = [dt.date(2024 + n // 12, n % 12 + 1, 1) for n in range(24)]
    batch = FeedBatchFactory()
    incidents = [AmbulanceIncidentFactory(batch=batch, care_home=rng.choice(homes),
                                          called_at=at(m.year, m.month, rng.randint(1, 28)))
                 for m in rng.sample(months, 8) for _ in range(rng.randint(1, 3))]
    summary.refresh()
    for _ in range(4):
        noted = []
        for incident in rng.sample(incidents, 4):
            month, home = rng.choice(months), rng.choice(homes)
            noted += [(incident.care_home_id, incident.called_at.date().replace(day=1)), (home.pk, month)]
            incident.care_home, incident.called_at = home, at(month.year, month.month, 10)
            incident.save()
        FeedMonthChange.objects.all().delete()  # the saves' notes for the whole feed: not these
        FeedMonthChange.objects.create(kind=FeedKind.AMBULANCE, care_home_ids=[h for h, _ in noted],
                                       first_months=[m for _, m in noted], last_months=[m for _, m in noted])
        matches_the_records(homes)
    ids = [home.pk for home in homes]
    patched = summary.monthly_counts(FIRST, LAST, ids)
    summary.mark_everything()
    summary.refresh()
    assert summary.monthly_counts(FIRST, LAST, ids) == patched
