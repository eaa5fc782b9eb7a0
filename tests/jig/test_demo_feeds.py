"""The demo feeds: 24 months of both feeds through the real upload path, idempotent."""

import pytest
from django.core.management import call_command

from commissioning.choices import JobStatus, Role
from commissioning.models import Membership
from jig.choices import MatchStatus
from jig.demo import UNKNOWN_CQC_ID, misspelt, person_token
from jig.feeds import identifiable
from jig.feeds.codes import FeedKind
from jig.loading import normalised_name
from jig.models import AmbulanceIncident, FeedBatch, HospitalActivity
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import AcuteTrustFactory, AmbulanceTrustFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db(transaction=True)  # each file is loaded in its own transaction


@pytest.fixture
def small_area():
    council = LocalAuthorityFactory()
    homes = [CareHomeFactory(local_authority=council, beds=beds) for beds in (12, 14, 30, 10)]
    return council, homes, AmbulanceTrustFactory(), AcuteTrustFactory()


def records() -> dict:
    return {model.__name__: model.objects.count() for model in (AmbulanceIncident, HospitalActivity)}


def test_the_demo_sends_both_feeds_by_month_and_sending_again_changes_nothing(small_area, capsys):
    _, homes, ambulance_trust, acute_trust = small_area

    call_command("seed_demo_feeds")

    batches = FeedBatch.objects.all()
    assert {b.status for b in batches} == {JobStatus.SUCCEEDED}
    assert {b.kind for b in batches} == set(FeedKind.values)
    assert 24 < batches.count() <= 48  # one file per trust and month, when there is something to send
    assert {b.source_id for b in batches.filter(kind=FeedKind.AMBULANCE)} == {ambulance_trust.pk}
    assert {b.source_id for b in batches.filter(kind=FeedKind.HOSPITAL)} == {acute_trust.pk}
    assert all(Membership.objects.filter(user=b.requested_by, organisation=b.source,
                                         role=Role.PARTNER_SYSTEM).exists() for b in batches)
    first = records()
    assert first["AmbulanceIncident"] > 100 and first["HospitalActivity"] > 50
    assert sum(b.rows_accepted for b in batches) == sum(first.values())
    matched = AmbulanceIncident.objects.filter(match_status=MatchStatus.MATCHED)
    assert set(matched.values_list("care_home_id", flat=True)) == {h.pk for h in homes}
    # the queue: an unknown CQC ID, and a home sent by postcode with its name misspelt
    waiting = set(AmbulanceIncident.objects.filter(match_status=MatchStatus.UNMATCHED)
                  .values_list("match_key", flat=True))
    assert f"cqc:{UNKNOWN_CQC_ID}" in waiting
    assert any(key.startswith("home:SM1 1EA|") for key in waiting)
    tokens = AmbulanceIncident.objects.values_list("person_token", flat=True)
    assert all(token.startswith("psd-") for token in tokens)
    assert len(set(tokens)) < len(tokens)  # repeat callers
    assert "Waiting in the matching queue" in capsys.readouterr().out
    sent_first = set(batches.values_list("pk", flat=True))

    call_command("seed_demo_feeds")

    assert records() == first
    again = FeedBatch.objects.exclude(pk__in=sent_first)
    assert again.count() == len(sent_first)
    assert {(b.status, b.rows_accepted, b.rows_updated) for b in again} == {(JobStatus.SUCCEEDED, 0, 0)}
    assert sum(b.rows_unchanged for b in again) == sum(first.values())


def test_demo_tokens_never_look_identifiable_and_are_stable():
    tokens = [person_token(2016, f"H{home:08x}", person) for home in range(50) for person in range(40)]
    assert all(identifiable.person_token_reason(t) is None for t in tokens)
    assert all(identifiable.value_reason(t) is None for t in tokens)
    assert len(set(tokens)) == len(tokens)
    assert person_token(2016, "Habc", 3) == person_token(2016, "Habc", 3)


def test_a_misspelt_name_no_longer_matches_the_home():
    for name in ("Rosewood House", "Oak Lodge Care Home", "Care Home 12", "Ash Rise"):
        assert normalised_name(misspelt(name)) != normalised_name(name)
