"""Registry pages from the outside: who sees what, what the pages show, and their query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carehomes.choices import CqcRatingValue
from commissioning.choices import Role
from tests.carehomes.factories import CareHomeFactory, CqcRatingFactory, GpPracticeFactory

pytestmark = pytest.mark.django_db

C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE = "manager_one_home", "no_role"


def url(area, name, home="home"):
    if name in ("list", "export", "import-list"):
        return reverse(f"carehomes:{name}")
    return reverse(f"carehomes:{name}", args=[getattr(area, home).cqc_location_id])


# (page, which home, {who: expected status}); everyone not named gets the default.
MATRIX = [
    ("list", None, {NONE: 403}, 200),
    ("export", None, {JM: 403, P: 403, NONE: 403}, 200),
    ("import-list", None, {C: 200, A: 200}, 403),
    ("detail", "home", {NONE: 404}, 200),
    ("detail", "second_home", {ONE: 404, NONE: 404}, 200),
    ("detail", "other_home", {JM: 200, P: 200, A: 200}, 404),
    ("ratings-export", "home", {JM: 404, P: 404, NONE: 404}, 200),
    ("ratings-export", "other_home", {A: 200}, 404),
    ("edit", "home", {C: 200, A: 200}, 404),
    ("edit", "other_home", {A: 200}, 404),
]
WHO = [C, Q, M, JC, JM, P, A, ONE, NONE]


@pytest.mark.parametrize(("page", "home", "overrides", "default"), MATRIX,
                         ids=[f"{m[0]}-{m[1]}" for m in MATRIX])
@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(area, client_for, page, home, overrides, default, who):
    target = url(area, page, home) if home else url(area, page)
    response = client_for(area.users[who]).get(target)
    assert response.status_code == overrides.get(who, default)


@pytest.mark.parametrize("page", ["list", "export", "import-list"])
def test_anonymous_requests_get_nothing_but_the_sign_in_page(area, client, page):
    response = client.get(url(area, page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_anonymous_request_for_a_home_gets_nothing(area, client):
    response = client.get(url(area, "detail"))
    assert response.status_code == 302 and area.home.name.encode() not in response.content


def test_manager_gets_404_for_another_providers_home_on_page_and_export(area, client_for):
    manager = client_for(area.users[M])
    assert manager.get(url(area, "detail", "other_home")).status_code == 404
    assert manager.get(url(area, "ratings-export", "other_home")).status_code == 404
    export = b"".join(manager.get(url(area, "export")).streaming_content).decode()
    assert area.home.cqc_location_id in export
    assert area.other_home.cqc_location_id not in export


def test_manager_list_shows_only_their_providers_homes(area, client_for):
    content = client_for(area.users[M]).get(url(area, "list")).content.decode()
    assert area.home.name in content and area.second_home.name in content
    assert area.other_home.name not in content


def test_commissioner_sees_only_their_councils_homes(area, client_for):
    content = client_for(area.users[C]).get(url(area, "list")).content.decode()
    assert area.home.name in content and area.other_home.name not in content


def test_list_filters_by_rating_type_band_council_and_search(area, client_for):
    admin = client_for(area.users[A])
    area.home.cqc_overall_rating = CqcRatingValue.INADEQUATE
    area.home.registration_type = "nursing"
    area.home.service_user_bands = ["dementia"]
    area.home.save()
    for query in ["rating=inadequate", "registration_type=nursing", "band=dementia",
                  f"q={area.home.name}", f"q={area.home.cqc_location_id}"]:
        content = admin.get(f"{url(area, 'list')}?{query}").content.decode()
        assert area.home.name in content, query
        assert area.other_home.name not in content, query
    content = admin.get(f"{url(area, 'list')}?local_authority={area.other_council.pk}").content
    assert area.other_home.name.encode() in content and area.home.name.encode() not in content


def test_list_sorts_and_paginates(area, client_for):
    CareHomeFactory.create_batch(55, provider=area.provider, local_authority=area.council)
    admin = client_for(area.users[A])
    first = admin.get(f"{url(area, 'list')}?sort=-beds")
    assert first.context["page_obj"].paginator.num_pages == 2
    second = admin.get(f"{url(area, 'list')}?sort=-beds&page=2")
    assert len(second.context["homes"]) == 58 - 50


def test_export_is_safe_to_open_in_a_spreadsheet(area, client_for):
    area.home.name = "=HYPERLINK(\"http://evil\")"
    area.home.save()
    export = b"".join(client_for(area.users[C]).get(url(area, "export")).streaming_content)
    assert b"'=HYPERLINK" in export
    assert b",=HYPERLINK" not in export


def test_detail_shows_ratings_history_provider_and_gp_practice(area, client_for):
    area.home.gp_practice = GpPracticeFactory(name="Riverside Surgery")
    area.home.save()
    CqcRatingFactory(care_home=area.home, rating="good", published_on="2021-05-01")
    CqcRatingFactory(care_home=area.home, rating="inadequate", published_on="2025-05-01")
    content = client_for(area.users[C]).get(url(area, "detail")).content.decode()
    assert "Riverside Surgery" in content
    assert area.provider.name in content
    assert content.index("1 May 2025") < content.index("1 May 2021")  # newest first
    assert "Inadequate" in content and "Good" in content


def test_commissioner_aligns_a_gp_practice_and_the_change_is_audited(area, client_for):
    practice = GpPracticeFactory()
    commissioner = area.users[C]
    response = client_for(commissioner).post(url(area, "edit"), {"gp_practice": practice.pk})
    assert response.status_code == 302
    area.home.refresh_from_db()
    assert area.home.gp_practice == practice
    latest = area.home.history.latest()
    assert latest.history_user == commissioner and latest.gp_practice_id == practice.pk
    detail = client_for(commissioner).get(url(area, "detail")).content.decode()
    assert "Aligned GP practice" in detail


def test_manager_cannot_post_an_edit_to_a_home(area, client_for):
    practice = GpPracticeFactory()
    response = client_for(area.users[M]).post(url(area, "edit"), {"gp_practice": practice.pk})
    assert response.status_code == 404
    area.home.refresh_from_db()
    assert area.home.gp_practice is None


def _queries(client, target) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["list", "export"])
@pytest.mark.parametrize("who", [C, M, A])
def test_list_and_export_query_count_does_not_grow_with_homes(area, client_for, page, who):
    client = client_for(area.users[who])
    CareHomeFactory.create_batch(3, provider=area.provider, local_authority=area.council)
    few = _queries(client, url(area, page))
    CareHomeFactory.create_batch(40, provider=area.provider, local_authority=area.council,
                                 gp_practice=GpPracticeFactory())
    assert _queries(client, url(area, page)) == few


def test_home_page_query_count_does_not_grow_with_homes(area, client_for):
    client = client_for(area.users[C])
    few = _queries(client, reverse("home"))
    CareHomeFactory.create_batch(30, provider=area.provider, local_authority=area.council)
    assert _queries(client, reverse("home")) == few


def test_upload_page_runs_the_import_and_shows_the_result(area, client_for,
                                                          django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from carehomes.directory import Area, build_directory
    from tests.commissioning.factories import LocalAuthorityFactory

    LocalAuthorityFactory(name="Kingsmere Council", cqc_area_name="Kingsmere")
    content = build_directory([Area("Kingsmere", "E38000901", "NHS", "KM", 51.3, -0.2, 4)]
                              ).csv_bytes()
    client = client_for(area.users[C])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(area, "import-list"),
                               {"file": SimpleUploadedFile("directory.csv", content)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Succeeded" in page and "Homes created" in page
    status = client.get(response["Location"] + "status.json").json()
    assert status == {"status": "succeeded", "stage": "Finished", "percent": 100, "finished": True}


def test_upload_refuses_a_file_that_is_not_csv_or_xlsx(area, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(area.users[C]).post(
        url(area, "import-list"), {"file": SimpleUploadedFile("directory.pdf", b"%PDF")})
    assert response.status_code == 200
    assert "must be a CSV or XLSX" in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_change_history_says_what_changed_in_words(area, client_for):
    practice = GpPracticeFactory(name="Station Surgery")
    client = client_for(area.users[C])
    client.post(url(area, "edit"), {"gp_practice": practice.pk})
    detail = client.get(url(area, "detail")).content.decode()
    assert "Aligned GP practice: — → Station Surgery" in detail


def test_filter_choices_offer_only_the_councils_the_user_can_see(area, client_for):
    response = client_for(area.users[M]).get(url(area, "list"))
    councils = list(response.context["filterset"].form.fields["local_authority"].queryset)
    assert councils == [area.council]
    commissioners = response.context["filterset"].form.fields["nhs_commissioner"].queryset
    assert list(commissioners) == [area.commissioner]


def test_postcode_search_works_with_or_without_the_space(area, client_for):
    area.home.postcode = "KM1 2AB"
    area.home.save()
    for query in ["km12ab", "KM1 2AB", "KM1"]:
        content = client_for(area.users[A]).get(f"{url(area, 'list')}?q={query}").content.decode()
        assert area.home.name in content, query
        assert area.other_home.name not in content, query
