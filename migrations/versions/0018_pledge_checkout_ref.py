"""pledges.checkout_ref: the Stripe Checkout return finds its pledge's thank-you page

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 21:10:00

One nullable column and its unique constraint, so the previous release keeps serving while
this runs (it never names the column). SQLite gets the constraint through a batch copy.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkout_ref', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_pledges_checkout_ref', ['checkout_ref'])


def downgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_constraint('uq_pledges_checkout_ref', type_='unique')
        batch_op.drop_column('checkout_ref')
