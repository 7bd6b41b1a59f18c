"""The task queue's record of jobs that failed for good (task_failures), and promoters' notes.

task_failures: jobs that failed on their last try (no arguments). promoters.notes_address: the
address of a promoter who asked for notes, encrypted; promoters.notes_since: when their last
note went. A new table and nullable columns only: safe while the previous release serves.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "task_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("task", sa.String(length=200), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_failures")),
    )
    op.create_index(op.f("ix_task_failures_task"), "task_failures", ["task"])
    op.create_index(op.f("ix_task_failures_failed_at"), "task_failures", ["failed_at"])
    with op.batch_alter_table("promoters") as batch:
        batch.add_column(sa.Column("notes_address", sa.String(length=512), nullable=True))
        batch.add_column(sa.Column("notes_since", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("promoters") as batch:
        batch.drop_column("notes_since")
        batch.drop_column("notes_address")
    op.drop_index(op.f("ix_task_failures_failed_at"), table_name="task_failures")
    op.drop_index(op.f("ix_task_failures_task"), table_name="task_failures")
    op.drop_table("task_failures")
