"""The staff report page agrees with the report API, under every model and date range."""

from __future__ import annotations

import html
import re

import pytest
from babel.numbers import format_percent

from sharetrack.estimates.figures import BASIS_TEXT
from sharetrack.formatting import channel
from sharetrack.models import ATTRIBUTION_MODELS
from sharetrack.money import format_minor, is_whole
from tests.conftest import BOTH_ENGINES
from tests.staff_reports.conftest import NOW, ago


def money(minor: int) -> str:
    """As pages show money: `£12.34`, and `£25` when whole."""
    return format_minor(minor, "GBP", "en_GB", whole=is_whole(minor, "GBP"))


def number(n: int) -> str:
    return f"{n:,}"


def table(page: str, table_id: str) -> list[list[str]]:
    """The body rows of the table with this id, as text."""
    part = re.split(rf'<table id="{table_id}"[^>]*>', page, maxsplit=1)[1].split("</table>", 1)[0]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def fact(page: str, label: str) -> str:
    """The value beside a <dt> label; for a headline in whole units, the exact one read aloud."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", html.unescape(page))
    assert match, f"no {label!r} on the page"
    spoken = re.search(r'<span class="visually-hidden">([^<]*)</span>', match.group(1))
    return spoken.group(1) if spoken else match.group(1)


def headline(page: str, label: str) -> str:
    """What a <dt> label's value shows on screen."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", html.unescape(page))
    assert match, f"no {label!r} on the page"
    return re.sub(r'<span class="visually-hidden">[^<]*</span>|<[^>]+>', "", match.group(1))


@BOTH_ENGINES
@pytest.mark.parametrize("model", ATTRIBUTION_MODELS)
def test_the_page_shows_the_apis_figures(admin, seeded, get_report, retention, model, engine_name):
    campaign = seeded.campaign
    for step in ("raw", "after retention"):
        api = get_report(campaign, model=model)
        page = admin.get(f"/staff/campaigns/{campaign.slug}", query_string={"model": model})
        assert page.status_code == 200, step
        text = page.text
        rows = table(text, "channels")
        expected = [
            [
                channel(r["channel"]),
                number(r["shares"]),
                number(r["clicks"]),
                number(r["pledges"]),
                money(r["attributed_minor"]),
                (
                    money(r["timing_minor"])
                    + money(r["timing_low_minor"])
                    + "–"
                    + money(r["timing_high_minor"])
                    if api["totals"]["without_ref_pledges"]
                    else "—"  # no pledge without a ref: nothing to estimate
                ),
                money(r["indirect_minor"]),
                money(r["per_share_minor"]),
                format_percent(r["cascade_factor"], locale="en_GB"),  # 0.4 is "40%"
            ]
            for r in api["channels"]
        ]
        assert [row[:8] + row[9:] for row in rows] == expected, step
        # A figure too thin to show publicly is greyed with its reason, never a plain number;
        # every figure says what it rests on.
        for row, r in zip(rows, api["channels"], strict=True):
            shown = r"£[\d,.]+£[\d,.]+–£[\d,.]+" + re.escape(BASIS_TEXT[r["basis"]])
            assert re.fullmatch(
                shown if r["shows_amount"] else shown + "Not on public pages: .+", row[8]
            )
        t = api["totals"]
        assert fact(text, "Raised") == money(t["raised_minor"]) == money(14_434)
        assert headline(text, "Raised") == "£144"  # whole units in a headline
        assert fact(text, "Credited to shares") == money(t["attributed_minor"])
        assert fact(text, "Clicks (people)") == number(t["clicks"]) == "71"
        assert table(text, "promoters") == [
            [
                r["display_name"] or r["promoter"],
                number(r["shares"]),
                number(r["clicks"]),
                number(r["pledges"]),
                money(r["attributed_minor"]),
            ]
            for r in api["promoters"]
        ]
        assert f'<option value="{model}" selected>' in text
        assert text.count("<rect ") >= len(api["daily"])  # one bar per day in the chart
        if step == "raw":
            assert retention() > 0  # the rest must read the same from the aggregates


@BOTH_ENGINES
def test_a_date_range_narrows_the_page_as_it_narrows_the_api(
    admin, seeded, get_report, engine_name
):
    campaign = seeded.campaign
    since, until = ago(3).date().isoformat(), ago(1).date().isoformat()
    api = get_report(campaign, **{"from": since, "to": until})
    page = admin.get(f"/staff/campaigns/{campaign.slug}?from={since}&to={until}")
    assert page.status_code == 200
    assert fact(page.text, "Raised") == money(api["totals"]["raised_minor"]) == money(13_200)
    assert f'value="{since}"' in page.text and f'value="{until}"' in page.text
    wide = page.text.split('class="chart chart-wide"', 1)[1].split("</svg>", 1)[0]
    assert len(re.findall(r"<rect [^>]*><title>", wide)) == len(api["daily"]) == 3


@BOTH_ENGINES
@pytest.mark.parametrize("table_name", ["channels", "promoters", "daily"])
def test_csv_downloads_are_the_apis_csv(admin, seeded, auth, table_name, engine_name):
    campaign = seeded.campaign
    for params in (
        {},
        {"model": "linear"},
        {"model": "time_decay", "from": ago(4).date().isoformat()},
    ):
        query = {"table": table_name, **params}
        mine = admin.get(f"/staff/campaigns/{campaign.slug}/report.csv", query_string=query)
        theirs = admin.get(
            f"/api/v1/campaigns/{campaign.slug}/report",
            headers=auth,
            query_string={"format": "csv", **query},
        )
        assert mine.status_code == theirs.status_code == 200
        assert mine.mimetype == "text/csv"
        assert mine.data == theirs.data
        assert mine.headers["Content-Disposition"] == theirs.headers["Content-Disposition"]
        assert len(mine.text.splitlines()) > 1


def test_the_page_links_a_csv_beside_every_table(admin, seeded):
    text = html.unescape(admin.get(f"/staff/campaigns/{seeded.campaign.slug}?model=linear").text)
    for name in ("daily", "channels", "promoters"):
        assert f"report.csv?table={name}&model=linear" in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"model": "most_clicks"}, "model", "Choose one of the attribution models in the list."),
        ({"from": "2026-13-01"}, "from", "Enter a date as YYYY-MM-DD, like 2026-03-01."),
        ({"to": "yesterday"}, "to", "Enter a date as YYYY-MM-DD, like 2026-03-01."),
        (
            {"from": "2026-03-02", "to": "2026-03-01"},
            "from",
            "The first day must not be after the last.",
        ),
        ({"model": "\x00"}, "model", "Choose one of the attribution models in the list."),
    ],
)
def test_bad_choices_are_told_beside_their_field(admin, seeded, query, field, message):
    page = admin.get(f"/staff/campaigns/{seeded.campaign.slug}", query_string=query)
    assert page.status_code == 422
    assert f'<p class="error" id="{field}-error">{html.escape(message)}</p>' in page.text
    assert f'aria-describedby="{field}-error"' in page.text
    assert '<h2 id="channels-heading">' in page.text  # the rest of the report still shows
    csv = admin.get(
        f"/staff/campaigns/{seeded.campaign.slug}/report.csv",
        query_string={"table": "channels", **query},
    )
    assert csv.status_code == 422
    assert html.escape(message) in csv.text


def test_an_unknown_csv_table_is_a_422(admin, seeded):
    response = admin.get(f"/staff/campaigns/{seeded.campaign.slug}/report.csv?table=secrets")
    assert response.status_code == 422
    assert "Choose channels, promoters, daily or leaflets." in response.text


def test_viewers_read_the_report_and_csv_but_sign_in_is_needed(client, seeded, sign_in):
    path = f"/staff/campaigns/{seeded.campaign.slug}"
    assert client.get(path).status_code == 302
    assert client.get(f"{path}/report.csv?table=daily").status_code == 302
    sign_in("viewer")
    page = client.get(path)
    assert page.status_code == 200
    assert "New leaflet batch" not in page.text  # viewers read, admins create
    assert client.get(f"{path}/report.csv?table=daily").status_code == 200


def test_the_chart_is_inline_svg_with_no_style_attribute(admin, seeded):
    text = admin.get(f"/staff/campaigns/{seeded.campaign.slug}").text
    svg = text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "style=" not in svg and "<script" not in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert re.search(r">\d{1,2} [A-Z][a-z]{2}</text>", svg)  # the days are labelled
    caption = text.split('<figcaption id="chart-caption">', 1)[1].split("</figcaption>", 1)[0]
    assert str(NOW.year) in caption
    # The data behind it, one tap away.
    assert '<details class="chart-data">' in text and "<summary>The figures as a table" in text


def test_an_empty_campaign_has_a_report(admin, make_campaign):
    campaign = make_campaign()
    page = admin.get(f"/staff/campaigns/{campaign.slug}")
    assert page.status_code == 200
    assert "Nobody has shared this campaign yet." in page.text
    assert "No clicks or pledges in this range." in page.text
