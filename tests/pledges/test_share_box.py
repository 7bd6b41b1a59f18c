"""The hosted page's share box: ranked by well-founded figures, three first, the rest folded."""

from __future__ import annotations

import re

from sharetrack.channels import LISTED_CHANNELS
from sharetrack.estimates import figures
from sharetrack.estimates.service import ChannelEstimate
from sharetrack.estimates.share_value import Estimate
from sharetrack.models import utcnow
from tests.conftest import SAME_ORIGIN


def estimate(pence: int, shares: int = 40, basis: str = "campaign") -> Estimate:
    return Estimate(pence, pence * 8 // 10, pence * 12 // 10, shares, basis, exposure=float(shares))


def shown(monkeypatch, estimates: dict[str, Estimate]) -> None:
    """The campaign's stored figures, as figures.current would answer them."""
    channels = {
        c: ChannelEstimate(c, estimates.get(c, Estimate(0, 0, 0, 0, "prior")), 0)
        for c in LISTED_CHANNELS
    }
    monkeypatch.setattr(
        figures, "current", lambda session, campaign: figures.Figures(utcnow(), channels)
    )


def test_well_founded_figures_lead_and_only_they_are_headlines(monkeypatch, client, make_campaign):
    make_campaign(pledge_page=True, slug="hosted-case")
    shown(
        monkeypatch,
        {
            "telegram": estimate(17_500, shares=1),  # one share: no headline, no rank
            "whatsapp": estimate(9_040),
            "facebook": estimate(16_578),
            "reddit": estimate(50_000, basis="pooled"),  # others' data: no headline
        },
    )
    html = client.get("/c/hosted-case").text
    top, _, more = html.partition('<details class="more-ways">')
    first = re.findall(r'class="share share-(\w+)"', top)
    assert first == ["device", "facebook", "whatsapp", "x"]  # device: the hidden Share…
    assert re.findall(r'class="share share-(\w+)"', more.split("</details>")[0]) == [
        "linkedin", "bluesky", "telegram", "reddit", "email", "link"
    ]  # fmt: skip
    assert "<summary>More ways to share</summary>" in more
    # The headline: the best well-founded figure, whole pounds, kept with "could raise".
    assert (
        'Your share on Facebook <span class="raise">could raise&nbsp;<strong>£166</strong>' in top
    )
    assert re.findall(r"could raise&nbsp;<strong>([^<]+)</strong>", html) == ["£166", "£166", "£90"]
    assert "£175" not in html and "£500" not in html


def test_without_a_well_founded_figure_there_is_no_headline(monkeypatch, client, make_campaign):
    make_campaign(pledge_page=True, slug="hosted-case")
    shown(monkeypatch, {"telegram": estimate(17_500, shares=2)})
    html = client.get("/c/hosted-case").text
    assert "could raise" not in html
    assert re.findall(r'class="share share-(\w+)"', html)[1:4] == ["facebook", "x", "whatsapp"]


def test_the_thank_you_page_asks_for_a_chain_with_the_per_share_figure(
    monkeypatch, client, make_campaign
):
    make_campaign(pledge_page=True, slug="hosted-case")
    shown(monkeypatch, {"whatsapp": estimate(9_040)})
    response = client.post("/c/hosted-case/pledge", data={"amount": "5"}, headers=SAME_ORIGIN)
    html = client.get(response.headers["Location"]).text
    assert "Your pledge can start a chain" in html
    assert (
        'Your share on WhatsApp <span class="raise">could raise&nbsp;<strong>£90</strong>' in html
    )
