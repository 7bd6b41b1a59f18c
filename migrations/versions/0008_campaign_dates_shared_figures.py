"""campaign start and end dates; share-value figures shared by every worker

campaigns get optional `starts_at` (None: from creation) and `ends_at`, with a check that a
campaign ends after it starts; the forecast of the target reads them. share_value_figures
holds each campaign's last computed per-share figures, so every worker answers the same.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 11:00:00

Adds nullable columns and a new table only, so the previous release keeps serving while it
runs (it never names them; its campaigns have no dates, which the check allows).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ends_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_campaigns_ends_after_start'), 'ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at'
        )
    op.create_table(
        'share_value_figures',
        sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  nullable=False),
        sa.Column('as_of', sa.DateTime(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_share_value_figures_campaign_id_campaigns'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_share_value_figures')),
    )


def downgrade():
    op.drop_table('share_value_figures')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_ends_after_start'), type_='check')
        batch_op.drop_column('ends_at')
        batch_op.drop_column('starts_at')
