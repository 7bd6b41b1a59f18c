"""Queued jobs that failed for good: what staff see, never the job's arguments."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import BigId, utcnow

MAX_TASK_NAME_LENGTH = 200


class TaskFailure(db.Model):
    """A job that failed on its last try (sharetrack/queue.py). Its arguments are not kept:
    they may hold an email address."""

    __tablename__ = "task_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(MAX_TASK_NAME_LENGTH), index=True)
    task_id: Mapped[str] = mapped_column(sa.String(64))
    # The exception's class only: messages of SMTP errors, say, carry the recipient.
    error: Mapped[str] = mapped_column(sa.String(200))
    tries: Mapped[int] = mapped_column()
    failed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
