"""The one "too few to say" rule on every page that shows a figure: hosted page and report."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Share, utcnow
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import admin, make_staff, sign_in  # noqa: F401


def values(client, slug: str) -> dict[str, dict]:
    body = client.get(f"/api/v1/campaigns/{slug}/share-value").json
    return {c["channel"]: c for c in body["channels"]}


@BOTH_ENGINES
def test_the_hosted_page_shows_only_what_the_api_shows(
    app, client, earning_campaign, make_share, engine_name
):
    campaign = earning_campaign(pledge_page=True)
    make_share(campaign, "x")  # one new share of its own, nothing earned yet
    figures = values(client, campaign.slug)
    assert figures["facebook"]["shows_amount"] and not figures["x"]["shows_amount"]
    page = client.get(f"/c/{campaign.slug}").text
    buttons = {
        channel: page.split(f'value="{channel}"', 1)[1].split("</form>", 1)[0]
        for channel in ("facebook", "x", "whatsapp")
    }
    # Facebook's figure rests on the campaign's own twelve shares: shown, "could raise" and the
    # amount kept on one line.
    assert figures["facebook"]["basis"] == "campaign"
    shown = f"could raise&nbsp;<strong>{figures['facebook']['display']}</strong>"
    assert shown in buttons["facebook"]
    assert "could raise" not in buttons["x"] and "could raise" not in buttons["whatsapp"]


@BOTH_ENGINES
def test_the_report_greys_a_hidden_figure_with_its_reason(
    app,
    admin,  # noqa: F811
    client,
    earning_campaign,
    make_share,
    engine_name,  # noqa: F811
):
    campaign = earning_campaign()
    share, _token = make_share(campaign, "x")
    with app.app_context():
        db.session.execute(
            sa.update(Share)
            .where(Share.id == share.id)
            .values(created_at=utcnow() - dt.timedelta(days=1))
        )
        db.session.commit()
    reason = values(client, campaign.slug)["x"]["reason"]
    # One share a day old holds less than a matured share's information, whatever the pool says.
    assert reason == "too_new"
    page = admin.get(f"/staff/campaigns/{campaign.slug}").text
    table = page.split('<table id="channels" class="cards">', 1)[1].split("</table>", 1)[0]
    x_row = table.split('<th scope="row">X</th>', 1)[1].split("</tr>", 1)[0]
    facebook_row = table.split('<th scope="row">Facebook</th>', 1)[1].split("</tr>", 1)[0]
    assert 'class="num hidden-figure"' in x_row and "Not on public pages:" in x_row
    assert "hidden-figure" not in facebook_row and "Not on public pages" not in facebook_row
