"""Staff API: experiments on the ask, on both engines."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Campaign, Experiment
from tests.conftest import BOTH_ENGINES


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    return response.json


def url(slug: str, *rest) -> str:
    return "/".join([f"/api/v1/campaigns/{slug}/experiments", *map(str, rest)])


@BOTH_ENGINES
def test_create_read_and_end_keeping_a_variant(
    app, client, auth, make_campaign, experiment_body, stock, engine_name
):
    campaign = make_campaign(slug="snoopers")
    created = client.post(url("snoopers"), headers=auth, json=experiment_body)
    assert created.status_code == 201, created.data
    eid = created.json["id"]
    assert created.headers["Location"].endswith(url("snoopers", eid))
    stock("snoopers", "control", 800, [1000, 2500])
    stock("snoopers", "urgent", 700, [4000])
    got = client.get(url("snoopers", eid), headers=auth)
    assert got.status_code == 200, got.data
    body = got.json
    assert (body["id"], body["name"], body["status"]) == (eid, "Urgency", "running")
    assert body["verdict"] == "too_early" and body["winner"] is None  # 3 pledges
    control, urgent = body["variants"]
    assert (control["key"], control["views"], control["shares"]) == ("control", 800, 1)
    assert (control["pledges"], control["money_minor"]) == (2, 3500)
    assert control["money_per_view_minor"] == pytest.approx(3500 / 800)
    assert control["share_rate"] == pytest.approx(1 / 800)
    assert control["lift"] is None and control["lift_low"] is None
    assert (urgent["pledges"], urgent["money_minor"]) == (1, 4000)
    assert urgent["lift"] == pytest.approx((4000 / 700) / (3500 / 800) - 1)
    # three pledges rule nothing out: from -100% to unbounded (null)
    assert (urgent["lift_low"], urgent["lift_high"]) == (-1.0, None)
    assert control["chance_best"] + urgent["chance_best"] == pytest.approx(1)
    ended = client.post(url("snoopers", eid, "end"), headers=auth, json={"keep": "urgent"})
    assert ended.status_code == 200 and ended.json["status"] == "ended"
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        assert stored.ask_heading == "Two weeks left to stop it"
        assert stored.ask_share_text == "Help stop the snoopers before the hearing"
        assert stored.ask_card_headline == "Two weeks left"
    # ended: a new one may start
    assert client.post(url("snoopers"), headers=auth, json=experiment_body).status_code == 201


@BOTH_ENGINES
def test_bad_inputs_are_4xx_and_store_nothing(
    client, auth, make_campaign, experiment_body, engine_name
):
    make_campaign(slug="snoopers")
    make_campaign(slug="other")
    one = experiment_body["variants"][:1]
    five = [dict(experiment_body["variants"][0], key=f"v{i}") for i in range(5)]
    twice = [experiment_body["variants"][0]] * 2
    long_heading = [dict(experiment_body["variants"][0], heading="x" * 121)] + one
    control = [dict(experiment_body["variants"][0], text="bell\x07")] + one
    for variants, field in [
        (one, "variants"),
        (five, "variants"),
        (twice, "variants"),
        (long_heading, "variants.0.heading"),
        (control, "variants.0.text"),
    ]:
        body = problem(
            client.post(
                url("snoopers"), headers=auth, json=experiment_body | {"variants": variants}
            ),
            422,
        )
        assert body["errors"][0]["field"] == field, body
    assert problem(client.post(url("snoopers"), headers=auth, json={"name": "x"}), 422)
    eid = client.post(url("snoopers"), headers=auth, json=experiment_body).json["id"]
    second = problem(client.post(url("snoopers"), headers=auth, json=experiment_body), 409)
    assert "already runs" in second["detail"]
    problem(client.get(url("other", eid), headers=auth), 404)  # another campaign's
    problem(client.post(url("other", eid, "end"), headers=auth, json={}), 404)
    problem(client.get(url("snoopers", 2**70), headers=auth), 404)
    unknown = problem(
        client.post(url("snoopers", eid, "end"), headers=auth, json={"keep": "zz"}), 422
    )
    assert unknown["errors"][0]["field"] == "keep"
    assert client.get(url("snoopers", eid), headers=auth).json["status"] == "running"
    assert client.post(url("snoopers", eid, "end"), headers=auth, json={}).status_code == 200
    problem(client.post(url("snoopers", eid, "end"), headers=auth, json={}), 409)
    assert (
        client.get(
            url("snoopers", eid),
            headers=auth,
        ).status_code
        == 200
    )
    problem(client.get(url("snoopers", eid)), 401)


@BOTH_ENGINES
def test_a_start_racing_another_is_a_409_not_a_500(
    app, client, auth, make_campaign, experiment_body, monkeypatch, engine_name
):
    """Both pass the running check; the database's one-running index refuses the second, and
    the service says AlreadyRunning (its savepoint leaves the transaction usable)."""
    from sharetrack.experiments import service

    make_campaign(slug="snoopers")
    assert client.post(url("snoopers"), headers=auth, json=experiment_body).status_code == 201
    monkeypatch.setattr(service, "running", lambda session, campaign_id: None)
    body = problem(client.post(url("snoopers"), headers=auth, json=experiment_body), 409)
    assert body["type"].endswith("experiment-running")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Experiment)) == 1
