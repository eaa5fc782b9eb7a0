"""Loading validated feed rows with PostgreSQL's bulk path: ``COPY`` into a staging table,
then one set-based match and merge.

Steps, all inside the caller's transaction:

1. ``COPY`` the rows into a temporary staging table (dropped at commit).
2. One ``CREATE TABLE ... AS SELECT`` matches every row to a home and to the stored record
   with the same (source, source record ID), noting whether anything changed.
3. One ``INSERT`` for the new records and one ``UPDATE`` for the corrected ones.

A home is matched by, in order: its CQC location ID; its location ODS code; a commissioner's
rule for the record's match key; its postcode and name (when exactly one home has both).
Only (kind, source) batches exclude each other (an advisory lock), so two trusts can load at
once while one trust's batches queue in order.
"""

import re
from dataclasses import dataclass, field

from django.db import connection

from commissioning.jobs import advisory_xact_lock

from .choices import MatchStatus
from .feeds.codes import FeedKind
from .feeds.formats import FORMATS
from .models import AmbulanceIncident, FeedBatch, HospitalActivity
from .summary.notes import merge_marked

FEED_LOCK_BASE = 0x4A460000  # "JF": plus 2 × source ID (+1 for hospital)
MODELS = {FeedKind.AMBULANCE: AmbulanceIncident, FeedKind.HOSPITAL: HospitalActivity}
HOME_FIELDS = ("cqc_location_id", "ods_code", "home_postcode", "home_name")

# Staging column types by field; identifiers and text columns arrive as NULL when blank.
_TYPES = {
    "row": "integer", "called_at": "timestamptz", "arrived_at": "timestamptz",
    "discharged_on": "date", "bed_days": "integer", "is_fall": "boolean",
    "is_emergency": "boolean",
}


@dataclass
class LoadResult:
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0
    homes: set[int] = field(default_factory=set)


def normalised_name(name: str | None) -> str:
    """A home's name as matching compares it; the SQL in ``_match_sql`` does the same."""
    return re.sub(r"[^A-Z0-9]+", " ", (name or "").upper()).strip()


def match_key(cqc_location_id: str | None, ods_code: str | None, postcode: str | None,
              name: str | None) -> str:
    """The strongest identifier a record gives for its home: what a matching rule remembers."""
    if cqc_location_id:
        return f"cqc:{cqc_location_id}"
    if ods_code:
        return f"ods:{ods_code}"
    return f"home:{postcode or ''}|{normalised_name(name)}"


def describe_key(key: str) -> str:
    """A match key in words, for the matching queue."""
    kind, _, value = key.partition(":")
    if kind == "cqc":
        return f"CQC location ID {value}"
    if kind == "ods":
        return f"ODS code {value}"
    postcode, _, name = value.partition("|")
    return f"{name.title() or 'No name'}, {postcode or 'no postcode'}"


def load_rows(*, batch: FeedBatch, rows: list[tuple]) -> LoadResult:
    """Store a batch's validated rows (tuples in output-column order); return what happened."""
    kind = batch.kind
    advisory_xact_lock(FEED_LOCK_BASE + 2 * batch.source_id + (kind == FeedKind.HOSPITAL))
    columns = list(FORMATS[kind].output_columns[1:])  # the fields after the row number
    positions = {name: i + 1 for i, name in enumerate(columns)}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS jig_feed_stage, jig_feed_merge")
        cursor.execute(
            "CREATE TEMP TABLE jig_feed_stage (" + ", ".join(
                f"{c} {_TYPES.get(c, 'text')}" for c in ["row", *columns, "match_key"]
            ) + ") ON COMMIT DROP")
        copy_sql = f"COPY jig_feed_stage (row, {', '.join(columns)}, match_key) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row((*row, match_key(*(row[positions[f]] for f in HOME_FIELDS))))
        cursor.execute(_match_sql(kind, columns), [batch.source_id])
        cursor.execute(
            """SELECT count(*) FILTER (WHERE existing_id IS NULL),
                      count(*) FILTER (WHERE changed),
                      count(*) FILTER (WHERE match_status = %s)
                 FROM jig_feed_merge""", [MatchStatus.UNMATCHED])
        accepted, updated, unmatched = cursor.fetchone()
        cursor.execute(
            """SELECT care_home_id FROM jig_feed_merge
                WHERE (existing_id IS NULL OR changed) AND care_home_id IS NOT NULL
               UNION
               SELECT old_home_id FROM jig_feed_merge WHERE changed AND old_home_id IS NOT NULL""")
        homes = {home_id for (home_id,) in cursor.fetchall()}
        with merge_marked(cursor, kind):  # notes the months the risk recompute must count again
            _write(cursor, kind, columns, batch)
    return LoadResult(accepted=accepted, updated=updated, unchanged=len(rows) - accepted - updated,
                      unmatched=unmatched, homes=homes)


def _stored(column: str, alias: str = "m") -> str:
    """How a staged value is stored: blank text columns are '' in the tables, not NULL."""
    return f"{alias}.{column}" if column in _TYPES else f"coalesce({alias}.{column}, '')"


def _match_sql(kind: str, columns: list[str]) -> str:
    table = MODELS[kind]._meta.db_table
    compared = [c for c in columns if c != "source_record_id"]
    norm = "btrim(regexp_replace(upper({}), '[^A-Z0-9]+', ' ', 'g'))"
    return f"""
        CREATE TEMP TABLE jig_feed_merge ON COMMIT DROP AS
        WITH matched AS (
            SELECT s.*,
                   coalesce(by_cqc.id, by_ods.id, rule.care_home_id, by_address.id) AS care_home_id,
                   CASE WHEN coalesce(by_cqc.id, by_ods.id) IS NOT NULL THEN 'matched'
                        WHEN rule.id IS NOT NULL AND rule.care_home_id IS NULL THEN 'outside'
                        WHEN coalesce(rule.care_home_id, by_address.id) IS NOT NULL THEN 'matched'
                        ELSE 'unmatched' END AS match_status
              FROM jig_feed_stage s
              LEFT JOIN carehomes_carehome by_cqc ON by_cqc.cqc_location_id = s.cqc_location_id
              LEFT JOIN (SELECT upper(location_ods_code) AS ods, min(id) AS id FROM carehomes_carehome
                          WHERE location_ods_code <> '' GROUP BY 1 HAVING count(*) = 1) by_ods
                     ON by_ods.ods = s.ods_code AND by_cqc.id IS NULL
              LEFT JOIN jig_homematchrule rule ON rule.match_key = s.match_key
              LEFT JOIN (SELECT replace(postcode, ' ', '') AS postcode, {norm.format('name')} AS name,
                                min(id) AS id
                           FROM carehomes_carehome GROUP BY 1, 2 HAVING count(*) = 1) by_address
                     ON s.home_postcode IS NOT NULL
                    AND by_address.postcode = replace(s.home_postcode, ' ', '')
                    AND by_address.name = {norm.format('s.home_name')}
        )
        SELECT m.*, t.id AS existing_id, t.care_home_id AS old_home_id,
               (t.id IS NOT NULL AND (
                   ({", ".join(f"t.{c}" for c in compared)}, t.care_home_id, t.match_status, t.match_key)
                   IS DISTINCT FROM
                   ({", ".join(_stored(c) for c in compared)},
                    m.care_home_id, m.match_status, m.match_key))) AS changed
          FROM matched m
          LEFT JOIN {table} t ON t.source_id = %s AND t.source_record_id = m.source_record_id
    """


def _write(cursor, kind: str, columns: list[str], batch: FeedBatch) -> None:
    table = MODELS[kind]._meta.db_table
    stored = ", ".join(_stored(c) for c in columns)
    cursor.execute(
        f"""INSERT INTO {table} (source_id, batch_id, received_on, updated_on, {", ".join(columns)},
                                 match_key, care_home_id, match_status)
            SELECT %s, %s, now(), now(), {stored}, m.match_key, m.care_home_id, m.match_status
              FROM jig_feed_merge m WHERE m.existing_id IS NULL""",
        [batch.source_id, batch.pk])
    assignments = ", ".join(f"{c} = {_stored(c)}" for c in columns if c != "source_record_id")
    cursor.execute(
        f"""UPDATE {table} t SET {assignments}, match_key = m.match_key, care_home_id = m.care_home_id,
                   match_status = m.match_status, batch_id = %s, updated_on = now()
              FROM jig_feed_merge m WHERE m.changed AND t.id = m.existing_id""",
        [batch.pk])
