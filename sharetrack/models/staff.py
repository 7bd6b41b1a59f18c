"""Staff: people who sign in, and API keys."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import STAFF_ROLES, BigId, in_, utcnow

# What an API key may do (auth/api_keys.py says which routes each opens; api/ declares them).
API_SCOPES = ("read", "write", "money", "admin")
ALL_SCOPES = " ".join(API_SCOPES)


class ApiKey(db.Model):
    """A staff API key, stored as a SHA-256 of a 256-bit random secret."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    # Space-separated API_SCOPES; keys made before scopes existed got them all (migration 0011).
    scopes: Mapped[str] = mapped_column(
        sa.String(64), default=ALL_SCOPES, server_default=ALL_SCOPES
    )
    # Whether the key reaches only the campaigns listed in api_key_campaigns (else every one).
    campaign_limited: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @property
    def scope_set(self) -> frozenset[str]:
        """The key's scopes as a set."""
        return frozenset(self.scopes.split())


class ApiKeyCampaign(db.Model):
    """One campaign a campaign-limited key may reach."""

    __tablename__ = "api_key_campaigns"

    api_key_id: Mapped[int] = mapped_column(
        sa.ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class StaffUser(UserMixin, db.Model):
    """A person who signs in to the staff pages: viewers read, admins also change things."""

    __tablename__ = "staff_users"
    __table_args__ = (sa.CheckConstraint(in_("role", STAFF_ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Stored lower-cased (auth.staff.normalise_email), so the unique key is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    # Argon2id in PHC string form, parameters included (auth.passwords).
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default="viewer")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column()

    @property
    def is_admin(self) -> bool:
        """Whether this person may create and change things."""
        return self.role == "admin"

    # Raised by every sign-out: a session made under an older generation no longer loads.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        """The id kept in the session; it changes with the password and at every sign-out."""
        digest = hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]
        return f"{self.id}:{self.session_generation}:{digest}"
