"""GET /metrics: Prometheus text behind a bearer token, summed over gunicorn workers."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import live
from tests.conftest import BOTH_ENGINES
from tests.ops.conftest import METRICS_TOKEN
from tests.pledges import stripe_support as st

STRIPE_SECRET = "whsec_test_metrics_0123456789abcdef"

BEARER = {"Authorization": f"Bearer {METRICS_TOKEN}"}
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value from Prometheus text (0 when it is not there yet)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name:
            got = ",".join(sorted((match[2] or "").split(","))) if match[2] else ""
            if got == wanted:
                return float(match[3])
    return 0.0


@pytest.mark.parametrize("app_config", [{"METRICS_TOKEN": None}], indirect=True)
def test_off_unless_a_token_is_set(client):
    assert client.get("/metrics", headers=BEARER).status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", f"Basic {METRICS_TOKEN}", f"Bearer {METRICS_TOKEN}x"]
)
def test_needs_the_bearer_token(client, header):
    response = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@BOTH_ENGINES
def test_clicks_deliveries_and_durations_are_counted(
    client, make_share, make_campaign, deliver, pledge_body, app
):
    before = client.get("/metrics", headers=BEARER).text
    _, token = make_share()
    app.config["RATELIMIT_REDIRECT"] = "2/minute"  # the first two spend it: the third is not
    client.get(f"/s/{token}", headers={"User-Agent": BROWSER})
    client.get(f"/s/{token}", headers={"User-Agent": "Twitterbot/1.0"})
    client.get(f"/s/{token}", headers={"User-Agent": BROWSER})
    campaign = make_campaign()
    body = pledge_body(campaign)
    assert deliver(body).status_code == 201
    assert deliver(body).status_code == 200
    assert deliver(body, secret="not-the-secret-0123456789").status_code == 401
    client.get(f"/c/{campaign.slug}")
    after = client.get("/metrics", headers=BEARER)
    assert after.status_code == 200
    assert after.mimetype == "text/plain"

    def more(name, **labels):
        return value(after.text, name, **labels) - value(before, name, **labels)

    assert more("sharetrack_clicks_total", kind="counted") == 1
    assert more("sharetrack_clicks_total", kind="bot") == 1
    assert more("sharetrack_clicks_total", kind="uncounted") == 1
    assert more("sharetrack_pledge_deliveries_total", source="webhook", result="new") == 1
    assert more("sharetrack_pledge_deliveries_total", source="webhook", result="repeat") == 1
    assert more("sharetrack_pledge_deliveries_total", source="webhook", result="bad_signature") == 1
    page = {"endpoint": "campaign_page.campaign_page", "method": "GET"}
    assert more("sharetrack_request_duration_seconds_count", **page) == 1
    assert "sharetrack_share_value_seconds_bucket" in after.text


def click(base: str, token: str) -> int:
    """One click on a share link, the redirect not followed; its status."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", f"/s/{token}", headers={"User-Agent": BROWSER})
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.slow
@BOTH_ENGINES
def test_clicks_through_two_workers_are_summed_exactly(app, app_config, make_share, tmp_path):
    _, token = make_share()
    folder = tmp_path / "metrics"
    env = live.environment(
        tmp_path,
        app_config["SQLALCHEMY_DATABASE_URI"],
        SHARETRACK_SECRET_KEY=app_config["SECRET_KEY"],  # the key that signed `token`
        SHARETRACK_METRICS_TOKEN=METRICS_TOKEN,
        SHARETRACK_RATELIMIT_ENABLED="false",
        PROMETHEUS_MULTIPROC_DIR=str(folder),
    )
    if "SQLALCHEMY_ENGINE_OPTIONS" in app_config:
        env["SHARETRACK_SQLALCHEMY_ENGINE_OPTIONS"] = json.dumps(
            app_config["SQLALCHEMY_ENGINE_OPTIONS"]
        )
    clicks = 0
    statuses: list[int] = []
    with live.gunicorn(env, workers=2, args=("-c", "deploy/gunicorn.conf.py")) as base:
        before = live.call("GET", base + "/metrics", headers=BEARER)[2]
        # Concurrent batches until both workers have taken some (which worker accepts a
        # connection is the kernel's choice), so the sum is really over two processes.
        for _ in range(30):
            with ThreadPoolExecutor(8) as pool:
                statuses += list(pool.map(lambda _: click(base, token), range(20)))
            clicks += 20
            per_worker = [
                sum(row[1] for row in values_in(path) if '"counted"' in row[0])
                for path in folder.glob("counter_*.db")
            ]
            if len([n for n in per_worker if n > 0]) == 2:
                break
        after = live.call("GET", base + "/metrics", headers=BEARER)[2]
    assert statuses == [302] * clicks
    counted = value(after, "sharetrack_clicks_total", kind="counted")
    assert counted - value(before, "sharetrack_clicks_total", kind="counted") == clicks
    assert len([n for n in per_worker if n > 0]) == 2  # the sum really is over two workers


def values_in(path):
    """(key, value, ...) of every sample one process wrote."""
    from prometheus_client.mmap_dict import MmapedDict

    return list(MmapedDict.read_all_values_from_file(str(path)))


@pytest.mark.slow
def test_more_than_one_worker_with_memory_rate_limits_refuses_to_start(tmp_path):
    env = live.environment(tmp_path)  # refused before any database is touched
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
    done = subprocess.run(
        [str(live.BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--workers", "2"]
        + ["--bind", f"127.0.0.1:{live.free_port()}", "wsgi:app"],
        cwd=live.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SHARETRACK_RATELIMIT_STORAGE_URI=redis://" in done.stderr


@pytest.mark.parametrize(
    "app_config",
    [{"STRIPE_WEBHOOK_SECRET": [STRIPE_SECRET]}],
    indirect=True,
)
def test_stripe_deliveries_are_counted_by_what_they_came_to(client, make_campaign):
    campaign = make_campaign(currency="GBP")
    before = client.get("/metrics", headers=BEARER).text
    obj = st.checkout_session("pi_m1", 2500, metadata={"sharetrack_campaign": campaign.slug})
    body = st.event("checkout.session.completed", obj)

    def post(raw: bytes, secret: str = STRIPE_SECRET):
        headers = {"Stripe-Signature": st.sign(raw, secret), "Content-Type": "application/json"}
        return client.post("/api/v1/webhooks/stripe", data=raw, headers=headers)

    assert post(body).status_code == 200  # a new pledge, though Stripe gets 200 for all
    assert post(body).status_code == 200  # the same event again
    assert post(st.event("plan.created", {})).status_code == 200  # one we do not use
    assert post(body, secret="whsec_not_it_0123456789abcdef").status_code == 400
    after = client.get("/metrics", headers=BEARER).text

    def more(result):
        labels = {"source": "stripe", "result": result}
        name = "sharetrack_pledge_deliveries_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert [more(r) for r in ("new", "repeat", "ignored", "bad_signature")] == [1, 1, 1, 1]
