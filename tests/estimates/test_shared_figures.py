"""One answer from all workers: two processes give the same share-value figures and ETag."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import BOTH_ENGINES
from tests.live import ROOT

# A second process with its own app (as a second gunicorn worker has): GET the figures each
# time a line arrives on stdin, print the ETag and body.
WORKER = """
import json, os, sys
from sharetrack import create_app
app = create_app(json.loads(os.environ["TEST_APP_CONFIG"]))
client = app.test_client()
for line in sys.stdin:
    r = client.get(line.strip())
    print(json.dumps([r.headers.get("ETag"), r.get_data(as_text=True)]), flush=True)
"""


@BOTH_ENGINES
def test_two_processes_answer_the_same_figures_at_once(
    app, app_config, client, earning_campaign, make_share, deliver, pledge_body, engine_name
):
    campaign = earning_campaign(shares=10, pledges=2)
    path = f"/api/v1/campaigns/{campaign.slug}/share-value"
    env = {**os.environ, "TEST_APP_CONFIG": json.dumps(app_config)}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip

    def other(url: str) -> tuple[str, str]:
        worker.stdin.write(url + "\n")
        worker.stdin.flush()
        return tuple(json.loads(worker.stdout.readline()))

    try:
        first = client.get(path)
        assert other(path) == (first.headers["ETag"], first.get_data(as_text=True))
        _share, token = make_share(campaign, "facebook")
        assert deliver(pledge_body(campaign, amount_minor=90_000, ref=token)).status_code == 201
        # Within the refresh interval both still give the figures they gave: the same ones.
        assert client.get(path).headers["ETag"] == first.headers["ETag"]
        assert other(path)[0] == first.headers["ETag"]
        # This worker recomputes; the other, which answered the old figures a moment ago and
        # would not recompute for a minute, answers the new ones at once.
        app.config["SHARE_VALUE_REFRESH_SECONDS"] = 0
        new = client.get(path)
        assert new.headers["ETag"] != first.headers["ETag"]
        assert new.json["channels"][0]["shares"] == 11
        assert other(path) == (new.headers["ETag"], new.get_data(as_text=True))
    finally:
        worker.stdin.close()
        worker.wait(timeout=30)
        worker.stdout.close()
