"""Factories for the JIG's groups and meetings (direct rows, for tests that need many)."""

import datetime as dt

import factory
from django.utils import timezone

from jig.choices import (
    DocumentKind,
    IntelligenceCategory,
    JigActionStatus,
    JigRole,
    MeetingStatus,
    Sensitivity,
)
from jig.models import (
    ConfidentialitySignature,
    GroupDocument,
    JigAction,
    JigGroup,
    JigMembership,
    Meeting,
    SoftIntelligence,
)
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import AmbulanceTrustFactory, LocalAuthorityFactory, UserFactory


class JigGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JigGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Joint Intelligence Group {n}")

    @factory.post_generation
    def councils(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.councils.set(extracted)

    @factory.post_generation
    def commissioners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.commissioners.set(extracted)


class GroupDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupDocument

    group = factory.SubFactory(JigGroupFactory)
    kind = DocumentKind.CONFIDENTIALITY_STATEMENT
    version = factory.Sequence(lambda n: n + 1)
    text = "What is said here stays here."
    is_current = True


class JigMembershipFactory(factory.django.DjangoModelFactory):
    """A current seat; the user also needs a portal JIG role (``MembershipFactory``) to be a
    member, as ``membership_add`` gives them."""

    class Meta:
        model = JigMembership

    group = factory.SubFactory(JigGroupFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(AmbulanceTrustFactory)
    role = JigRole.MEMBER
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))


class MeetingFactory(factory.django.DjangoModelFactory):
    """This month's meeting, starting now, scheduled."""

    class Meta:
        model = Meeting

    group = factory.SubFactory(JigGroupFactory)
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    starts_at = factory.LazyAttribute(lambda o: timezone.make_aware(
        dt.datetime.combine(o.month.replace(day=15), dt.time(10))))
    status = MeetingStatus.SCHEDULED


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConfidentialitySignature

    meeting = factory.SubFactory(MeetingFactory)
    membership = factory.SubFactory(JigMembershipFactory, group=factory.SelfAttribute("..meeting.group"))
    user = factory.SelfAttribute("membership.user")
    statement = factory.SubFactory(GroupDocumentFactory, group=factory.SelfAttribute("..meeting.group"))


class SoftIntelligenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SoftIntelligence

    group = factory.SubFactory(JigGroupFactory)
    care_home = factory.SubFactory(CareHomeFactory)
    source_organisation = factory.SubFactory(LocalAuthorityFactory)
    reported_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=7))
    category = IntelligenceCategory.STAFFING
    sensitivity = Sensitivity.MEDIUM
    text = "Night staffing has been one carer short for three weeks."


class JigActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JigAction

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Action {n}: review the falls pathway")
    owner_organisation = factory.SubFactory(LocalAuthorityFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    status = JigActionStatus.OPEN
