"""import files by SHA-256, and shares' import keys

import_files: the SHA-256 of every file `flask import` stored, so the same file is refused the
second time (unless --force). shares.import_key: the key a share had in its import file, unique
per campaign, so a file imported again, or one overlapping an earlier one, matches its shares
instead of doubling them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 11:30:00

Adds a table, a nullable column and an index only, so the previous release keeps serving while
it runs (it never names them); on PostgreSQL the index is built CONCURRENTLY.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

INDEX = 'uq_shares_campaign_id_import_key'
COLUMNS = ['campaign_id', 'import_key']


def upgrade():
    op.create_table('import_files',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_import_files_sha256'))
    )
    op.add_column('shares', sa.Column('import_key', sa.String(length=200), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.create_index(INDEX, 'shares', COLUMNS, unique=True, postgresql_concurrently=True)
    else:
        op.create_index(INDEX, 'shares', COLUMNS, unique=True)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.drop_index(INDEX, 'shares', postgresql_concurrently=True)
    else:
        op.drop_index(INDEX, 'shares')
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_column('import_key')
    op.drop_table('import_files')
