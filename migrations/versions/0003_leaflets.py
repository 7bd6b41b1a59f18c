"""leaflet batches: a printed run of leaflets, each batch its own share on the leaflet channel

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:52:28.604178

Only adds a table, so the previous release keeps serving while it runs.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('leaflet_batches',
    sa.Column('id', BigId, nullable=False),
    sa.Column('share_id', BigId, nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('printed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(label) > 0', name=op.f('ck_leaflet_batches_label_not_empty')),
    sa.CheckConstraint('printed > 0', name=op.f('ck_leaflet_batches_printed_positive')),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], name=op.f('fk_leaflet_batches_share_id_shares')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaflet_batches')),
    sa.UniqueConstraint('share_id', name=op.f('uq_leaflet_batches_share_id'))
    )


def downgrade():
    op.drop_table('leaflet_batches')
