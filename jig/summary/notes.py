"""Notes of what changed: who writes them, and vouching for writes so the trigger does not.

The trigger (migration 0004) runs once per statement on both feed tables; unless the setting
``MARKED_SETTING`` names the feed being written (or is 'all'), it notes every month of that
feed. The functions here note precisely what a write changes and set that setting for the
writes inside their block.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from .sources import FEEDS, month_of

MARKED_SETTING = "jig.feed_months_marked"  # read by the trigger (migration 0004)


# Each home the merge touches, with the first and last month it touches there (a new record's
# month, and a corrected record's months before and after), in one row of arrays: the month
# is worked out for 15,000 homes rather than 70,000 records, and one row is written.
MERGE_MARK_SQL = """
    INSERT INTO jig_feedmonthchange (kind, care_home_ids, first_months, last_months)
    SELECT %(kind)s, array_agg(care_home_id), array_agg({first}), array_agg({last}) FROM (
        SELECT care_home_id, min({at}) AS earliest, max({at}) AS latest FROM (
            SELECT care_home_id, {at} FROM jig_feed_merge
             WHERE care_home_id IS NOT NULL AND (existing_id IS NULL OR changed)
            UNION ALL
            SELECT t.care_home_id, t.{at} FROM jig_feed_merge m JOIN {table} t ON t.id = m.existing_id
             WHERE m.changed AND t.care_home_id IS NOT NULL) AS touched
         GROUP BY care_home_id) AS homes
    HAVING count(*) > 0"""


def _vouch(cursor, kind: str) -> None:
    cursor.execute("SELECT set_config(%s, %s, true)", [MARKED_SETTING, kind])


@contextmanager
def merge_marked(cursor, kind: str):
    """For ``jig.loading.load_rows``, around the statements that write a batch: note the
    months the merge table ``jig_feed_merge`` is about to change at each home (a new record's,
    and a corrected record's before and after; for each home, its first to its last), and
    vouch for the writes inside the block.

    Needs the merge table's ``care_home_id``, ``called_at``/``arrived_at``, ``existing_id`` and
    ``changed``, and must run before the stored records are updated (it reads where a
    corrected record was).
    """
    feed = FEEDS[kind]
    cursor.execute(MERGE_MARK_SQL.format(first=month_of("earliest"), last=month_of("latest"), at=feed.at,
                                         table=feed.table), {"kind": kind, "tz": settings.TIME_ZONE})
    _vouch(cursor, kind)
    try:
        yield
    finally:
        _vouch(cursor, "")


@contextmanager
def homes_marked(home_ids: Iterable[int], kinds: Iterable[str] = tuple(FEEDS)):
    """Around a change to some homes' records (a matching rule moving records between homes):
    note every month of those homes for a recount, and vouch for the writes inside the block."""
    ids = sorted({int(pk) for pk in home_ids if pk is not None})
    kinds = list(kinds)
    with connection.cursor() as cursor:
        if ids:  # (no homes at all would read as every home)
            cursor.execute(
                "INSERT INTO jig_feedmonthchange (kind, care_home_ids, first_months, last_months) "
                "SELECT k, %s, array_fill(NULL::date, ARRAY[%s]), array_fill(NULL::date, ARRAY[%s]) "
                "FROM unnest(%s::text[]) AS k", [ids, len(ids), len(ids), kinds])
        _vouch(cursor, kinds[0] if len(kinds) == 1 else "all")
        try:
            yield
        finally:
            _vouch(cursor, "")


def mark_everything() -> None:
    """Note every month of every home of both feeds: the next refresh counts everything again."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO jig_feedmonthchange (kind) SELECT unnest(%s::text[])", [list(FEEDS)])
