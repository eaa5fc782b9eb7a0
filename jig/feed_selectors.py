"""Reads for the feed pages and the feeds API: batches, the matching queue and its rules.

Who sees which batch:

* people who send feeds (partner users and systems of an ambulance or acute trust) see
  their own trust's batches;
* people who read risk from anywhere else (commissioners, quality officers, the JIG) and
  administrators see every batch;
* nobody else (care home managers included) sees any.

The matching queue follows the same rule: a sender sees only the waiting records their own
trust sent. Every list here runs a fixed number of queries, whatever its length.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from carehomes.models import CareHome
from carehomes.selectors import carehomes_visible_to
from commissioning import access

from .choices import MatchStatus
from .feeds.codes import FeedKind
from .loading import MODELS, describe_key
from .models import FeedBatch, HomeMatchRule

ALL_SOURCES = None  # a scope: every trust's batches
EVENT_FIELDS = {FeedKind.AMBULANCE: "called_at", FeedKind.HOSPITAL: "arrived_at"}
MAX_CANDIDATES = 20


def can_see_feeds(user) -> bool:
    """Whether the feed pages are for this user at all (senders and risk readers)."""
    return access.allowed(user, access.Action.SEND_FEED) or access.allowed(user, access.Action.READ_RISK)


def feed_source_scope(user) -> set[int] | None:
    """The trusts whose batches and records this user may see: ``None`` for every trust."""
    if access.is_unrestricted(user):
        return ALL_SOURCES
    own: set[int] = set()
    for m in access.memberships(user):
        actions = access.ROLE_ACTIONS.get(m.role, frozenset())
        if access.Action.SEND_FEED in actions:
            own.add(m.organisation_id)
        elif access.Action.READ_RISK in actions:
            return ALL_SOURCES
    return own


def _scoped(queryset: QuerySet, user) -> QuerySet:
    if not can_see_feeds(user):
        return queryset.none()
    scope = feed_source_scope(user)
    return queryset if scope is ALL_SOURCES else queryset.filter(source__in=scope)


def feed_batches_visible_to(user, *, detail: bool = False) -> QuerySet:
    """The batches this user may see, newest first: for a list without the problems and
    warnings (they can be long), with them for ``detail``; never the file."""
    batches = FeedBatch.objects.select_related("source", "requested_by").order_by("-requested_on", "-pk")
    long_fields = ("content", "log") if detail else ("content", "errors", "warnings", "log")
    batches = batches.defer(*long_fields)
    return _scoped(batches, user)


def feed_batch_for(user, pk: int) -> FeedBatch:
    """One batch with its problems, or 404 when it is missing or not this user's to see."""
    return get_object_or_404(feed_batches_visible_to(user, detail=True), pk=pk)


# --- The matching queue -----------------------------------------------------------------------

@dataclass
class QueueKey:
    """One match key waiting in the queue, with what both feeds hold under it."""

    key: str
    description: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # by feed kind
    sources: set[str] = field(default_factory=set)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    names: set[str] = field(default_factory=set)  # the home names sent with it
    postcodes: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def kind_counts(self) -> list[tuple[str, int]]:
        return [(FeedKind(kind).label, self.counts.get(kind, 0)) for kind in FeedKind.values]


def _waiting(model, user) -> QuerySet:
    return _scoped(model.objects.filter(match_status=MatchStatus.UNMATCHED), user)


def matching_queue(user, key: str | None = None) -> list[QueueKey]:
    """The keys of records waiting for a home, most records first: one GROUP BY per feed."""
    keys: dict[str, QueueKey] = {}
    for kind, model in MODELS.items():
        waiting = _waiting(model, user)
        if key is not None:
            waiting = waiting.filter(match_key=key)
        when = EVENT_FIELDS[kind]
        rows = (waiting.order_by().values("match_key").annotate(
            n=Count("pk"), first=Min(when), last=Max(when),
            sources=ArrayAgg("source__name", distinct=True),
            names=ArrayAgg("home_name", distinct=True, filter=~Q(home_name="")),
            postcodes=ArrayAgg("home_postcode", distinct=True, filter=~Q(home_postcode=""))))
        for row in rows:
            entry = keys.setdefault(row["match_key"], QueueKey(row["match_key"],
                                                               describe_key(row["match_key"])))
            entry.counts[kind] = row["n"]
            entry.sources.update(row["sources"])
            entry.names.update(row["names"] or ())
            entry.postcodes.update(row["postcodes"] or ())
            entry.first = min(filter(None, [entry.first, row["first"]]))
            entry.last = max(filter(None, [entry.last, row["last"]]))
    return sorted(keys.values(), key=lambda k: (-k.total, k.key))


def matching_key_for(user, key: str) -> QueueKey:
    """A key as the resolve page shows it: waiting records, or a remembered rule, else 404."""
    found = matching_queue(user, key)
    if found:
        return found[0]
    if HomeMatchRule.objects.filter(match_key=key).exists():
        return QueueKey(key, describe_key(key))
    raise Http404("Nothing is waiting with that key")


def matching_records(user, key: str, limit: int = 10) -> dict[str, list]:
    """A few waiting records of one key from each feed, newest first, to help decide."""
    out = {}
    for kind, model in MODELS.items():
        out[kind] = list(_waiting(model, user).filter(match_key=key).select_related("source")
                         .order_by(f"-{EVENT_FIELDS[kind]}")[:limit])
    return out


def match_rules(user) -> QuerySet:
    """The remembered decisions (key → home, or none of ours), for people who read risk: rules
    naming a home only when that home is theirs to see."""
    if not access.allowed(user, access.Action.READ_RISK):
        return HomeMatchRule.objects.none()
    visible = Q(care_home__isnull=True) | Q(care_home__in=carehomes_visible_to(user, access.Action.VIEW))
    return (HomeMatchRule.objects.filter(visible).select_related("care_home", "created_by")
            .order_by("-created_on", "pk"))


def match_rule_for(key: str) -> HomeMatchRule | None:
    return HomeMatchRule.objects.select_related("care_home").filter(match_key=key).first()


def match_candidates(user, queue_key: QueueKey, search: str = "") -> list[CareHome]:
    """Homes this user may match records to: those found by ``search`` (name, postcode or
    CQC ID), or else suggestions from the key (same CQC ID, ODS code or postcode)."""
    homes = carehomes_visible_to(user, access.Action.VIEW).order_by("name", "pk")
    search = search.strip()
    if search:
        compact = search.replace(" ", "").upper()
        return list(homes.filter(
            Q(name__icontains=search) | Q(cqc_location_id__iexact=search)
            | Q(postcode__iexact=search) | Q(postcode__istartswith=search)
            | Q(location_ods_code__iexact=compact))[:MAX_CANDIDATES])
    kind, _, value = queue_key.key.partition(":")
    suggest = Q(pk__in=[])
    postcodes = set(queue_key.postcodes)
    if kind == "cqc":
        suggest |= Q(cqc_location_id=value)
    elif kind == "ods":
        suggest |= Q(location_ods_code__iexact=value)
    else:
        postcodes.add(value.partition("|")[0])
    postcodes.discard("")
    if postcodes:
        suggest |= Q(postcode__in=postcodes)
    return list(homes.filter(suggest)[:MAX_CANDIDATES])


def match_homes(user, pks: list[int]) -> list[CareHome]:
    """The homes among ``pks`` that this user may match records to."""
    return list(carehomes_visible_to(user, access.Action.VIEW).filter(pk__in=pks))
