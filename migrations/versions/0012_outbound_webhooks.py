"""outbound webhooks: endpoints, the outbox of deliveries, campaign marks

webhook_endpoints: receivers staff register (URL, events, signing secret).
webhook_deliveries: the transactional outbox and delivery log, one row per event and endpoint.
campaign_marks: the milestones (25/50/75/100 % of the target) and ends each campaign reached,
so each is announced once. Marks are filled here for what campaigns had already reached, so
the first webhooks after this release do not announce old news.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 20:13:06

Adds tables only, so the previous release keeps serving while it runs (it never names them).
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('events', sa.String(length=200), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('previous_secret', sa.String(length=64), nullable=True),
    sa.Column('previous_until', sa.DateTime(), nullable=True),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('failing_since', sa.DateTime(), nullable=True),
    sa.Column('disabled_note', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_table('campaign_marks',
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('mark', sa.String(length=16), nullable=False),
    sa.Column('reached_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_marks_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'mark', name=op.f('pk_campaign_marks'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.String(length=40), nullable=False),
    sa.Column('endpoint_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('gives_up_at', sa.DateTime(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_response', sa.String(length=1100), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'delivered', 'failed')", name=op.f('ck_webhook_deliveries_state_known')),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('event_id', 'endpoint_id', name=op.f('uq_webhook_deliveries_event_id_endpoint_id'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_endpoint_id_id', ['endpoint_id', 'id'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # naive UTC, as stored
    # What campaigns already reached: counted money (verified, pledged or paid) per campaign.
    for percent in (25, 50, 75, 100):
        op.execute(sa.text(
            "INSERT INTO campaign_marks (campaign_id, mark, reached_at)"
            " SELECT c.id, :mark, :now FROM campaigns c"
            " WHERE c.target_minor > 0 AND 100 * (SELECT COALESCE(SUM(p.amount_minor), 0)"
            " FROM pledges p WHERE p.campaign_id = c.id AND p.verified"
            " AND p.status IN ('pledged', 'paid')) >= c.target_minor * :percent"
        ).bindparams(mark=str(percent), percent=percent, now=now))
    op.execute(sa.text(
        "INSERT INTO campaign_marks (campaign_id, mark, reached_at)"
        " SELECT id, 'ended', :now FROM campaigns"
        " WHERE status = 'ended' OR (ends_at IS NOT NULL AND ends_at <= :now)"
    ).bindparams(now=now))


def downgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_state_next_attempt_at')
        batch_op.drop_index('ix_webhook_deliveries_endpoint_id_id')

    op.drop_table('webhook_deliveries')
    op.drop_table('campaign_marks')
    op.drop_table('webhook_endpoints')
