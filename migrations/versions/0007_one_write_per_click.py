"""one write per click: the visitor hash moves onto the click, uniqueness is derived

clicks gets `day` (the UTC day of `at`) and `visitor_hash` (NULL once expired) and loses
`is_unique`; visitor_days goes. A click is one INSERT; unique visits are counted as
COUNT(DISTINCT visitor_hash) per share and day when a day is folded or read raw.

Existing data: days already folded keep their aggregates (their raw clicks get no hash).
On days not folded yet, each unique human click takes one of its share-day's hashes from
visitor_days (any pairing keeps the counts, and a visitor seen earlier today stays seen),
and a unique click without one (GPC/DNT, imports) a random value of its own; repeat clicks
get none. So every report reads the same figures after the upgrade. The downgrade rebuilds
is_unique (the first click of each share, day and hash) and visitor_days from the hashes
still held; raw clicks of folded days come back not unique, which no report reads.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:40:00

Not safe beside the previous release: it writes is_unique and visitor_days. Run it while
stopping the old workers (a rolling restart right after): the old release's clicks in
between are redirected but not stored (it logs each), as during any database outage.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_INDEX = 'ix_clicks_share_id_is_bot_is_unique'
HASHED = 'ix_clicks_hashed_day'
HASHED_WHERE = sa.text('visitor_hash IS NOT NULL')

clicks = sa.table(
    'clicks',
    sa.column('id'), sa.column('share_id'), sa.column('at', sa.DateTime()),
    sa.column('day', sa.Date()), sa.column('is_bot', sa.Boolean()),
    sa.column('is_unique', sa.Boolean()), sa.column('visitor_hash', sa.LargeBinary()),
)
visitor_days = sa.table(
    'visitor_days',
    sa.column('share_id'), sa.column('day', sa.Date()), sa.column('visitor_hash', sa.LargeBinary()),
)


def upgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    if not sqlite:
        op.execute('SET LOCAL statement_timeout = 0')  # one pass over every click
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('visitor_hash', sa.LargeBinary(length=16), nullable=True))
    op.execute(clicks.update().values(day=sa.func.date(clicks.c.at)))

    folded_before = bind.scalar(sa.text('SELECT folded_before FROM click_rollups WHERE id = 1'))
    open_days = [clicks.c.day >= folded_before] if folded_before is not None else []
    human_unique = sa.and_(clicks.c.is_unique.is_(True), clicks.c.is_bot.is_(False), *open_days)
    first = (
        sa.select(
            clicks.c.id, clicks.c.share_id, clicks.c.day,
            sa.func.row_number().over(
                partition_by=[clicks.c.share_id, clicks.c.day], order_by=clicks.c.id
            ).label('n'),
        )
        .where(human_unique)
        .subquery('first')
    )
    seen = sa.select(
        visitor_days.c.share_id, visitor_days.c.day, visitor_days.c.visitor_hash,
        sa.func.row_number().over(
            partition_by=[visitor_days.c.share_id, visitor_days.c.day],
            order_by=visitor_days.c.visitor_hash,
        ).label('n'),
    ).subquery('seen')
    paired = (
        sa.select(first.c.id, seen.c.visitor_hash)
        .join(seen, sa.and_(
            seen.c.share_id == first.c.share_id, seen.c.day == first.c.day, seen.c.n == first.c.n
        ))
        .subquery('paired')
    )
    op.execute(
        clicks.update()
        .where(clicks.c.id == paired.c.id)
        .values(visitor_hash=paired.c.visitor_hash)
    )
    marker = (
        sa.func.randomblob(16) if sqlite
        else sa.func.decode(sa.func.md5(sa.cast(sa.func.random(), sa.Text) + sa.cast(clicks.c.id, sa.Text)), 'hex')
    )
    op.execute(
        clicks.update()
        .where(human_unique, clicks.c.visitor_hash.is_(None))
        .values(visitor_hash=marker)
    )

    op.drop_index(OLD_INDEX, 'clicks')
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.alter_column('day', existing_type=sa.Date(), nullable=False)
        batch_op.drop_column('is_unique')
    op.create_index(
        HASHED, 'clicks', ['day'], sqlite_where=HASHED_WHERE, postgresql_where=HASHED_WHERE
    )
    with op.batch_alter_table('visitor_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visitor_days_day'))
    op.drop_table('visitor_days')


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.execute('SET LOCAL statement_timeout = 0')
    op.create_table('visitor_days',
    sa.Column('share_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visitor_hash', sa.LargeBinary(length=16), nullable=False),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], name=op.f('fk_visitor_days_share_id_shares'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('share_id', 'day', 'visitor_hash', name=op.f('pk_visitor_days'))
    )
    with op.batch_alter_table('visitor_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visitor_days_day'), ['day'], unique=False)
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_unique', sa.Boolean(), nullable=True))
    hashed = clicks.c.visitor_hash.is_not(None)
    firsts = (
        sa.select(sa.func.min(clicks.c.id))
        .where(hashed)
        .group_by(clicks.c.share_id, clicks.c.day, clicks.c.visitor_hash)
    )
    op.execute(
        clicks.update().values(
            is_unique=sa.and_(clicks.c.is_bot.is_(False), hashed, clicks.c.id.in_(firsts))
        )
    )
    op.execute(
        visitor_days.insert().from_select(
            ['share_id', 'day', 'visitor_hash'],
            sa.select(clicks.c.share_id, clicks.c.day, clicks.c.visitor_hash)
            .where(hashed, clicks.c.is_bot.is_(False))
            .distinct(),
        )
    )
    op.drop_index(HASHED, 'clicks', sqlite_where=HASHED_WHERE, postgresql_where=HASHED_WHERE)
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.alter_column('is_unique', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column('visitor_hash')
        batch_op.drop_column('day')
    op.create_index(OLD_INDEX, 'clicks', ['share_id', 'is_bot', 'is_unique'])
