"""Staff campaign pages: the list, one campaign, create and edit through the forms."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Campaign
from tests.conftest import BOTH_ENGINES
from tests.pledges.conftest import app_config, deliver, pledge_body  # noqa: F401  (fixtures)
from tests.staff_fixtures import csrf_from, errors_in

GOOD = {
    "slug": "snoopers",
    "title": "Stop the Snoopers",
    "landing_url": "https://case.example/pledge",
    "currency": "GBP",
    "target": "10,000",
    "window_days": "30",
    "status": "active",
}


def campaigns(app) -> list[Campaign]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Campaign).order_by(Campaign.id)))


def submit(client, path, **fields):
    token = csrf_from(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **fields})


def cells(page: str) -> list[list[str]]:
    """The body rows of the page's first table, as text."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


@BOTH_ENGINES
def test_the_list_counts_shares_and_people(admin, make_campaign, make_share, visit, engine_name):
    quiet = make_campaign(title="Quiet case", target_minor=0)
    busy = make_campaign(title="Busy case", target_minor=1_234_550)
    _, facebook = make_share(busy, "facebook")
    _, email = make_share(busy, "email")
    visit(facebook, ip="203.0.113.1")
    visit(facebook, ip="203.0.113.1")  # the same person again today: a click, not a unique one
    visit(facebook, ip="203.0.113.2")
    visit(email, ip="203.0.113.3")
    visit(facebook, bot=True)  # a link preview is not a person
    page = admin.get("/staff/")
    assert page.status_code == 200
    assert cells(page.text) == [
        ["Busy case", "active", "£0", "£12,345.50", "0%", "0", "2", "4", "3", "—"],
        ["Quiet case", "active", "£0", "£0", "—", "0", "0", "0", "0", "—"],
    ]
    assert quiet.slug in page.text

    one = admin.get(f"/staff/campaigns/{busy.slug}")
    channels = one.text.split('<table id="channels"', 1)[1]
    assert [row[:3] for row in cells(channels)] == [["Facebook", "1", "3"], ["Email", "1", "1"]]


def test_admin_creates_a_campaign(app, admin):
    response = submit(admin, "/staff/new", **GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/campaigns/snoopers"
    [stored] = campaigns(app)
    assert (stored.slug, stored.title, stored.target_minor, stored.window_days) == (
        "snoopers",
        "Stop the Snoopers",
        1_000_000,
        30,
    )
    page = admin.get("/staff/campaigns/snoopers")
    assert "Campaign “Stop the Snoopers” created." in page.text  # the success notice
    assert "£10,000" in page.text and "£10,000.00" not in page.text  # whole units
    assert "30 days" in page.text


def test_form_errors_sit_beside_their_fields_and_keep_what_was_typed(app, admin):
    typed = GOOD | {
        "slug": "Stop Snoopers!",
        "title": "   ",
        "landing_url": "javascript:alert(1)",
        "target": "10.005",
        "window_days": "400",
    }
    response = submit(admin, "/staff/new", **typed)
    assert response.status_code == 422
    assert errors_in(response.text) == {
        "slug": "Short name may have only lowercase letters, digits and hyphens (64 at most), "
        "not at either end",
        "title": "Title is required",
        "landing_url": "Enter a web address starting with https://, e.g. https://example.org/pledge",
        "target": "GBP has no smaller unit than 0.01.",
        "window_days": "Attribution window (days) must be at most 365 days",
    }
    for value in ("Stop Snoopers!", "javascript:alert(1)", "10.005", "400"):
        assert f'value="{value}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert campaigns(app) == []


def test_a_used_slug_is_an_error_beside_it(app, admin, make_campaign):
    make_campaign(slug="snoopers")
    response = submit(admin, "/staff/new", **GOOD)
    assert response.status_code == 422
    assert errors_in(response.text) == {"slug": "Short name is already used by another campaign"}
    assert len(campaigns(app)) == 1


def test_admin_edits_a_campaign(app, admin, make_campaign):
    campaign = make_campaign(slug="snoopers", target_minor=1_234_550, currency="EUR")
    form = admin.get("/staff/campaigns/snoopers/edit")
    assert 'value="12,345.50"' in form.text
    assert '<option selected value="EUR">' in form.text
    assert 'name="slug"' not in form.text  # the slug is in every link: it never changes
    response = submit(
        admin,
        "/staff/campaigns/snoopers/edit",
        **(GOOD | {"title": "New title", "target": "20,000.25", "currency": "EUR"}),
    )
    assert response.status_code == 303
    [stored] = campaigns(app)
    assert (stored.id, stored.slug, stored.title, stored.target_minor) == (
        campaign.id,
        "snoopers",
        "New title",
        2_000_025,
    )
    shown = admin.get("/staff/campaigns/snoopers").text
    assert "€20,000.25" in shown
    assert '<p class="notice" role="status">Changes saved.</p>' in shown  # once, after saving
    assert "Changes saved." not in admin.get("/staff/campaigns/snoopers").text


def test_an_invalid_edit_changes_nothing(app, admin, make_campaign):
    make_campaign(slug="snoopers", title="Old title")
    response = submit(
        admin, "/staff/campaigns/snoopers/edit", **(GOOD | {"title": "New", "currency": "XYZ"})
    )
    assert response.status_code == 422
    assert errors_in(response.text) == {
        "currency": "Currency is not a current ISO 4217 currency code"
    }
    assert campaigns(app)[0].title == "Old title"


def test_the_currency_of_a_campaign_with_pledges_is_refused_beside_the_field(
    app,
    admin,
    make_campaign,
    deliver,  # noqa: F811 (fixture)
    pledge_body,  # noqa: F811 (fixture)
):
    campaign = make_campaign(slug="snoopers", title="Old title")
    assert deliver(pledge_body(campaign)).status_code == 201
    response = submit(
        admin, "/staff/campaigns/snoopers/edit", **(GOOD | {"title": "New", "currency": "EUR"})
    )
    assert response.status_code == 422
    assert errors_in(response.text) == {
        "currency": "Currency cannot change once the campaign has verified pledges"
    }
    assert (campaigns(app)[0].title, campaigns(app)[0].currency) == ("Old title", "GBP")


def test_a_form_without_its_token_is_refused(app, admin):
    response = admin.post("/staff/new", data=GOOD)
    assert response.status_code == 400
    assert campaigns(app) == []


@BOTH_ENGINES
@pytest.mark.parametrize(
    "path",
    [
        "/staff/campaigns/nope",
        "/staff/campaigns/nope/edit",
        "/staff/campaigns/" + "x" * 5000,
        "/staff/campaigns/%00",
        "/staff/campaigns/%FF",
    ],
)
def test_unknown_campaigns_are_the_site_404(admin, engine_name, path):
    response = admin.get(path)
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert "/static/site.css" in response.text


@BOTH_ENGINES
@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "nul\x00byte"),
        ("slug", "nul\x00"),
        ("landing_url", "https://case.example/\x00"),
        ("target", "\x00"),
        ("window_days", "\x00"),
        ("currency", "\x00BP"),
        ("status", "\x00"),
        ("title", "x" * 20_000),
        ("target", "9" * 13),
    ],
)
def test_nothing_typed_into_the_form_is_a_500(app, admin, engine_name, field, value):
    response = submit(admin, "/staff/new", **(GOOD | {field: value}))
    assert response.status_code == 422, response.text
    assert field in errors_in(response.text)
    assert campaigns(app) == []


@BOTH_ENGINES
@pytest.mark.parametrize("slug", ["%00", "a%00b", "%FF", "UPPER", "x" * 65])
def test_a_slug_that_cannot_exist_is_a_404_in_the_api_too(client, auth, engine_name, slug):
    response = client.get(f"/api/v1/campaigns/{slug}", headers=auth)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
