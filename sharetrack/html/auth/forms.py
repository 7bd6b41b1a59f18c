"""The staff sign-in form."""

from __future__ import annotations

from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from ...inputs import FieldsForm


class LoginForm(FieldsForm):
    """Email and password; whether they match is the view's question, not a field rule."""

    email = EmailField("Email", validators=[InputRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])
