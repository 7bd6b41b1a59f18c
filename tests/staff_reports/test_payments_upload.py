"""The report page's upload of a payments export: preview, import, errors by line, CSRF."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Pledge
from tests.conftest import BOTH_ENGINES
from tests.imports.test_payments import STRIPE_HEADER, stripe_row
from tests.staff_fixtures import csrf_from


def export(*rows) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([STRIPE_HEADER, *rows])
    return text.getvalue().encode()


def post(client, slug, body: bytes, action="import", **fields):
    token = csrf_from(client.get(f"/staff/campaigns/{slug}/payments").text)
    data = {"csrf_token": token, "preset": "stripe", "columns": "", "action": action} | fields
    data["file"] = (io.BytesIO(body), "payments.csv")
    return client.post(
        f"/staff/campaigns/{slug}/payments", data=data, content_type="multipart/form-data"
    )


def pledges(app, campaign_id):
    with app.app_context():
        return sorted(
            db.session.scalars(
                sa.select(Pledge.external_id).where(Pledge.campaign_id == campaign_id)
            )
        )


@BOTH_ENGINES
def test_preview_stores_nothing_then_import_stores(app, admin, make_campaign):
    campaign = make_campaign()
    body = export(stripe_row("py_1"), stripe_row("py_2", "10.00"))
    page = post(admin, campaign.slug, body, action="preview")
    assert page.status_code == 200
    assert "Preview: nothing stored yet" in page.text and "2 new" in page.text
    assert "py_2" in page.text and "ada@example.org" not in page.text
    assert pledges(app, campaign.id) == []
    done = post(admin, campaign.slug, body)
    assert done.status_code == 200 and "Imported" in done.text
    assert pledges(app, campaign.id) == ["py_1", "py_2"]


@BOTH_ENGINES
def test_a_later_upload_with_a_partial_refund_lowers_the_amount(app, admin, make_campaign):
    campaign = make_campaign()
    assert post(admin, campaign.slug, export(stripe_row("py_1", "10.00"))).status_code == 200
    later = export(stripe_row("py_1", "10.00", refunded="3.00", status="Partially refunded"))
    page = post(admin, campaign.slug, later)
    assert page.status_code == 200 and "1 updated" in page.text
    assert post(admin, campaign.slug, later).text.count("1 unchanged") >= 1
    with app.app_context():
        pledge = db.session.scalar(sa.select(Pledge).where(Pledge.campaign_id == campaign.id))
        assert (pledge.amount_minor, pledge.status) == (700, "paid")


@BOTH_ENGINES
def test_a_bad_row_is_shown_by_line_and_nothing_is_stored(app, admin, make_campaign):
    campaign = make_campaign()
    page = post(admin, campaign.slug, export(stripe_row("py_1"), stripe_row("py_2", "ten")))
    assert page.status_code == 422
    assert "line 3: amount &#39;ten&#39;" in page.text and "Nothing was stored" in page.text
    assert pledges(app, campaign.id) == []


def test_a_large_export_is_taken_past_the_forms_limit(app, admin, make_campaign):
    campaign = make_campaign()
    rows = [stripe_row(f"py_{n}", Description="x" * 300) for n in range(300)]
    body = export(*rows)
    assert len(body) > 64 * 1024  # the app's limit for every other form
    page = post(admin, campaign.slug, body, action="preview")
    assert page.status_code == 200 and "300 new" in page.text


def test_without_the_form_token_nothing_is_read(app, admin, make_campaign):
    campaign = make_campaign()
    response = admin.post(
        f"/staff/campaigns/{campaign.slug}/payments",
        data={
            "preset": "stripe",
            "action": "import",
            "file": (io.BytesIO(export(stripe_row("p"))), "p.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert pledges(app, campaign.id) == []


def test_viewers_and_strangers_cannot_upload(app, client, viewer, make_campaign):
    campaign = make_campaign()
    assert viewer.get(f"/staff/campaigns/{campaign.slug}/payments").status_code == 403


def test_missing_file_and_bad_columns_are_said_beside_the_field(admin, make_campaign):
    campaign = make_campaign()
    token = csrf_from(admin.get(f"/staff/campaigns/{campaign.slug}/payments").text)
    page = admin.post(
        f"/staff/campaigns/{campaign.slug}/payments",
        data={"csrf_token": token, "preset": "stripe", "action": "preview"},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422 and 'id="file-error"' in page.text
    page = post(admin, campaign.slug, export(stripe_row("p")), preset="custom", columns="amount=A")
    assert page.status_code == 422 and 'id="columns-error"' in page.text
