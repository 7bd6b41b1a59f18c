"""promoter keys, email hashes and staff session generations

A promoter's public code stops being a credential (issue 10). Promoters get a random
`key_secret` (their private page key and cookie are HMACs over it), an `email_hash` (a keyed
hash, never the address) and `legacy_key`: whether the old page address and cookie, signed over
the code, still name them. It stays true only for promoters none of whose links was ever
followed, since every followed link put the code in utm_content, and anyone holding the code
could get the old address from POST /api/v1/shares: the others are re-keyed (ADR 0504).
`email` is emptied (no release ever wrote it; the next drops it). Staff accounts get a
`session_generation`, raised at every sign-out.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:40:00

Safe while the previous release serves: every new column is nullable or has a server default
(added in place: on SQLite no table is rebuilt, so no foreign key stands in the way),
so its inserts still work (its promoters get `legacy_key` true and a secret on first use), and it
never writes `email`. Its staff sessions end once (their id now carries the generation).
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    with op.batch_alter_table('promoters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_secret', sa.String(length=32), nullable=True))
        batch_op.add_column(
            # A literal default, not sa.true(): SQLite then adds the column in place.
            sa.Column('legacy_key', sa.Boolean(), server_default='1', nullable=False)
        )
        batch_op.add_column(sa.Column('email_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_promoters_email_hash'), ['email_hash'], unique=False)
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )

    promoters = sa.table(
        'promoters', sa.column('id', sa.BigInteger()), sa.column('key_secret', sa.String()),
        sa.column('legacy_key', sa.Boolean()), sa.column('email', sa.String()),
    )
    shares = sa.table('shares', sa.column('id'), sa.column('promoter_id'))
    clicks = sa.table('clicks', sa.column('share_id'))
    click_days = sa.table('click_days', sa.column('share_id'))
    bind = op.get_bind()
    ids = bind.execute(sa.select(promoters.c.id).where(promoters.c.key_secret.is_(None))).scalars()
    update = (
        promoters.update()
        .where(promoters.c.id == sa.bindparam('pid'))
        .values(key_secret=sa.bindparam('secret'))
    )
    batch = []
    for promoter_id in list(ids):
        batch.append({'pid': promoter_id, 'secret': secrets.token_urlsafe(16)})
        if len(batch) == BATCH:
            bind.execute(update, batch)
            batch = []
    if batch:
        bind.execute(update, batch)

    followed = sa.select(shares.c.promoter_id).where(
        sa.or_(
            sa.exists().where(clicks.c.share_id == shares.c.id),
            sa.exists().where(click_days.c.share_id == shares.c.id),
        )
    )
    op.execute(
        promoters.update().where(promoters.c.id.in_(followed)).values(legacy_key=sa.false())
    )
    op.execute(promoters.update().values(email=None))


def downgrade():
    # Plain drops, not batch: SQLite (3.35+) drops a column in place, where a batch would
    # rebuild the table and trip over the shares that refer to it.
    op.drop_column('staff_users', 'session_generation')
    op.drop_index(op.f('ix_promoters_email_hash'), table_name='promoters')
    for column in ('email_hash', 'legacy_key', 'key_secret'):
        op.drop_column('promoters', column)
