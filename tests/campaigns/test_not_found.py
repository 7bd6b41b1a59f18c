"""One campaign-or-404 (campaigns.service.get_campaign_or_404) for every adapter."""

from __future__ import annotations

import pytest

from sharetrack.campaigns import service
from sharetrack.extensions import db
from tests.conftest import BOTH_ENGINES


@BOTH_ENGINES
def test_the_service_raises_the_domain_exception(app, make_campaign, engine_name):
    make_campaign(slug="here")
    with app.app_context():
        assert service.get_campaign_or_404(db.session, "here").slug == "here"
        for slug in ("gone", "x" * 65, "Not A Slug"):
            with pytest.raises(service.CampaignNotFound) as raised:
                service.get_campaign_or_404(db.session, slug)
            assert raised.value.slug == slug


def test_the_api_answers_problem_details(client, auth):
    response = client.get("/api/v1/campaigns/gone", headers=auth)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["type"].endswith("/unknown-campaign")
    assert response.json["detail"] == "There is no campaign 'gone'."


@pytest.mark.parametrize("path", ["/embed/gone", "/c/gone", "/staff/campaigns/gone"])
def test_the_pages_answer_the_site_404(admin, path):
    response = admin.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
