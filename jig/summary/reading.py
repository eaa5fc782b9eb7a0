"""Reading the packed series: one short row per home."""

import array
import datetime as dt
import sys
from collections.abc import Iterable

from django.db import connection

from .sources import MONTH_BYTES, SERIES_COLUMNS

# The months asked for, cut out of each home's packed series: ``skip`` months of the series come
# before the first month asked for (negative when the series starts later).
READ_SQL = f"""
    SELECT care_home_id, skip, substring(counts FROM greatest(skip, 0) * {MONTH_BYTES} + 1
                                         FOR greatest(%(months)s - greatest(-skip, 0), 0) * {MONTH_BYTES})
      FROM (SELECT care_home_id, counts,
                   %(first)s - (extract(year FROM first_month)::int * 12
                                + extract(month FROM first_month)::int) AS skip
              FROM jig_feedseries {{homes}}) AS series"""


def _month_number(month: dt.date) -> int:
    return month.year * 12 + month.month


def _unpack(chunk: bytes) -> array.array:
    values = array.array("i")
    values.frombytes(chunk)
    if sys.byteorder == "little":  # int4send writes big-endian
        values.byteswap()
    return values


def monthly_counts(first_month: dt.date, last_month: dt.date,
                   home_ids: Iterable[int] | None = None) -> dict[int, dict[str, list[int]]]:
    """As ``jig.series.monthly_counts``, from the summary (which the caller has refreshed):
    one query of one short row per home. Without ``home_ids``, a home whose counts are all
    zero in these months is left out (the records could name it for an elective admission
    with no bed days; either way every count is zero)."""
    from ..series import months_between, zero_counts

    months = months_between(first_month.replace(day=1), last_month.replace(day=1))
    if not months:
        return {}
    ids = None if home_ids is None else sorted(set(home_ids))
    result = {home_id: zero_counts(len(months)) for home_id in ids or ()}
    if ids == []:
        return result
    homes = "WHERE care_home_id IN (SELECT unnest(%(ids)s::bigint[]))" if ids else ""
    count, width = len(months), len(SERIES_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(READ_SQL.format(homes=homes),
                       {"first": _month_number(months[0]), "months": count, "ids": ids})
        rows = cursor.fetchall()
    values = _unpack(b"".join(chunk for _, _, chunk in rows))  # one pass for every home
    end = 0
    for home_id, skip, chunk in rows:
        start, end = end, end + len(chunk) // 4
        if home_id not in result and not any(values[start:end]):
            continue  # no events in these months: as the records would say, not there
        before = min(max(-skip, 0), count)
        after = count - before - (end - start) // width
        if before or after:
            result[home_id] = {code: [0] * before + values[start + n:end:width].tolist() + [0] * after
                               for n, code in enumerate(SERIES_COLUMNS)}
        else:
            result[home_id] = {code: values[start + n:end:width].tolist()
                               for n, code in enumerate(SERIES_COLUMNS)}
    return result
