"""Rate limits: per client, 429 problem details, redirects never stranded, no IP in the storage."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import redis
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from sharetrack import create_app, ratelimit
from sharetrack.config import ConfigError
from sharetrack.extensions import db
from sharetrack.models import Click
from tests import live
from tests.conftest import IN_CI

REDIS_URL = "redis://127.0.0.1:6379/0"
IP = "203.0.113.77"


def require_redis() -> redis.Redis:
    """Skip (fail under CI) when Redis does not answer."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis is required under CI=true and did not answer: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: start it to run this test")
    return client


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own in the shared Redis; its keys are deleted afterwards."""
    client = require_redis()
    prefix = f"st-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def app_config(app_config, request):
    """Settings a test adds through indirect parametrisation; `@pytest.mark.redis` adds Redis."""
    settings = {**app_config, **getattr(request, "param", {})}
    if request.node.get_closest_marker("redis"):
        settings.update(redis_settings(request.getfixturevalue("redis_prefix")))
    return settings


def redis_settings(prefix: str) -> dict:
    return {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix}}


@pytest.fixture
def make_app(app):
    """Factory: one more app instance on the test's database (after `app`, which made it)."""
    made = []

    def make(config: dict):
        made.append(create_app(config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def with_settings(**settings):
    return pytest.mark.parametrize("app_config", [settings], indirect=True)


def post_share(client, campaign, ip=IP):
    return client.post(
        "/api/v1/shares",
        json={"campaign": campaign.slug, "channel": "facebook"},
        environ_base={"REMOTE_ADDR": ip},
    )


def visit(client, token, ip=IP):
    return client.get(f"/s/{token}", environ_base={"REMOTE_ADDR": ip})


def click_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Click))


# --- keys: no address, one client per IPv4 address or IPv6 /64 ----------------------------------


@given(st.ip_addresses(v=4))
def test_an_ipv4_client_is_its_address(address):
    assert ratelimit.client_network(str(address)) == str(address)


@given(st.ip_addresses(v=6), st.integers(0, 2**64 - 1))
def test_an_ipv6_client_is_its_64_network(address, host_bits):
    if address.ipv4_mapped:
        return
    neighbour = type(address)((int(address) >> 64 << 64) | host_bits)
    assert ratelimit.client_network(str(address)) == ratelimit.client_network(str(neighbour))


@given(st.text(alphabet="0123456789.:\n 5f", max_size=20) | st.ip_addresses().map(str))
def test_any_spelling_of_an_address_is_read_as_ipaddress_reads_it(text):
    """The fast path for canonical IPv4 never accepts what ipaddress refuses or writes
    differently (leading zeros, a trailing newline, three parts, 256)."""
    assert ratelimit.client_network(text) == ratelimit._network_by_ipaddress(text)


@pytest.mark.parametrize(
    "text", ["01.2.3.4", "1.2.3.4\n", "1.2.3", "256.1.1.1", "1.2.3.4.5", " 1.2.3.4", "10.0.0.255"]
)
def test_ipv4_spellings_at_the_edges(text):
    assert ratelimit.client_network(text) == ratelimit._network_by_ipaddress(text)


def test_network_edges():
    assert ratelimit.client_network("::ffff:203.0.113.7") == "203.0.113.7"
    assert ratelimit.client_network("2001:db8:1:2::1") != ratelimit.client_network(
        "2001:db8:1:3::1"
    )
    assert ratelimit.client_network("") == ratelimit.client_network("not an ip") == "unknown"


@given(st.ip_addresses(v=4), st.binary(min_size=32, max_size=32))
def test_the_key_is_a_keyed_hash_not_the_address(address, secret):
    digest = ratelimit.client_digest(secret, str(address))
    assert len(digest) == 32 and int(digest, 16) >= 0
    assert str(address) not in digest
    assert digest == ratelimit.client_digest(secret, str(address))
    assert digest != ratelimit.client_digest(bytes(32) if any(secret) else b"\1" * 32, str(address))


# --- the memory storage in a threaded worker ---------------------------------------------------


def test_memory_limits_are_served_by_the_swept_storage_through_limits_public_interface(app):
    """memory:// (the default) gets SweptMemoryStorage, which limits finds by its scheme; the
    setting itself is left as written (deploy/gunicorn.conf.py reads it)."""
    from limits.storage import storage_from_string

    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert type(ratelimit.limiter.storage) is ratelimit.SweptMemoryStorage
    assert type(storage_from_string("memory://")) is ratelimit.SweptMemoryStorage


def test_memory_limits_count_exactly_with_threads_hitting_at_once(app):
    """gthread workers hit one storage from many threads: no hit is lost and none raises.

    limits' MemoryStorage could raise "threads can only be started once" here, when two
    threads restarted its expiry Timer together; this storage starts no thread at all.
    """
    import threading

    from limits import parse

    from sharetrack.ratelimit import limiter

    item, threads, hits, errors = parse("1000/minute"), 8, 50, []
    barrier = threading.Barrier(threads)

    def hit() -> None:
        barrier.wait()
        try:
            for _ in range(hits):
                limiter.limiter.hit(item, "race", "client")
        except Exception as exc:
            errors.append(exc)

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert limiter.limiter.get_window_stats(item, "race", "client").remaining == 1000 - 400


def test_memory_limits_start_no_threads_and_still_drop_expired_counters(monkeypatch):
    import threading
    import time

    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    storage = storage_from_string("memory://", sweep_every=0.05)
    starts = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: starts.append(thread))
    limits = FixedWindowRateLimiter(storage)
    short, long_ = parse("5/second"), parse("1000/hour")
    for n in range(200):
        assert limits.hit(long_, "keep", str(n % 10))
    assert [limits.hit(short, "gone", "client") for _ in range(6)] == [True] * 5 + [False]
    assert limits.get_window_stats(short, "gone", "client").reset_time > time.time()
    time.sleep(1.1)  # the one-second window has ended; nobody reads that counter again
    limits.hit(long_, "keep", "0")  # a later hit sweeps
    assert starts == []
    assert not any("gone" in key for key in storage.counters)
    assert sum("keep" in key for key in storage.counters) == 10
    assert limits.get_window_stats(long_, "keep", "0").remaining == 1000 - 21
    assert limits.hit(short, "gone", "client")  # a new window


# --- share creation: 429 problem details with Retry-After, per client -------------------------


@with_settings(RATELIMIT_SHARES="3/minute")
def test_share_creation_is_limited_per_client(app, client, make_campaign):
    campaign = make_campaign()
    assert [post_share(client, campaign).status_code for _ in range(3)] == [201, 200, 200]
    refused = post_share(client, campaign)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 429
    assert refused.json["type"].endswith("/too-many-requests")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert f"{refused.headers['Retry-After']} s" in refused.json["detail"]
    # Another client (here with the same promoter cookie) is not held back by the first.
    assert post_share(client, campaign, ip="198.51.100.4").status_code == 200


@with_settings(RATELIMIT_SHARES="2/minute", TRUSTED_PROXIES=1)
def test_the_client_is_the_address_after_the_trusted_proxy(app, client, make_campaign):
    campaign = make_campaign()

    def via_proxy(forwarded_for):
        return client.post(
            "/api/v1/shares",
            json={"campaign": campaign.slug, "channel": "x"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        ).status_code

    assert [via_proxy("203.0.113.1") for _ in range(3)] == [201, 200, 429]
    assert via_proxy("203.0.113.2") == 200


@with_settings(RATELIMIT_SHARES="1/minute", RATELIMIT_ENABLED=False)
def test_limits_can_be_switched_off(app, client, make_campaign):
    campaign = make_campaign()
    assert [post_share(client, campaign).status_code for _ in range(3)] == [201, 200, 200]


def test_an_app_with_limits_switched_off_starts_in_a_fresh_process(tmp_path):
    """The test process shares one limiter between apps, so only a new process shows that
    start-up works when Flask-Limiter has never made a storage."""
    import subprocess
    import sys

    code = (
        "from sharetrack import create_app\n"
        f"app = create_app({{'TESTING': True, 'RATELIMIT_ENABLED': False,"
        f" 'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.db'}})\n"
        "print(app.test_client().get('/s/1.0000000000000000').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "404"


@pytest.mark.parametrize(
    "settings",
    [{"RATELIMIT_SHARES": "lots"}, {"RATELIMIT_REDIRECT": "5 per fortnight"}],
)
def test_a_limit_that_is_not_one_refuses_to_start(app_config, settings):
    with pytest.raises(ConfigError, match="is not a rate limit"):
        create_app({**app_config, **settings})


# --- the redirect: still redirects, not counted ------------------------------------------------


@with_settings(RATELIMIT_REDIRECT="3/minute")
def test_a_limited_redirect_still_redirects_but_is_not_counted(app, client, make_share):
    _, token = make_share()
    responses = [visit(client, token) for _ in range(5)]
    assert [r.status_code for r in responses] == [302] * 5
    assert len({r.headers["Location"] for r in responses}) == 1
    assert all("Retry-After" not in r.headers for r in responses)
    assert click_count(app) == 3
    assert visit(client, token, ip="198.51.100.9").status_code == 302
    assert click_count(app) == 4


# --- staff sign-in: the real form, and the HTML 429 page --------------------------------------


@with_settings(RATELIMIT_LOGIN="2/minute")
def test_sign_in_limit_counts_posts_and_answers_an_html_429(app):
    from tests.staff_fixtures import csrf_from

    client = app.test_client()
    assert [client.get("/staff/login").status_code for _ in range(3)] == [200] * 3
    token = csrf_from(client.get("/staff/login").text)
    attempt = {"csrf_token": token, "email": "nobody@example.org", "password": "wrong" * 3}
    assert [client.post("/staff/login", data=attempt).status_code for _ in range(3)] == [
        422,
        422,
        429,
    ]
    refused = client.post("/staff/login", data=attempt)
    assert refused.mimetype == "text/html"
    assert b"Too Many Requests" in refused.data
    assert int(refused.headers["Retry-After"]) >= 1
    assert "default-src 'self'" in refused.headers["Content-Security-Policy"]


# --- Redis: shared, keyed without addresses, gone after the window -----------------------------


@pytest.mark.redis
@with_settings(TRUSTED_PROXIES=1)
def test_redis_holds_no_address_and_nothing_beyond_the_window(
    app, client, redis_prefix, make_share
):
    forwarded = {"X-Forwarded-For": IP, "User-Agent": "Mozilla/5.0 " + IP}
    share, token = make_share()
    for channel in ("email", "x"):
        client.post(
            "/api/v1/shares", json={"campaign": "case-1", "channel": channel}, headers=forwarded
        )
    client.get(f"/s/{token}", headers=forwarded)

    store = redis.Redis.from_url(REDIS_URL)
    keys = sorted(store.scan_iter(f"{redis_prefix}:*"))
    counters = [k for k in keys if b"/secret/" not in k]
    day_secrets = [k for k in keys if b"/secret/" in k]
    assert len(counters) == 2 and len(day_secrets) == 1, keys
    for key in keys:
        assert IP.encode() not in key
        assert IP.encode() not in (store.get(key) or b"")
    # Counters live as long as their one-minute window; the day's secret 48 hours at most.
    assert all(0 < store.ttl(key) <= 60 for key in counters)
    assert 0 < store.ttl(day_secrets[0]) <= 2 * 86400


@pytest.mark.redis
def test_every_instance_on_one_redis_uses_the_same_secret_of_the_day(
    app, app_config, redis_prefix, make_app
):
    keys = []
    for instance in (app, make_app(app_config)):  # one after the other: one limiter per process
        with instance.test_request_context(environ_base={"REMOTE_ADDR": IP}):
            keys.append(ratelimit.client_key())
    assert keys[0] == keys[1]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    store = redis.Redis.from_url(REDIS_URL)
    assert store.exists(f"{redis_prefix}:sharetrack/secret/{today}")
    # Another Redis namespace has another secret, so another key for the same client.
    store.delete(f"{redis_prefix}:sharetrack/secret/{today}")
    with make_app(app_config).test_request_context(environ_base={"REMOTE_ADDR": IP}):
        assert ratelimit.client_key() != keys[0]


@with_settings(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", RATELIMIT_SHARES="1/hour")
def test_with_redis_down_requests_pass_and_clicks_count(app, client, make_campaign, make_share):
    campaign = make_campaign()
    assert [post_share(client, campaign).status_code for _ in range(2)] == [201, 200]
    _, token = make_share(campaign=campaign)
    assert visit(client, token).status_code == 302
    assert click_count(app) == 1


@pytest.mark.slow
def test_two_servers_share_one_limit_through_redis(tmp_path, redis_prefix):
    env = live.environment(
        tmp_path,
        SHARETRACK_RATELIMIT_STORAGE_URI=REDIS_URL,
        SHARETRACK_RATELIMIT_STORAGE_OPTIONS=json.dumps({"key_prefix": redis_prefix}),
        SHARETRACK_RATELIMIT_SHARES="4/hour",
    )
    key = live.prepare(env)
    staff = {"Authorization": f"Bearer {key}"}
    with live.gunicorn(env) as one, live.gunicorn(env) as two:
        campaign = {"slug": "shared", "title": "Shared", "landing_url": "https://case.example/"}
        assert live.call("POST", one + "/api/v1/campaigns", campaign, staff)[0] == 201
        answers = [
            live.call("POST", base + "/api/v1/shares", {"campaign": "shared", "channel": "x"})
            for base in (one, two, one, two, one, two)
        ]
    # Server one alone saw three requests, under its limit of four: the count is shared.
    assert [status for status, _, _ in answers] == [201, 201, 201, 201, 429, 429]
    status, headers, body = answers[-1]
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == 429 and int(headers["Retry-After"]) >= 1
