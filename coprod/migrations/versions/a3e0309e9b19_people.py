"""people: a moderator approves a community group before it can send ideas

Groups that exist already are approved, so current data keeps working; new groups wait.
A group also keeps the secret of its newest invitation link, so the link works once.

Revision ID: a3e0309e9b19
Revises: 7f00e63955d0
Create Date: 2026-12-07 14:32:19.819322

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3e0309e9b19'
down_revision = '7f00e63955d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('group', schema=None) as batch_op:
        # The default fills the rows there already (they keep working), then goes: new
        # groups get False from the model and wait for a moderator.
        batch_op.add_column(
            sa.Column('approved', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.alter_column('approved', server_default=None)
        batch_op.add_column(sa.Column('invite_nonce', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.drop_column('invite_nonce')
        batch_op.drop_column('approved')
