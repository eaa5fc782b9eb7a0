"""Every interval of the visit workflow, in one place (docs/visits.md).

All dates are UK dates (``timezone.localdate()`` in Europe/London), so a comment sent at
00:30 BST on the day after the window closes is late, though it is still the day before in UTC.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta

from ..choices import Rating

# The provider's factual-accuracy window: comments are accepted up to and including the
# shared date plus this many days.
COMMENT_WINDOW_DAYS = 14
# After a Requires improvement or Poor rating, the action plan is due this many days after
# the report is published.
ACTION_PLAN_DUE_DAYS = 14
# A home is due its next visit this many months after its last published visit, by the
# rating it got; any other rating (or none) uses REVISIT_MONTHS_DEFAULT.
REVISIT_MONTHS = {Rating.REQUIRES_IMPROVEMENT: 6, Rating.POOR: 6}
REVISIT_MONTHS_DEFAULT = 12


def comments_close_on(shared_on: dt.date) -> dt.date:
    """The last UK date on which the provider may comment on a draft shared on ``shared_on``."""
    return shared_on + dt.timedelta(days=COMMENT_WINDOW_DAYS)


def action_plan_due_on(published_on: dt.date) -> dt.date:
    """The last UK date for submitting the action plan after a report published on ``published_on``."""
    return published_on + dt.timedelta(days=ACTION_PLAN_DUE_DAYS)


def revisit_months(rating: str | None) -> int:
    return REVISIT_MONTHS.get(rating, REVISIT_MONTHS_DEFAULT)


def next_visit_due(last_visit_on: dt.date | None, rating: str | None) -> dt.date | None:
    """When a home is next due a visit (None: never visited, so due now). Month ends clamp:
    31 August + 6 months is 28 (or 29) February, as PostgreSQL's interval arithmetic does."""
    if last_visit_on is None:
        return None
    return last_visit_on + relativedelta(months=revisit_months(rating))
