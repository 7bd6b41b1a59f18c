"""The promoter's forms: erasing their data, and an address to email their page's address to."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import InputRequired, ValidationError

from . import identity


class EraseForm(FlaskForm):
    """A checkbox that says the promoter means it."""

    confirm = BooleanField(
        "I understand: my name and email are erased and this page stops working",
        validators=[InputRequired("Tick this box to erase your data.")],
    )


class EmailForm(FlaskForm):
    """One email address: where to send the promoter's page address (it is never stored)."""

    email = EmailField(
        "Email me my page's address (optional)",
        description="We keep only a scrambled code of the address, never the address itself.",
        validators=[InputRequired("Enter your email address.")],
    )

    def validate_email(self, field):
        try:
            self.address = identity.checked_email(field.data or "")
        except identity.BadEmail as bad:
            raise ValidationError(f"This address {bad}.") from None


class RecoverForm(EmailForm):
    """The address a promoter gave when they made their link."""

    email = EmailField(
        "Your email address",
        description="The one you gave when you made your link.",
        validators=[InputRequired("Enter your email address.")],
    )
