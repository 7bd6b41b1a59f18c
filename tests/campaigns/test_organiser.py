"""The organiser and the accent colour: the form, the API and the currency menu."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack.campaigns.schemas import CURRENCIES, current_currencies
from sharetrack.extensions import db
from sharetrack.models import Campaign
from tests.campaigns.test_pages import GOOD, submit
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import errors_in


def stored(app, slug="snoopers") -> Campaign:
    with app.app_context():
        return db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))


def test_only_current_currencies_are_offered_and_taken(admin):
    assert {"GBP", "EUR", "USD", "JPY", "CHF"} <= CURRENCIES
    assert not {"ADP", "DEM", "FRF", "HRK", "XAU", "XXX"} & CURRENCIES
    assert "HRK" in current_currencies(dt.date(2022, 6, 1))  # the kuna, before the euro
    menu = admin.get("/staff/new").text
    assert 'value="EUR"' in menu and 'value="ADP"' not in menu
    assert "Andorran Peseta" not in menu
    response = submit(admin, "/staff/new", **(GOOD | {"currency": "ADP"}))
    assert errors_in(response.text) == {
        "currency": "Currency is not a current ISO 4217 currency code"
    }


def test_no_minor_units_in_the_form(admin, make_campaign):
    make_campaign(slug="snoopers", currency="EUR")
    for path in ("/staff/new", "/staff/campaigns/snoopers/edit"):
        assert "minor unit" not in admin.get(path).text
    edit = admin.get("/staff/campaigns/snoopers/edit").text
    assert "Largest pledge (EUR)" in edit and "Target (EUR)" in edit


@BOTH_ENGINES
def test_the_form_stores_and_clears_the_organiser(app, admin, engine_name):
    made = {
        "organiser_name": "Open Rights Group",
        "organiser_url": "https://www.openrightsgroup.org/",
        "accent_color": "#0B6E4F",
        "pledge_page": "y",
    }
    assert submit(admin, "/staff/new", **(GOOD | made)).status_code == 303
    campaign = stored(app)
    assert (campaign.organiser_name, campaign.organiser_url, campaign.accent_color) == (
        "Open Rights Group",
        "https://www.openrightsgroup.org/",
        "#0b6e4f",
    )
    assert campaign.pledge_page is True
    edit = admin.get("/staff/campaigns/snoopers/edit").text
    assert 'value="Open Rights Group"' in edit and 'value="#0b6e4f"' in edit
    cleared = GOOD | {"organiser_name": "", "organiser_url": "", "accent_color": ""}
    assert submit(admin, "/staff/campaigns/snoopers/edit", **cleared).status_code == 303
    campaign = stored(app)
    assert (campaign.organiser_name, campaign.organiser_url, campaign.accent_color) == (None,) * 3
    assert campaign.pledge_page is False  # an unticked box


def test_a_light_accent_is_refused_beside_its_field(app, admin):
    response = submit(admin, "/staff/new", **(GOOD | {"accent_color": "#f9ab00"}))
    assert response.status_code == 422
    [message] = errors_in(response.text).values()
    assert message.startswith("Accent colour is too light")
    assert "below the 4.5:1 that WCAG AA asks for" in message
    bad = submit(admin, "/staff/new", **(GOOD | {"accent_color": "green", "organiser_url": "x"}))
    assert errors_in(bad.text) == {
        "accent_color": "Accent colour must be a colour like #0b6e4f: # and six digits or "
        "letters a–f",
        "organiser_url": "Enter a web address starting with https://, e.g. https://example.org/pledge",
    }
    assert stored(app) is None


@BOTH_ENGINES
def test_the_api_takes_the_organiser_and_refuses_a_light_accent(client, auth, engine_name):
    body = {"slug": "snoopers", "title": "Stop", "landing_url": "https://case.example/"}
    refused = client.post(
        "/api/v1/campaigns", headers=auth, json=body | {"accent_color": "#ffff00"}
    )
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert "WCAG AA" in refused.text
    made = client.post(
        "/api/v1/campaigns",
        headers=auth,
        json=body | {"organiser_name": "Open Rights Group", "accent_color": "#8b1a1a"},
    )
    assert made.status_code == 201
    assert (made.json["organiser_name"], made.json["accent_color"]) == (
        "Open Rights Group",
        "#8b1a1a",
    )
    patched = client.patch(
        "/api/v1/campaigns/snoopers", headers=auth, json={"organiser_url": "not a url"}
    )
    assert patched.status_code == 422


def test_a_campaign_in_a_withdrawn_currency_keeps_it_through_an_edit(app, admin, make_campaign):
    make_campaign(slug="snoopers", currency="HRK", title="Old title")
    form = admin.get("/staff/campaigns/snoopers/edit").text
    assert '<option selected value="HRK">' in form
    edited = GOOD | {"currency": "HRK", "title": "New title", "target": "100"}
    assert submit(admin, "/staff/campaigns/snoopers/edit", **edited).status_code == 303
    assert (stored(app).currency, stored(app).title) == ("HRK", "New title")
    refused = submit(admin, "/staff/campaigns/snoopers/edit", **(GOOD | {"currency": "DEM"}))
    assert errors_in(refused.text) == {
        "currency": "Currency is not a current ISO 4217 currency code"
    }
