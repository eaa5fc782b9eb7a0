"""Storing computed ratings: one ``COPY`` into a temporary table, then a fixed number of
statements for every home at once, so a rerun replaces a rating rather than adding one (the
database's unique constraint on home and month backs it up).

A rating's components (about 4 KB of JSON a home, 60 MB nationally) are sent only when they
changed: ``RiskRating.components_digest`` is the SHA-256 of their JSON as last written, and a
rerun that works out the same components (the nightly recompute on a day no feed changed
them, a feed batch's homes whose figures did not move) sends only the digest. Those ratings
keep their stored components and get the rest again: score, RAG, model, the comparison with
the month before, when and by which recompute they were worked out.
"""

import hashlib

from django.db import connection, transaction
from django.utils import timezone

from quality.reports import add_months

from ..models import RiskModel, RiskRecompute

WRITE_CHUNK = 2000
NEW_TABLE = "jig_riskrating_new"
# The temporary table is read once: its components are stored as they came (not compressed).
NEW_TABLE_SQL = f"""
    DROP TABLE IF EXISTS {NEW_TABLE};
    CREATE TEMPORARY TABLE {NEW_TABLE} (care_home_id bigint PRIMARY KEY, score numeric, rag text,
                                        digest text, components text) ON COMMIT DROP;
    ALTER TABLE {NEW_TABLE} ALTER components SET STORAGE EXTERNAL"""
STORED_SQL = "SELECT care_home_id, components_digest FROM jig_riskrating WHERE month = %(month)s"

# The comparison with the month before, and what every written rating gets.
_PREVIOUS = "LEFT JOIN jig_riskrating p ON p.care_home_id = n.care_home_id AND p.month = %(previous)s"
_MOVED = "SELECT count(*), count(*) FILTER (WHERE previous_rag <> '' AND previous_rag <> rag) FROM written"

# Ratings whose components changed (or are new): written whole.
UPSERT_SQL = f"""
    WITH written AS (
        INSERT INTO jig_riskrating (care_home_id, month, model_id, score, rag, components,
                                    components_digest, previous_score, previous_rag, score_change,
                                    computed_on, recompute_id)
        SELECT n.care_home_id, %(month)s, %(model)s, n.score, n.rag, n.components::jsonb, n.digest,
               p.score, coalesce(p.rag, ''), n.score - p.score, %(now)s, %(job)s
          FROM {NEW_TABLE} n {_PREVIOUS}
         WHERE n.components IS NOT NULL
        ON CONFLICT (care_home_id, month) DO UPDATE
           SET model_id = EXCLUDED.model_id, score = EXCLUDED.score, rag = EXCLUDED.rag,
               components = EXCLUDED.components, components_digest = EXCLUDED.components_digest,
               previous_score = EXCLUDED.previous_score, previous_rag = EXCLUDED.previous_rag,
               score_change = EXCLUDED.score_change, computed_on = EXCLUDED.computed_on,
               recompute_id = EXCLUDED.recompute_id
        RETURNING rag, previous_rag
    )
    {_MOVED}"""

# Ratings whose components are as stored: everything but the components. A rating that is not
# there with that digest any more is not written, and the count below says so.
RESTAMP_SQL = f"""
    WITH written AS (
        UPDATE jig_riskrating r
           SET model_id = %(model)s, score = n.score, rag = n.rag, previous_score = p.score,
               previous_rag = coalesce(p.rag, ''), score_change = n.score - p.score,
               computed_on = %(now)s, recompute_id = %(job)s
          FROM {NEW_TABLE} n {_PREVIOUS}
         WHERE n.components IS NULL AND r.care_home_id = n.care_home_id AND r.month = %(month)s
           AND r.components_digest = n.digest
        RETURNING r.rag, r.previous_rag
    )
    {_MOVED}"""

# The following month's rating (if any) compares itself with the one just written.
CHAIN_SQL = f"""
    UPDATE jig_riskrating nxt
       SET previous_score = cur.score, previous_rag = cur.rag, score_change = nxt.score - cur.score
      FROM jig_riskrating cur
     WHERE cur.month = %(month)s AND nxt.month = %(next)s AND nxt.care_home_id = cur.care_home_id
       AND cur.care_home_id IN (SELECT care_home_id FROM {NEW_TABLE})"""


def digest(components_json: str) -> str:
    """What ``RiskRating.components_digest`` holds for these components."""
    return hashlib.sha256(components_json.encode()).hexdigest()


def ratings_write(*, ratings: list, month, model: RiskModel, job: RiskRecompute | None,
                  progress=None) -> tuple[int, int]:
    """Upsert ``ratings`` (``engine.HomeRating``) for ``month``; returns (ratings written, RAGs
    moved since last month)."""
    if not ratings:
        return 0, 0
    params = {"month": month, "model": model.pk, "now": timezone.now(), "job": job.pk if job else None,
              "previous": add_months(month, -1)}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(STORED_SQL, params)
        stored = dict(cursor.fetchall())
        cursor.execute(NEW_TABLE_SQL)
        copy_sql = f"COPY {NEW_TABLE} (care_home_id, score, rag, digest, components) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for start in range(0, len(ratings), WRITE_CHUNK):
                for r in ratings[start:start + WRITE_CHUNK]:
                    new = digest(r.components_json)
                    changed = stored.get(r.home_id) != new
                    copy.write_row((r.home_id, r.score, r.rag, new, r.components_json if changed else None))
                if progress:
                    progress(min(start + WRITE_CHUNK, len(ratings)) // 2, len(ratings), "Saving ratings")
        written = moved = 0
        for sql in (UPSERT_SQL, RESTAMP_SQL):
            cursor.execute(sql, params)
            count, rag_moved = cursor.fetchone()
            written, moved = written + count, moved + rag_moved
        if written != len(ratings):  # only if a stored rating vanished meanwhile: run it again
            raise RuntimeError(f"{len(ratings) - written} of {len(ratings)} ratings changed while "
                               "they were being saved; nothing was saved.")
        if progress:
            progress(written, len(ratings), "Saving ratings")
        cursor.execute(CHAIN_SQL, {"month": month, "next": add_months(month, 1)})
        cursor.execute(f"DROP TABLE {NEW_TABLE}")
    return written, moved
