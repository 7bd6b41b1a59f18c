"""The promoter's private page /p/<signed token>: links, clicks, data export and erasure."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for

from ..channels import CHANNEL, share_intent_url
from ..extensions import db
from ..links.public import app_tokens, link_url
from . import privacy, service
from .forms import EraseForm

bp = Blueprint("promoters", __name__, url_prefix="/p")
NAMES = {c.id: c.title for c in CHANNEL.values()}
# Channels whose share button opens a network's dialog; the others are copied or printed.
INTENT_CHANNELS = frozenset(c.id for c in CHANNEL.values() if c.intent)


@bp.after_request
def _private(response):
    # The address is the key to the page: keep it out of shared caches. (Other sites never see
    # it: the site-wide Referrer-Policy sends them the origin only.)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def promoter_or_404(token: str):
    """The promoter this token names, or the site's 404 page."""
    promoter = service.by_token(db.session, app_tokens(), token)
    if promoter is None:
        abort(404)
    return promoter


@bp.get("/erased")
def erased():
    """Said once a promoter's data is erased."""
    return render_template("promoters/erased.html")


@bp.get("/<token>")
def page(token: str):
    """The promoter's links per campaign, with copy and share buttons and clicks.

    It sets no cookie: the erase form, which needs one for its CSRF token, is a page of its own.
    """
    promoter = promoter_or_404(token)
    return render_template(
        "promoters/page.html",
        promoter=promoter,
        campaigns=service.campaigns_of(db.session, promoter.id),
        token=token,
        url_of=_share_url,
        intent_of=share_intent_url,
        names=NAMES,
        intent_channels=INTENT_CHANNELS,
    )


@bp.route("/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    """Erase the promoter's name and email once they confirm; their shares stay, anonymous."""
    promoter = promoter_or_404(token)
    form = EraseForm()
    if form.validate_on_submit():
        privacy.erase(promoter)
        db.session.commit()
        return redirect(url_for("promoters.erased"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "promoters/erase.html", promoter=promoter, form=form, token=token
    ), status


@bp.get("/<token>/export.json")
def export(token: str):
    """Everything stored about the promoter, as a JSON download."""
    promoter = promoter_or_404(token)
    data = privacy.export(db.session, promoter, _share_url)
    response = jsonify(data)
    response.headers["Content-Disposition"] = 'attachment; filename="sharetrack-my-data.json"'
    return response


def _share_url(share_id: int) -> str:
    return link_url(app_tokens().share_token(share_id))
