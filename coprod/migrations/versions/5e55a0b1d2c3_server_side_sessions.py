"""server-side sessions: Flask-Session's table

Revision ID: 5e55a0b1d2c3
Revises: a1afd2f781eb
Create Date: 2026-12-07 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e55a0b1d2c3'
down_revision = 'a1afd2f781eb'
branch_labels = None
depends_on = None


def upgrade():
    # Flask-Session creates this table itself when the app starts (coprod.sessions), which
    # may be before this migration runs on a new database: then it is already there.
    if sa.inspect(op.get_bind()).has_table('sessions'):
        return
    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('expiry', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
    sa.UniqueConstraint('session_id', name=op.f('uq_sessions_session_id'))
    )


def downgrade():
    op.drop_table('sessions')
