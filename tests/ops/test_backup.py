"""`flask backup PATH`: a consistent copy taken while clicks and pledges keep arriving."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
import uuid

import pytest
import sqlalchemy as sa

from sharetrack import create_app
from sharetrack.extensions import db
from sharetrack.models import Pledge, PledgeCredit
from sharetrack.ops.backup import pg_dump_arguments
from tests.conftest import BOTH_ENGINES, pg_options

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
ESTIMATES = {"estimate_minor", "low_minor", "high_minor", "basis", "level"}


def report(app, slug: str, headers: dict) -> dict:
    """The campaign's report without its estimates (those pool every campaign's data)."""
    response = app.test_client().get(f"/api/v1/campaigns/{slug}/report", headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    body["channels"] = [
        {k: v for k, v in r.items() if k not in ESTIMATES} for r in body["channels"]
    ]
    return {k: v for k, v in body.items() if k in ("campaign", "totals", "channels", "model")}


@pytest.fixture
def restored(app, engine_name, tmp_path, request):
    """Factory: an app on the restored copy of a backup file (dropped again afterwards)."""
    cleanup = []

    def restore(path):
        config = {"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"]}
        if engine_name == "sqlite":
            return create_app(config | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
        url, schema = request.getfixturevalue("pg_schema")
        name = f"st_restore_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        cleanup.append((admin, name))
        target = sa.engine.make_url(url).set(database=name)
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={target.set(drivername='postgresql')}"]
            + [str(path)],
            check=True,
            capture_output=True,
        )
        restored_app = create_app(
            config
            | {
                "SQLALCHEMY_DATABASE_URI": target.render_as_string(hide_password=False),
                "SQLALCHEMY_ENGINE_OPTIONS": pg_options(schema),
            }
        )
        cleanup.append((restored_app, None))
        return restored_app

    yield restore
    for thing, name in reversed(cleanup):
        if name is None:
            with thing.app_context():
                db.engine.dispose()
        else:
            with thing.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            thing.dispose()


@BOTH_ENGINES
def test_a_backup_under_load_restores_to_the_same_report(
    app, runner, auth, make_campaign, make_share, deliver, pledge_body, tmp_path, restored
):
    quiet, busy = make_campaign(), make_campaign()
    client = app.test_client()
    for channel in ("facebook", "x", "email"):
        _, token = make_share(quiet, channel=channel)
        for _ in range(3):
            client.get(f"/s/{token}", headers={"User-Agent": BROWSER})
        assert deliver(pledge_body(quiet, ref=token, amount_minor=1500)).status_code == 201
    _, busy_token = make_share(busy, channel="whatsapp")
    app.config["RATELIMIT_ENABLED"] = False
    before = report(app, quiet.slug, auth)

    stop, done = threading.Event(), []

    def load():
        load_client = app.test_client()
        while not stop.is_set():
            load_client.get(f"/s/{busy_token}", headers={"User-Agent": BROWSER})
            body = pledge_body(busy, ref=busy_token, amount_minor=100 + len(done))
            done.append(deliver(body).status_code)

    worker = threading.Thread(target=load)
    worker.start()
    try:
        while len(done) < 5:  # the load is running when the backup starts
            stop.wait(0.01)
        path = tmp_path / "copy.backup"
        result = runner.invoke(args=["backup", str(path)])
        during = len(done)
        while len(done) < during + 3:  # and still running after it
            stop.wait(0.01)
    finally:
        stop.set()
        worker.join()
    assert result.exit_code == 0, result.output
    method = (
        "SQLite online backup API"
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        else "pg_dump"
    )
    assert method in result.output and "restore:" in result.output
    assert set(done) == {201}

    copy = restored(path)
    assert report(copy, quiet.slug, auth) == before
    with copy.app_context():
        pledges = db.session.scalars(sa.select(Pledge).where(Pledge.campaign_id == busy.id)).all()
        credited = dict(
            db.session.execute(
                sa.select(PledgeCredit.pledge_id, sa.func.sum(PledgeCredit.amount_minor))
                .where(PledgeCredit.model == "last_click")
                .group_by(PledgeCredit.pledge_id)
            ).all()
        )
    # Taken mid-load: some of the busy campaign's pledges, each whole (its credits with it).
    assert 0 < len(pledges) < len(done)
    assert all(credited[p.id] == p.amount_minor for p in pledges)


def test_a_backup_never_overwrites(app, runner, tmp_path):
    path = tmp_path / "exists.backup"
    path.write_text("keep me")
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code != 0 and "never overwrites" in result.output
    assert path.read_text() == "keep me"


@BOTH_ENGINES
def test_a_backup_is_readable_by_its_owner_only(app, runner, tmp_path):
    path = tmp_path / "private.backup"
    previous = os.umask(0o022)  # the usual umask, under which files come out 0644
    try:
        result = runner.invoke(args=["backup", str(path)])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_size > 0


@pytest.mark.parametrize(
    ("url", "where"),
    [
        # The deploy guide's URL: the local socket, where Debian's pg_hba.conf allows peer
        # authentication (TCP to 127.0.0.1 asks for a password there).
        ("postgresql+psycopg://sharetrack@/sharetrack", []),
        (
            "postgresql+psycopg://sharetrack@/sharetrack?host=/var/run/postgresql",
            ["--host=/var/run/postgresql"],
        ),
        ("postgresql+psycopg://u:pw@127.0.0.1:5433/db", ["--host=127.0.0.1", "--port=5433"]),
    ],
)
def test_pg_dump_connects_where_the_app_does(url, where, tmp_path):
    args = pg_dump_arguments(sa.engine.make_url(url), tmp_path / "x.dump")
    assert [a for a in args if a.startswith(("--host", "--port"))] == where
    assert "pw" not in " ".join(args)  # the password goes in the environment
    assert args[-1] == sa.engine.make_url(url).database
