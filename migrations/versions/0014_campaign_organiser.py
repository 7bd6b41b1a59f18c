"""campaigns: the organiser's name and address, and an accent colour

Public pages and the social card name the organiser (organiser_name, optional organiser_url)
instead of the tool; accent_color (#rrggbb, checked for WCAG AA contrast by the app) colours the
campaign's public pages.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 20:10:00

Adds nullable columns only, so the previous release keeps serving while it runs (it never
names them).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organiser_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('organiser_url', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('accent_color', sa.String(length=7), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_campaigns_accent_hex'), 'accent_color IS NULL OR length(accent_color) = 7'
        )


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_accent_hex'), type_='check')
        batch_op.drop_column('accent_color')
        batch_op.drop_column('organiser_url')
        batch_op.drop_column('organiser_name')
