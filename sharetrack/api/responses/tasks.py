"""Task queue answers: the jobs that failed for good."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from ...models import TaskFailure
from .common import Documented, UtcTime


class TaskFailureOut(Documented):
    """A queued job that failed on its last try: which task, never its arguments."""

    task: str = Field(description="The task's name, e.g. sharetrack.promoters.tasks.mail_pages")
    task_id: str
    error: str = Field(description="The class of the last exception only")
    tries: int
    failed_at: UtcTime

    @classmethod
    def from_row(cls, row: TaskFailure) -> TaskFailureOut:
        return cls(
            task=row.task,
            task_id=row.task_id,
            error=row.error,
            tries=row.tries,
            failed_at=row.failed_at,
        )


class TaskFailureList(Documented):
    failures: list[TaskFailureOut] = Field(description="Newest first, at most 500")

    @classmethod
    def from_rows(cls, rows: Iterable[TaskFailure]) -> TaskFailureList:
        return cls(failures=[TaskFailureOut.from_row(row) for row in rows])
