"""Counting noted months again from the records, and keeping each home's packed series in step."""

from django.conf import settings
from django.db import connection, transaction

from commissioning.jobs import advisory_xact_lock

from .packing import pack
from .sources import FEEDS, SERIES_COLUMNS, Feed, month_of

# Refreshes take this transaction-level lock, so an older count never overwrites a newer one: "JFM1".
FEED_MONTHS_LOCK = 0x4A464D31
WHOLE_FEED_PAIRS = 100_000  # about seven national months


# The notes taken, as (feed, home, month): an empty month is every month of the home, an empty
# home every home of the feed.
TAKE_SQL = """
    DROP TABLE IF EXISTS jig_feedmonth_taken;
    CREATE TEMP TABLE jig_feedmonth_taken (kind text, care_home_id bigint, month date) ON COMMIT DROP;
    WITH taken AS (DELETE FROM jig_feedmonthchange RETURNING kind, care_home_ids, first_months, last_months)
    INSERT INTO jig_feedmonth_taken
    SELECT DISTINCT taken.kind, home.id, month.first::date
      FROM taken
      LEFT JOIN LATERAL unnest(taken.care_home_ids, taken.first_months, taken.last_months)
                AS home (id, first, last) ON true
      LEFT JOIN LATERAL generate_series(home.first::timestamp, home.last::timestamp, interval '1 month')
                AS month (first) ON true"""

# A home noted without a month: every month it has records in, or a row in the summary.
PAIRS_SQL = """
    DROP TABLE IF EXISTS jig_feedmonth_pairs;
    CREATE TEMP TABLE jig_feedmonth_pairs ON COMMIT DROP AS
    SELECT care_home_id, month FROM jig_feedmonth_taken
     WHERE kind = %(kind)s AND care_home_id IS NOT NULL AND month IS NOT NULL
    UNION
    SELECT care_home_id, {month} AS month FROM {table}
     WHERE care_home_id IN (SELECT care_home_id FROM jig_feedmonth_taken
                             WHERE kind = %(kind)s AND month IS NULL)
    UNION
    SELECT care_home_id, month FROM jig_feedmonth
     WHERE care_home_id IN (SELECT care_home_id FROM jig_feedmonth_taken
                             WHERE kind = %(kind)s AND month IS NULL);
    ANALYZE jig_feedmonth_pairs"""

# Each noted pair counted from the records (an index range per pair); none left is zeros.
COUNT_PAIRS_SQL = """
    SELECT p.care_home_id, p.month, {counts}
      FROM jig_feedmonth_pairs p
      LEFT JOIN LATERAL (
          SELECT {aggregates} FROM {table} r
           WHERE r.care_home_id = p.care_home_id
             AND r.{at} >= (p.month::timestamp AT TIME ZONE %(tz)s)
             AND r.{at} < ((p.month + interval '1 month')::timestamp AT TIME ZONE %(tz)s)) AS c ON true"""

# Everything counted again: one pass over the table; months no longer holding records go to zero.
COUNT_ALL_SQL = """
    SELECT care_home_id, {month} AS month, {aggregates} FROM {table}
     WHERE care_home_id IS NOT NULL GROUP BY 1, 2"""
ZERO_STALE_SQL = """
    WITH zeroed AS (
        UPDATE jig_feedmonth s SET {zeros}
         WHERE ({columns}) <> ({zero_values})
           AND NOT EXISTS (SELECT 1 FROM jig_feedmonth_counted c
                            WHERE c.care_home_id = s.care_home_id AND c.month = s.month)
        RETURNING care_home_id, month)
    INSERT INTO jig_feedmonth_touched SELECT care_home_id, month FROM zeroed"""

UPSERT_SQL = """
    INSERT INTO jig_feedmonth (care_home_id, month, {columns})
    SELECT care_home_id, month, {columns} FROM jig_feedmonth_counted
    ON CONFLICT (care_home_id, month) DO UPDATE SET {updates}
     WHERE ({target}) IS DISTINCT FROM ({excluded})"""


def _names(feed: Feed) -> dict:
    columns = feed.columns
    return {
        "columns": ", ".join(columns), "table": feed.table, "at": feed.at, "month": month_of(feed.at),
        "aggregates": ", ".join(f"{sql} AS {name}" for name, sql in feed.counts.items()),
        "counts": ", ".join(f"coalesce(c.{name}, 0) AS {name}" for name in columns),
        "updates": ", ".join(f"{name} = EXCLUDED.{name}" for name in columns),
        "target": ", ".join(f"jig_feedmonth.{name}" for name in columns),
        "excluded": ", ".join(f"EXCLUDED.{name}" for name in columns),
        "zeros": ", ".join(f"{name} = 0" for name in columns),
        "zero_values": ", ".join("0" for _ in columns),
    }


def _refresh_feed(cursor, feed: Feed, everything: bool) -> int:
    """Count the noted months of one feed again; returns how many (home, month) were counted."""
    names, params = _names(feed), {"kind": feed.kind, "tz": settings.TIME_ZONE}
    if everything:
        counted = COUNT_ALL_SQL.format(**names)
    else:
        cursor.execute(PAIRS_SQL.format(**names), params)
        counted = COUNT_PAIRS_SQL.format(**names)
    cursor.execute("DROP TABLE IF EXISTS jig_feedmonth_counted")
    cursor.execute(f"CREATE TEMP TABLE jig_feedmonth_counted ON COMMIT DROP AS {counted}", params)
    rows = cursor.rowcount
    if everything:
        cursor.execute("ANALYZE jig_feedmonth_counted")
        cursor.execute(ZERO_STALE_SQL.format(**names))
    cursor.execute(UPSERT_SQL.format(**names))
    return rows


# Both feeds counted again whole (the first refresh, or after TRUNCATE): the summary is emptied
# and filled with plain inserts, rather than every row compared and updated twice.
FILL_SQL = f"""
    INSERT INTO jig_feedmonth (care_home_id, month, {", ".join(SERIES_COLUMNS)})
    SELECT care_home_id, month, {", ".join(f"coalesce({c}, 0)" for c in SERIES_COLUMNS)}
      FROM jig_feedmonth_ambulance FULL JOIN jig_feedmonth_hospital USING (care_home_id, month)"""


def _refill(cursor) -> dict[str, int]:
    """Count both feeds again from scratch; returns the (home, month) rows counted per feed."""
    cursor.execute("TRUNCATE jig_feedmonth, jig_feedseries")
    counted = {}
    for kind, feed in FEEDS.items():
        cursor.execute(f"DROP TABLE IF EXISTS jig_feedmonth_{kind}")
        cursor.execute(f"CREATE TEMP TABLE jig_feedmonth_{kind} ON COMMIT DROP AS "
                       f"{COUNT_ALL_SQL.format(**_names(feed))}", {"tz": settings.TIME_ZONE})
        counted[kind] = cursor.rowcount
    cursor.execute(FILL_SQL)
    cursor.execute("INSERT INTO jig_feedmonth_touched SELECT care_home_id, month FROM jig_feedmonth")
    cursor.execute("DROP TABLE jig_feedmonth_ambulance, jig_feedmonth_hospital")
    return counted


@transaction.atomic
def refresh() -> dict[str, int]:
    """Bring the summary up to date with the records: count again every noted (feed, home,
    month), and every month of a feed noted as a whole, then update those homes' packed
    series. Returns the (home, month) rows counted per feed (none when nothing was noted)."""
    advisory_xact_lock(FEED_MONTHS_LOCK)
    counted = {}
    with connection.cursor() as cursor:
        cursor.execute(TAKE_SQL)
        # A month at a time costs an index range a (home, month); past WHOLE_FEED_PAIRS, one pass
        # over the feed's records is quicker (after loading years of files, say).
        cursor.execute("SELECT kind, bool_or(care_home_id IS NULL) OR count(*) > %s "
                       "FROM jig_feedmonth_taken GROUP BY kind", [WHOLE_FEED_PAIRS])
        noted = cursor.fetchall()
        if not noted:
            cursor.execute("DROP TABLE jig_feedmonth_taken")
            return counted
        cursor.execute("DROP TABLE IF EXISTS jig_feedmonth_touched; CREATE TEMP TABLE jig_feedmonth_touched "
                       "(care_home_id bigint, month date) ON COMMIT DROP")
        if {kind for kind, everything in noted if everything} == set(FEEDS):
            counted = _refill(cursor)
        else:
            for kind, everything in noted:
                counted[kind] = _refresh_feed(cursor, FEEDS[kind], everything)
                cursor.execute("INSERT INTO jig_feedmonth_touched "
                               "SELECT care_home_id, month FROM jig_feedmonth_counted")
        cursor.execute("ANALYZE jig_feedmonth_touched")
        pack(cursor)
        cursor.execute("DROP TABLE jig_feedmonth_taken, jig_feedmonth_touched")
    return counted
