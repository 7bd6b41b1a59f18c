"""Staff API: the task queue's jobs that failed for good."""

from __future__ import annotations

from .. import queue
from ..extensions import db
from . import bp
from .openapi import Reply, operation
from .responses import TaskFailureList


@bp.get("/tasks/failures")
@operation(
    "Queued jobs (emails, deliveries) that failed on their last try, newest first",
    responses={200: Reply("The failed jobs: task, exception class, tries, when", TaskFailureList)},
    scope="admin",
    tags=("tasks",),
)
def list_task_failures():
    """The jobs that failed for good."""
    return TaskFailureList.from_rows(queue.failures(db.session))
