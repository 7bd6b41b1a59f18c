"""Notes to promoters who ask: the address kept only encrypted, at most one note a day with
counted money only, one-click unsubscribe (RFC 8058), deletion on erasure and after the end."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from sharetrack import create_app
from sharetrack.config import ConfigError
from sharetrack.extensions import db
from sharetrack.models import (
    ENDED,
    PAID,
    REFUNDED,
    Pledge,
    PledgeCredit,
    Promoter,
    utcnow,
)
from sharetrack.promoters import identity, notes, tasks
from sharetrack.services import services
from tests.conftest import BOTH_ENGINES
from tests.smtp import Inbox
from tests.staff_fixtures import errors_in

KEY = Fernet.generate_key().decode()
OLD_KEY = Fernet.generate_key().decode()
ADA = "Ada.Lovelace@Example.org"


@pytest.fixture
def app_config(app_config, mail_config) -> dict:
    return app_config | mail_config | {"NOTES_ENABLED": True, "NOTES_KEYS": [KEY, OLD_KEY]}


@pytest.fixture
def promoter(app, make_share, make_campaign):
    """A promoter with one link to a campaign: (promoter id, private key, share, campaign)."""
    campaign = make_campaign(title="Stop the Snoopers")
    share, _ = make_share(campaign=campaign)
    with app.app_context():
        row = db.session.get(Promoter, share.promoter_id)
        key = identity.private_key(services().tokens, row)
        db.session.commit()
    return share.promoter_id, key, share, campaign


def stored(app, promoter_id: int) -> tuple[str | None, dt.datetime | None]:
    with app.app_context():
        row = db.session.execute(
            sa.text("SELECT notes_address, notes_since FROM promoters WHERE id = :id"),
            {"id": promoter_id},
        ).one()
    return row[0], row[1]


def opt_in(client, key: str, email: str = ADA):
    return client.post(f"/p/{key}/notes", data={"email": email})


def pledge(app, share, campaign, minor: int, at: dt.datetime, **fields) -> None:
    """A pledge credited to the share under the campaign's model (as attribution stores it)."""
    with app.app_context():
        row = Pledge(
            campaign_id=campaign.id,
            external_id=f"p-{minor}-{at.timestamp()}",
            amount_minor=minor,
            currency="GBP",
            status=PAID,
            pledged_at=at,
            occurred_at=at,
        )
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.add(row)
        db.session.flush()
        db.session.add(
            PledgeCredit(
                pledge_id=row.id,
                model=campaign.attribution_model,
                share_id=share.id,
                campaign_id=campaign.id,
                pledged_at=at,
                amount_minor=minor,
            )
        )
        db.session.commit()


def run_notes(app, at: dt.datetime | None = None, monkeypatch=None) -> None:
    if at is not None:
        monkeypatch.setattr(tasks, "utcnow", lambda: at)
    with app.app_context():
        tasks.send_notes()


def a_day_ago(app, promoter_id: int, hours: float = 25) -> None:
    """The promoter asked (or got their last note) this long ago."""
    with app.app_context():
        db.session.get(Promoter, promoter_id).notes_since = utcnow() - dt.timedelta(hours=hours)
        db.session.commit()


@BOTH_ENGINES
def test_asking_for_notes_keeps_the_address_only_encrypted(app, client, promoter):
    promoter_id, key, _, _ = promoter
    page = client.get(f"/p/{key}")
    assert "Tell me when my links raise money" in page.text
    answer = opt_in(client, key)
    assert answer.status_code == 303 and "Set-Cookie" not in answer.headers
    column, since = stored(app, promoter_id)
    assert column and "lovelace" not in column.lower() and "example" not in column.lower()
    assert Fernet(KEY).decrypt(column.encode()).decode() == ADA.lower()  # the first key's
    assert since is not None
    page = client.get(f"/p/{key}")
    assert "Stop the notes and delete my address" in page.text
    assert "your email address for notes, encrypted" in page.text


@pytest.mark.parametrize(
    ("email", "message"),
    [("nope", "This address is not an email address."), ("", "Enter your email address.")],
)
def test_a_bad_address_is_refused_beside_the_field(app, client, promoter, email, message):
    promoter_id, key, _, _ = promoter
    answer = opt_in(client, key, email)
    assert answer.status_code == 422
    assert errors_in(answer.text) == {"email": message}
    assert stored(app, promoter_id) == (None, None)


def test_without_mail_notes_are_refused_beside_the_field(app, client, promoter):
    promoter_id, key, _, _ = promoter
    app.config["MAIL_SERVER"] = None
    assert "Tell me when my links raise money" not in client.get(f"/p/{key}").text
    answer = opt_in(client, key)
    assert answer.status_code == 422
    assert "sends no notes" in errors_in(answer.text)["email"]
    assert stored(app, promoter_id) == (None, None)


@BOTH_ENGINES
def test_the_daily_note_counts_only_counted_money_and_goes_once_a_day(
    app, client, promoter, inbox: Inbox, monkeypatch
):
    promoter_id, key, share, campaign = promoter
    opt_in(client, key)
    a_day_ago(app, promoter_id)
    now = utcnow()
    pledge(app, share, campaign, 2000, now - dt.timedelta(hours=3))
    pledge(app, share, campaign, 2500, now - dt.timedelta(hours=20))
    pledge(app, share, campaign, 10000, now - dt.timedelta(hours=2), status=REFUNDED)
    pledge(app, share, campaign, 5000, now - dt.timedelta(hours=1), source="form", verified=False)
    pledge(app, share, campaign, 700, now - dt.timedelta(hours=30))  # before they asked

    run_notes(app)
    [note] = inbox.wait_for(1)
    body = note.get_body(("plain",)).get_content()
    assert "Your links raised £45 for Stop the Snoopers today: 2 pledges." in body
    assert note["To"] == ADA.lower()
    assert f"https://st.example/p/{key}" in body
    [stop] = re.findall(r"<(https://st\.example/p/stop/[^>]+)>", note["List-Unsubscribe"])
    assert note["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stop in body

    run_notes(app)  # the same day: nothing more
    pledge(app, share, campaign, 900, utcnow())
    run_notes(app, utcnow() + dt.timedelta(hours=12), monkeypatch)
    assert len(inbox.settle(0.3)) == 1
    run_notes(app, utcnow() + dt.timedelta(hours=25), monkeypatch)  # the next day: the £9
    second = inbox.wait_for(2)[1].get_body(("plain",)).get_content()
    assert "Your links raised £9 for Stop the Snoopers today: 1 pledge." in second


def test_no_money_no_note(app, client, promoter, inbox: Inbox):
    promoter_id, key, _, _ = promoter
    opt_in(client, key)
    a_day_ago(app, promoter_id)
    run_notes(app)
    assert inbox.settle(0.3) == []


@BOTH_ENGINES
def test_one_click_unsubscribe_deletes_the_address(app, client, promoter):
    promoter_id, key, _, _ = promoter
    opt_in(client, key)
    with app.app_context():
        row = db.session.get(Promoter, promoter_id)
        token = services().tokens.notes_unsubscribe(promoter_id, row.key_secret)
    asked = client.get(f"/p/stop/{token}")  # a link scanner's GET changes nothing
    assert asked.status_code == 200 and stored(app, promoter_id)[0] is not None
    fresh = app.test_client()  # no cookie, no form token: the mail client's POST
    done = fresh.post(f"/p/stop/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Notes stopped" in done.text
    assert stored(app, promoter_id) == (None, None)
    assert fresh.post(f"/p/stop/{token[:-2]}xx").status_code == 404
    assert fresh.post(f"/p/stop/{key}").status_code == 404  # the page key is not this token


def test_stopping_from_the_page_deletes_the_address(app, client, promoter):
    promoter_id, key, _, _ = promoter
    opt_in(client, key)
    assert client.post(f"/p/{key}/notes/stop").status_code == 303
    assert stored(app, promoter_id) == (None, None)


@BOTH_ENGINES
def test_erasure_deletes_the_address(app, client, promoter):
    promoter_id, key, _, _ = promoter
    opt_in(client, key)
    assert client.post(f"/p/{key}/erase", data={"confirm": "y"}).status_code == 303
    assert stored(app, promoter_id) == (None, None)


@BOTH_ENGINES
def test_the_address_is_deleted_days_after_the_campaigns_end(
    app, client, promoter, make_share, make_campaign
):
    promoter_id, key, _, campaign = promoter
    opt_in(client, key)
    days = app.config["NOTES_RETENTION_DAYS"]
    with app.app_context():
        row = db.session.get(Promoter, promoter_id)
        # Ended, but not long enough ago: kept.
        db.session.execute(
            sa.update(type(row).__table__.metadata.tables["campaigns"])
            .where(sa.column("id") == campaign.id)
            .values(status=ENDED, ends_at=utcnow() - dt.timedelta(days=days - 1))
        )
        db.session.commit()
        assert notes.purge(db.session, days) == 0
        db.session.commit()
    assert stored(app, promoter_id)[0] is not None
    with app.app_context():
        assert notes.purge(db.session, days, utcnow() + dt.timedelta(days=2)) == 1
        db.session.commit()
    assert stored(app, promoter_id) == (None, None)


def test_an_address_under_an_older_key_is_read_and_re_encrypted(app, client, promoter, inbox):
    promoter_id, key, share, campaign = promoter
    with app.app_context():
        row = db.session.get(Promoter, promoter_id)
        row.notes_address = Fernet(OLD_KEY).encrypt(b"old@example.org").decode()
        row.notes_since = utcnow() - dt.timedelta(hours=25)
        db.session.commit()
    pledge(app, share, campaign, 1000, utcnow() - dt.timedelta(hours=1))
    run_notes(app)
    assert inbox.wait_for(1)[0]["To"] == "old@example.org"
    column, _ = stored(app, promoter_id)
    assert Fernet(KEY).decrypt(column.encode()) == b"old@example.org"


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"NOTES_ENABLED": True, "NOTES_KEYS": []}, "NOTES_KEYS is empty"),
        ({"NOTES_KEYS": ["not-a-fernet-key"]}, "not a Fernet key"),
    ],
)
def test_notes_refuse_to_start_without_a_good_key(app_config, settings, says):
    with pytest.raises(ConfigError, match=says):
        create_app(app_config | settings)


@BOTH_ENGINES
def test_the_api_turns_notes_on_and_off(app, client, promoter):
    promoter_id, key, _, _ = promoter
    on = client.post("/api/v1/promoters/notes", json={"key": key, "email": ADA})
    assert on.status_code == 204
    column, _ = stored(app, promoter_id)
    assert Fernet(KEY).decrypt(column.encode()).decode() == ADA.lower()
    off = client.post("/api/v1/promoters/notes", json={"key": key, "email": None})
    assert off.status_code == 204 and stored(app, promoter_id) == (None, None)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "nope"}, 422, "email"),
        ({"key": "not-a-key"}, 404, None),
        ({"email": ADA, "extra": 1}, 422, "extra"),
    ],
)
def test_the_api_refuses_bad_input_with_problem_details(app, client, promoter, body, status, field):
    promoter_id, key, _, _ = promoter
    answer = client.post("/api/v1/promoters/notes", json={"key": key, "email": ADA} | body)
    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/problem+json"
    if field:
        assert [e["field"] for e in answer.json["errors"]] == [field]
    assert stored(app, promoter_id) == (None, None)


def test_the_api_refuses_notes_without_mail(app, client, promoter):
    promoter_id, key, _, _ = promoter
    app.config["MAIL_SERVER"] = None
    answer = client.post("/api/v1/promoters/notes", json={"key": key, "email": ADA})
    assert answer.status_code == 409 and answer.json["type"].endswith("notes-not-available")
    assert stored(app, promoter_id) == (None, None)
