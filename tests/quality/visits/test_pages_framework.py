"""The framework's pages: reading a version and its rule in sentences, and a commissioner
copying, editing and publishing a draft; and the navigation to the visit pages."""

import pytest
from django.urls import reverse

from quality.choices import FrameworkStatus
from quality.models import FrameworkVersion
from quality.visits import services

from .pages import JM, SQ, A, C, M, Q, client_of

pytestmark = pytest.mark.django_db


def test_a_version_shows_its_standards_questions_and_rule(area, people):
    current = services.framework_current()
    page = client_of(area, people, M).get(reverse("visits:framework-detail", args=[current.pk]))
    content = page.content.decode()
    assert "Safeguarding and safety" in content and "6. Safeguarding" in content
    assert "Key standard" in content
    assert "A standard is rated from the weighted mean of its scores" in content
    assert "Copy this version" not in content  # managers do not change the framework


def test_a_commissioner_copies_edits_and_publishes_a_version(area, people):
    current = services.framework_current()
    client = client_of(area, people, C)
    copied = client.post(reverse("visits:framework-copy", args=[current.pk]), {"name": "Framework 2027"})
    draft = FrameworkVersion.objects.get(status=FrameworkStatus.DRAFT)
    assert copied.url == reverse("visits:framework-edit", args=[draft.pk]) and draft.name == "Framework 2027"
    edit = reverse("visits:framework-edit", args=[draft.pk])
    form = client.get(edit)
    assert "&quot;excellent&quot;: 3.5" in form.content.decode()  # the rule, as JSON to edit
    bad_rule = {**form.context["form"].initial, "rating_rule": '{"standard": {}}', "name": "Framework 2027",
                "applies-core": ["residential", "nursing", "dual"]}
    refused = client.post(edit, bad_rule)
    assert refused.status_code == 400
    assert refused.context["form"].errors["rating_rule"]  # the rule's mistakes, in words, by the field
    # A new domain with a standard and a question.
    client.post(reverse("visits:framework-domain-add", args=[draft.pk]), {"title": "Wellbeing"})
    domain = draft.domains.get(title="Wellbeing")
    client.post(reverse("visits:framework-standard-add", args=[draft.pk, domain.pk]), {
        "code": "17", "title": "Activities", "weight": "1", "module": "core"})
    new_standard = draft.standards.get(code="17")
    publish = reverse("visits:framework-publish", args=[draft.pk])
    assert "Standard 17 has no questions." in client.get(publish).content.decode()
    client.post(reverse("visits:framework-question-add", args=[draft.pk, new_standard.pk]), {
        "text": "Do people take part in activities they enjoy?", "weight": "1",
        "evidence_prompts": "Activity records\nWhat people say"})
    question = new_standard.questions.get()
    assert question.code == "17.1" and question.evidence_prompts == ["Activity records", "What people say"]
    assert client.post(publish, {"notes": ""}).status_code == 400
    client.post(publish, {"notes": "Adds standard 17, activities."})
    draft.refresh_from_db()
    current.refresh_from_db()
    assert draft.status == FrameworkStatus.PUBLISHED and current.status == FrameworkStatus.RETIRED
    # Published: it no longer changes.
    again = client.get(edit)
    assert again.status_code == 302 and again.url == reverse("visits:framework-detail", args=[draft.pk])


def test_items_are_removed_from_a_draft_only(area, people):
    current = services.framework_current()
    client = client_of(area, people, C)
    draft = services.framework_copy(source=current, user=area.users[C])
    question = draft.standards.get(code="1").questions.first()
    client.post(reverse("visits:framework-item-remove", args=[draft.pk, "question", question.pk]))
    assert not draft.standards.get(code="1").questions.filter(pk=question.pk).exists()
    published_question = current.standards.get(code="1").questions.first()
    client.post(reverse("visits:framework-item-remove", args=[current.pk, "question", published_question.pk]))
    assert current.standards.get(code="1").questions.filter(pk=published_question.pk).exists()


def nav(area, people, who) -> list[str]:
    return [label for label, _ in client_of(area, people, who).get(reverse("home")).context["portal_nav"]]


def test_the_navigation_offers_visits_to_officers_and_commissioners(area, people):
    for who in (C, Q, SQ, A):
        assert "Visits" in nav(area, people, who), who
    for who in (M, JM):
        assert "Visits" not in nav(area, people, who), who
    home_page = client_of(area, people, M).get(reverse("home")).content.decode()
    assert reverse("visits:visit-list") in home_page and reverse("visits:action-plans") in home_page
