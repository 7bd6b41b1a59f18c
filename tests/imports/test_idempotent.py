"""Importing again changes nothing: the same file is refused, overlaps store only what is new."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharetrack.cli.imports import IMPORT_REFUSED_REPEAT
from sharetrack.extensions import db
from sharetrack.models import Click, ClickDay, ImportFile, Pledge, PledgeCredit, Promoter, Share
from tests.conftest import BOTH_ENGINES
from tests.imports.test_import import CAMPAIGN, HISTORY, click, pledge, share

MODELS = (Share, Promoter, Click, ClickDay, Pledge, PledgeCredit)


@pytest.fixture
def counts(app):
    """The number of rows of every table an import writes."""

    def read() -> dict[str, int]:
        with app.app_context():
            return {
                m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
                for m in MODELS
            }

    return read


@pytest.fixture
def report(client, auth):
    def get() -> dict:
        response = client.get("/api/v1/campaigns/history/report", headers=auth)
        assert response.status_code == 200, response.json
        return response.json["totals"]

    return get


@BOTH_ENGINES
def test_the_same_file_again_is_refused_and_says_so(app, jsonl, run_import, counts, report):
    path = jsonl(*HISTORY)
    assert run_import(path).exit_code == 0
    before, totals = counts(), report()
    again = run_import(path)
    assert again.exit_code == IMPORT_REFUSED_REPEAT == 3  # a script can tell: nothing stored
    assert "was imported on" in again.stderr and "nothing was stored" in again.stderr
    assert counts() == before and report() == totals
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportFile)) == 1


@BOTH_ENGINES
def test_forced_again_it_matches_everything_and_stores_nothing(jsonl, run_import, counts, report):
    path = jsonl(*HISTORY)
    assert run_import(path).exit_code == 0
    before, totals = counts(), report()
    forced = run_import(path, "--force")
    assert forced.exit_code == 0, forced.output
    # Nothing changed, so nothing is counted: the pledges the file names are stored already.
    assert (
        "stored 0 campaign(s), 0 promoter(s), 0 share(s), 0 click(s), 0 new and 0 updated"
        " pledge(s)" in forced.output
    )
    assert "4 share(s) and 6 click(s) were stored before" in forced.output
    assert counts() == before and report() == totals


@BOTH_ENGINES
def test_an_overlapping_file_stores_only_what_is_new(app, jsonl, run_import, counts, report):
    first = [
        CAMPAIGN,
        share("root", "facebook", promoter="alice"),
        share("child", "x", promoter="bob", parent="root"),
        click("root", visitor="v-1"),
        click("root", visitor="v-2"),  # the same time twice: two clicks
        click("child", visitor="v-3"),
        pledge("p-1", 1000, share="root"),
    ]
    second = [
        CAMPAIGN,
        share("root", "facebook", promoter="alice"),
        share("child", "x", promoter="bob", parent="root"),
        share("late", "email", promoter="dan", parent="child"),  # new, under a known share
        click("root", visitor="v-1"),
        click("root", visitor="v-2"),
        click("root", visitor="v-9"),  # a third click at that time: new
        click("child", visitor="v-3"),
        click("late", "2026-01-04T10:00:00Z", visitor="v-4"),
        pledge("p-1", 1000, share="root"),
        pledge("p-2", 2500, share="late", at="2026-01-05T12:00:00Z"),
    ]
    assert run_import(jsonl(*first)).exit_code == 0
    result = run_import(jsonl(*second))
    assert result.exit_code == 0, result.output
    assert "1 share(s), 2 click(s), 1 new and 0 updated pledge(s)" in result.output
    assert "2 share(s) and 3 click(s) were stored before" in result.output
    once = counts()

    # The new share hangs under the stored one it names as parent.
    with app.app_context():
        late = db.session.scalar(sa.select(Share).where(Share.import_key == "late"))
        assert late.parent_id == db.session.scalar(
            sa.select(Share.id).where(Share.import_key == "child")
        )
    assert once["shares"] == 3 and once["clicks"] == 5 and once["pledges"] == 2
    totals = report()
    assert totals["shares"] == 3 and totals["clicks"] == 5 and totals["pledges"] == 2
    assert totals["raised_minor"] == 3500


@BOTH_ENGINES
def test_a_pledge_counts_as_updated_only_when_the_file_changes_it(jsonl, run_import, counts):
    assert (
        run_import(jsonl(CAMPAIGN, share("s"), pledge("p-1", 1000), pledge("p-2", 500))).exit_code
        == 0
    )
    later = pledge("p-2", 500, status="refunded", at="2026-01-09T00:00:00Z")
    result = run_import(jsonl(CAMPAIGN, share("s"), pledge("p-1", 1000), pledge("p-2", 500), later))
    assert result.exit_code == 0, result.output
    assert "0 new and 1 updated pledge(s)" in result.output  # p-2 was refunded; p-1 is as it was


def test_the_exit_codes_are_in_the_commands_help(runner):
    help_text = " ".join(runner.invoke(args=["import", "--help"]).output.split())
    assert "Exit codes: 0 imported; 1 nothing stored" in help_text
    assert "3 nothing stored: the file was imported before" in help_text
