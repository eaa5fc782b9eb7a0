"""The feeds summed per home and calendar month, so the risk recompute reads one short row
per home rather than grouping millions of records. See docs/decisions/0008-feed-months-summary.md.

* ``FeedMonth`` (``jig_feedmonth``): the six monthly series of ``jig.series`` for every (home,
  month in UK time) that has had matched records;
* ``FeedSeries`` (``jig_feedseries``): each home's months packed into one value, which is what
  the recompute reads (``monthly_counts``, as ``jig.series.monthly_counts`` gives them);
* ``FeedMonthChange`` (``jig_feedmonthchange``): notes of which months may be out of date.

Both summaries are only ever copies: ``refresh`` counts again, from the records, every month
noted since the last refresh, and every recompute refreshes first, under its lock, so ratings
always agree with the records. Who writes the notes (``notes``):

* the loader, inside ``merge_marked(cursor, kind)`` around its writes: one ``INSERT ...
  SELECT`` from its merge table (each home it touches, first to last month) and one row;
* ``homes_marked(home_ids)`` around any other change to some homes' records (a matching rule):
  every month of those homes is counted again;
* a statement-level trigger on both feed tables for everything else (the admin, a factory in
  a test, ``TRUNCATE``): a statement nobody vouched for notes every month of its feed, so a
  forgotten note costs a full recount at the next refresh, never a wrong rating.
"""

from .notes import MARKED_SETTING, homes_marked, mark_everything, merge_marked
from .reading import monthly_counts
from .refresh import FEED_MONTHS_LOCK, refresh
from .sources import FEEDS, MONTH_BYTES, SERIES_COLUMNS

__all__ = ["FEEDS", "FEED_MONTHS_LOCK", "MARKED_SETTING", "MONTH_BYTES", "SERIES_COLUMNS", "homes_marked",
           "mark_everything", "merge_marked", "monthly_counts", "refresh"]
