"""API clients for the people of the ``area`` fixture: the partner system by token, the rest by session."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commissioning.choices import Role

ANONYMOUS = "anonymous"
# Every key of ``area.users``, and nobody signed in.
EVERYONE = [Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER, Role.JIG_CHAIR,
            Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR, "manager_one_home",
            "no_role", ANONYMOUS]


def token_client(user) -> APIClient:
    """A client that authenticates as a partner system does: ``Authorization: Token <key>``."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def session_client(user) -> APIClient:
    """A client signed in to the portal (the session cookie a browser would send)."""
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def api_for(area):
    """``api_for(key)``: an API client for ``area.users[key]``, or an anonymous one.

    The partner system authenticates with its token, people with their session.
    """

    def make(key) -> APIClient:
        if key == ANONYMOUS:
            return APIClient()
        user = area.users[key]
        return token_client(user) if key == Role.PARTNER_SYSTEM else session_client(user)

    return make
