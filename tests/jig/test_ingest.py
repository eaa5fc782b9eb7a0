"""Loading feed files: all-or-nothing, idempotent, corrections, matching and the queue."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.choices import JobStatus, Role
from jig.choices import MatchStatus
from jig.models import AmbulanceIncident, FeedBatch, HomeMatchRule, HospitalActivity, RiskRecompute
from jig.services import feed_sources, feed_upload_create, match_rule_save
from tests.commissioning.factories import AcuteTrustFactory, AmbulanceTrustFactory, MembershipFactory

from .feed_files import ambulance_csv, ambulance_row, hospital_csv, hospital_row

pytestmark = pytest.mark.django_db(transaction=True)  # uploads run on commit (Celery eager)


@pytest.fixture
def sender(area):
    return area.users[Role.PARTNER_SYSTEM]


@pytest.fixture
def trust(sender):
    return sender.memberships.get().organisation


def upload(sender, trust, content: bytes, kind="ambulance", filename="incidents.csv") -> FeedBatch:
    batch = feed_upload_create(kind=kind, source=trust, filename=filename, content=content, user=sender)
    batch.refresh_from_db()
    return batch


def test_a_file_is_stored_matched_by_each_identifier_and_counted(area, sender, trust):
    area.home.location_ods_code = "VN3AB"
    area.home.save()
    content = ambulance_csv([
        ambulance_row("A-1", area.home),
        ambulance_row("A-2", cqc="", ods="VN3AB", outcome="See and treat"),
        ambulance_row("A-3", cqc="", postcode=area.second_home.postcode,
                      name=f"  {area.second_home.name.lower()}. ", outcome="Hear and treat"),
        ambulance_row("A-4", cqc="1-999999999"),
    ])

    batch = upload(sender, trust, content)

    assert batch.status == JobStatus.SUCCEEDED, batch.errors
    assert (batch.rows_received, batch.rows_accepted, batch.rows_updated, batch.rows_unchanged,
            batch.rows_rejected, batch.rows_unmatched) == (4, 4, 0, 0, 0, 1)
    assert batch.checksum and batch.content is None
    homes = dict(AmbulanceIncident.objects.values_list("source_record_id", "care_home_id"))
    assert homes == {"A-1": area.home.pk, "A-2": area.home.pk, "A-3": area.second_home.pk, "A-4": None}
    waiting = AmbulanceIncident.objects.get(source_record_id="A-4")
    assert (waiting.match_status, waiting.match_key) == (MatchStatus.UNMATCHED, "cqc:1-999999999")
    assert batch.homes_affected == 2
    recompute = RiskRecompute.objects.get(batch=batch)
    assert sorted(recompute.home_ids) == sorted([area.home.pk, area.second_home.pk])


def test_sending_the_same_file_again_changes_nothing(area, sender, trust):
    content = ambulance_csv([ambulance_row(f"A-{n}", area.home) for n in range(5)])
    upload(sender, trust, content)

    again = upload(sender, trust, content)

    assert (again.rows_accepted, again.rows_updated, again.rows_unchanged) == (0, 0, 5)
    assert AmbulanceIncident.objects.count() == 5
    assert again.homes_affected == 0
    assert not RiskRecompute.objects.filter(batch=again).exists()


def test_a_correction_updates_its_one_record_and_both_homes_are_recomputed(area, sender, trust):
    upload(sender, trust, ambulance_csv([ambulance_row("A-1", area.home), ambulance_row("A-2", area.home)]))

    corrected = upload(sender, trust, ambulance_csv([
        ambulance_row("A-1", area.second_home, outcome="See and treat", category="C3"),
        ambulance_row("A-2", area.home),
    ]))

    assert (corrected.rows_accepted, corrected.rows_updated, corrected.rows_unchanged) == (0, 1, 1)
    record = AmbulanceIncident.objects.get(source_record_id="A-1")
    assert (record.care_home, record.outcome, record.response_category, record.conveyed_to_site) == (
        area.second_home, "see_and_treat", "C3", "")
    assert record.batch == corrected
    assert AmbulanceIncident.objects.get(source_record_id="A-2").batch != corrected
    assert sorted(RiskRecompute.objects.get(batch=corrected).home_ids) == sorted(
        [area.home.pk, area.second_home.pk])


def test_the_same_record_id_from_another_trust_is_another_record(area, sender, trust):
    other_trust = AmbulanceTrustFactory()
    other_sender = MembershipFactory(role=Role.PARTNER_SYSTEM, organisation=other_trust).user
    upload(sender, trust, ambulance_csv([ambulance_row("A-1", area.home)]))
    upload(other_sender, other_trust, ambulance_csv([ambulance_row("A-1", area.home)]))
    assert AmbulanceIncident.objects.filter(source_record_id="A-1").count() == 2


def test_a_file_with_one_valid_nhs_number_is_refused_whole(area, sender, trust):
    rows = [ambulance_row(f"A-{n}", area.home) for n in range(3)]
    rows[1][7] = "Fall, patient 943 476 5919"  # a valid NHS number (modulus 11)

    batch = upload(sender, trust, ambulance_csv(rows))

    assert batch.status == JobStatus.REJECTED and batch.refused
    assert (batch.rows_received, batch.rows_rejected, batch.rows_accepted) == (3, 3, 0)
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "Chief complaint")]
    assert "9434765919" not in str(batch.errors) and "943 476 5919" not in str(batch.errors)
    assert "NHS number" in batch.errors[0]["message"]
    assert not AmbulanceIncident.objects.exists()
    assert batch.content is None


def test_one_bad_row_rejects_the_file_with_its_row_and_column(area, sender, trust):
    rows = [ambulance_row("A-1", area.home), ambulance_row("A-2", area.home, category="C9")]

    batch = upload(sender, trust, ambulance_csv(rows))

    assert batch.status == JobStatus.REJECTED and not batch.refused
    assert [(e["row"], e["column"], e["value"]) for e in batch.errors] == [(3, "Response category", "C9")]
    assert not AmbulanceIncident.objects.exists()


def test_unmatched_records_wait_then_a_rule_resolves_them_and_later_batches(area, sender, trust):
    commissioner = area.users[Role.COMMISSIONER]
    row = ambulance_row("A-1", cqc="", postcode="SW1A 1AA", name="Rose Wood")
    upload(sender, trust, ambulance_csv([row]))
    record = AmbulanceIncident.objects.get()
    assert record.match_status == MatchStatus.UNMATCHED
    assert record.match_key == "home:SW1A 1AA|ROSE WOOD"

    resolved = match_rule_save(match_key=record.match_key, care_home=area.home, user=commissioner)

    assert resolved == 1
    record.refresh_from_db()
    assert (record.care_home, record.match_status) == (area.home, MatchStatus.MATCHED)
    assert HomeMatchRule.objects.get().created_by == commissioner
    later = upload(sender, trust, ambulance_csv([
        ambulance_row("A-2", cqc="", postcode="SW1A1AA", name="ROSE WOOD")]))
    assert later.rows_unmatched == 0
    assert AmbulanceIncident.objects.get(source_record_id="A-2").care_home == area.home


def test_a_key_marked_not_ours_leaves_the_queue_but_keeps_its_records(area, sender, trust):
    upload(sender, trust, ambulance_csv([ambulance_row("A-1", cqc="1-888888888")]))
    match_rule_save(match_key="cqc:1-888888888", care_home=None, user=area.users[Role.COMMISSIONER],
                    note="A home in another county")
    record = AmbulanceIncident.objects.get()
    assert (record.care_home, record.match_status) == (None, MatchStatus.OUTSIDE)
    match_rule_save(match_key="cqc:1-888888888", care_home=area.other_home,
                    user=area.users[Role.ADMINISTRATOR])
    record.refresh_from_db()
    assert (record.care_home, record.match_status) == (area.other_home, MatchStatus.MATCHED)


def test_only_commissioners_resolve_the_queue(area):
    with pytest.raises(PermissionDenied):
        match_rule_save(match_key="cqc:1-888888888", care_home=area.home, user=area.users[Role.JIG_MEMBER])


def test_hospital_records_derive_bed_days_and_emergency(area):
    trust = AcuteTrustFactory()
    sender = MembershipFactory(role=Role.PARTNER_SYSTEM, organisation=trust).user
    batch = upload(sender, trust, hospital_csv([
        hospital_row("H-1", area.home),
        hospital_row("H-2", area.home, method="11", discharged="14/03/2026"),
        hospital_row("H-3", area.home, kind="A&E attendance", discharged=""),
    ]), kind="hospital")
    assert batch.status == JobStatus.SUCCEEDED, batch.errors
    rows = {r.source_record_id: (r.is_emergency, r.bed_days) for r in HospitalActivity.objects.all()}
    assert rows == {"H-1": (True, 4), "H-2": (False, 0), "H-3": (False, None)}


def test_partners_send_only_as_their_own_trust_and_kind(area, sender, trust):
    assert list(feed_sources(sender, "ambulance")) == [trust]
    assert not feed_sources(sender, "hospital").exists()
    assert not feed_sources(area.users[Role.COMMISSIONER], "ambulance").exists()
    with pytest.raises(ValidationError, match="cannot send"):
        upload(sender, AmbulanceTrustFactory(), ambulance_csv([ambulance_row("A-1", area.home)]))
    other = AmbulanceTrustFactory()
    assert {trust, other} <= set(feed_sources(area.users[Role.ADMINISTRATOR], "ambulance"))


def test_an_unreadable_file_is_rejected_and_recorded(area, sender, trust):
    batch = upload(sender, trust, b"no header here\n1,2,3\n")
    assert batch.status == JobStatus.REJECTED
    assert batch.errors and batch.errors[0]["message"]


def test_remembered_rules_show_only_homes_the_reader_may_see(area):
    from jig.feed_selectors import match_rules

    admin = area.users[Role.ADMINISTRATOR]
    match_rule_save(match_key="cqc:1-777777777", care_home=area.other_home, user=admin)
    match_rule_save(match_key="cqc:1-666666666", care_home=area.home, user=admin)
    match_rule_save(match_key="cqc:1-555555555", care_home=None, user=admin, note="Not ours")

    seen = set(match_rules(area.users[Role.COMMISSIONER]).values_list("match_key", flat=True))

    assert seen == {"cqc:1-666666666", "cqc:1-555555555"}
    assert not match_rules(area.users[Role.CARE_HOME_MANAGER]).exists()


def test_the_trust_a_batch_is_sent_for(area, sender, trust):
    from jig.services import feed_source_for

    assert feed_source_for(user=sender, kind="ambulance") == trust
    trust.ods_code = "RYC"
    trust.save()
    assert feed_source_for(user=sender, kind="ambulance", ods_code=" ryc ") == trust
    with pytest.raises(PermissionDenied, match="cannot send ambulance incidents for RX1"):
        feed_source_for(user=sender, kind="ambulance", ods_code="RX1")
    with pytest.raises(PermissionDenied, match="cannot send hospital activity"):
        feed_source_for(user=sender, kind="hospital")
    AmbulanceTrustFactory()
    with pytest.raises(ValidationError, match="Say which trust"):
        feed_source_for(user=area.users[Role.ADMINISTRATOR], kind="ambulance")
