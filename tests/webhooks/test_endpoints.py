"""Registering endpoints: https, public addresses, at most 2,048 characters, known events;
a secret shown once; by API (admin scope) and on the staff page (issue 24)."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import WebhookDelivery, WebhookEndpoint, utcnow
from sharetrack.webhooks import endpoints, outbox
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import csrf_from, errors_in

STRICT = endpoints.Rules(allow_private=False, allow_http=False)
EVENTS = ["pledge.counted"]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.7/hook",
        "https://192.168.1.1/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",  # AWS, GCP, Azure metadata
        "https://100.100.100.200/",  # Alibaba metadata (carrier-grade NAT range)
        "https://[::1]/hook",
        "https://[fd00:ec2::254]/",  # AWS metadata over IPv6
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_private_loopback_link_local_and_metadata_addresses_are_refused(url):
    with pytest.raises(endpoints.EndpointRefused) as refused:
        endpoints.checked(url, EVENTS, STRICT)
    assert refused.value.field == "url"
    assert "private, loopback, link-local or metadata" in refused.value.message
    allowed = endpoints.Rules(allow_private=True, allow_http=False)
    assert endpoints.checked(url, EVENTS, allowed)[0] == url  # only with the setting


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://203.0.113.9/hook", "must start with https://"),
        ("ftp://203.0.113.9/hook", "must start with https://"),
        ("https://8.8.8.8/" + "a" * 2040, "at most 2048 characters"),
        ("https:///nohost", "must name a host"),
        ("https://user:pw@8.8.8.8/", "user name or password"),
        ("https://8.8.8.8/a b", "spaces"),
        ("https://8.8.8.8:99999/", "not a valid URL"),
        ("https://no-such-host.invalid/", "does not resolve"),
    ],
)
def test_malformed_or_plain_http_urls_are_refused(url, message):
    with pytest.raises(endpoints.EndpointRefused) as refused:
        endpoints.checked(url, EVENTS, STRICT)
    assert message in refused.value.message


def test_a_public_https_address_and_known_events_pass():
    url = "https://8.8.8.8/hooks?team=1"
    assert endpoints.checked(url, ["campaign.ended", "pledge.counted"], STRICT) == (
        url,
        ("pledge.counted", "campaign.ended"),
    )
    for events, message in [(["pledge.counted", "pledge.made"], "unknown event"), ([], "least")]:
        with pytest.raises(endpoints.EndpointRefused) as refused:
            endpoints.checked(url, events, STRICT)
        assert refused.value.field == "events" and message in refused.value.message


def test_secrets_are_standard_webhooks_secrets_and_differ():
    made = {endpoints.new_secret() for _ in range(20)}
    assert len(made) == 20
    for secret in made:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24


class TestStrictSettings:
    """The default settings: https only, public addresses only."""

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WEBHOOK_ALLOW_PRIVATE": False, "WEBHOOK_ALLOW_HTTP": None}

    @BOTH_ENGINES
    def test_bad_endpoints_are_422_and_nothing_is_stored(self, app, client, auth, engine_name):
        for body, field in [
            ({"url": "https://127.0.0.1/hook", "events": EVENTS}, "url"),
            ({"url": "http://8.8.8.8/hook", "events": EVENTS}, "url"),
            ({"url": "https://8.8.8.8/" + "a" * 2100, "events": EVENTS}, "url"),
            ({"url": "https://8.8.8.8/hook", "events": ["pledge.made"]}, "events"),
            ({"url": "https://8.8.8.8/hook", "events": []}, "events"),
        ]:
            response = client.post("/api/v1/webhook-endpoints", headers=auth, json=body)
            assert response.status_code == 422, body
            assert response.mimetype == "application/problem+json"
            assert [e["field"] for e in response.json["errors"]] == [field]
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0

    def test_the_staff_form_refuses_a_private_address_beside_the_field(self, app, admin):
        token = csrf_from(admin.get("/staff/webhooks/").text)
        response = admin.post(
            "/staff/webhooks/",
            data={"csrf_token": token, "url": "https://127.0.0.1/x", "events": EVENTS},
        )
        assert response.status_code == 422
        assert "loopback" in errors_in(response.text)["url"]


@BOTH_ENGINES
def test_an_endpoint_is_registered_by_api_its_secret_shown_once(
    app, client, auth, receiver, engine_name
):
    made = client.post(
        "/api/v1/webhook-endpoints",
        headers=auth,
        json={"url": receiver.url, "events": ["share.created", "pledge.counted"]},
    )
    assert made.status_code == 201
    secret, endpoint_id = made.json["secret"], made.json["endpoint"]["id"]
    assert secret.startswith("whsec_")
    assert made.json["endpoint"]["events"] == ["pledge.counted", "share.created"]
    listed = client.get("/api/v1/webhook-endpoints", headers=auth)
    assert secret not in listed.text and listed.json["endpoints"][0]["enabled"] is True
    rotated = client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", headers=auth)
    assert rotated.status_code == 200 and rotated.json["secret"] not in (secret, None)
    missing = client.post("/api/v1/webhook-endpoints/999/rotate-secret", headers=auth)
    assert missing.status_code == 404
    log = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=auth)
    assert log.status_code == 200 and log.json["deliveries"] == []
    gone = client.delete(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=auth)
    assert gone.status_code == 204
    assert client.get("/api/v1/webhook-endpoints", headers=auth).json["endpoints"] == []


def test_staff_register_an_endpoint_see_the_log_and_resend(app, admin, receiver, run):
    page = admin.get("/staff/webhooks/")
    token = csrf_from(page.text)
    made = admin.post(
        "/staff/webhooks/",
        data={"csrf_token": token, "url": receiver.url, "events": ["share.created"]},
    )
    assert made.status_code == 201
    [secret] = re.findall(r'id="new-secret"[^>]*value="(whsec_[^"]+)"', made.text)
    assert secret not in admin.get("/staff/webhooks/").text  # shown once
    with app.app_context():
        outbox.emit(db.session, "share.created", {"share": {"id": 1}})
        db.session.commit()
        endpoint_id = db.session.scalar(sa.select(WebhookEndpoint.id))
        delivery_id = db.session.scalar(sa.select(WebhookDelivery.id))
    run()
    log = admin.get(f"/staff/webhooks/{endpoint_id}")
    assert "share.created" in log.text and "204" in log.text and "delivered" in log.text
    resent = admin.post(
        f"/staff/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend",
        data={"csrf_token": token},
    )
    assert resent.status_code == 303
    run()
    assert len(receiver.verified(secret)) == 2 and len(set(receiver.ids())) == 1


def test_a_disabled_endpoint_shows_its_note_and_can_be_enabled(app, admin, endpoint, run):
    receiver_down = "http://127.0.0.1:9/hook"  # the discard port: nothing listens
    with app.app_context():
        row = db.session.get(WebhookEndpoint, endpoint[0])
        row.url = receiver_down
        outbox.emit(db.session, "share.created", {"share": {"id": 1}})
        db.session.commit()
    t = utcnow()
    run(t)
    run(t + dt.timedelta(days=3))
    page = admin.get("/staff/webhooks/").text
    assert "disabled" in page and "every delivery failed since" in page
    token = csrf_from(page)
    enabled = admin.post(f"/staff/webhooks/{endpoint[0]}/enable", data={"csrf_token": token})
    assert enabled.status_code == 303
    assert "every delivery failed since" not in admin.get("/staff/webhooks/").text


def test_viewers_cannot_reach_the_webhook_pages(client, viewer, endpoint):
    assert client.get("/staff/webhooks/").status_code == 403
    assert client.get(f"/staff/webhooks/{endpoint[0]}").status_code == 403
