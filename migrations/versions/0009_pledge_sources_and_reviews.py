"""pledge sources, verification and staff reviews; a per-campaign largest pledge

pledges get `source` (webhook, stripe, import, staff, form) and `verified`; only verified, live
pledges count. Existing hosted-page pledges (external ids 'page-…', made by no payment) become
unverified form pledges and lose their stored credits, which anyone could forge. pledge_reviews
keeps every staff confirm or void. campaigns get `max_pledge_minor`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 11:00:00

New columns have server defaults and the new table is new, so the previous release keeps
serving while this runs; a form pledge it records meanwhile is taken as verified until staff
void it (the release after this one marks them itself).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'max_pledge_minor', sa.BigInteger(), server_default='1000000', nullable=False
        ))
        batch_op.create_check_constraint(
            op.f('ck_campaigns_max_pledge_range'), 'max_pledge_minor > 0 AND max_pledge_minor <= 10000000000'
        )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'source', sa.String(length=16), server_default='webhook', nullable=False
        ))
        batch_op.add_column(sa.Column(
            'verified', sa.Boolean(), server_default=sa.true(), nullable=False
        ))
        batch_op.create_check_constraint(
            op.f('ck_pledges_source_known'), "source IN ('webhook', 'stripe', 'import', 'staff', 'form')"
        )
        batch_op.create_check_constraint(op.f('ck_pledges_verified_unless_form'), "verified OR source IN ('form')")
        batch_op.create_index('ix_pledges_external_id', ['external_id'], unique=False)

    pledges = sa.table(
        'pledges', sa.column('id'), sa.column('external_id'),
        sa.column('source'), sa.column('verified', sa.Boolean()),
    )
    credits = sa.table('pledge_credits', sa.column('pledge_id'))
    op.execute(
        pledges.update()
        .where(pledges.c.external_id.like('page-%'))
        .values(source='form', verified=False)
    )
    op.execute(credits.delete().where(credits.c.pledge_id.in_(
        sa.select(pledges.c.id).where(pledges.c.verified.is_(False))
    )))

    op.create_table('pledge_reviews',
    sa.Column('id', BigId, nullable=False),
    sa.Column('pledge_id', BigId, nullable=False),
    sa.Column('campaign_id', BigId, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=300), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('from_verified', sa.Boolean(), nullable=False),
    sa.Column('to_verified', sa.Boolean(), nullable=False),
    sa.CheckConstraint("from_status IN ('pledged', 'paid', 'refunded', 'cancelled')", name=op.f('ck_pledge_reviews_from_status_known')),
    sa.CheckConstraint("to_status IN ('pledged', 'paid', 'refunded', 'cancelled')", name=op.f('ck_pledge_reviews_to_status_known')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_pledge_reviews_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_pledge_reviews_pledge_id_pledges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_reviews'))
    )
    with op.batch_alter_table('pledge_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_pledge_reviews_campaign_id_at', ['campaign_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledge_reviews_pledge_id'), ['pledge_id'], unique=False)


def downgrade():
    # Credits of unverified pledges are not rebuilt here: counting them again is what this
    # revision exists to stop (a campaign's window change would rebuild them under the old code).
    with op.batch_alter_table('pledge_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledge_reviews_pledge_id'))
        batch_op.drop_index('ix_pledge_reviews_campaign_id_at')
    op.drop_table('pledge_reviews')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index('ix_pledges_external_id')
        batch_op.drop_constraint(op.f('ck_pledges_verified_unless_form'), type_='check')
        batch_op.drop_constraint(op.f('ck_pledges_source_known'), type_='check')
        batch_op.drop_column('verified')
        batch_op.drop_column('source')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_max_pledge_range'), type_='check')
        batch_op.drop_column('max_pledge_minor')
