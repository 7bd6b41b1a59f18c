"""campaign_updates: dated updates staff post on a campaign, shown on its hosted page

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 20:12:00

A new table only, so the previous release keeps serving while it runs.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('campaign_updates',
    sa.Column('id', BigId, nullable=False),
    sa.Column('campaign_id', BigId, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('posted_at', sa.DateTime(), nullable=False),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('length(title) > 0', name=op.f('ck_campaign_updates_title_not_empty')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_updates_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_updates'))
    )
    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_updates_campaign_id'), ['campaign_id'], unique=False)


def downgrade():
    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_updates_campaign_id'))
    op.drop_table('campaign_updates')
