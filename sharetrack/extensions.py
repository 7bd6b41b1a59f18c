"""Extensions, created unbound and initialised in create_app."""

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .ratelimit import KEY_PREFIX, client_key


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
# Settings that are not per app are fixed here: Flask-Limiter keeps the first app's otherwise.
# swallow_errors: with Redis down, requests go through unlimited (and the error is logged).
limiter = Limiter(
    key_func=client_key,
    key_prefix=KEY_PREFIX,
    strategy="fixed-window",
    headers_enabled=False,
    swallow_errors=True,
)
# On for every form by default; the JSON API (bearer keys, signed webhooks) is exempted.
csrf = CSRFProtect()
login = LoginManager()
# SMTP settings from config (MAIL_*, set as SHARETRACK_MAIL_*); used only if MAIL_SERVER is set.
mail = Mail()
