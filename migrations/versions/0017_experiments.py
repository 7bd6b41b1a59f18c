"""experiments on the ask: experiments, variants, daily views; shares.variant_id; campaign asks

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 20:15:00

New tables and nullable columns only, so the previous release keeps serving while it runs
(it never names them). Shares' foreign key to variants is added with the column on
PostgreSQL; SQLite gets the column through a batch copy.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('experiments',
    sa.Column('id', BigId, nullable=False),
    sa.Column('campaign_id', BigId, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('allocation', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cap_minor', sa.BigInteger(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('kept_key', sa.String(length=40), nullable=True),
    sa.Column('weights', sa.String(length=200), nullable=True),
    sa.Column('weights_day', sa.Date(), nullable=True),
    sa.CheckConstraint("allocation IN ('equal', 'adaptive')", name=op.f('ck_experiments_allocation_known')),
    sa.CheckConstraint('cap_minor > 0', name=op.f('ck_experiments_cap_positive')),
    sa.CheckConstraint("status IN ('running', 'ended')", name=op.f('ck_experiments_status_known')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_experiments_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments'))
    )
    op.create_index(op.f('ix_experiments_campaign_id'), 'experiments', ['campaign_id'], unique=False)
    op.create_index('uq_experiments_running_campaign', 'experiments', ['campaign_id'], unique=True,
                    sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"))
    op.create_table('experiment_variants',
    sa.Column('id', BigId, nullable=False),
    sa.Column('experiment_id', BigId, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('heading', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('share_text', sa.String(length=280), nullable=True),
    sa.Column('card_headline', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_experiment_variants_experiment_id_experiments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment_variants')),
    sa.UniqueConstraint('experiment_id', 'key', name=op.f('uq_experiment_variants_experiment_id_key')),
    sa.UniqueConstraint('experiment_id', 'position', name=op.f('uq_experiment_variants_experiment_id_position')),
    )
    op.create_table('experiment_variant_days',
    sa.Column('variant_id', BigId, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('views', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('views >= 0', name=op.f('ck_experiment_variant_days_views_not_negative')),
    sa.ForeignKeyConstraint(['variant_id'], ['experiment_variants.id'], name=op.f('fk_experiment_variant_days_variant_id_experiment_variants')),
    sa.PrimaryKeyConstraint('variant_id', 'day', name=op.f('pk_experiment_variant_days'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ask_heading', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('ask_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ask_share_text', sa.String(length=280), nullable=True))
        batch_op.add_column(sa.Column('ask_card_headline', sa.String(length=120), nullable=True))
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant_id', BigId, nullable=True))
        batch_op.create_index(batch_op.f('ix_shares_variant_id'), ['variant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_shares_variant_id_experiment_variants'), 'experiment_variants', ['variant_id'], ['id'])


def downgrade():
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_shares_variant_id_experiment_variants'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_shares_variant_id'))
        batch_op.drop_column('variant_id')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('ask_card_headline')
        batch_op.drop_column('ask_share_text')
        batch_op.drop_column('ask_text')
        batch_op.drop_column('ask_heading')
    op.drop_table('experiment_variant_days')
    op.drop_table('experiment_variants')
    op.drop_index('uq_experiments_running_campaign', table_name='experiments')
    op.drop_index(op.f('ix_experiments_campaign_id'), table_name='experiments')
    op.drop_table('experiments')
