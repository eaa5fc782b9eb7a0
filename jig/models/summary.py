"""The feeds summed per home and month, for the risk recompute, and the notes that keep it right.

Both tables are derived from the feed records and written only by ``jig.summary`` (and by the
database trigger its migration installs); nobody edits them, so they have no pages, admin or
API. See docs/decisions/0008-feed-months-summary.md.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from ..feeds.codes import FeedKind


class FeedMonth(models.Model):
    """One home's six feed series for one calendar month in UK time: what the recompute reads.

    A row exists for each (home, month) that has had matched records; counts that fall to
    nothing stay as zeros. The ambulance columns and the hospital columns are refreshed
    separately, each from its own table.
    """

    pk = models.CompositePrimaryKey("care_home", "month")
    # Not a database foreign key: a home with feed records cannot be deleted (the records
    # protect it), and the refresh writes hundreds of thousands of rows at once.
    care_home = models.ForeignKey("carehomes.CareHome", on_delete=models.DO_NOTHING, related_name="+",
                                  db_constraint=False, db_index=False)
    month = models.DateField(help_text="The first day of the month.")
    callouts = models.IntegerField(db_default=0)
    conveyed = models.IntegerField(db_default=0)
    falls_callouts = models.IntegerField(db_default=0)
    emergency_admissions = models.IntegerField(db_default=0)
    ae_attendances = models.IntegerField(db_default=0)
    bed_days = models.IntegerField(db_default=0)

    class Meta:
        verbose_name = "feed month"
        constraints = [models.CheckConstraint(condition=models.Q(month__day=1), name="feed_month_first_day")]

    def __str__(self) -> str:
        return f"Feeds of home {self.care_home_id} in {self.month:%B %Y}"


class FeedSeries(models.Model):
    """Every month of one home's six series, packed into one value, for the recompute to read
    15,000 short rows rather than 360,000 (rebuilt from ``FeedMonth`` when a month changes).

    ``counts`` holds, for each month from ``first_month`` to the home's last month in
    ``FeedMonth`` (none missing), the six counts in ``jig.series.SERIES`` order, each a
    big-endian 4-byte integer as ``int4send`` writes it: 24 bytes a month.
    """

    care_home = models.OneToOneField("carehomes.CareHome", primary_key=True, on_delete=models.DO_NOTHING,
                                     related_name="+", db_constraint=False)
    first_month = models.DateField()
    counts = models.BinaryField()

    class Meta:
        verbose_name = "feed series"
        verbose_name_plural = "feed series"

    def __str__(self) -> str:
        return f"Feed series of home {self.care_home_id} from {self.first_month:%B %Y}"


class FeedMonthChange(models.Model):
    """A note that some of a feed's counts may be out of date: one row per write that changed
    records, so a batch of 70,000 records costs one row, not 15,000.

    Its homes (``care_home_ids``) each come with the first and last month to count again
    (``first_months``, ``last_months``, in step); an empty month means every month of that home,
    and no homes at all (null) means every home and month of the feed, as the trigger notes
    when records change without a note of their own. ``jig.summary.refresh`` takes the notes
    and counts those months again.
    """

    kind = models.CharField(max_length=16, choices=FeedKind.choices)
    care_home_ids = ArrayField(models.BigIntegerField(), null=True)
    first_months = ArrayField(models.DateField(null=True), null=True)
    last_months = ArrayField(models.DateField(null=True), null=True)

    class Meta:
        verbose_name = "feed month change"

    def __str__(self) -> str:
        homes = "every home" if self.care_home_ids is None else f"{len(self.care_home_ids)} homes"
        return f"{self.get_kind_display()}: {homes}"
