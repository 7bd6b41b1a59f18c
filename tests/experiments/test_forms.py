"""The staff forms of experiments: start one from the campaign's page, end one from its own
page; the same rules and the same stored rows as the API, errors beside their fields."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from sharetrack.experiments.service import DEFAULT_HEADING, DEFAULT_TEXT
from sharetrack.extensions import db
from sharetrack.models import Campaign, Experiment
from sharetrack.models.experiments import DEFAULT_CAP_MINOR
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import csrf_from, errors_in

NEW = "/staff/campaigns/{}/experiments/new"
ALTERNATIVE = {"v2_heading": "Two weeks left to stop it", "v2_text": "Every share brings money in."}


class _Fields(HTMLParser):
    """What a browser would send for a page's (first) form as it stands: inputs, textareas,
    checked radios."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") != "radio" or "checked" in a:
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # A browser drops the one newline that follows <textarea>.
            name, self._textarea = self._textarea, None
            self.values[name] = self.values[name].removeprefix("\r").removeprefix("\n")


def as_shown(html: str) -> dict[str, str]:
    parser = _Fields()
    parser.feed(html)
    return parser.values


def start(client, slug: str, **changes):
    """Post the start form as shown, with these fields changed."""
    fields = as_shown(client.get(NEW.format(slug)).text)
    return client.post(NEW.format(slug), data=fields | changes)


def stored(app, slug: str) -> list[tuple]:
    """The campaign's experiments and their variants, as rows to compare."""
    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
        experiments = db.session.scalars(
            sa.select(Experiment).where(Experiment.campaign_id == campaign.id)
        )
        return [
            (
                e.name,
                e.allocation,
                e.status,
                e.cap_minor,
                [
                    (v.position, v.key, v.heading, v.text, v.share_text, v.card_headline)
                    for v in e.variants
                ],
            )
            for e in experiments
        ]


def ask_of(app, slug: str) -> tuple:
    with app.app_context():
        c = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
        return c.ask_heading, c.ask_text, c.ask_share_text, c.ask_card_headline


@BOTH_ENGINES
def test_the_form_stores_what_the_api_stores(app, admin, auth, make_campaign, engine_name):
    for slug in ("by-form", "by-api"):
        make_campaign(slug=slug, ask_heading="Be a promoter of the case", ask_share_text="Help")
    first = admin.get(NEW.format("by-form")).text
    shown = as_shown(first)
    # The control is the campaign's words; keys a to d; the API's default cap.
    assert (shown["v1_key"], shown["v1_heading"], shown["v1_text"]) == (
        "a",
        "Be a promoter of the case",
        DEFAULT_TEXT,
    )
    assert (shown["v1_share_text"], shown["v2_key"], shown["v4_key"]) == ("Help", "b", "d")
    assert shown["cap"] == "100.00" and shown["allocation"] == "equal"
    made = start(admin, "by-form", name="Urgency", **ALTERNATIVE)
    assert made.status_code == 303, errors_in(made.text)
    eid = int(made.headers["Location"].rsplit("/", 1)[1])
    assert "Experiment “Urgency” started" in admin.get(made.headers["Location"]).text
    body = {
        "name": "Urgency",
        "allocation": "equal",
        "variants": [
            {"key": "a", "heading": "Be a promoter of the case", "text": DEFAULT_TEXT,
             "share_text": "Help"},
            {"key": "b", "heading": ALTERNATIVE["v2_heading"], "text": ALTERNATIVE["v2_text"]},
        ],
    }  # fmt: skip
    api = admin.post("/api/v1/campaigns/by-api/experiments", headers=auth, json=body)
    assert api.status_code == 201, api.data
    assert stored(app, "by-form") == stored(app, "by-api")
    assert stored(app, "by-form")[0][3] == DEFAULT_CAP_MINOR
    report = admin.get("/staff/campaigns/by-form").text
    assert f'href="/staff/campaigns/by-form/experiments/{eid}">Urgency</a>' in report
    assert "Start an experiment" not in report


@BOTH_ENGINES
def test_four_variants_an_allocation_and_a_cap_as_the_api(
    app, admin, auth, make_campaign, engine_name
):
    for slug in ("by-form", "by-api"):
        make_campaign(slug=slug, currency="EUR")
    made = start(
        admin,
        "by-form",
        name="Four ways",
        allocation="adaptive",
        cap="€250.50",
        v1_heading="Share it",
        v1_text="Please.",
        v2_key="urgent",
        v2_heading="Two weeks left",
        v2_text="Now.",
        v2_share_text="Stop the snoopers",
        v3_key="lawyers",
        v3_heading="Pay the lawyers",
        v3_text="Line one.\r\n\r\nLine two.",
        v3_card_headline="Lawyers",
        v4_heading="Fourth",
        v4_text="Words.",
    )
    assert made.status_code == 303, errors_in(made.text)
    body = {
        "name": "Four ways",
        "allocation": "adaptive",
        "cap_minor": 25050,
        "variants": [
            {"key": "a", "heading": "Share it", "text": "Please."},
            {"key": "urgent", "heading": "Two weeks left", "text": "Now.",
             "share_text": "Stop the snoopers"},
            {"key": "lawyers", "heading": "Pay the lawyers", "text": "Line one.\n\nLine two.",
             "card_headline": "Lawyers"},
            {"key": "d", "heading": "Fourth", "text": "Words."},
        ],
    }  # fmt: skip
    assert admin.post("/api/v1/campaigns/by-api/experiments", headers=auth, json=body).status_code
    assert stored(app, "by-form") == stored(app, "by-api")
    assert len(stored(app, "by-form")[0][4]) == 4


BAD = [
    ({"name": "  "}, "name", "Name is required"),
    ({"name": "x" * 121}, "name", "Name must be at most 120 characters"),
    ({"v2_heading": "   "}, "v2_heading", "Heading of variant 2 is required"),
    ({"v2_heading": "Ring\x07"}, "v2_heading", "must not contain control characters"),
    ({"v2_key": "a"}, "v2_key", "Key of variant 2 is used by another variant"),
    ({"v2_key": "B!"}, "v2_key", "lower-case letters, digits, - and _"),
    ({"v2_key": ""}, "v2_key", "Key of variant 2 is required"),
    ({"v2_text": "x" * 1001}, "v2_text", "Invitation of variant 2 must be at most 1,000"),
    ({"v2_share_text": "x" * 281}, "v2_share_text", "at most 280 characters"),
    ({"cap": "0.50"}, "cap", "Pledge cap must be between £1 and £1,000,000."),
    ({"cap": "1000001"}, "cap", "Pledge cap must be between £1 and £1,000,000."),
    ({"cap": "lots"}, "cap", "Enter an amount in digits"),
    ({"cap": "1.005"}, "cap", "GBP has no smaller unit"),
    ({"allocation": "sometimes"}, "allocation", "Choose equal or adaptive."),
    ({"v2_heading": "", "v2_text": ""}, "v2_heading", "at least two variants"),
]


@BOTH_ENGINES
@pytest.mark.parametrize(("changes", "field", "said"), BAD, ids=[b[1] + str(i) for i, b in
                                                                enumerate(BAD)])  # fmt: skip
def test_bad_input_is_told_beside_its_field_and_nothing_is_stored(
    app, admin, make_campaign, engine_name, changes, field, said
):
    make_campaign(slug="case")
    answer = start(admin, "case", **({"name": "Words"} | ALTERNATIVE | changes))
    assert answer.status_code == 422
    errors = errors_in(answer.text)
    assert list(errors) == [field] and said in errors[field], errors
    # The summary on top links to the field and is focused; the field says it is wrong.
    assert re.search(rf'<div class="error-summary"[^>]*autofocus>.*href="#{field}"', answer.text,
                     re.S)  # fmt: skip
    assert re.search(rf'aria-describedby="[^"]*{field}-error"', answer.text)
    assert stored(app, "case") == []
    assert ask_of(app, "case") == (None, None, None, None)


@BOTH_ENGINES
def test_a_second_running_experiment_is_refused(app, admin, make_campaign, engine_name):
    make_campaign(slug="case")
    assert start(admin, "case", name="First", **ALTERNATIVE).status_code == 303
    page = admin.get(NEW.format("case"))
    assert page.status_code == 200 and "already runs “" in page.text
    assert 'name="v1_heading"' not in page.text  # no form to fill in vain
    token = csrf_from(page.text)
    again = admin.post(NEW.format("case"), data={"csrf_token": token, "name": "Second",
                       "v1_key": "a", "v1_heading": "A", "v1_text": "B", "v2_key": "b",
                       **ALTERNATIVE})  # fmt: skip
    assert again.status_code == 409 and "end it on its page before starting another" in again.text
    assert [e[0] for e in stored(app, "case")] == ["First"]


def _started(admin, make_campaign) -> str:
    make_campaign(slug="case", ask_heading="Be a promoter", ask_text="Our own words.")
    made = start(
        admin, "case", name="Words", v2_share_text="Stop them", v2_card_headline="Two weeks",
        **ALTERNATIVE,
    )  # fmt: skip
    assert made.status_code == 303
    return made.headers["Location"]


@BOTH_ENGINES
def test_ending_asks_first_then_keeps_the_chosen_variant_as_the_ask(
    app, admin, make_campaign, engine_name
):
    url = _started(admin, make_campaign)
    page = admin.get(url).text
    assert 'value="b"' in page and 'value="none"' in page and "End the experiment" in page
    token = csrf_from(page)
    confirm = admin.post(url + "/end", data={"csrf_token": token, "keep": "b"})
    assert confirm.status_code == 200
    assert "End “Words”?" in confirm.text and "Two weeks left to stop it" in confirm.text
    assert stored(app, "case")[0][2] == "running"  # asking changed nothing
    assert ask_of(app, "case") == ("Be a promoter", "Our own words.", None, None)
    ended = admin.post(url + "/end", data=as_shown(confirm.text.split("<main", 1)[1]))
    assert ended.status_code == 303 and ended.headers["Location"].endswith(url)
    assert stored(app, "case")[0][2] == "ended"
    assert ask_of(app, "case") == (
        "Two weeks left to stop it",
        "Every share brings money in.",
        "Stop them",
        "Two weeks",
    )
    shown = html.unescape(admin.get(url).text)
    assert "variant b's words were kept" in shown and 'name="keep"' not in shown
    report = admin.get("/staff/campaigns/case").text
    section = report.split('id="experiments"', 1)[1].split("<h2", 1)[0]
    assert "Words</a>" in section and "variant b kept" in section
    assert "Start an experiment" in section
    # Ended: a second end is a conflict, and the ask stays.
    again = admin.post(url + "/end", data={"csrf_token": token, "keep": "a", "confirmed": "yes"})
    assert again.status_code == 409
    assert ask_of(app, "case")[0] == "Two weeks left to stop it"


@BOTH_ENGINES
def test_ending_with_none_kept_leaves_the_ask(app, admin, make_campaign, engine_name):
    url = _started(admin, make_campaign)
    token = csrf_from(admin.get(url).text)
    done = admin.post(url + "/end", data={"csrf_token": token, "keep": "none", "confirmed": "yes"})
    assert done.status_code == 303
    assert stored(app, "case")[0][2] == "ended"
    assert ask_of(app, "case") == ("Be a promoter", "Our own words.", None, None)
    assert "no variant was kept" in admin.get(url).text


@pytest.mark.parametrize("keep", ["", "zz", "B!", "x" * 41])
def test_a_bad_choice_to_keep_is_told_beside_it(app, admin, make_campaign, keep):
    url = _started(admin, make_campaign)
    token = csrf_from(admin.get(url).text)
    answer = admin.post(url + "/end", data={"csrf_token": token, "keep": keep, "confirmed": "yes"})
    assert answer.status_code == 422
    assert list(errors_in(answer.text)) == ["keep"]
    assert stored(app, "case")[0][2] == "running"


def test_viewers_read_but_neither_start_nor_end(app, client, sign_in, make_campaign):
    sign_in("admin")
    url = _started(client, make_campaign)
    sign_in("viewer")
    report = client.get("/staff/campaigns/case").text
    assert "Start an experiment" not in report and "Words</a>" in report
    page = client.get(url)
    assert page.status_code == 200 and 'name="keep"' not in page.text
    token = csrf_from(page.text)  # the sign-out form's
    assert client.get(NEW.format("case")).status_code == 403
    posted = client.post(NEW.format("case"), data={"csrf_token": token, "name": "X"})
    assert posted.status_code == 403
    end = client.post(url + "/end", data={"csrf_token": token, "keep": "b", "confirmed": "yes"})
    assert end.status_code == 403
    assert stored(app, "case")[0][2] == "running" and len(stored(app, "case")) == 1


def test_no_form_token_no_experiment(app, admin, make_campaign):
    make_campaign(slug="case")
    fields = as_shown(admin.get(NEW.format("case")).text) | {"name": "W"} | ALTERNATIVE
    del fields["csrf_token"]
    assert admin.post(NEW.format("case"), data=fields).status_code == 400
    assert stored(app, "case") == []


def test_the_default_words_are_the_control_when_the_campaign_has_none(admin, make_campaign):
    make_campaign(slug="case")
    shown = as_shown(admin.get(NEW.format("case")).text)
    assert (shown["v1_heading"], shown["v1_text"]) == (DEFAULT_HEADING, DEFAULT_TEXT)
    assert shown["v1_share_text"] == "" and shown["v2_heading"] == ""


@BOTH_ENGINES
def test_one_started_meanwhile_is_a_409_and_the_database_keeps_one(
    app, admin, make_campaign, monkeypatch, engine_name
):
    """Two admins start one at once: both pass the check, the database's unique index stops
    the second; the form says so, and nothing of it is stored."""
    from sharetrack.experiments import service

    make_campaign(slug="case")
    assert start(admin, "case", name="First", **ALTERNATIVE).status_code == 303
    fields = as_shown(admin.get(NEW.format("case")).text)
    real, calls = service.running, []

    def not_yet(session, campaign_id):  # the view's check and create()'s, before the other's
        calls.append(campaign_id)
        return None if len(calls) <= 2 else real(session, campaign_id)

    monkeypatch.setattr(service, "running", not_yet)
    data = {"csrf_token": fields["csrf_token"], "name": "Second", "v1_key": "a",
            "v1_heading": "A", "v1_text": "B", "v2_key": "b", **ALTERNATIVE}  # fmt: skip
    again = admin.post(NEW.format("case"), data=data)
    assert again.status_code == 409 and "First" in again.text
    assert [e[0] for e in stored(app, "case")] == ["First"]
