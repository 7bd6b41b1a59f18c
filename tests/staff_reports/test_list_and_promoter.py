"""The campaigns list and the promoter's page read the report's figures, after retention too."""

from __future__ import annotations

import html
import re

from sharetrack.money import format_minor
from tests.conftest import BOTH_ENGINES
from tests.staff_reports.test_report_page import table


def test_the_chart_helper_rounds_axes_up():
    from sharetrack.reports.charts import nice_ceiling

    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 11, 2_001, 49_999)] == [
        1,
        1,
        5,
        10,
        20,
        5_000,
        50_000,
    ]


@BOTH_ENGINES
def test_the_list_shows_money_progress_and_credit(
    admin, seeded, get_report, retention, engine_name
):
    campaign = seeded.campaign
    before = admin.get("/staff/")
    retention()
    after = admin.get("/staff/")
    totals = get_report(campaign)["totals"]
    for page in (before, after):
        text = page.text.replace('<table class="cards">', '<table id="list">', 1)
        [row] = table(text, "list")
        assert row == [
            "Stop the Snoopers",
            "active",
            format_minor(totals["raised_minor"], "GBP"),
            "£1,000",
            "14%",
            "4",
            "4",
            "71",
            "71",
            f"{round(100 * totals['attributed_minor'] / totals['raised_minor'])}%",
        ]


@BOTH_ENGINES
def test_the_promoter_sees_what_their_shares_raised(
    client, seeded, get_report, retention, engine_name
):
    channels = {r["channel"]: r for r in get_report(seeded.campaign)["channels"]}
    facebook = channels["facebook"]
    raised = facebook["attributed_minor"] + facebook["indirect_minor"]
    assert facebook["indirect_minor"] > 0  # the cascade below Ada's share raised money
    for _ in ("raw", "after retention"):
        text = html.unescape(client.get(f"/p/{seeded.dashboard}").text)
        assert f"Your shares raised {format_minor(raised, 'GBP')}" in re.sub(r"<[^>]+>", "", text)
        assert (
            f"{format_minor(facebook['attributed_minor'], 'GBP')} through your own links, "
            f"{format_minor(facebook['indirect_minor'], 'GBP', whole=True)} through links that "
            "people made"
        ) in text
        assert f"{facebook['clicks']} clicks" in text
        plural = "pledge" if facebook["pledges"] == 1 else "pledges"
        assert f"{facebook['pledges']} {plural}" in text
        retention()
