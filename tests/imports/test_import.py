"""`flask --app sharetrack import`: whole-file checks, line numbers, bulk storing."""

from __future__ import annotations

import datetime as dt
import os
import pty
import select
import subprocess
import sys

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import (
    Campaign,
    Click,
    ClickDay,
    ClickRollup,
    Pledge,
    PledgeCredit,
    Promoter,
    Share,
)
from tests.conftest import BOTH_ENGINES

CAMPAIGN = {
    "type": "campaign",
    "slug": "history",
    "title": "Brought from elsewhere",
    "landing_url": "https://case.example/",
    "currency": "GBP",
    "target_minor": 500_000,
    "window_days": 30,
}


def share(key, channel="facebook", promoter=None, parent=None, at="2026-01-01T09:00:00Z"):
    line = {"type": "share", "key": key, "campaign": "history", "channel": channel}
    line |= {"promoter": promoter or f"promoter-{key}", "created_at": at}
    return line | ({"parent": parent} if parent else {})


def click(key, at="2026-01-02T10:00:00Z", visitor="v-1", **extra):
    return {"type": "click", "share": key, "at": at, "visitor": visitor} | extra


def pledge(external_id, amount=1000, status="paid", at="2026-01-03T12:00:00Z", **extra):
    line = {"type": "pledge", "external_id": external_id, "campaign": "history"}
    return line | {"amount_minor": amount, "currency": "GBP", "status": status, "at": at} | extra


HISTORY = [
    CAMPAIGN,
    share("root", "facebook", promoter="alice"),
    share("child", "x", promoter="bob", parent="root"),
    share("grandchild", "whatsapp", promoter="carol", parent="child"),
    share("alice-mail", "email", promoter="alice"),
    click("root", visitor="v-1"),
    click("root", "2026-01-02T11:00:00Z", visitor="v-1"),  # same person, same day
    click("root", "2026-01-03T11:00:00Z", visitor="v-1"),  # same person, next day
    click("root", visitor="v-2"),
    click("child", visitor="v-1"),  # the same person on another share is unique there
    click("root", visitor="FacebookBot", bot=True),
    pledge("p-1", 10_000, share="grandchild"),
    pledge(
        "p-2",
        6_000,
        refs=[
            {"share": "root", "at": "2026-01-02T10:00:00Z"},
            {"share": "child", "at": "2026-01-03T10:00:00Z"},
        ],
    ),
    pledge("p-3", 500),
]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def nothing_stored() -> bool:
    return all(count(m) == 0 for m in (Campaign, Share, Click, Pledge, Promoter, PledgeCredit))


@BOTH_ENGINES
def test_a_history_imports_and_reports(app, ctx, jsonl, run_import, client, auth, engine_name):
    result = run_import(jsonl(*HISTORY))
    assert result.exit_code == 0, result.output
    assert "stored 1 campaign(s), 3 promoter(s), 4 share(s), 6 click(s), 3 new" in result.output
    report = client.get("/api/v1/campaigns/history/report", headers=auth).json
    totals = report["totals"]
    assert 0 <= totals.pop("baseline_minor") <= 500  # estimated from timing
    assert totals == {
        "raised_minor": 16_500,
        "attributed_minor": 16_000,
        "pledges": 3,
        "attributed_pledges": 2,
        "unconfirmed_minor": 0,
        "unconfirmed_pledges": 0,
        "shares": 4,
        "clicks": 5,
        "unique_clicks": 4,
        "bot_clicks": 1,
        "without_ref_minor": 500,  # the pledge that names no share
        "without_ref_pledges": 1,
    }
    with app.app_context():
        sources = set(db.session.scalars(sa.select(Pledge.source).distinct()))
    assert sources == {"import"}  # imports are by staff: verified
    channels = {r["channel"]: r for r in report["channels"]}
    assert channels["facebook"]["indirect_minor"] == 16_000
    assert channels["x"]["attributed_minor"] == 6_000
    assert channels["whatsapp"]["attributed_minor"] == 10_000
    alice = next(p for p in report["promoters"] if p["shares"] == 2)
    assert alice["clicks"] == 4
    assert count(Promoter) == 3  # the same external id is the same promoter


def test_visitors_are_never_stored(app, ctx, jsonl, run_import):
    assert (
        run_import(jsonl(CAMPAIGN, share("s"), click("s", visitor="ada@example.org"))).exit_code
        == 0
    )
    dump = " ".join(
        str(value)
        for table in db.metadata.sorted_tables
        for row in db.session.execute(sa.select(table))
        for value in row
    )
    assert "ada@example.org" not in dump and "promoter-s" not in dump


@BOTH_ENGINES
def test_one_bad_line_stores_nothing_and_names_its_line(app, ctx, jsonl, run_import, engine_name):
    bad = pledge("p-bad", amount=0)
    result = run_import(jsonl(*HISTORY[:8], bad, *HISTORY[8:]))
    assert result.exit_code == 1
    assert "line 9: amount_minor: Input should be greater than 0" in result.output
    assert "1 of 15 lines are invalid; nothing was stored" in result.output
    assert nothing_stored()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 3: Invalid JSON"),
        ('{"type": "visit"}', "line 3: Input tag 'visit' found using 'type' does not match"),
        ('["share"]', "line 3: "),
        (share("s"), "line 3: share key 's' is already used on line 2"),
        (share("t", parent="nope"), "line 3: unknown parent share 'nope'"),
        (share("t") | {"campaign": "elsewhere"}, "line 3: unknown campaign 'elsewhere'"),
        (share("t", promoter="promoter-s"), "line 3: promoter 'promoter-s' already has a facebook"),
        (share("t", channel="myspace"), "line 3: channel: Input should be"),
        (share("t") | {"created_at": "2026-01-01"}, "line 3: created_at: "),
        (click("nope"), "line 3: unknown share 'nope'"),
        (click("s", at="2025-12-31T23:00:00Z"), "line 3: click is before its share 's' was made"),
        (click("s") | {"bot": "yes"}, "line 3: bot: Input should be a valid boolean"),
        (pledge("p", currency="EUR"), "line 3: campaign 'history' takes GBP only"),
        (pledge("p", status="disputed"), "line 3: status: Input should be"),
        (pledge("p", amount=10**10 + 1), "line 3: amount_minor: Input should be less than"),
        (pledge("p", share="s", refs=[]), "line 3: give either share or refs, not both"),
        (pledge("p", share="nope"), "line 3: unknown share 'nope'"),
        (
            pledge("p", at="2099-01-01T00:00:00Z"),
            "line 3: at: Value error, must not be in the future",
        ),
        (CAMPAIGN, "line 3: campaign 'history' is already on line 1"),
    ],
)
def test_every_kind_of_bad_line_is_named(app, ctx, jsonl, run_import, line, message):
    result = run_import(jsonl(CAMPAIGN, share("s"), line))
    assert result.exit_code == 1
    assert message in result.output
    assert nothing_stored()


def test_lines_of_a_refused_campaign_say_so(app, ctx, jsonl, run_import):
    result = run_import(jsonl(CAMPAIGN | {"currency": "XXY"}, share("s"), pledge("p")))
    assert "line 1: currency: " in result.output
    assert "line 2: campaign 'history' is on invalid line 1" in result.output
    assert "line 3: campaign 'history' is on invalid line 1" in result.output


def test_a_cycle_of_parents_is_refused(app, ctx, jsonl, run_import):
    result = run_import(
        jsonl(CAMPAIGN, share("a", parent="b"), share("b", parent="a", promoter="other"))
    )
    assert result.exit_code == 1
    assert "line 2: share 'a' is its own ancestor" in result.output
    assert nothing_stored()


def test_a_parent_in_another_campaign_is_refused(app, ctx, jsonl, run_import):
    other = CAMPAIGN | {"slug": "other"}
    result = run_import(
        jsonl(CAMPAIGN, other, share("a") | {"campaign": "other"}, share("b", parent="a"))
    )
    assert "line 4: parent share 'a' is in another campaign" in result.output


def test_skip_invalid_stores_the_rest_and_drops_what_hangs_on_bad_lines(
    app, ctx, jsonl, run_import
):
    result = run_import(
        "--skip-invalid",
        jsonl(
            CAMPAIGN,
            share("good"),
            share("bad", channel="myspace"),
            share("orphan", parent="bad"),
            click("good"),
            click("bad"),
            click("orphan"),
            pledge("p-1", share="good"),
            pledge("p-2", share="orphan"),
        ),
    )
    assert result.exit_code == 0, result.output
    assert "line 3: channel" in result.output
    assert "line 4: parent share 'bad' is on invalid line 3" in result.output
    assert "line 6: share 'bad' is on invalid line 3" in result.output
    assert "line 7: share 'orphan' is on invalid line 4" in result.output
    assert "line 9: share 'orphan' is on invalid line 4" in result.output
    assert "skipped 5 invalid line(s)" in result.output
    assert (count(Share), count(Click), count(Pledge)) == (1, 1, 1)


def test_lines_about_one_pledge_add_up_as_the_webhook_would(app, ctx, jsonl, run_import):
    refunded = pledge("p", status="refunded", at="2026-01-05T00:00:00Z", share="s")
    paid = pledge("p", status="paid", at="2026-01-04T00:00:00Z", share="s")
    assert run_import(jsonl(CAMPAIGN, share("s"), refunded, paid)).exit_code == 0
    [stored] = db.session.scalars(sa.select(Pledge)).all()
    assert (stored.status, stored.pledged_at) == ("refunded", dt.datetime(2026, 1, 4))
    assert count(PledgeCredit) == 0


def test_an_imported_pledge_is_the_webhooks_pledge(app, ctx, jsonl, run_import):
    from sharetrack.campaigns import service as campaigns
    from sharetrack.pledges import service

    assert run_import(jsonl(CAMPAIGN, share("s"), pledge("p", status="pledged"))).exit_code == 0
    campaign = campaigns.by_slug(db.session, "history")
    later = dt.datetime(2026, 1, 6)
    _, created = service.record(
        db.session, campaign, service.Delivery("p", 1000, "GBP", "refunded", later)
    )
    assert not created
    assert count(Pledge) == 1 and count(PledgeCredit) == 0
    db.session.rollback()

    # Importing the same pledge again updates it; it never counts twice.
    assert run_import(jsonl(pledge("p", status="paid", at="2026-01-07T00:00:00Z"))).exit_code == 0
    db.session.expire_all()
    assert [p.status for p in db.session.scalars(sa.select(Pledge))] == ["paid"]


def test_stdin_is_read_with_a_dash(app, ctx, run_import):
    import json

    text = "".join(json.dumps(line) + "\n" for line in HISTORY)
    result = run_import("-", input=text.encode())
    assert result.exit_code == 0, result.output
    assert count(Click) == 6


def test_no_progress_bar_when_not_on_a_terminal(app, jsonl, run_import):
    result = run_import(jsonl(*HISTORY))
    assert "checking" not in result.output and "%" not in result.output


def test_a_progress_bar_on_a_terminal(app, app_config, jsonl):
    path = jsonl(*HISTORY)
    env = os.environ | {
        "SHARETRACK_SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"],
        "SHARETRACK_SECRET_KEY": app_config["SECRET_KEY"],
        "SHARETRACK_BASE_URL": app_config["BASE_URL"],
        "COLUMNS": "100",
    }
    if "SQLALCHEMY_ENGINE_OPTIONS" in app_config:
        import json

        env["SHARETRACK_SQLALCHEMY_ENGINE_OPTIONS"] = json.dumps(
            app_config["SQLALCHEMY_ENGINE_OPTIONS"]
        )
    env.pop("DATABASE_URL", None)
    main, secondary = pty.openpty()
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    process = subprocess.Popen(
        [flask, "--app", "sharetrack", "import", path],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    output = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed: the command is done
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0, output
    os.close(main)
    text = output.decode(errors="replace")
    assert "checking" in text and "storing" in text and "100%" in text, text
    assert "stored 1 campaign(s)" in text


def test_clicks_of_folded_days_add_to_the_aggregates(app, ctx, jsonl, run_import):
    from sharetrack.models import utcnow
    from sharetrack.reports import queries
    from sharetrack.tracking import rollup

    assert run_import(jsonl(*HISTORY)).exit_code == 0
    assert rollup.watermark(db.session) == rollup.closed_before(utcnow())  # folded by import
    later = [share("late", promoter="dave"), click("late", visitor="v-9"), click("late")]
    later += [click("late", "2026-01-05T08:00:00Z", visitor="v-9")]
    assert run_import(jsonl(*later)).exit_code == 0
    campaign = db.session.scalar(sa.select(Campaign))
    day = sa.func.date(Click.at)
    raw = dict(
        db.session.execute(sa.select(day, sa.func.count()).where(~Click.is_bot).group_by(day)).all()
    )
    folded = queries.clicks_by(db.session, campaign.id, "day")
    assert {d.isoformat(): c.clicks for d, c in folded.items()} == {
        str(d)[:10]: n for d, n in raw.items()
    }
    assert folded[dt.date(2026, 1, 2)].clicks == 6 and folded[dt.date(2026, 1, 5)].clicks == 1


@BOTH_ENGINES
def test_imported_times_read_back_exactly(app, ctx, jsonl, run_import, engine_name):
    from sharetrack import periods
    from sharetrack.reports import queries

    lines = [CAMPAIGN, share("s"), click("s", at="2026-01-02T10:00:00.250000+01:00")]
    assert run_import(jsonl(*lines, click("s", at="2026-01-02T09:00:00.250001Z"))).exit_code == 0
    assert sorted(db.session.scalars(sa.select(Click.at))) == [
        dt.datetime(2026, 1, 2, 9, 0, 0, 250000),
        dt.datetime(2026, 1, 2, 9, 0, 0, 250001),
    ]
    campaign = db.session.scalar(sa.select(Campaign))
    db.session.execute(sa.delete(ClickDay))  # read the raw clicks, not their fold
    db.session.execute(sa.update(ClickRollup).values(folded_before=None))
    cut = periods.Period(since=dt.datetime(2026, 1, 2, 9, 0, 0, 250001))
    assert queries.click_totals(db.session, campaign.id, cut).clicks == 1
