"""The hosted campaign page: progress, the promoter box and the pledge form, checked by origin."""

from __future__ import annotations

import re
from html import escape as html_escape
from html import unescape as html_unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from sharetrack import create_app
from sharetrack.config import MIN_ARGON2_MEMORY_KIB
from sharetrack.extensions import db
from sharetrack.models import Campaign, Pledge, PledgeCredit, Share
from sharetrack.pledges import review
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN, close_connections

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def hosted(make_campaign):
    """A campaign that takes pledges on its hosted page."""
    return make_campaign(
        pledge_page=True,
        landing_url="https://st.example/c/hosted-case",
        slug="hosted-case",
        summary="We are taking the government to court.\n\nEvery pound pays for evidence.",
        target_minor=500_000,
    )


def arrive(client, token: str, **headers) -> str:
    """Follow a share link like a browser; returns the landing page's ref."""
    response = client.get(f"/s/{token}", headers={"User-Agent": BROWSER, **headers})
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["Location"]).query)["ref"][0]


def open_page(client, campaign, ref: str | None = None):
    response = client.get(f"/c/{campaign.slug}", query_string={"ref": ref} if ref else {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def pledges(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            sa.select(Pledge.amount_minor, Pledge.status, Pledge.supporter_name).order_by(Pledge.id)
        ).all()


def credited(app) -> dict[int, int]:
    with app.app_context():
        return dict(
            db.session.execute(
                sa.select(PledgeCredit.share_id, PledgeCredit.amount_minor).where(
                    PledgeCredit.model == "last_click"
                )
            ).all()
        )


def test_the_page_shows_the_case_progress_and_a_button_per_channel(client, hosted):
    html = open_page(client, hosted)
    assert "We are taking the government to court." in html
    assert "£0</strong> raised of £5,000" in html
    buttons = re.findall(r'<button type="submit" class="share share-(\w+)">([^<]+)</button>', html)
    # The device's "Share…" first (hidden until js/share.js finds a share sheet), then the list:
    # with no figure to rank by, in the registry's order.
    assert [c for c, _ in buttons] == [
        "device", "facebook", "x", "whatsapp", "linkedin", "bluesky", "telegram", "reddit",
        "email", "link",
    ]  # fmt: skip
    assert ("facebook", "I&#39;ll share on Facebook") in buttons
    assert 'name="amount"' in html and 'name="csrf_token"' not in html


def test_the_page_loads_nothing_from_another_origin(client, hosted):
    html = open_page(client, hosted)
    for attribute in re.findall(r'(?:src|href|action)="([^"]*)"', html):
        assert not urlsplit(attribute).netloc, attribute


@pytest.mark.parametrize("slug", ["no-such-case", "x" * 200])
def test_unknown_campaigns_are_404(client, slug):
    response = client.get(f"/c/{slug}")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_campaigns_without_a_hosted_page_are_404(client, make_campaign):
    assert client.get(f"/c/{make_campaign().slug}").status_code == 404


def confirm_all(app) -> None:
    """Staff confirm every form pledge (as the report page's Confirm button does)."""
    with app.app_context():
        for pledge in db.session.scalars(sa.select(Pledge).where(Pledge.source == "form")):
            campaign = db.session.get(Campaign, pledge.campaign_id)
            review.decide(db.session, campaign, pledge, "paid", "staff:admin@example.org")
        db.session.commit()


@BOTH_ENGINES
def test_a_confirmed_pledge_is_credited_to_the_link_the_visitor_arrived_through(
    app, client, hosted, make_share, engine_name
):
    first, first_token = make_share(hosted, channel="x")
    last, last_token = make_share(hosted, channel="facebook")
    arrive(client, first_token)
    ref = arrive(client, last_token)
    open_page(client, hosted, ref)
    response = client.post(
        f"/c/{hosted.slug}/pledge",
        data={"name": " Ada ", "amount": "25.50", "ref": ref},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 303
    assert re.search(
        rf"/c/{hosted.slug}/thanks/[0-9a-z]+\.[0-9a-z]{{16}}$", response.headers["Location"]
    )
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your pledge of" in thanks and "£25.50" in thanks
    # Nobody vouched for it yet: it moves no public figure and carries no credit.
    assert "£0</strong> raised of £5,000" in open_page(client, hosted)
    assert pledges(app) == [(2550, "pledged", "Ada")]
    assert credited(app) == {}
    confirm_all(app)
    assert pledges(app) == [(2550, "paid", "Ada")]
    assert credited(app) == {last.id: 2550}
    assert "£25.50</strong> raised of £5,000" in open_page(client, hosted)
    with app.app_context():
        first_click = db.session.execute(
            sa.select(PledgeCredit.share_id).where(PledgeCredit.model == "first_click")
        ).scalar_one()
    assert first_click == first.id


def test_without_the_cookie_the_pages_ref_still_counts(app, client, hosted, make_share):
    share, token = make_share(hosted)
    ref = arrive(client, token, **{"Sec-GPC": "1"})
    assert client.get_cookie("st_touch") is None
    html = open_page(client, hosted, ref)
    assert f'name="ref" type="hidden" value="{ref}"' in html
    client.post(
        f"/c/{hosted.slug}/pledge",
        data={"amount": "10", "ref": ref},
        headers=SAME_ORIGIN,
    )
    confirm_all(app)
    assert credited(app) == {share.id: 1000}


def test_a_pledge_without_any_link_counts_toward_the_total_only(app, client, hosted):
    html = open_page(client, hosted, ref="forged.0000000000000000")
    assert 'name="ref" type="hidden" value=""' in html
    client.post(f"/c/{hosted.slug}/pledge", data={"amount": "7"}, headers=SAME_ORIGIN)
    assert pledges(app) == [(700, "pledged", None)]
    confirm_all(app)
    assert credited(app) == {}


# Posts a browser would send from another site's page, or with neither header at all.
NOT_OUR_PAGE = [
    {},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "none"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "https://st.example.evil.example"},
]


@pytest.mark.parametrize("headers", NOT_OUR_PAGE)
def test_a_form_another_site_posts_is_refused_and_nothing_is_stored(app, client, hosted, headers):
    pledge = client.post(f"/c/{hosted.slug}/pledge", data={"amount": "25"}, headers=headers)
    share = client.post(f"/c/{hosted.slug}/share", data={"channel": "x"}, headers=headers)
    assert (pledge.status_code, share.status_code) == (403, 403)
    assert "This form works from the campaign&#39;s own page." in pledge.text
    assert pledges(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Share)) == 0


@pytest.mark.parametrize(
    ("host", "origin", "taken"),
    [
        ("localhost", "http://localhost", True),  # the request's own origin (request.host_url)
        ("other.example", "http://other.example", True),
        ("localhost", "https://st.example", True),  # BASE_URL's
        ("localhost", "http://st.example", False),  # BASE_URL's host, another scheme
        ("localhost", "https://st.example:8443", False),  # another port
        ("localhost", "https://ST.EXAMPLE/", True),  # the same origin, written otherwise
        ("st.example.", "null", False),  # a host that does not parse never matches "null"
        ("my_host.example", "garbage", False),
        ("[::1]", "null", False),
    ],
)
def test_without_fetch_metadata_only_our_own_origin_is_taken(app, hosted, host, origin, taken):
    assert_origin_decides(app, hosted, host, origin, taken)


def assert_origin_decides(app, campaign, host: str, origin: str, taken: bool) -> None:
    """A pledge posted to `host` from `origin` is taken (303, stored) or refused (403, none)."""
    answer = app.test_client().post(
        f"http://{host}/c/{campaign.slug}/pledge", data={"amount": "5"}, headers={"Origin": origin}
    )
    assert answer.status_code == (303 if taken else 403)
    assert len(pledges(app)) == (1 if taken else 0)


@pytest.fixture
def production_app(app, app_config):
    """The app outside debug and tests (the production rules), on the test's database."""
    production = create_app(
        app_config | {"TESTING": False, "ARGON2_MEMORY_COST": MIN_ARGON2_MEMORY_KIB}
    )
    assert not (production.testing or production.debug)
    yield production
    close_connections(production)  # a second app on the test's database: its pool is ours


@pytest.mark.parametrize(
    ("host", "origin", "taken"),
    [
        ("st.example", "https://st.example", True),  # the normal post, from BASE_URL's page
        ("127.0.0.1:8000", "https://st.example", True),  # behind the proxy, Host may differ
        ("evil.example", "http://evil.example", False),  # a Host of the sender's choosing
        ("evil.example", "https://evil.example", False),
        ("localhost", "http://localhost", False),  # the request's own origin is not ours
        ("st.example", "http://st.example", False),  # BASE_URL's host, another scheme
    ],
)
def test_in_production_only_base_urls_origin_is_taken(production_app, hosted, host, origin, taken):
    assert_origin_decides(production_app, hosted, host, origin, taken)


def test_in_production_a_same_origin_post_is_taken(production_app, hosted):
    client = production_app.test_client()
    answer = client.post(
        "https://st.example/c/hosted-case/pledge", data={"amount": "5"}, headers=SAME_ORIGIN
    )
    assert answer.status_code == 303
    assert pledges(production_app) == [(500, "pledged", None)]


def test_a_browser_without_fetch_metadata_is_known_by_its_origin(app, client, hosted):
    ours = {"Origin": "https://st.example"}  # BASE_URL's origin; no Sec-Fetch-Site
    pledge = client.post(f"/c/{hosted.slug}/pledge", data={"amount": "25"}, headers=ours)
    share = client.post(f"/c/{hosted.slug}/share", data={"channel": "x"}, headers=ours)
    assert (pledge.status_code, share.status_code) == (303, 200)
    assert pledges(app) == [(2500, "pledged", None)]


@pytest.mark.parametrize("privacy", [{}, {"Sec-GPC": "1"}, {"DNT": "1"}])
def test_the_page_and_its_pledge_form_set_no_cookie(app, client, hosted, privacy):
    """No session and no CSRF token: a visitor of the page gets no cookie of ours."""
    answers = [
        client.get(f"/c/{hosted.slug}", headers=privacy),
        client.post(
            f"/c/{hosted.slug}/pledge", data={"amount": "0"}, headers=SAME_ORIGIN | privacy
        ),
        posted := client.post(
            f"/c/{hosted.slug}/pledge", data={"amount": "5"}, headers=SAME_ORIGIN | privacy
        ),
        client.get(posted.headers["Location"], headers=privacy),
        client.get(f"/c/{hosted.slug}?paid=1", headers=privacy),
    ]
    assert [a.status_code for a in answers] == [200, 422, 303, 200, 200]
    assert [a.headers.get("Set-Cookie") for a in answers] == [None] * 5
    assert pledges(app) == [(500, "pledged", None)]


def test_under_gpc_a_share_button_sets_no_cookie_either(app, client, hosted):
    headers = SAME_ORIGIN | {"Sec-GPC": "1"}
    shared = client.post(f"/c/{hosted.slug}/share", data={"channel": "x"}, headers=headers)
    assert shared.status_code == 200 and "Set-Cookie" not in shared.headers
    # Without GPC the share button sets the promoter cookie, and only that one.
    shared = client.post(f"/c/{hosted.slug}/share", data={"channel": "x"}, headers=SAME_ORIGIN)
    assert [c.split("=", 1)[0] for c in shared.headers.getlist("Set-Cookie")] == ["st_promoter"]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("notice=pledged", "Thank you: your pledge is noted, awaiting payment."),
        ("paid=1", "Thank you: your payment is with Stripe; your pledge counts once it confirms."),
        ("notice=%3Cb%3Eyou+won%3C%2Fb%3E", None),
        ("notice=", None),
        ("paid=0", None),
        ("notice=pledged&notice=paid", "Thank you: your pledge is noted, awaiting payment."),
    ],
)
def test_the_address_picks_a_fixed_thank_you_and_nothing_else(client, hosted, query, said):
    page = client.get(f"/c/{hosted.slug}?{query}").text
    notices = re.findall(r'<p class="notice" role="status">([^<]*)</p>', page)
    assert notices == ([said] if said else [])
    assert "you won" not in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Enter an amount."),
        ("0", "Enter an amount above zero."),
        ("-5", "Enter an amount in digits"),
        ("twenty", "Enter an amount in digits"),
        ("25,50", "Enter an amount in digits"),
        ("1.234", "GBP has no smaller unit than 0.01."),
        ("10000.01", "Pledges here go up to £10,000."),
        ("9" * 400, "Pledges here go up to"),
    ],
)
def test_a_bad_amount_is_explained_beside_the_field(app, client, hosted, amount, message):
    open_page(client, hosted)
    response = client.post(
        f"/c/{hosted.slug}/pledge",
        data={"amount": amount, "name": "Ada"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<span class="error" id="amount-error">[^<]*' + re.escape(message), page)
    assert 'aria-invalid="true"' in page
    assert 'value="Ada"' in page  # what was typed is kept
    assert pledges(app) == []
    # The summary on top of the form, focused on load, links to the field.
    summary = page.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "autofocus" in summary and 'role="alert"' in summary
    assert re.search(r'<a href="#amount">[^<]*' + re.escape(html_escape(message)), summary)


@pytest.mark.parametrize("amount", ["12.50", "£12.50", " £12.50 ", "GBP 12.50"])
def test_an_amount_may_carry_the_currency_sign(app, client, hosted, amount):
    open_page(client, hosted)
    response = client.post(f"/c/{hosted.slug}/pledge", data={"amount": amount}, headers=SAME_ORIGIN)
    assert response.status_code == 303
    assert pledges(app) == [(1250, "pledged", None)]


def test_a_decimal_comma_is_read_where_the_locale_writes_one(app_config, make_campaign):
    app = create_app(app_config | {"LOCALE": "de_DE"})
    try:
        with app.app_context():
            db.create_all()
        client = app.test_client()
        case = make_campaign(slug="fall", currency="EUR", target_minor=500_000, pledge_page=True)
        client.get(f"/c/{case.slug}").get_data(as_text=True)
        response = client.post(
            f"/c/{case.slug}/pledge", data={"amount": "12,50"}, headers=SAME_ORIGIN
        )
        assert response.status_code == 303
        assert pledges(app) == [(1250, "pledged", None)]
    finally:
        close_connections(app)  # a second app on the test's database: its pool is ours to close


def test_a_bad_name_is_explained_beside_the_field(app, client, hosted):
    open_page(client, hosted)
    response = client.post(
        f"/c/{hosted.slug}/pledge",
        data={"amount": "5", "name": "x" * 81},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert 'id="name-error">Keep the name to 80 characters.' in response.get_data(as_text=True)
    assert pledges(app) == []


def test_a_paused_campaign_takes_no_pledges(app, client, hosted, make_campaign):
    paused = make_campaign(pledge_page=True, status="paused")
    html = open_page(client, paused)
    assert "takes no pledges now" in html and "Be a promoter" not in html
    response = client.post(f"/c/{paused.slug}/pledge", data={"amount": "5"}, headers=SAME_ORIGIN)
    assert response.status_code == 409
    assert pledges(app) == []


@BOTH_ENGINES
def test_be_a_promoter_makes_a_child_share_and_opens_the_network(
    app, client, hosted, make_share, engine_name
):
    parent, token = make_share(hosted, channel="whatsapp")
    ref = arrive(client, token)
    open_page(client, hosted, ref)
    response = client.post(
        f"/c/{hosted.slug}/share",
        data={"channel": "facebook", "parent": ref},
        headers=SAME_ORIGIN,
    )
    # A page of ours with the network's share link: a redirect would break CSP's form-action.
    assert response.status_code == 200
    intent = re.search(r'class="share share-facebook button" href="([^"]+)"', response.text)
    sharer = urlsplit(html_unescape(intent.group(1)))
    assert (sharer.netloc, sharer.path) == ("www.facebook.com", "/sharer/sharer.php")
    link = parse_qs(sharer.query)["u"][0]
    assert link.startswith("https://st.example/s/")
    assert client.get_cookie("st_promoter") is not None
    with app.app_context():
        child = db.session.scalar(sa.select(Share).where(Share.channel == "facebook"))
        assert child.parent_id == parent.id
        assert child.promoter_id != parent.promoter_id

    # The same code as POST /api/v1/shares: the API now finds this browser's link.
    again = client.post("/api/v1/shares", json={"campaign": hosted.slug, "channel": "facebook"})
    assert again.status_code == 200
    assert again.json["url"] == link


def test_the_parent_comes_from_the_touch_cookie_when_the_page_has_no_ref(
    app, client, hosted, make_share
):
    parent, token = make_share(hosted)
    arrive(client, token)
    open_page(client, hosted)
    client.post(f"/c/{hosted.slug}/share", data={"channel": "x"}, headers=SAME_ORIGIN)
    with app.app_context():
        child = db.session.scalar(sa.select(Share).where(Share.channel == "x"))
        assert child.parent_id == parent.id


def test_copy_a_link_shows_the_link(app, client, hosted):
    open_page(client, hosted)
    response = client.post(f"/c/{hosted.slug}/share", data={"channel": "link"}, headers=SAME_ORIGIN)
    assert response.status_code == 200
    assert re.search(r'value="https://st.example/s/[0-9a-z.]+"', response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"channel": "leaflet"}, 422),
        ({"channel": "myspace"}, 422),
        ({}, 400),
        ({"channel": "x", "parent": "y" * 65}, 400),
    ],
)
def test_bad_share_requests_are_refused(app, client, hosted, data, status):
    open_page(client, hosted)
    response = client.post(f"/c/{hosted.slug}/share", data={**data}, headers=SAME_ORIGIN)
    assert response.status_code == status
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Share)) == 0


def test_a_paused_campaign_makes_no_new_links(app, client, hosted, make_campaign):
    paused = make_campaign(pledge_page=True, status="paused")
    open_page(client, hosted)
    response = client.post(
        f"/c/{paused.slug}/share", data={"channel": "facebook"}, headers=SAME_ORIGIN
    )
    assert response.status_code == 409
    assert "is paused" in response.get_data(as_text=True)
