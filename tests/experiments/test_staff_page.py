"""The staff page of an experiment: variants side by side, the verdict in words, the chart."""

from __future__ import annotations

import numpy as np

from sharetrack.experiments import stats
from sharetrack.html.experiments.views import in_words
from tests.conftest import BOTH_ENGINES


@BOTH_ENGINES
def test_variants_side_by_side_with_the_verdict(
    client, auth, viewer, make_campaign, experiment_body, stock, engine_name
):
    make_campaign(slug="snoopers")
    eid = client.post(
        "/api/v1/campaigns/snoopers/experiments", headers=auth, json=experiment_body
    ).json["id"]
    stock("snoopers", "control", 800, [1000, 2500])
    stock("snoopers", "urgent", 700, [4000], days_ago=50)
    page = client.get(f"/staff/campaigns/snoopers/experiments/{eid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Too early to say" in html
    assert '<th scope="col">control</th><th scope="col">urgent</th>' in html
    assert "Two weeks left to stop it" in html and "<td>£35</td><td>£40</td>" in html
    assert "<td>£43.75</td><td>£57.14</td>" in html  # per 1,000 views
    assert "<svg" in html and "polyline" in html
    assert client.get("/staff/campaigns/snoopers/experiments/999").status_code == 404
    client.post("/logout")


def test_the_verdict_in_plain_words(ctx):
    credits = [stats.Credit(0, 0, 1000)] * 30 + [stats.Credit(0, 1, 1000)] * 30
    early = stats.results(["a", "b"], [stats.ArmCounts()] * 2, credits, {0: [1000, 1000]}, 10_000)
    assert early.verdict == stats.TOO_EARLY
    words = in_words(early)
    assert words.startswith("Too early to say: about ") and "to tell a 15% difference" in words
    assert f"{early.more_views_needed:,}" in words
    rng = np.random.default_rng(1)
    won = [stats.Credit(d, int(rng.random() < 0.7), 1000) for d in range(60) for _ in range(10)]
    views = {d: [1000, 1000] for d in range(60)}
    result = stats.results(["a", "b"], [stats.ArmCounts()] * 2, won, views, 10_000)
    assert in_words(result).startswith("Winner: 'b'")
