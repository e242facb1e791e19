"""count progress: how far a count running as a job has gone

Revision ID: f19a_count_progress
Revises: o22b_panel_draws
Create Date: 2026-12-07 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f19a_count_progress'
down_revision = 'm23_community_map'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'count_progress',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['round_id'], ['round.id'], name=op.f('fk_count_progress_round_id_round'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_count_progress')),
    )


def downgrade():
    op.drop_table('count_progress')
