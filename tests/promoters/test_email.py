"""A way back by email, against a real SMTP server: only a keyed hash of the address is kept."""

from __future__ import annotations

import logging
import re
import time

import pytest
import sqlalchemy as sa

from sharetrack import queue
from sharetrack.extensions import db
from sharetrack.models import Promoter, Share
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN
from tests.smtp import Inbox
from tests.staff_fixtures import errors_in

pytestmark = pytest.mark.usefixtures("worker")
ADA = "Ada.Lovelace@Example.org"


@pytest.fixture
def app_config(app_config, mail_config) -> dict:
    return app_config | mail_config


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(slug="case", title="Stop the Snoopers", pledge_page=True)


def share(client, **extra):
    return client.post("/api/v1/shares", json={"campaign": "case", "channel": "x"} | extra)


def urls_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", text)


def check_email(message, to: str, page_url: str) -> None:
    """Plain text and HTML, the page's address in both, nothing from or to another origin."""
    assert message["To"] == to
    assert message["From"] == "sharetrack@st.example"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert page_url in text and f'href="{page_url}"' in html
    assert "<img" not in html.lower()  # no tracking pixel, no image at all
    for url in urls_in(text) + urls_in(html):
        assert url.startswith("https://st.example/"), url


def stored_text(app) -> str:
    """Every promoter column, as text: the address must be in none of them."""
    with app.app_context():
        rows = db.session.execute(sa.select(Promoter.__table__)).all()
    return repr(rows).lower()


@BOTH_ENGINES
def test_sharing_with_an_email_sends_the_page_and_keeps_only_a_hash(
    app,
    client,
    campaign,
    inbox: Inbox,
    engine_name,
):
    made = share(client, email=ADA)
    assert made.status_code == 201
    [message] = inbox.wait_for(1)
    check_email(message, ADA.lower(), made.json["dashboard_url"])
    assert "ada.lovelace@example.org" not in stored_text(app)
    assert "lovelace" not in stored_text(app)
    with app.app_context():
        [promoter] = db.session.scalars(sa.select(Promoter)).all()
        assert promoter.email is None and len(promoter.email_hash) == 64


@BOTH_ENGINES
def test_recover_answers_the_same_and_mails_only_a_known_address(
    app,
    client,
    campaign,
    inbox: Inbox,
    engine_name,
):
    made = share(client, email=ADA)
    inbox.wait_for(1)
    known = app.test_client().post(
        "/api/v1/promoters/recover", json={"email": " ada.lovelace@EXAMPLE.org"}
    )
    unknown = app.test_client().post("/api/v1/promoters/recover", json={"email": "bob@example.org"})
    assert (known.status_code, known.data) == (unknown.status_code, unknown.data) == (202, b"")
    messages = inbox.wait_for(2)
    assert len(inbox.settle()) == 2  # nothing for bob
    check_email(messages[1], "ada.lovelace@example.org", made.json["dashboard_url"])


def test_the_recover_form_says_the_same_either_way(app, client, campaign, inbox: Inbox):
    made = share(client, email=ADA)
    inbox.wait_for(1)
    form = client.get("/p/recover")
    assert '<label for="email">Your email address</label>' in form.text
    answers = []
    for address in (ADA, "nobody@example.org"):
        answer = client.post("/p/recover", data={"email": address}, headers=SAME_ORIGIN)
        assert answer.status_code == 200
        answers.append(answer.text)
    assert answers[0] == answers[1]
    assert "If we know that address, we have sent the link to your page to it." in answers[0]
    messages = inbox.wait_for(2)
    assert len(inbox.settle()) == 2
    check_email(messages[1], ADA.lower(), made.json["dashboard_url"])
    bad = client.post("/p/recover", data={"email": "nope"}, headers=SAME_ORIGIN)
    assert bad.status_code == 422
    assert errors_in(bad.text) == {"email": "This address is not an email address."}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}],
)
def test_the_recover_form_posted_from_another_site_sends_nothing(
    client, campaign, inbox: Inbox, headers
):
    share(client, email=ADA)
    inbox.wait_for(1)
    answer = client.post("/p/recover", data={"email": ADA}, headers=headers)
    assert answer.status_code == 403
    assert "This form works from its own page." in answer.text
    assert len(inbox.settle()) == 1  # the share's own email, no recovery


def test_the_promoters_forms_set_no_cookie(client, campaign, inbox: Inbox):
    """Recover, email and erase carry no CSRF token, so no session cookie (ADR 0402)."""
    made = share(client, email=ADA)
    key_path = made.json["dashboard_url"].removeprefix("https://st.example")
    client.delete_cookie("st_promoter")
    answers = [
        client.get("/p/recover"),
        client.post("/p/recover", data={"email": ADA}, headers=SAME_ORIGIN),
        client.get(key_path),
        client.post(f"{key_path}/email", data={"email": ADA}),
    ]
    # The share's, the recovery's and the email form's. The worker looks the recovery's address
    # up when it runs, so wait before erasing: an erased address is rightly mailed nothing.
    assert len(inbox.wait_for(3)) == 3
    answers += [
        client.get(f"{key_path}/erase"),
        client.post(f"{key_path}/erase", data={}),
        client.post(f"{key_path}/erase", data={"confirm": "y"}),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 422, 303]
    assert [a.headers.get("Set-Cookie") for a in answers] == [None] * 7


@pytest.mark.parametrize(
    ("email", "field"),
    [("not-an-address", "email"), ("a@" + "b" * 250 + ".org", "email"), ("a b@c.org", "email")],
)
def test_malformed_addresses_are_refused_and_change_nothing(
    app,
    client,
    campaign,
    inbox: Inbox,
    email,
    field,
):
    assert share(client, email=email).status_code == 422
    recover = client.post("/api/v1/promoters/recover", json={"email": email})
    assert recover.status_code == 422
    assert recover.json["errors"][0]["field"] == field
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Share.id))) == 0
    assert inbox.settle() == []


def test_a_recover_flood_from_one_client_is_429(app, client, campaign, inbox: Inbox):
    statuses = [
        client.post("/api/v1/promoters/recover", json={"email": f"p{i}@example.org"}).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [202] * 5
    assert statuses[5:] == [429, 429]
    flooded = client.post("/api/v1/promoters/recover", json={"email": "p9@example.org"})
    assert flooded.mimetype == "application/problem+json"
    assert int(flooded.headers["Retry-After"]) > 0


def test_one_address_gets_few_emails_whoever_asks(app, campaign, inbox: Inbox):
    share(app.test_client(), email=ADA)
    inbox.wait_for(1)
    statuses = []
    for i in range(3):  # three clients: the per-client limit never trips
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"198.51.100.{i + 1}"
        statuses.append(
            other.post("/api/v1/promoters/recover", json={"email": ADA.upper()}).status_code
        )
    assert statuses == [202, 202, 429]  # the share's email counted as the first of 3
    assert len(inbox.wait_for(3)) == 3
    assert len(inbox.settle()) == 3


def test_the_link_page_emails_the_page_address(app, client, campaign, inbox: Inbox):
    shown = client.post(
        f"/embed/{campaign.slug}/share",
        data={"channel": "whatsapp"},
        headers={"Sec-Fetch-Site": "same-origin", "Sec-GPC": "1"},
    )
    assert shown.status_code == 200
    assert "Email me my page&#39;s address (optional)" in shown.text
    [action] = re.findall(r'<form method="post" action="(/p/[^"]+/email)"', shown.text)
    [page] = re.findall(r'<a class="your-page" href="([^"]+)"', shown.text)
    assert "Set-Cookie" not in shown.headers  # with GPC this page would set nothing either
    bad = client.post(action, data={"email": "x" * 300})
    assert bad.status_code == 422
    assert "email" in errors_in(bad.text)
    sent = app.test_client().post(action, data={"email": ADA})  # the key is all it takes
    assert sent.status_code == 200
    assert "We are sending your page's address to ada.lovelace@example.org" in sent.text
    [message] = inbox.wait_for(1)
    check_email(message, ADA.lower(), page)
    forged = app.test_client().post(
        page.replace("https://st.example", "") + "x/email", data={"email": ADA}
    )
    assert forged.status_code == 404
    assert len(inbox.settle()) == 1


def test_erasing_deletes_the_hash_so_recovery_finds_nothing(app, client, campaign, inbox: Inbox):
    made = share(client, email=ADA)
    inbox.wait_for(1)
    key_path = made.json["dashboard_url"].removeprefix("https://st.example")
    client.post(f"{key_path}/erase", data={"confirm": "y"})
    with app.app_context():
        assert db.session.scalars(sa.select(Promoter.email_hash)).all() == [None]
    again = app.test_client().post("/api/v1/promoters/recover", json={"email": ADA})
    assert again.status_code == 202
    assert len(inbox.settle()) == 1


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    from sharetrack import create_app
    from sharetrack.config import ConfigError, mail_enabled

    base = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}"}
    assert not mail_enabled(create_app(base).config)  # no server: no email, fields hidden
    for name, value in {
        "SERVER": "smtp.example.org",
        "PORT": "2525",
        "USERNAME": "st",
        "PASSWORD": "pw",
        "USE_TLS": "false",
        "DEFAULT_SENDER": "sharetrack@example.org",
    }.items():
        monkeypatch.setenv(f"SHARETRACK_MAIL_{name}", value)
    config = create_app(base).config
    assert mail_enabled(config)
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp.example.org",
        2525,
        False,
    )
    assert config["MAIL_DEFAULT_SENDER"] == "sharetrack@example.org"
    monkeypatch.delenv("SHARETRACK_MAIL_DEFAULT_SENDER")
    with pytest.raises(ConfigError, match="SHARETRACK_MAIL_DEFAULT_SENDER"):
        create_app(base)


def test_a_refused_email_logs_no_address_and_is_tried_again(
    app, client, campaign, caplog, monkeypatch
):
    import smtplib

    from flask_mailman import EmailMultiAlternatives

    def refuse(message, *args, **kwargs):  # the server refuses the mailbox, naming it
        raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 no such mailbox")})

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse, raising=False)
    with caplog.at_level(logging.INFO):
        assert share(client, email=ADA).status_code == 201
        deadline = time.monotonic() + 10
        while "TaskError: SMTPRecipientsRefused" not in caplog.text:
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.02)
    assert "lovelace" not in caplog.text.lower()  # never whom it was for
    with app.app_context():  # waiting for its next try, not dropped
        while queue.depth(app).scheduled != 1:
            assert time.monotonic() < deadline
            time.sleep(0.02)
