"""The hosted page's forms, and the staff's review buttons.

The hosted page's two forms carry no CSRF token: a token needs a session cookie, and the
public page sets none. Their posts are checked by origin instead (html.common.sent_by_our_page, ADR
0402). The staff's ReviewForm keeps Flask-WTF's token: staff have a session anyway.
"""

from __future__ import annotations

import re

from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp, ValidationError

from ...formatting import locale, money
from ...inputs import FieldsForm
from ...models import MAX_AMOUNT_MINOR
from ...money import parse_major

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PledgeForm(FieldsForm):
    """A pledge: an amount in the campaign's currency, and a name if the supporter wants."""

    class Meta:
        csrf = False  # checked by origin: the public page sets no session cookie

    name = StringField(
        "Your name (optional)",
        validators=[Optional(), Length(max=80, message="Keep the name to 80 characters.")],
        filters=[_strip],
    )
    # Off unless ticked: "Recent support" names only supporters who asked to be named.
    show_name = BooleanField("Show my name under “Recent support”")
    amount = StringField("Amount", validators=[InputRequired(message="Enter an amount.")])
    ref = HiddenField()

    def __init__(self, currency: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.amount_minor: int | None = None

    def validate_name(self, field):
        if field.data and _CONTROL.search(field.data):
            raise ValidationError("Use letters, digits and punctuation only.")

    def validate_amount(self, field):
        try:
            minor = parse_major(field.data or "", self.currency, locale())
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if minor <= 0:
            raise ValidationError("Enter an amount above zero.")
        # Only what a pledge can hold; the campaign's own largest is pledges.acceptance's rule.
        if minor > MAX_AMOUNT_MINOR:
            raise ValidationError(
                f"Pledges here go up to {money(MAX_AMOUNT_MINOR, self.currency)}."
            )
        self.amount_minor = minor


class ShareForm(FieldsForm):
    """One "I'll share on …" button: the channel, and the link the visitor arrived through."""

    class Meta:
        csrf = False  # checked by origin: the public page sets no session cookie

    channel = HiddenField(validators=[InputRequired(), Length(max=32)])
    parent = HiddenField(validators=[Optional(), Length(max=64)])
    # The experiment variant the page view showed (experiments.service.variant_for_share).
    variant = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,18}$")])

    @property
    def variant_id(self) -> int | None:
        return int(self.variant.data) if self.variant.data else None


class ReviewForm(FieldsForm):
    """A staff Confirm or Void button on the report page: the status the pledge should take."""

    status = HiddenField(validators=[InputRequired(), AnyOf(("paid", "cancelled"))])
    # "yes" only from the void page's button: a Void without it asks first (views.void_pledge).
    confirmed = HiddenField()
