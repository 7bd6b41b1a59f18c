"""scans and unique scans in the daily click aggregates

click_days and click_channel_days get `scans` and `unique_scans` (human visits through a
printed code), so the leaflet table reads the same figures once raw clicks of folded days are
deleted by retention. Days folded before this revision are filled from their raw clicks, which
no release before this one deletes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 13:20:00

Adds columns with a default of 0 only, so the previous release keeps serving while it runs
(it never names the new columns; its folds leave them 0 until the backfill below runs in the
same transaction).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ('click_days', 'click_channel_days')
COLUMNS = ('scans', 'unique_scans')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # The backfill reads every folded day's raw clicks: no web statement timeout here.
        op.execute('SET LOCAL statement_timeout = 0')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.add_column(
                    sa.Column(column, sa.Integer(), server_default='0', nullable=False)
                )
    clicks = sa.table(
        'clicks',
        sa.column('share_id'), sa.column('at', sa.DateTime()),
        sa.column('is_scan', sa.Boolean()), sa.column('is_bot', sa.Boolean()),
        sa.column('is_unique', sa.Boolean()),
    )
    days = sa.table(
        'click_days', sa.column('share_id'), sa.column('day', sa.Date()),
        sa.column('campaign_id'), sa.column('channel'),
        sa.column('scans'), sa.column('unique_scans'),
    )
    channel_days = sa.table(
        'click_channel_days', sa.column('campaign_id'), sa.column('channel'),
        sa.column('day', sa.Date()), sa.column('scans'), sa.column('unique_scans'),
    )

    def scans(*extra):
        return (
            sa.select(sa.func.count())
            .where(
                clicks.c.share_id == days.c.share_id,
                sa.func.date(clicks.c.at) == days.c.day,
                clicks.c.is_scan.is_(True),
                clicks.c.is_bot.is_(False),
                *extra,
            )
            .scalar_subquery()
        )

    op.execute(
        days.update().values(scans=scans(), unique_scans=scans(clicks.c.is_unique.is_(True)))
    )

    def total(column):
        return (
            sa.select(sa.func.coalesce(sa.func.sum(column), 0))
            .where(
                days.c.campaign_id == channel_days.c.campaign_id,
                days.c.channel == channel_days.c.channel,
                days.c.day == channel_days.c.day,
            )
            .scalar_subquery()
        )

    op.execute(
        channel_days.update().values(scans=total(days.c.scans), unique_scans=total(days.c.unique_scans))
    )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(COLUMNS):
                batch_op.drop_column(column)
