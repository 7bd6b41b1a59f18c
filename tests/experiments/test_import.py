"""Experiments moved in through the real `flask import`, read back through the API."""

from __future__ import annotations

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Share, VariantDay
from tests.conftest import BOTH_ENGINES
from tests.experiments.conftest import VARIANTS

CAMPAIGN = {
    "type": "campaign",
    "slug": "history",
    "title": "Brought from elsewhere",
    "landing_url": "https://case.example/",
    "currency": "GBP",
    "target_minor": 500_000,
    "window_days": 30,
}
EXPERIMENT = {
    "type": "experiment",
    "campaign": "history",
    "name": "Urgency",
    "allocation": "equal",
    "variants": VARIANTS,
    "started_at": "2026-01-01T00:00:00Z",
}


def views(variant, day, count, experiment="Urgency"):
    return {
        "type": "views",
        "campaign": "history",
        "experiment": experiment,
        "variant": variant,
    } | {
        "day": day,
        "count": count,
    }


def share(key, variant, experiment="Urgency"):
    return {"type": "share", "key": key, "campaign": "history", "channel": "x"} | {
        "promoter": key,
        "created_at": "2026-01-02T09:00:00Z",
        "experiment": experiment,
        "variant": variant,
    }


def pledge(external_id, amount, key):
    return {"type": "pledge", "external_id": external_id, "campaign": "history"} | {
        "amount_minor": amount,
        "currency": "GBP",
        "status": "paid",
        "at": "2026-01-03T12:00:00Z",
        "share": key,
    }


@BOTH_ENGINES
def test_import_then_api(app, client, auth, jsonl, run_import, engine_name):
    lines = [
        CAMPAIGN,
        EXPERIMENT,
        views("control", "2026-01-02", 900),
        views("urgent", "2026-01-02", 1100),
        share("a", "control"),
        share("b", "urgent"),
        pledge("p1", 2000, "a"),
        pledge("p2", 3000, "b"),
        pledge("p3", 1000, "b"),
    ]
    result = run_import(jsonl(*lines))
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Share.variant_id.is_not(None))) == 2
        )
    body = client.get("/api/v1/campaigns/history/experiments/1", headers=auth).json
    assert (body["name"], body["status"]) == ("Urgency", "running")
    got = {
        v["key"]: (v["views"], v["shares"], v["pledges"], v["money_minor"])
        for v in body["variants"]
    }
    assert got == {"control": (900, 1, 1, 2000), "urgent": (1100, 1, 2, 4000)}
    # The same day's views again set the count, not add to it; a second experiment is refused.
    again = run_import(jsonl(views("urgent", "2026-01-02", 1200)))
    assert again.exit_code == 0, again.output
    body = client.get("/api/v1/campaigns/history/experiments/1", headers=auth).json
    assert body["variants"][1]["views"] == 1200
    second = run_import(jsonl(EXPERIMENT | {"name": "Another"}))
    assert second.exit_code != 0 and "already runs an experiment" in second.output


@BOTH_ENGINES
def test_bad_experiment_lines_name_their_line(app, jsonl, run_import, engine_name):
    result = run_import(
        jsonl(
            CAMPAIGN,
            EXPERIMENT | {"variants": VARIANTS[:1]},  # line 2: one variant
            EXPERIMENT | {"campaign": "nowhere"},  # line 3
            EXPERIMENT,
            views("nobody", "2026-01-02", 5),  # line 5
            views("control", "2026-01-02", 5, experiment="Other"),  # line 6
            share("a", "nobody"),  # line 7
            share("b", "control") | {"variant": None},  # line 8: experiment without variant
        )
    )
    assert result.exit_code != 0
    out = result.output
    assert "line 2: variants" in out
    assert "line 3: unknown campaign 'nowhere'" in out
    assert "line 5: experiment 'Urgency' has no variant 'nobody'" in out
    assert "line 6: unknown experiment 'Other'" in out
    assert "line 7: experiment 'Urgency' has no variant 'nobody'" in out
    assert "line 8:" in out
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(VariantDay)) == 0
