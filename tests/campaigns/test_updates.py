"""Campaign updates: staff post, edit and delete them; the hosted page shows them newest first."""

from __future__ import annotations

import re

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import CampaignUpdate
from tests.campaigns.test_pages import submit
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import csrf_from, errors_in


def stored(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(CampaignUpdate).order_by(CampaignUpdate.id))
        return [(u.title, u.body) for u in rows]


def titles_on_page(page: str) -> list[str]:
    return re.findall(r'<h3 id="update-\d+">([^<]*)</h3>', page)


@BOTH_ENGINES
def test_updates_are_posted_edited_and_deleted(app, admin, client, make_campaign, engine_name):
    make_campaign(slug="case", pledge_page=True)
    new = "/staff/campaigns/case/updates/new"
    first = submit(admin, new, title="Papers filed", body="We filed today.\r\n\r\nMore soon.")
    assert first.status_code == 303 and first.headers["Location"].endswith("#updates")
    assert "Update posted" in admin.get(first.headers["Location"]).text
    assert submit(admin, new, title="We did it!!!", body="Please keep sharing.").status_code == 303
    page = client.get("/c/case").text
    assert titles_on_page(page) == ["We did it!!!", "Papers filed"]  # newest first
    assert "<p>We filed today.</p><p>More soon.</p>" in page

    report = admin.get("/staff/campaigns/case").text
    edit = re.search(r'href="(/staff/campaigns/case/updates/(\d+)/edit)"', report).group(1)
    assert submit(admin, edit, title="We did it!", body="Thank you all.").status_code == 303
    assert stored(app) == [("Papers filed", "We filed today.\n\nMore soon."),
                           ("We did it!", "Thank you all.")]  # fmt: skip
    with app.app_context():
        edited = db.session.scalars(sa.select(CampaignUpdate).order_by(CampaignUpdate.id)).all()
        assert edited[0].edited_at is None and edited[1].edited_at is not None

    delete = edit.replace("/edit", "/delete")
    assert admin.post(delete).status_code == 400  # no form token
    gone = admin.post(delete, data={"csrf_token": csrf_from(admin.get(edit).text)})
    assert gone.status_code == 303
    assert stored(app) == [("Papers filed", "We filed today.\n\nMore soon.")]
    assert titles_on_page(client.get("/c/case").text) == ["Papers filed"]


def test_an_empty_update_is_refused_beside_its_fields(app, admin, make_campaign):
    make_campaign(slug="case")
    response = submit(admin, "/staff/campaigns/case/updates/new", title="  ", body="")
    assert response.status_code == 422
    assert set(errors_in(response.text)) == {"title", "body"}
    too_long = submit(admin, "/staff/campaigns/case/updates/new", title="A", body="x" * 5001)
    assert errors_in(too_long.text) == {"body": "Text is required (5,000 characters at most)."}
    assert stored(app) == []


def test_viewers_do_not_post_updates(viewer, make_campaign):
    make_campaign(slug="case")
    assert "Post an update" not in viewer.get("/staff/campaigns/case").text
    assert viewer.get("/staff/campaigns/case/updates/new").status_code == 403


def test_another_campaigns_update_is_404(admin, make_campaign):
    make_campaign(slug="case")
    make_campaign(slug="other")
    submit(admin, "/staff/campaigns/case/updates/new", title="Hello", body="Text")
    edit = re.search(
        r'href="/staff/campaigns/case/updates/(\d+)/edit"', admin.get("/staff/campaigns/case").text
    )
    assert admin.get(f"/staff/campaigns/other/updates/{edit.group(1)}/edit").status_code == 404


def test_a_page_without_updates_has_no_updates_section(client, make_campaign):
    make_campaign(slug="case", pledge_page=True)
    assert 'id="updates-heading"' not in client.get("/c/case").text
