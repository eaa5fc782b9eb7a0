import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from commissioning.choices import Role

pytestmark = pytest.mark.django_db


def test_issue_api_token_prints_a_token_and_rotates_it(area, capsys):
    user = area.users[Role.PARTNER_SYSTEM]
    call_command("issue_api_token", user.email)
    first = capsys.readouterr().out.strip()
    assert Token.objects.get(user=user).key == first
    call_command("issue_api_token", user.email, "--rotate")
    assert capsys.readouterr().out.strip() != first


def test_issue_api_token_refuses_an_account_without_a_role(area):
    with pytest.raises(CommandError, match="no role"):
        call_command("issue_api_token", area.users["no_role"].email)
