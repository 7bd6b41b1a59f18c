"""Extensions, created unbound and initialised in create_app (the limiter is ratelimit.py's)."""

from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base with named constraints so migrations can alter them on both engines."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
# On for every form by default; the JSON API (bearer keys, signed webhooks) is exempted.
csrf = CSRFProtect()
login = LoginManager()
# SMTP settings from config (MAIL_*, set as SHARETRACK_MAIL_*); used only if MAIL_SERVER is set.
mail = Mail()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without its work on requests that have none.

    Public pages never have a session (they set no cookie), yet Flask builds the cookie's
    signer for every request and looks up the cookie's settings on the way out. Here a request
    without the cookie gets an empty session at once, and an empty session nobody touched is
    not saved; everything else is Flask's own.
    """

    def open_session(self, app, request):
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified and not session.accessed:
            return
        super().save_session(app, session, response)
