"""The access module decides what each user may see, whatever asks."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404

from carehomes.models import CareHome, CqcRating
from commissioning import access
from commissioning.choices import CommissionerKind, OrganisationKind, Role
from commissioning.models import Organisation
from commissioning.services import membership_create
from tests.carehomes.factories import CareHomeFactory, CqcRatingFactory
from tests.commissioning.factories import MembershipFactory, NhsCommissionerFactory, UserFactory

pytestmark = pytest.mark.django_db


def visible(user, model=CareHome, action=access.Action.VIEW):
    return set(access.restrict(model.objects.all(), user, action))


def test_council_staff_see_their_councils_homes(area):
    assert visible(area.users[Role.COMMISSIONER]) == {area.home, area.second_home}


def test_an_icb_sees_the_homes_of_its_sub_icb_locations(area):
    icb = NhsCommissionerFactory(commissioner_kind=CommissionerKind.ICB)
    area.commissioner.parent = icb
    area.commissioner.save()
    user = MembershipFactory(organisation=icb, role=Role.COMMISSIONER).user
    assert visible(user) == {area.home, area.second_home}


def test_a_manager_sees_all_their_providers_homes_or_only_the_named_ones(area):
    assert visible(area.users[Role.CARE_HOME_MANAGER]) == {area.home, area.second_home}
    assert visible(area.users["manager_one_home"]) == {area.home}


def test_a_manager_named_on_another_providers_home_still_cannot_see_it(area):
    membership = area.users["manager_one_home"].memberships.get()
    membership.care_homes.add(area.other_home)  # a mistake made in the admin
    assert visible(UserFactory._meta.model.objects.get(pk=membership.user_id)) == {area.home}


def test_partners_see_the_served_area_only(area):
    unserved = CareHomeFactory(local_authority__is_served=False)
    seen = visible(area.users[Role.PARTNER_SYSTEM])
    assert {area.home, area.second_home, area.other_home} <= seen
    assert unserved not in seen


def test_people_without_a_role_and_anonymous_people_see_nothing(area):
    from django.contrib.auth.models import AnonymousUser

    assert visible(area.users["no_role"]) == set()
    assert visible(AnonymousUser()) == set()


def test_inactive_memberships_and_users_give_no_access(area):
    user = area.users[Role.COMMISSIONER]
    user.memberships.update(is_active=False)
    assert visible(UserFactory._meta.model.objects.get(pk=user.pk)) == set()
    admin = area.users[Role.ADMINISTRATOR]
    admin.is_active = False
    assert visible(admin) == set()


def test_related_records_follow_their_homes_visibility(area):
    mine = CqcRatingFactory(care_home=area.home)
    CqcRatingFactory(care_home=area.other_home)
    assert visible(area.users[Role.CARE_HOME_MANAGER], CqcRating) == {mine}


def test_actions_follow_the_role(area):
    assert visible(area.users[Role.QUALITY_OFFICER], action=access.Action.CHANGE) == set()
    assert visible(area.users[Role.COMMISSIONER], action=access.Action.CHANGE) == {
        area.home, area.second_home}
    assert not access.allowed(area.users[Role.JIG_MEMBER], access.Action.EXPORT)
    assert access.allowed(area.users[Role.COMMISSIONER], access.Action.IMPORT)


def test_get_object_or_404_hides_that_another_home_exists(area):
    manager = area.users[Role.CARE_HOME_MANAGER]
    with pytest.raises(Http404):
        access.get_object_or_404(CareHome.objects.all(), manager, pk=area.other_home.pk)
    with pytest.raises(Http404):
        access.get_object_or_404(CareHome.objects.all(), manager, pk=999_999)


def test_providers_staff_see_public_bodies_but_not_other_providers(area):
    seen = visible(area.users[Role.CARE_HOME_MANAGER], Organisation)
    assert area.provider in seen and area.council in seen
    assert area.other_provider not in seen
    assert area.other_provider in visible(area.users[Role.COMMISSIONER], Organisation)


def test_a_model_that_does_not_declare_its_scope_is_refused(area):
    from carehomes.models import GpPractice

    with pytest.raises(ImproperlyConfigured):
        access.restrict(GpPractice.objects.all(), area.users[Role.COMMISSIONER])


def test_memberships_are_loaded_once_per_request_user(area, django_assert_num_queries):
    user = UserFactory._meta.model.objects.get(pk=area.users[Role.COMMISSIONER].pk)
    with django_assert_num_queries(2):
        access.memberships(user)
        access.memberships(user)
        access.allowed(user, access.Action.VIEW)


def test_a_care_home_manager_membership_must_be_in_a_provider(area):
    with pytest.raises(ValidationError):
        membership_create(user=UserFactory(), organisation=area.council,
                          role=Role.CARE_HOME_MANAGER)
    with pytest.raises(ValidationError):
        membership_create(user=UserFactory(), organisation=area.provider,
                          role=Role.CARE_HOME_MANAGER, care_homes=[area.other_home])
    membership = membership_create(user=UserFactory(), organisation=area.provider,
                                   role=Role.CARE_HOME_MANAGER, care_homes=[area.home])
    assert list(membership.care_homes.all()) == [area.home]


def test_the_primary_role_picks_the_landing_page(area):
    assert access.primary_role(area.users[Role.CARE_HOME_MANAGER]) == Role.CARE_HOME_MANAGER
    assert access.primary_role(area.users[Role.ADMINISTRATOR]) == Role.ADMINISTRATOR
    assert access.primary_role(area.users["no_role"]) is None
    assert area.provider.kind == OrganisationKind.CARE_PROVIDER
