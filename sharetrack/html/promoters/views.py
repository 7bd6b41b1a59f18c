"""The promoter's private page /p/<key>: links, clicks, data export, erasure, and the way back
to it by email (/p/recover)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from ...channels import CHANNEL, share_intent_url
from ...config import mail_enabled, notes_enabled
from ...extensions import csrf, db
from ...models import utcnow
from ...promoters import identity, notes, privacy, service, tasks
from ...public import app_tokens, base_url, dashboard_url, link_url
from ...ratelimit import limit_per, limited
from ..common import refused_from_another_site, sent_by_our_page
from .forms import EmailForm, EraseForm, NotesForm, RecoverForm

bp = Blueprint("promoters", __name__, url_prefix="/p")
NAMES = {c.id: c.title for c in CHANNEL.values()}
# Channels whose share button opens a network's dialog; the others are copied or printed.
INTENT_CHANNELS = frozenset(c.id for c in CHANNEL.values() if c.intent)
NO_MAIL = "This service sends no email, so a page address cannot be sent to you."
NO_NOTES = "This service sends no notes: it has no mail server or no key to keep addresses."


@bp.after_request
def _private(response):
    # The address is the key to the page: keep it out of shared caches. (Other sites never see
    # it: the site-wide Referrer-Policy sends them the origin only.)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def promoter_or_404(key: str):
    """The promoter this private key names, or the site's 404 page."""
    promoter = identity.by_key(db.session, app_tokens(), key)
    if promoter is None:
        abort(404)
    return promoter


@bp.get("/erased")
def erased():
    """Said once a promoter's data is erased."""
    return render_template("promoters/erased.html")


@bp.route("/recover", methods=["GET", "POST"])
@csrf.exempt  # checked by origin instead: the page sets no session cookie (ADR 0402)
@limited("RATELIMIT_RECOVER", methods=["POST"])
def recover():
    """Send the page's address to an address a promoter gave; the answer never says whether
    we know it."""
    if not mail_enabled(current_app.config):
        return render_template("promoters/recover.html", form=None), 200
    if request.method == "POST" and not sent_by_our_page():
        return refused_from_another_site(
            "This form works from its own page. Open it and try again."
        )
    form = RecoverForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("promoters/recover.html", form=form), status
    _limit_address(form.address)
    # The same work whether the address is known or not: the worker looks it up (and mails it).
    tasks.mail_recovery.enqueue(form.address, base_url())
    return render_template("promoters/recover_sent.html")


@bp.route("/stop/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: a mail client POSTs with no cookie; the signed token is the secret
def unsubscribe(token: str):
    """One-click unsubscribe from notes: POST deletes the address; GET asks first (a link
    scanner's GET must not unsubscribe anyone)."""
    promoter = notes.by_unsubscribe_token(db.session, app_tokens(), token)
    if promoter is None:
        abort(404)
    if request.method == "POST":
        notes.opt_out(promoter)
        db.session.commit()
        return render_template("promoters/notes_stopped.html")
    return render_template("promoters/notes_stop.html", token=token)


@bp.get("/<key>")
def page(key: str):
    """The promoter's links per campaign, with copy and share buttons and clicks.

    It sets no cookie. An old page address (signed over the code) moves to the key's.
    """
    promoter = promoter_or_404(key)
    current = identity.private_key(app_tokens(), promoter)
    if current != key:
        db.session.commit()  # the secret of a row an older release made, if it had none
        return redirect(url_for(".page", key=current), 303)
    return render_template(
        "promoters/page.html",
        promoter=promoter,
        campaigns=service.campaigns_of(db.session, promoter.id),
        key=key,
        url_of=_share_url,
        intent_of=share_intent_url,
        names=NAMES,
        intent_channels=INTENT_CHANNELS,
        notes_form=NotesForm() if notes_enabled(current_app.config) else None,
    )


@bp.post("/<key>/notes")
@csrf.exempt  # the private key in the address is a secret no other site has, as email_me
@limited("RATELIMIT_RECOVER")
def notes_on(key: str):
    """Keep the address, encrypted, to send notes of what the links raise (at most daily)."""
    promoter = promoter_or_404(key)
    form = NotesForm()
    if form.validate_on_submit():
        if not notes_enabled(current_app.config):
            form.email.errors = [NO_NOTES]
        else:
            try:
                notes.opt_in(promoter, form.email.data, current_app.config["NOTES_KEYS"], utcnow())
            except notes.NotesRefused as bad:
                form.email.errors = [f"This address {bad}."]
            else:
                db.session.commit()
                return redirect(url_for(".page", key=key), 303)
    page = render_template("promoters/notes_form.html", form=form, key=key)
    return page, 422


@bp.post("/<key>/notes/stop")
@csrf.exempt  # as notes_on
def notes_off(key: str):
    """No more notes: the address is deleted."""
    promoter = promoter_or_404(key)
    notes.opt_out(promoter)
    db.session.commit()
    return redirect(url_for(".page", key=key), 303)


@bp.post("/<key>/email")
@csrf.exempt  # the private key in the address is a secret no other site has: no session needed
@limited("RATELIMIT_RECOVER")
def email_me(key: str):
    """Keep a keyed hash of the address typed on the link page and send the page's address."""
    promoter = promoter_or_404(key)
    if not mail_enabled(current_app.config):
        page = render_template("errors/error.html", status=503, title="No email", detail=NO_MAIL)
        return page, 503
    form = EmailForm()
    if not form.validate_on_submit():
        page = render_template("promoters/email_me.html", form=form, key=key)
        return page, 422
    _limit_address(form.address)
    identity.remember_email(app_tokens(), promoter, form.address)
    db.session.commit()
    url = dashboard_url(identity.private_key(app_tokens(), promoter))
    tasks.mail_pages.enqueue(form.address, [url])
    return render_template("promoters/email_sent.html", key=key, address=form.address)


@bp.route("/<key>/erase", methods=["GET", "POST"])
@csrf.exempt  # the private key in the address is a secret no other site has, as email_me
def erase(key: str):
    """Erase the promoter's name and email once they confirm; their shares stay, anonymous."""
    promoter = promoter_or_404(key)
    form = EraseForm()
    if form.validate_on_submit():
        privacy.erase(promoter)
        db.session.commit()
        return redirect(url_for("promoters.erased"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("promoters/erase.html", promoter=promoter, form=form, key=key), status


@bp.get("/<key>/export.json")
def export(key: str):
    """Everything stored about the promoter, as a JSON download."""
    promoter = promoter_or_404(key)
    data = privacy.export(db.session, promoter, _share_url)
    response = jsonify(data)
    response.headers["Content-Disposition"] = 'attachment; filename="sharetrack-my-data.json"'
    return response


def _limit_address(address: str) -> None:
    """429 once this address was sent (or asked for) too many emails, whoever asks."""
    digest = identity.email_hash(app_tokens(), address)
    limit_per("RATELIMIT_EMAIL_ADDRESS", digest, "email", "emails to this address")


def _share_url(share_id: int) -> str:
    return link_url(app_tokens().share_token(share_id))
