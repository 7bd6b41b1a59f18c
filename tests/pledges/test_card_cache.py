"""The social card is drawn once per picture, for every worker (sharetrack/cache.py, ADR 0801),
and has a rate limit of its own."""

from __future__ import annotations

import os
import signal
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from sharetrack import cache, create_app
from sharetrack.campaigns import card
from tests import live
from tests.conftest import SAME_ORIGIN, close_connections
from tests.pledges.test_page import confirm_all, open_page
from tests.test_ratelimit import REDIS_URL, require_redis


@pytest.fixture
def app_config(app_config, tmp_path, request) -> dict:
    """A cache of the test's own, so what another test drew is not counted here; and the
    settings a test adds through indirect parametrisation."""
    return app_config | {"CACHE_DIR": str(tmp_path / "cache"), **getattr(request, "param", {})}


@pytest.fixture
def drawn(monkeypatch) -> list[card.Card]:
    """Every card the renderer draws, in this process."""
    seen: list[card.Card] = []
    draw = card.png

    def counting(shown: card.Card) -> bytes:
        seen.append(shown)
        return draw(shown)

    monkeypatch.setattr(card, "png", counting)
    return seen


@pytest.fixture
def hosted(make_campaign):
    # A title no other test uses: the cache is named by what the card shows.
    return make_campaign(pledge_page=True, slug="hosted-case", title=f"Case {uuid.uuid4().hex}")


@pytest.fixture
def second_worker(app, app_config):
    """Another app on the same database and configuration, as a second gunicorn worker is."""
    other = create_app(app_config)
    yield other
    close_connections(other)


def test_a_card_is_drawn_once_and_every_worker_serves_it(app, second_worker, hosted, drawn, client):
    first = client.get(f"/c/{hosted.slug}/card.png")
    # Another worker, another client: no cookie, no header in common, the same picture.
    other = second_worker.test_client().get(
        f"/c/{hosted.slug}/card.png", environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    again = client.get(f"/c/{hosted.slug}/card.png")
    assert [r.status_code for r in (first, other, again)] == [200, 200, 200]
    assert first.data == other.data == again.data
    assert len(drawn) == 1
    assert all("Set-Cookie" not in r.headers for r in (first, other, again))


def test_new_figures_are_a_new_card(app, client, hosted, drawn):
    before = client.get(f"/c/{hosted.slug}/card.png")
    open_page(client, hosted)
    client.post(f"/c/{hosted.slug}/pledge", data={"amount": "25"}, headers=SAME_ORIGIN)
    assert client.get(f"/c/{hosted.slug}/card.png").data == before.data  # not counted yet
    assert len(drawn) == 1
    confirm_all(app)  # a verified pledge: new figures, a new picture under a new name
    after = client.get(f"/c/{hosted.slug}/card.png")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.data != before.data
    assert [shown.raised for shown in drawn] == ["£0", "£25"]
    with app.app_context():
        for response in (before, after):
            assert cache.cache.get(f"card/{response.headers['ETag'].strip(chr(34))}") is not None


@pytest.mark.parametrize("app_config", [{"RATELIMIT_CARD": "3/minute"}], indirect=True)
def test_past_its_own_limit_the_card_is_a_429(client, hosted, app_config):
    answers = [client.get(f"/c/{hosted.slug}/card.png").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(f"/c/{hosted.slug}/card.png")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # Another client is not held back by the flood.
    other = client.get(f"/c/{hosted.slug}/card.png", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 200


@pytest.mark.parametrize(
    "app_config", [{"CACHE_REDIS_URL": f"redis://127.0.0.1:{live.free_port()}/0"}], indirect=True
)
def test_a_cache_that_is_down_is_a_miss_not_an_error(client, hosted, drawn):
    answers = [client.get(f"/c/{hosted.slug}/card.png") for _ in range(2)]
    answers.append(client.get(f"/c/{hosted.slug}"))  # its data read from the database instead
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len(drawn) == 1  # drawn once, then from this worker's memo (html/page_data.card_png)


def test_the_cache_is_files_by_default_and_the_limits_redis_in_production(app):
    files = cache.settings(app.config)
    assert (files["CACHE_TYPE"], files["CACHE_DIR"]) == ("FileSystemCache", app.config["CACHE_DIR"])
    shared = cache.settings(app.config | {"RATELIMIT_STORAGE_URI": "redis://redis.internal:6379/2"})
    assert shared["CACHE_TYPE"] == "RedisCache"
    assert shared["CACHE_REDIS_URL"] == (
        "redis://redis.internal:6379/2?socket_timeout=0.5&socket_connect_timeout=0.5"
    )


@pytest.mark.redis
def test_workers_share_the_cards_through_redis(app_config, hosted, drawn):
    require_redis()  # the card's title is the test's own, so is its name in Redis
    config = app_config | {"CACHE_REDIS_URL": REDIS_URL}
    apps = [create_app(config), create_app(config)]
    try:
        bodies = [a.test_client().get(f"/c/{hosted.slug}/card.png").data for a in apps]
    finally:
        for made in apps:
            close_connections(made)
    assert bodies[0] == bodies[1] and len(drawn) == 1


def _get(url: str) -> bytes:
    # Generous: a loaded 2-core machine boots a new worker slowly; a failure is still a failure.
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (our own server)
        return response.read()


def _workers(master: int) -> set[int]:
    """The pids whose parent is gunicorn's master: its workers."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == master:
            found.add(int(stat.parent.name))
    return found


def _wait_for_new_workers(master: int, old: set[int], count: int, timeout: float = 60) -> None:
    """Until `count` workers run and none of `old` is among them (a HUP replaces them all)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = _workers(master)
        if len(now) == count and not now & old:
            return
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not replace its workers {old} within {timeout} s")


@pytest.mark.slow
def test_gunicorn_workers_started_after_the_drawing_serve_it_undrawn(tmp_path: Path):
    cache_dir = tmp_path / "cache"
    env = live.environment(tmp_path, SHARETRACK_CACHE_DIR=str(cache_dir))
    key = live.prepare(env)
    case = {
        "slug": "snoopers",
        "title": "Stop the Snoopers",
        "landing_url": "https://case.example/pledge",
        "pledge_page": True,
    }
    auth = {"Authorization": f"Bearer {key}"}
    pid_file = tmp_path / "gunicorn.pid"
    with live.gunicorn(env, workers=2, args=("--pid", str(pid_file))) as base:
        assert live.call("POST", base + "/api/v1/campaigns", case, auth)[0] == 201
        first = _get(f"{base}/c/snoopers/card.png")
        files = set(cache_dir.iterdir())  # the card, the page's data, the cache's count of files
        stored = max(files, key=lambda path: path.stat().st_size)
        assert stored.stat().st_size > len(first)  # the picture, pickled
        drawn_at = stored.stat().st_mtime_ns
        # Two new workers, which never drew anything, replace the old ones (gunicorn's HUP).
        master = int(pid_file.read_text())
        old = _workers(master)
        assert len(old) == 2
        os.kill(master, signal.SIGHUP)
        _wait_for_new_workers(master, old, count=2)
        later = [_get(f"{base}/c/snoopers/card.png") for _ in range(10)]
    assert later == [first] * 10
    assert stored.stat().st_mtime_ns == drawn_at  # nobody drew it again
    assert stored in set(cache_dir.iterdir())
