"""The promoter's erase form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import InputRequired


class EraseForm(FlaskForm):
    """A checkbox that says the promoter means it."""

    confirm = BooleanField(
        "I understand: my name and email are erased and this page stops working",
        validators=[InputRequired("Tick this box to erase your data.")],
    )
