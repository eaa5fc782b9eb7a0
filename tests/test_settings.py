"""The settings and migrations a deployment relies on.

The production checks run ``manage.py`` in a subprocess, as a deployment would, with only
the environment each test gives it. A developer's own ``.env`` is not read there, so it
cannot change what these tests see.
"""

import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_DIR = ROOT / "commissioning" / "settings"
ENV_EXAMPLE = ROOT / ".env.example"

# env("NAME"), env.bool("NAME", ...), env.db("NAME"), os.environ.get("NAME"), os.getenv("NAME")
ENV_READ = re.compile(
    r"""\b(?:env(?:\.\w+)?\(|os\.environ\.get\(|os\.environ\[|os\.getenv\()\s*["']([A-Z][A-Z0-9_]*)["']"""
)
# NAME=value, or a commented-out "# NAME=value" for a variable left at its default.
ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")

# Runs manage.py without reading the project's .env (see the module docstring).
MANAGE_WITHOUT_DOTENV = (
    "import sys, environ\n"
    "environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(['manage.py', *sys.argv[1:]])\n"
)


def settings_variables() -> set[str]:
    """Every environment variable that commissioning/settings/*.py reads."""
    found = set()
    for path in SETTINGS_DIR.glob("*.py"):
        found.update(ENV_READ.findall(path.read_text()))
    return found


def documented_variables() -> dict[str, str]:
    """Each variable assigned in .env.example, with the comment just above it."""
    documented = {}
    comment: list[str] = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        stripped = line.strip()
        match = ASSIGNMENT.match(stripped)
        if match:
            documented[match.group(1)] = " ".join(comment)
        elif stripped.startswith("#"):
            comment.append(stripped.lstrip("# "))
            continue
        comment = []
    return documented


# The only variables the subprocess inherits: a deployment sets its own, and variables this
# test process sets for itself (DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests) must not leak.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` with production settings and only these settings variables set."""
    clean = {k: os.environ[k] for k in INHERITED if k in os.environ}
    clean.update(env, DJANGO_SETTINGS_MODULE="commissioning.settings.production")
    return subprocess.run([sys.executable, "-c", MANAGE_WITHOUT_DOTENV, *args], cwd=ROOT,
                          env=clean, capture_output=True, text=True, timeout=120)


PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.example.nhs.uk",
    # check --deploy does not connect, so these need not answer.
    "DATABASE_URL": "postgres://portal:secret@db.invalid:5432/portal",
    "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
}


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models have changes with no migration (run makemigrations):\n"
                    f"{out.getvalue()}")


def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_the_settings_read_variables_we_can_find():
    # Guards the test below: if the pattern stopped matching, it would pass on nothing.
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "DEBUG"} <= settings_variables()


def test_every_variable_the_settings_read_is_documented_in_env_example():
    documented = documented_variables()
    missing = sorted(settings_variables() - set(documented))
    assert not missing, f"Add these to .env.example, each with a comment: {', '.join(missing)}"
    uncommented = sorted(name for name in settings_variables() if not documented[name])
    assert not uncommented, f"Give these a comment in .env.example: {', '.join(uncommented)}"
