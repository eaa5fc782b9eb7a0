"""The two feed tables as the summary sees them: where each record's time is, and how its
records add up to three of the six monthly series."""

from ..feeds.codes import FeedKind


class Feed:
    """One feed table and how its records add up to its three series."""

    def __init__(self, kind: str, table: str, at: str, counts: dict[str, str]):
        self.kind, self.table, self.at, self.counts = kind, table, at, counts

    @property
    def columns(self) -> list[str]:
        return list(self.counts)


FEEDS = {f.kind: f for f in [
    Feed(FeedKind.AMBULANCE, "jig_ambulanceincident", "called_at", {
        "callouts": "count(*)",
        "conveyed": "count(*) FILTER (WHERE outcome = 'see_and_convey')",
        "falls_callouts": "count(*) FILTER (WHERE is_fall)"}),
    Feed(FeedKind.HOSPITAL, "jig_hospitalactivity", "arrived_at", {
        "emergency_admissions": "count(*) FILTER (WHERE kind = 'admission' AND is_emergency)",
        "ae_attendances": "count(*) FILTER (WHERE kind = 'ae_attendance')",
        "bed_days": "coalesce(sum(bed_days) FILTER (WHERE kind = 'admission'), 0)"}),
]}
SERIES_COLUMNS = [c for feed in FEEDS.values() for c in feed.columns]  # jig.series.SERIES order
MONTH_BYTES = 4 * len(SERIES_COLUMNS)  # a month of a packed series: six 4-byte counts


def month_of(at: str) -> str:
    """SQL for the first day of the UK month of a timestamp column."""
    return f"date_trunc('month', {at} AT TIME ZONE %(tz)s)::date"
