"""API key scopes and campaign limits

api_keys.scopes: the space-separated scopes a key holds (read, write, money, admin); every key
made before this revision gets them all, so it keeps the power it had.
api_keys.campaign_limited and api_key_campaigns: a key may reach only some campaigns.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 20:10:00

Adds a table and two columns with server defaults only, so the previous release keeps serving
while it runs: the keys it creates get every scope and no campaign limit, as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ALL_SCOPES = 'read write money admin'


def upgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('scopes', sa.String(length=64), server_default=ALL_SCOPES, nullable=False)
        )
        batch_op.add_column(
            sa.Column('campaign_limited', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table('api_key_campaigns',
    sa.Column('api_key_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_api_key_campaigns_api_key_id_api_keys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_api_key_campaigns_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('api_key_id', 'campaign_id', name=op.f('pk_api_key_campaigns'))
    )
    op.create_index(op.f('ix_api_key_campaigns_campaign_id'), 'api_key_campaigns', ['campaign_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_api_key_campaigns_campaign_id'), table_name='api_key_campaigns')
    op.drop_table('api_key_campaigns')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('campaign_limited')
        batch_op.drop_column('scopes')
