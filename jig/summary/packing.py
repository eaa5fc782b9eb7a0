"""Each home's six series packed into one value (``FeedSeries``), kept in step with its months."""

from .sources import MONTH_BYTES, SERIES_COLUMNS

_MONTH_BYTES = " || ".join(f"int4send(m.{c})" for c in SERIES_COLUMNS)  # a month's 24 bytes


def _month_number_sql(date: str) -> str:
    return f"(extract(year FROM {date})::int * 12 + extract(month FROM {date})::int)"


def _zeros_sql(months: str) -> str:
    return f"decode(repeat('00', {MONTH_BYTES} * ({months})), 'hex')"


# A few months counted again (a month's files): each month's bytes put in place in every home's
# series that it changed, before its first month, after its last (months between are zeros) or
# over the month's old bytes.
_AT = f"({_month_number_sql('EXCLUDED.first_month')} - {_month_number_sql('s.first_month')})"
_HELD = f"(length(s.counts) / {MONTH_BYTES})"
PATCH_SQL = f"""
    INSERT INTO jig_feedseries AS s (care_home_id, first_month, counts)
    SELECT m.care_home_id, m.month, {_MONTH_BYTES} FROM jig_feedmonth m
     WHERE m.month = %(month)s
       AND m.care_home_id IN (SELECT care_home_id FROM jig_feedmonth_touched WHERE month = %(month)s)
    ON CONFLICT (care_home_id) DO UPDATE
       SET first_month = least(s.first_month, EXCLUDED.first_month),
           counts = CASE WHEN {_AT} < 0
                         THEN EXCLUDED.counts || {_zeros_sql(f"-{_AT} - 1")} || s.counts
                         WHEN {_AT} >= {_HELD}
                         THEN s.counts || {_zeros_sql(f"{_AT} - {_HELD}")} || EXCLUDED.counts
                         ELSE overlay(s.counts PLACING EXCLUDED.counts FROM {_AT} * {MONTH_BYTES} + 1
                                      FOR {MONTH_BYTES}) END
     WHERE NOT ({_AT} >= 0 AND {_AT} < {_HELD}
                AND substring(s.counts FROM {_AT} * {MONTH_BYTES} + 1 FOR {MONTH_BYTES}) = EXCLUDED.counts)"""
PATCH_MONTHS = 6  # more months than this counted again: repack the homes' series whole

# Many months counted again: the homes' series packed afresh from their rows in month order,
# each row after a gap preceded by the missing months' zeros.
REPACK_SQL = f"""
    INSERT INTO jig_feedseries AS s (care_home_id, first_month, counts)
    SELECT care_home_id, min(month),
           string_agg(CASE WHEN gap > 1 THEN {_zeros_sql("gap - 1")} ELSE ''::bytea END || bytes,
                      ''::bytea ORDER BY month)
      FROM (SELECT m.care_home_id, m.month, {_MONTH_BYTES} AS bytes,
                   {_month_number_sql("m.month")} - lag({_month_number_sql("m.month")})
                       OVER (PARTITION BY m.care_home_id ORDER BY m.month) AS gap
              FROM jig_feedmonth m
             WHERE m.care_home_id IN (SELECT care_home_id FROM jig_feedmonth_touched)) AS months
     GROUP BY care_home_id
    ON CONFLICT (care_home_id) DO UPDATE SET first_month = EXCLUDED.first_month, counts = EXCLUDED.counts
     WHERE (s.first_month, s.counts) IS DISTINCT FROM (EXCLUDED.first_month, EXCLUDED.counts)"""


def pack(cursor) -> None:
    """Bring the packed series of the homes in ``jig_feedmonth_touched`` up to date."""
    cursor.execute("SELECT DISTINCT month FROM jig_feedmonth_touched ORDER BY month")
    months = [month for (month,) in cursor.fetchall()]
    if len(months) > PATCH_MONTHS:
        cursor.execute(REPACK_SQL)
        return
    for month in months:
        cursor.execute(PATCH_SQL, {"month": month})
