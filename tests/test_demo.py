"""`flask demo`: a campaign that `make run` shows with real figures."""

from __future__ import annotations

import re
from urllib.parse import urlsplit


def test_the_demo_takes_pledges_and_reports_them(app, runner, client):
    result = runner.invoke(args=["demo", "--base-url", "http://127.0.0.1:5000"])
    assert result.exit_code == 0, result.output
    key = re.search(r"staff API key: (\S+)", result.output).group(1)
    link = re.search(r"share link:\s+(\S+)", result.output).group(1)

    landing = client.get(urlsplit(link).path)
    assert landing.status_code == 302
    assert urlsplit(landing.headers["Location"]).path == "/c/demo"
    page = client.get("/c/demo").get_data(as_text=True)
    assert "Be a promoter" in page and 'name="amount"' in page
    raised = re.search(r'<strong class="raised">£([\d,.]+)</strong>', page).group(1)
    assert float(raised.replace(",", "")) > 0

    report = client.get("/api/v1/campaigns/demo/report", headers={"Authorization": f"Bearer {key}"})
    totals = report.json["totals"]
    assert totals["pledges"] > 20 and totals["attributed_pledges"] > 10
    assert totals["clicks"] > 100 and totals["bot_clicks"] > 0
    assert any(row["indirect_minor"] > 0 for row in report.json["channels"])
    assert any(p["display_name"] == "Ana" for p in report.json["promoters"])

    again = runner.invoke(args=["demo"])  # a second run keeps the data, replaces the key
    assert "loaded the demo campaign" not in again.output
