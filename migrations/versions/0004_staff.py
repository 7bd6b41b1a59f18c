"""staff users and a covering index for click counts

staff_users: accounts that sign in to /staff (argon2id password hashes, admin or viewer).
ix_clicks_share_id_is_bot_is_unique: lets the staff and promoter pages count clicks per share
from the index alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 11:54:54.065186

Adds a table and an index only, so the previous release keeps serving while it runs; on
PostgreSQL the index is built CONCURRENTLY, so click recording is never blocked meanwhile.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INDEX = 'ix_clicks_share_id_is_bot_is_unique'
COLUMNS = ['share_id', 'is_bot', 'is_unique']


def upgrade():
    op.create_table('staff_users',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'viewer')", name=op.f('ck_staff_users_role_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.create_index(INDEX, 'clicks', COLUMNS, postgresql_concurrently=True)
    else:
        op.create_index(INDEX, 'clicks', COLUMNS)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.drop_index(INDEX, 'clicks', postgresql_concurrently=True)
    else:
        op.drop_index(INDEX, 'clicks')
    op.drop_table('staff_users')
