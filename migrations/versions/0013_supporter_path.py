"""the supporter's path: the device's share sheet as a channel, payment instructions, show my name

shares.channel may be 'device' (links made for the Web Share API's share sheet); campaigns get
`payment_instructions` (plain text, shown after a pledge when there is no Stripe); pledges get
`show_name` (the supporter agreed to be named under "Recent support"; false by default).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 20:20:00

New columns are nullable or have server defaults and the channel check only widens, so the
previous release keeps serving while this runs (it never writes 'device'). On PostgreSQL the
widened check is added NOT VALID and then validated, so shares are not locked while it scans.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD = ('facebook', 'x', 'whatsapp', 'linkedin', 'bluesky', 'telegram', 'reddit', 'email', 'link',
       'leaflet')
NEW = ('facebook', 'x', 'whatsapp', 'linkedin', 'bluesky', 'telegram', 'reddit', 'email', 'link',
       'device', 'leaflet')
CHECK = 'ck_shares_channel_known'


def _channels(names):
    return 'channel IN (' + ', '.join(f"'{n}'" for n in names) + ')'


def _replace_check(names):
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f(CHECK), 'shares', type_='check')
        op.execute(f'ALTER TABLE shares ADD CONSTRAINT {CHECK} CHECK ({_channels(names)}) NOT VALID')
        op.execute(f'ALTER TABLE shares VALIDATE CONSTRAINT {CHECK}')
        return
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_='check')
        batch_op.create_check_constraint(op.f(CHECK), _channels(names))


def upgrade():
    _replace_check(NEW)
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_instructions', sa.Text(), nullable=True))
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'show_name', sa.Boolean(), server_default=sa.false(), nullable=False
        ))


def downgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_column('show_name')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('payment_instructions')
    # The older release knows no 'device': its links become copied links (they are one),
    # in the shares and in the channel copies the click tables keep.
    for table in ('shares', 'click_days'):
        op.execute(sa.text(f"UPDATE {table} SET channel = 'link' WHERE channel = 'device'"))
    # A day's per-channel totals: the device's are added to the link's row, or become it.
    same_day = ("FROM click_channel_days d WHERE d.channel = '{}' "
                "AND d.campaign_id = click_channel_days.campaign_id "
                "AND d.day = click_channel_days.day")
    counts = ('clicks', 'unique_clicks', 'bot_clicks', 'scans', 'unique_scans')
    added = ', '.join(f'{c} = {c} + (SELECT d.{c} {same_day.format("device")})' for c in counts)
    op.execute(sa.text(
        f"UPDATE click_channel_days SET {added} "
        f"WHERE channel = 'link' AND EXISTS (SELECT 1 {same_day.format('device')})"
    ))
    op.execute(sa.text(
        "DELETE FROM click_channel_days "
        f"WHERE channel = 'device' AND EXISTS (SELECT 1 {same_day.format('link')})"
    ))
    op.execute(sa.text("UPDATE click_channel_days SET channel = 'link' WHERE channel = 'device'"))
    _replace_check(OLD)
