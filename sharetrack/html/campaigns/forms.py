"""The staff campaign form. Its rules are the API's: the pydantic schemas in campaigns/schemas.py.

The form only reads what was typed, turns the target from major units into minor units, and
puts each schema error beside its field in words meant for a person.
"""

from __future__ import annotations

import re

from babel.numbers import get_currency_name
from pydantic import BaseModel, ValidationError
from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from ...campaigns.schemas import CURRENCIES, CampaignCreate, CampaignUpdate
from ...inputs import FieldsForm
from ...models import ACTIVE, CAMPAIGN_STATUSES, ENDED, MAX_WINDOW_DAYS, PAUSED, Campaign
from ...money import format_major, format_minor, parse_major

STATUS_LABELS = {ACTIVE: "Active", PAUSED: "Paused", ENDED: "Ended"}
# Schema fields whose form field has another name.
FORM_FIELD = {"target_minor": "target"}
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
ENDS_BEFORE_START = "Ends must be after the campaign starts"
FORM_FIELD = {"target_minor": "target", "max_pledge_minor": "max_pledge"}


def currency_choices(locale: str) -> list[SelectChoice]:
    """Every ISO 4217 code with its name, for the currency menu."""
    return [
        SelectChoice(code, f"{code} · {get_currency_name(code, locale=locale)}")
        for code in sorted(CURRENCIES)
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
            "The most one pledge may be; the pledge form and webhooks refuse more. "
            "Empty: 1,000,000 minor units (10,000.00 in a currency with cents)."
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
        self.title.data = campaign.title
        self.landing_url.data = campaign.landing_url
        self.currency.data = campaign.currency
        self.target.data = format_major(campaign.target_minor, campaign.currency)
        self.max_pledge.data = format_major(campaign.max_pledge_minor, campaign.currency)
        self.window_days.data = str(campaign.window_days)
        self.status.data = campaign.status
        self.payment_instructions.data = campaign.payment_instructions or ""
        self.starts_at.data = campaign.starts_at.date().isoformat() if campaign.starts_at else ""
        self.ends_at.data = campaign.ends_at.date().isoformat() if campaign.ends_at else ""


def validated(form: CampaignForm, locale: str, *, creating: bool) -> BaseModel | None:
    """The schema object for what was typed, or None with errors (sentences) on the fields."""
    schema = CampaignCreate if creating else CampaignUpdate
    values: dict = {
        "title": form.title.data or "",
        "landing_url": (form.landing_url.data or "").strip(),
        "currency": form.currency.data or "",
        "window_days": _whole_number(form.window_days.data),
        "status": form.status.data or "",
        "payment_instructions": form.payment_instructions.data or "",
    }
    for name in ("starts_at", "ends_at"):
        text = (form[name].data or "").strip()
        if text:
            values[name] = _day_start(text)
    if creating:
        values["slug"] = (form.slug.data or "").strip()
    errors: dict[str, list[str]] = {}
    target_text = (form.target.data or "").strip()
    currency = values["currency"] if values["currency"] in CURRENCIES else "GBP"
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
            errors.setdefault(field, []).append(f"{label} {message(name, err, currency, locale)}")
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
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if field in ("starts_at", "ends_at") and kind == "value_error":
        return "must be a date like 2026-12-01, between 2000 and 2100"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"]
