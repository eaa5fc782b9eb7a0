"""The assessment framework: the default version, copying and editing a draft, publishing it;
past visits keep the version (and the rating rule) they were made with."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carehomes.choices import RegistrationType
from quality.choices import FrameworkStatus, Rating, StandardModule, VisitStatus
from quality.models import FrameworkVersion, Standard
from quality.visits import services
from quality.visits.framework import framework_current, framework_problems, standards_for
from quality.visits.scoring import visit_assessment

from .factories import VisitFactory, drafted_visit, published_visit

pytestmark = pytest.mark.django_db

CORE_DOMAINS = {
    "Involvement and information": ["1", "2"],
    "Personalised care and support": ["3", "4", "5"],
    "Safeguarding and safety": ["6", "7", "8", "9", "10"],
    "Suitability of staffing": ["11", "12", "13"],
    "Quality of management": ["14", "15", "16"],
}


def test_version_one_has_the_16_standards_in_5_domains_and_a_medicines_module():
    version = framework_current()
    assert version.number == 1 and version.status == FrameworkStatus.PUBLISHED
    core = Standard.objects.filter(version=version, module=StandardModule.CORE)
    by_domain = {}
    for s in core.select_related("domain").order_by("domain__order", "order"):
        by_domain.setdefault(s.domain.title, []).append(s.code)
    assert by_domain == CORE_DOMAINS
    medicines = Standard.objects.filter(version=version, module=StandardModule.MEDICINES)
    assert medicines.count() == 4
    assert set(Standard.objects.filter(version=version, is_key=True).values_list("code", flat=True)) == {
        "3", "6", "8", "12", "M2"}
    for s in Standard.objects.filter(version=version).prefetch_related("questions"):
        questions = list(s.questions.all())
        assert 2 <= len(questions) <= 4, s.code
        assert all(q.guidance and q.evidence_prompts for q in questions), s.code
    assert framework_problems(version) == []


@pytest.mark.parametrize(("registration", "medicines"), [(RegistrationType.RESIDENTIAL, False),
                                                         (RegistrationType.NURSING, True),
                                                         (RegistrationType.DUAL, True)])
def test_medicines_management_applies_to_homes_registered_for_nursing(registration, medicines):
    codes = set(standards_for(framework_current(), registration).values_list("code", flat=True))
    assert len(codes) == (20 if medicines else 16)
    assert ("M2" in codes) is medicines


def test_commissioners_copy_edit_and_publish_a_version_and_past_visits_keep_theirs(area, people):
    old_visit = published_visit(area.home, people, by_standard={"12": 1})
    assert old_visit.published_rating == Rating.REQUIRES_IMPROVEMENT  # staffing is key
    user = people.council_officer
    v1 = framework_current()
    v2 = services.framework_copy(source=v1, user=user, name="Framework 2027")
    assert v2.number == 2 and v2.status == FrameworkStatus.DRAFT and v2.based_on == v1
    assert v2.standards.count() == v1.standards.count()
    staffing = v2.standards.get(code="12")
    services.standard_save(domain=staffing.domain, user=user, standard=staffing, is_key=False, weight=2)
    services.question_save(standard=staffing, user=user, text="Are staff deployed well at night?",
                           guidance="Visit at night if you can.", evidence_prompts=["Night rotas"])
    rule = {**v2.rating_rule, "overall": {**v2.rating_rule["overall"], "caps": []}}
    services.framework_update(version=v2, user=user, rating_rule=rule)
    services.framework_publish(version=v2, user=user, notes="Staffing weighted double; no caps.")

    v1.refresh_from_db()
    assert v1.status == FrameworkStatus.RETIRED and framework_current() == v2
    old_visit.refresh_from_db()
    assert old_visit.framework_version == v1
    assert visit_assessment(old_visit).overall.rating == Rating.REQUIRES_IMPROVEMENT  # still capped by v1
    assert old_visit.standard_ratings.filter(standard__version=v1).count() == 16
    new_visit = drafted_visit(area.second_home, people, by_standard={"12": 1})
    assert new_visit.framework_version == v2
    assert new_visit.indicative_rating == Rating.GOOD  # no cap in version 2
    assert new_visit.answers.filter(question__standard__code="12").count() == 4


def test_a_published_version_never_changes(area, people):
    v1 = framework_current()
    standard = v1.standards.get(code="1")
    with pytest.raises(ValidationError, match="Copy it to make a new version"):
        services.standard_save(domain=standard.domain, user=people.council_officer, standard=standard,
                               weight=5)
    with pytest.raises(ValidationError):
        services.framework_update(version=v1, user=people.council_officer, name="Renamed")


def test_only_commissioners_change_the_framework(area, people):
    for user in (people.officer, people.manager, people.senior):
        with pytest.raises(PermissionDenied):
            services.framework_copy(source=framework_current(), user=user)
    assert FrameworkVersion.objects.count() == 1


def test_a_draft_with_gaps_or_a_bad_rule_is_not_published(area, people):
    user = people.council_officer
    draft = services.framework_copy(source=framework_current(), user=user)
    domain = draft.domains.first()
    services.standard_save(domain=domain, user=user, code="17", title="Visiting")
    with pytest.raises(ValidationError, match="Standard 17 has no questions"):
        services.framework_publish(version=draft, user=user, notes="Adds visiting.")
    with pytest.raises(ValidationError, match="must be above"):
        services.framework_update(version=draft, user=user, rating_rule={
            **draft.rating_rule,
            "standard": {"bands": {"excellent": 2, "good": 3, "requires_improvement": 1.5}}})
    with pytest.raises(ValidationError, match="already"):  # codes stay unique in a version
        services.standard_save(domain=domain, user=user, code="1", title="Another")
    services.framework_item_remove(item=draft.standards.get(code="17"), user=user)
    services.framework_publish(version=draft, user=user, notes="No change.")


def test_a_visit_keeps_its_version_even_while_under_way(area, people):
    visit = VisitFactory(care_home=area.home)
    draft = services.framework_copy(source=framework_current(), user=people.council_officer)
    services.framework_publish(version=draft, user=people.council_officer, notes="Same again.")
    visit.refresh_from_db()
    assert visit.framework_version.number == 1 and visit.status == VisitStatus.PLANNED
