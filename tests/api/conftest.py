import pytest


@pytest.fixture
def make_campaign_once(make_campaign):
    """A campaign `case` for fuzzed requests to find (made once per test)."""
    return make_campaign(slug="case")
