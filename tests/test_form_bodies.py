"""HTML forms read posted form fields only: a JSON body or files instead get a 4xx, never a 500
(inputs.FieldsForm)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Pledge, Promoter, Share
from sharetrack.promoters import identity
from sharetrack.services import services
from tests.conftest import SAME_ORIGIN
from tests.smtp import closing_clients, inbox, mail_config, smtp_server  # noqa: F401 (fixtures)
from tests.staff_fixtures import *  # noqa: F403  (admin)
from tests.staff_fixtures import csrf_from

# Bodies an HTML form never sends: a JSON document (any shape) or files in place of fields.
FIELDS = ("amount", "name", "ref", "channel", "parent", "email", "confirm", "label", "title")
NOT_FORM_FIELDS = {
    "json list": lambda: {"json": [1, 2]},
    "json string": lambda: {"json": "x"},
    "json number": lambda: {"json": 5},
    "json of numbers and objects": lambda: {"json": {f: {"a": 1} for f in FIELDS} | {"name": 7}},
    "json of lists": lambda: {"json": {f: [f, f] for f in FIELDS}},
    "files as fields": lambda: {
        "data": {f: (io.BytesIO(b"5"), "f.txt") for f in FIELDS},
        "content_type": "multipart/form-data",
    },
}


@pytest.fixture
def app_config(app_config, mail_config) -> dict:  # noqa: F811
    return app_config | mail_config  # so the promoter's email forms are live


@pytest.mark.parametrize("body", NOT_FORM_FIELDS.values(), ids=NOT_FORM_FIELDS)
def test_public_forms_take_form_fields_only_and_answer_a_4xx(
    app, client, make_campaign, make_share, body
):
    campaign = make_campaign(pledge_page=True)
    share, _token = make_share(campaign)
    with app.app_context():
        promoter = db.session.get(Promoter, share.promoter_id)
        key = identity.private_key(services(app).tokens, promoter)
    for path in (
        f"/c/{campaign.slug}/pledge",
        f"/c/{campaign.slug}/share",
        f"/embed/{campaign.slug}/share",
        "/p/recover",
        f"/p/{key}/email",
        f"/p/{key}/erase",
    ):
        answer = client.post(path, headers=SAME_ORIGIN, **body())
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pledge)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Share)) == 1
        assert identity.by_key(db.session, services(app).tokens, key) is not None  # not erased


@pytest.mark.parametrize("body", NOT_FORM_FIELDS.values(), ids=NOT_FORM_FIELDS)
def test_staff_forms_take_form_fields_only_and_answer_a_4xx(admin, make_campaign, body):
    campaign = make_campaign()
    for page, path in (
        ("/staff/new", "/staff/new"),
        (f"/staff/campaigns/{campaign.slug}/edit", f"/staff/campaigns/{campaign.slug}/edit"),
        (f"/staff/campaigns/{campaign.slug}", f"/staff/campaigns/{campaign.slug}/leaflets"),
        ("/staff/api-keys/", "/staff/api-keys/"),
    ):
        token = csrf_from(admin.get(page).text)  # past the token check, as staff's own script
        answer = admin.post(path, headers={"X-CSRFToken": token}, **body())
        assert 400 <= answer.status_code < 500, (path, answer.status_code)


@pytest.mark.parametrize("body", NOT_FORM_FIELDS.values(), ids=NOT_FORM_FIELDS)
def test_the_sign_in_form_takes_form_fields_only(client, body):
    token = csrf_from(client.get("/staff/login").text)
    answer = client.post("/staff/login", headers={"X-CSRFToken": token}, **body())
    assert 400 <= answer.status_code < 500
