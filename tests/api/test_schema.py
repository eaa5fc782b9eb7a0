"""The API's contract: a valid OpenAPI 3 schema, offline docs, and responses that keep to the schema."""

import json
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from carehomes.services import cqc_import_record
from commissioning.choices import Role
from tests.carehomes.factories import CqcRatingFactory

pytestmark = pytest.mark.django_db

CDN_HOSTS = ("cdn.jsdelivr", "unpkg", "cdnjs", "googleapis", "fastly")


def test_the_schema_is_a_valid_openapi_3_document():
    document = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(document)  # raises on any departure from the OpenAPI 3 meta-schema
    assert document["openapi"].startswith("3.")


def test_the_schema_generates_without_warnings(tmp_path):
    """A warning means drf-spectacular had to guess a type: the published contract is vague."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_the_schema_endpoint_describes_every_resource(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/care-homes/", "/api/v1/care-homes/{cqc_location_id}/",
            "/api/v1/organisations/", "/api/v1/organisations/{id}/",
            "/api/v1/cqc-imports/", "/api/v1/cqc-imports/{id}/"} <= set(document["paths"])
    assert "tokenAuth" in document["components"]["securitySchemes"]
    detail = document["paths"]["/api/v1/care-homes/{cqc_location_id}/"]["get"]
    assert detail["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CareHomeDetail"}
    assert "cqc_ratings" in document["components"]["schemas"]["CareHomeDetail"]["properties"]


@pytest.mark.parametrize("url", ["/api/docs/"])
def test_the_docs_render_from_our_own_static_files_with_no_cdn(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert not [host for host in CDN_HOSTS if host in html]
    assert not re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html), "loads from another site"
    assets = re.findall(r"""(?:src|href)=["']/static/([^"']+)["']""", html)
    assert assets, "the page loads no scripts from /static/"
    assert all(finders.find(asset.split("?")[0]) for asset in assets), assets


# Property-based: schemathesis generates requests for every GET operation from the schema
# and calls the WSGI application in-process with a partner system's token. (The schema is
# built here rather than through a pytest fixture: schemathesis's lazy fixture loader uses a
# private pytest attribute that pytest 9 no longer has.)

def _schema() -> schemathesis.schemas.BaseSchema:
    from commissioning.wsgi import application

    document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True),
                                     default=str))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    return loaded


schema = _schema()


@pytest.fixture
def requests_keep_the_test_transaction():
    """Calls into the WSGI app must not close the connection holding the test's transaction.

    Django's test client does the same for its own requests.
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def partner_token(area, requests_keep_the_test_transaction) -> dict:
    """The partner system's ``Authorization`` header; the area gives it homes to see."""
    token, _ = Token.objects.get_or_create(user=area.users[Role.PARTNER_SYSTEM])
    return {"Authorization": f"Token {token.key}"}


@schema.include(method="GET").parametrize()
@settings(max_examples=10, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_get_endpoint_keeps_to_its_schema_and_never_fails(case, partner_token):
    case.call_and_validate(
        headers=partner_token,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )


@pytest.mark.parametrize(("path", "who"), [("/api/v1/care-homes/", Role.PARTNER_SYSTEM),
                                           ("/api/v1/organisations/", Role.PARTNER_SYSTEM),
                                           ("/api/v1/cqc-imports/", Role.ADMINISTRATOR)])
def test_a_full_page_validates_against_the_schema(area, requests_keep_the_test_transaction,
                                                  path, who):
    """The property test mostly meets 404s and 400s; this checks pages of real rows."""
    for user in (None, area.users[Role.ADMINISTRATOR]):  # imports by a command, and by a person
        cqc_import_record(filename="directory.csv", content=b"Location ID\n", user=user)
    token, _ = Token.objects.get_or_create(user=area.users[who])
    case = schema[path]["GET"].Case()
    response = case.call(headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200 and response.json()["count"] >= 2
    case.validate_response(response, checks=[response_schema_conformance])


def test_a_home_with_its_ratings_validates_against_the_schema(area, partner_token):
    CqcRatingFactory(care_home=area.home)
    case = schema["/api/v1/care-homes/{cqc_location_id}/"]["GET"].Case(
        path_parameters={"cqc_location_id": area.home.cqc_location_id})
    response = case.call(headers=partner_token)
    assert response.status_code == 200 and response.json()["cqc_ratings"]
    case.validate_response(response, checks=[response_schema_conformance])


def test_partner_developers_can_read_the_schema_without_signing_in():
    assert APIClient().get("/api/schema/").status_code == 200
