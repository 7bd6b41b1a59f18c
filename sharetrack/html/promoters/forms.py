"""The promoter's forms: erasing their data, and an address to email their page's address to.

None carries a CSRF token, which would need a session cookie (ADR 0402). The erase form and the
link page's email form post to an address holding the promoter's private key, a secret no other
site has; the recover form is checked by origin in its view.
"""

from __future__ import annotations

from wtforms import BooleanField, EmailField
from wtforms.validators import InputRequired, ValidationError

from ...inputs import FieldsForm
from ...promoters import identity


class EraseForm(FieldsForm):
    """A checkbox that says the promoter means it."""

    class Meta:
        csrf = False  # the key in the form's address is the secret

    confirm = BooleanField(
        "I understand: my name and email are erased and this page stops working",
        validators=[InputRequired("Tick this box to erase your data.")],
    )


class EmailForm(FieldsForm):
    """One email address: where to send the promoter's page address (it is never stored)."""

    class Meta:
        csrf = False  # the key in the form's address is the secret (recover: checked by origin)

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


class NotesForm(FieldsForm):
    """The address to send notes of what the promoter's links raised to (kept encrypted)."""

    class Meta:
        csrf = False  # the key in the form's address is the secret

    email = EmailField(
        "Your email address",
        description="Kept encrypted, only for these notes, deleted when you stop them.",
        validators=[InputRequired("Enter your email address.")],
    )
