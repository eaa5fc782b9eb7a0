"""Factories for the JIG's feeds and risk model: batches, incidents, hospital activity, ratings."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from commissioning.choices import JobStatus
from jig.choices import Channel, MatchStatus, Rag, RecomputeScope
from jig.feeds.codes import FeedKind, HospitalKind, Outcome, ResponseCategory
from jig.models import (
    AmbulanceIncident,
    FeedBatch,
    HospitalActivity,
    RiskComponent,
    RiskModel,
    RiskRating,
    RiskRecompute,
)
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import AcuteTrustFactory, AmbulanceTrustFactory


class FeedBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedBatch

    kind = FeedKind.AMBULANCE
    source = factory.SubFactory(AmbulanceTrustFactory)
    channel = Channel.UPLOAD
    filename = "incidents.csv"
    checksum = factory.Sequence(lambda n: f"{n:064x}")
    status = JobStatus.SUCCEEDED


class HospitalBatchFactory(FeedBatchFactory):
    kind = FeedKind.HOSPITAL
    source = factory.SubFactory(AcuteTrustFactory)
    filename = "hospital.csv"


class _FeedRecordFactory(factory.django.DjangoModelFactory):
    source_record_id = factory.Sequence(lambda n: f"R{n:08d}")
    source = factory.SelfAttribute("batch.source")
    care_home = factory.SubFactory(CareHomeFactory)
    cqc_location_id = factory.LazyAttribute(lambda o: o.care_home.cqc_location_id if o.care_home else "")
    match_key = factory.LazyAttribute(lambda o: f"cqc:{o.cqc_location_id}" if o.cqc_location_id else "none")
    match_status = factory.LazyAttribute(
        lambda o: MatchStatus.MATCHED if o.care_home else MatchStatus.UNMATCHED)
    person_token = factory.Sequence(lambda n: f"person-{n}")


class AmbulanceIncidentFactory(_FeedRecordFactory):
    """A matched call-out: hear and treat, not a fall, unless told otherwise."""

    class Meta:
        model = AmbulanceIncident

    batch = factory.SubFactory(FeedBatchFactory)
    called_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=40))
    response_category = ResponseCategory.C3
    chief_complaint = "Breathing problems"
    outcome = Outcome.HEAR_AND_TREAT
    is_fall = False


class HospitalActivityFactory(_FeedRecordFactory):
    """A matched A&E attendance unless told otherwise (use ``admission=True`` for an
    emergency admission with bed days)."""

    class Meta:
        model = HospitalActivity

    class Params:
        admission = factory.Trait(kind=HospitalKind.ADMISSION, admission_method="21", is_emergency=True,
                                  bed_days=3)

    batch = factory.SubFactory(HospitalBatchFactory)
    kind = HospitalKind.AE_ATTENDANCE
    arrived_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=40))
    admission_method = ""
    is_emergency = False
    bed_days = None


class RiskModelFactory(factory.django.DjangoModelFactory):
    """A draft version; give ``is_current=True, published_on=...`` for a published one."""

    class Meta:
        model = RiskModel

    version = factory.Sequence(lambda n: 100 + n)
    name = factory.LazyAttribute(lambda o: f"Version {o.version}")
    amber_from = Decimal(25)
    red_from = Decimal(50)


class RiskComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskComponent

    model = factory.SubFactory(RiskModelFactory)
    code = "callouts_rate"
    weight = Decimal(15)
    amber_from = Decimal("1.25")
    red_from = Decimal("1.5")
    order = factory.Sequence(lambda n: n)


class RiskRecomputeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskRecompute

    scope = RecomputeScope.FULL
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))


def _current_model() -> RiskModel:
    from jig.risk.services import risk_model_current

    return risk_model_current()


class RiskRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskRating

    care_home = factory.SubFactory(CareHomeFactory)
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    model = factory.LazyFunction(lambda: _current_model())
    score = Decimal("30.00")
    rag = Rag.AMBER
    components = factory.LazyFunction(list)
    computed_on = factory.LazyFunction(timezone.now)
