"""Staff pages for a campaign's dated updates: post, edit, delete (admins)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from pydantic import ValidationError
from wtforms import StringField, TextAreaField

from ...campaigns import service
from ...campaigns import updates as service_updates
from ...extensions import db
from ...inputs import FieldsForm
from ...models import MAX_TITLE_LENGTH, MAX_UPDATE_LENGTH, CampaignUpdate

MESSAGES = {
    "title": f"Title is required ({MAX_TITLE_LENGTH} characters at most, printable).",
    "body": f"Text is required ({MAX_UPDATE_LENGTH:,} characters at most).",
}
UPDATES = "updates"  # the flash category shown beside the report's Updates section


class UpdateForm(FieldsForm):
    """An update's title and text."""

    title = StringField("Title", description="e.g. We did it! Thank you")
    body = TextAreaField("Text", description="Plain text; a blank line starts a new paragraph.")

    def fill(self, update: CampaignUpdate) -> None:
        self.title.data, self.body.data = update.title, update.body


def validated(form: UpdateForm) -> service_updates.UpdateFields | None:
    """The update as typed, or None with a sentence beside each bad field."""
    values = {"title": form.title.data or "", "body": (form.body.data or "").replace("\r\n", "\n")}
    try:
        return service_updates.UpdateFields.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            name = str(err["loc"][0]) if err["loc"] else "title"
            form[name].errors = [MESSAGES.get(name, err["msg"])]
        return None


def _back(campaign) -> str:
    return url_for("campaigns.show", slug=campaign.slug) + "#updates"


def new(slug: str):
    """The new-update form; on success, back to the report's Updates."""
    campaign = service.get_campaign_or_404(db.session, slug)
    form = UpdateForm()
    if form.is_submitted() and (fields := validated(form)):
        service_updates.post(db.session, campaign, fields)
        db.session.commit()
        flash("Update posted: it is on the hosted page.", UPDATES)
        return redirect(_back(campaign), 303)
    status = 422 if form.is_submitted() else 200
    page = render_template("campaigns/update.html", form=form, campaign=campaign, update=None)
    return page, status


def edit(slug: str, update_id: int):
    """An update's edit form, with its Delete button."""
    campaign = service.get_campaign_or_404(db.session, slug)
    update = service_updates.one(db.session, campaign, update_id) or abort(404)
    form = UpdateForm()
    if not form.is_submitted():
        form.fill(update)
    elif fields := validated(form):
        service_updates.edit(update, fields)
        db.session.commit()
        flash("Update saved.", UPDATES)
        return redirect(_back(campaign), 303)
    status = 422 if form.is_submitted() else 200
    delete_form = FieldsForm(formdata=None)
    page = render_template(
        "campaigns/update.html", form=form, campaign=campaign, update=update, delete=delete_form
    )
    return page, status


def delete(slug: str, update_id: int):
    """Delete an update (the button on its edit page)."""
    campaign = service.get_campaign_or_404(db.session, slug)
    update = service_updates.one(db.session, campaign, update_id) or abort(404)
    if not FieldsForm().validate_on_submit():
        abort(400)
    service_updates.delete(db.session, update)
    db.session.commit()
    flash(f"Update “{update.title}” deleted.", UPDATES)
    return redirect(_back(campaign), 303)
