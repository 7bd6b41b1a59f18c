"""The staff campaign form. Its rules are the API's: the pydantic schemas in campaigns/schemas.py.

The form only reads what was typed, turns the target from major units into minor units, and
puts each schema error beside its field in words meant for a person.
"""

from __future__ import annotations

import re

from babel.numbers import get_currency_name
from pydantic import BaseModel, ValidationError
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField

from ...campaigns.schemas import CURRENCIES, CampaignCreate, CampaignUpdate
from ...inputs import FieldsForm
from ...models import ACTIVE, CAMPAIGN_STATUSES, ENDED, MAX_WINDOW_DAYS, PAUSED, Campaign
from ...money import format_major, format_minor, parse_major

STATUS_LABELS = {ACTIVE: "Active", PAUSED: "Paused", ENDED: "Ended"}
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
ENDS_BEFORE_START = "Ends must be after the campaign starts"
FORM_FIELD = {"target_minor": "target", "max_pledge_minor": "max_pledge"}


def currency_choices(locale: str, keep: str | None = None) -> list[SelectChoice]:
    """Every current ISO 4217 currency with its name, for the currency menu; `keep` (a stored
    campaign's currency, perhaps withdrawn since) is offered too, so an edit keeps it."""
    return [
        SelectChoice(code, f"{code} · {get_currency_name(code, locale=locale)}")
        for code in sorted(CURRENCIES | ({keep} if keep else set()))
    ]


class CampaignForm(FieldsForm):
    """Create or edit a campaign. Validation is `validated()`, not WTForms validators."""

    slug = StringField(
        "Short name",
        description="Lowercase letters, digits and hyphens; used in addresses. Cannot be changed.",
    )
    title = StringField("Title")
    landing_url = StringField(
        "Landing page", description="Where share links send people, e.g. https://…/pledge"
    )
    currency = SelectField("Currency", default="GBP", validate_choice=False)
    target = StringField("Target", description="In the campaign's currency, e.g. 10,000")
    max_pledge = StringField(
        "Largest pledge",
        description=(
            "In the campaign's currency: the most one pledge may be; the pledge form and "
            "webhooks refuse more. Empty: 10,000 in a currency with cents such as GBP "
            "(1,000,000 in one without, such as JPY)."
        ),
    )
    window_days = StringField(
        "Attribution window (days)",
        default="30",
        description=(
            f"How long after a click a pledge still counts for the share: 1 to {MAX_WINDOW_DAYS}."
        ),
    )
    starts_at = StringField(
        "Starts", description="A date, e.g. 2026-12-01. Empty: the day it is created."
    )
    ends_at = StringField(
        "Ends", description="A date, e.g. 2027-01-31. Empty: no end (forecasts look 30 days ahead)."
    )
    pledge_page = BooleanField(
        "Hosted page: take pledges on this site's own page for the campaign (/c/short-name)"
    )
    summary = TextAreaField(
        "Summary", description="The case, in plain text, shown on the hosted page."
    )
    organiser_name = StringField(
        "Organiser",
        description="Who runs the campaign, named at the top of its public pages and on its "
        "social card. Empty: the title.",
    )
    organiser_url = StringField("Organiser's website", description="Optional, e.g. https://…")
    accent_color = StringField(
        "Accent colour",
        description="Optional: links and buttons on the public pages, as #rrggbb, e.g. #0b6e4f. "
        "It must be dark enough to read on white and to carry white text.",
    )
    payment_instructions = TextAreaField(
        "How to pay",
        description=(
            "Shown to supporters after they pledge when card payments are off: "
            "bank details, a reference to quote, where to hand in cash. Plain text."
        ),
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice(s, STATUS_LABELS[s]) for s in CAMPAIGN_STATUSES],
        default=ACTIVE,
        validate_choice=False,
    )

    def fill(self, campaign: Campaign) -> None:
        """Show a stored campaign's values (for the edit form's first view)."""
        for field in (self.target, self.max_pledge):
            field.label.text = f"{field.label.text} ({campaign.currency})"
        self.title.data = campaign.title
        self.pledge_page.data = campaign.pledge_page
        self.summary.data = campaign.summary or ""
        self.organiser_name.data = campaign.organiser_name or ""
        self.organiser_url.data = campaign.organiser_url or ""
        self.accent_color.data = campaign.accent_color or ""
        self.landing_url.data = campaign.landing_url
        self.currency.data = campaign.currency
        self.target.data = format_major(campaign.target_minor, campaign.currency)
        self.max_pledge.data = format_major(campaign.max_pledge_minor, campaign.currency)
        self.window_days.data = str(campaign.window_days)
        self.status.data = campaign.status
        self.payment_instructions.data = campaign.payment_instructions or ""
        self.starts_at.data = campaign.starts_at.date().isoformat() if campaign.starts_at else ""
        self.ends_at.data = campaign.ends_at.date().isoformat() if campaign.ends_at else ""


def validated(
    form: CampaignForm, locale: str, *, creating: bool, stored_currency: str | None = None
) -> BaseModel | None:
    """The schema object for what was typed, or None with errors (sentences) on the fields.
    An edit that keeps `stored_currency` leaves it alone, even if it has been withdrawn."""
    schema = CampaignCreate if creating else CampaignUpdate
    values: dict = {
        "title": form.title.data or "",
        "landing_url": (form.landing_url.data or "").strip(),
        "currency": form.currency.data or "",
        "window_days": _whole_number(form.window_days.data),
        "status": form.status.data or "",
        "pledge_page": bool(form.pledge_page.data),
        "summary": (form.summary.data or "").replace("\r\n", "\n"),
        "organiser_name": form.organiser_name.data or "",
        "organiser_url": (form.organiser_url.data or "").strip(),
        "accent_color": (form.accent_color.data or "").strip().lower(),
        "payment_instructions": form.payment_instructions.data or "",
    }
    for name in ("starts_at", "ends_at"):
        text = (form[name].data or "").strip()
        if text:
            values[name] = _day_start(text)
    if creating:
        values["slug"] = (form.slug.data or "").strip()
    currency = values["currency"]
    if values["currency"] == stored_currency:
        del values["currency"]  # unchanged
    errors: dict[str, list[str]] = {}
    target_text = (form.target.data or "").strip()
    currency = currency if currency in CURRENCIES or currency == stored_currency else "GBP"
    try:
        values["target_minor"] = parse_major(target_text, currency, locale) if target_text else 0
    except ValueError as exc:
        errors["target"] = [str(exc)]  # already a sentence
    max_text = (form.max_pledge.data or "").strip()
    if max_text:
        try:
            values["max_pledge_minor"] = parse_major(max_text, currency)
        except ValueError as exc:
            errors["max_pledge"] = [str(exc)]
    try:
        model = schema.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            name = str(err["loc"][0]) if err["loc"] else "title"
            field = FORM_FIELD.get(name, name)
            label = form[field].label.text
            said = message(name, err, currency, locale)
            # A whole sentence stands alone; anything else follows the field's label.
            errors.setdefault(field, []).append(said if said[0].isupper() else f"{label} {said}")
        model = None
    for field, messages in errors.items():
        form[field].errors = messages
    return None if errors else model


def _day_start(text: str) -> str:
    """A typed date as the start of that UTC day in ISO 8601 (other text goes to the schema)."""
    return f"{text}T00:00:00Z" if DATE_RE.fullmatch(text) else text


def _whole_number(text: str | None) -> int | str:
    """An int if the text is one (the schema wants a real integer), else the text as typed."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else text


def message(field: str, err: dict, currency: str, locale: str) -> str:
    """A schema error in words for a person, to follow the field's label."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in ("missing", "string_type") or (
        kind == "string_too_short" and ctx["min_length"] == 1
    ):
        return "is required"
    if field == "slug" and kind in ("string_pattern_mismatch", "string_too_long"):
        return "may have only lowercase letters, digits and hyphens (64 at most), not at either end"
    if field == "currency" and kind == "string_pattern_mismatch":
        return "must be one from the list"
    if field == "status" and kind == "literal_error":
        return "must be one from the list"
    if field == "window_days":
        if kind in ("int_type", "int_parsing"):
            return "must be a whole number of days"
        if kind == "greater_than_equal":
            return f"must be at least {ctx['ge']} day"
        return f"must be at most {ctx['le']} days"
    if field == "target_minor" and kind == "less_than_equal":
        return "must be at most " + format_minor(ctx["le"], currency, locale)
    if field == "target_minor" and kind == "greater_than_equal":
        return "must not be negative"
    if field == "max_pledge_minor" and kind == "less_than_equal":
        return "must be at most " + format_minor(ctx["le"], currency, locale)
    if field == "max_pledge_minor" and kind == "greater_than_equal":
        return "must be above zero"
    if field in ("landing_url", "organiser_url") and kind == "value_error":
        return "Enter a web address starting with https://, e.g. https://example.org/pledge"
    if field == "accent_color" and kind == "string_pattern_mismatch":
        return "must be a colour like #0b6e4f: # and six digits or letters a–f"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if field in ("starts_at", "ends_at") and kind == "value_error":
        return "must be a date like 2026-12-01, between 2000 and 2100"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"]
