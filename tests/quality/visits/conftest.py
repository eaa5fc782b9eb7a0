import pytest

from .factories import people_for


@pytest.fixture
def people(area):
    return people_for(area)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Evidence files and PDFs go to a temporary folder, not the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"
