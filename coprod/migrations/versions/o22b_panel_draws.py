"""panel draws: citizens' panels drawn by lottery, with their seed and fingerprint

Revision ID: o22b_panel_draws
Revises: o22a_offers
Create Date: 2026-12-07 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'o22b_panel_draws'
down_revision = 'o22a_offers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'panel_draw',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('volunteers', sa.Integer(), nullable=False),
        sa.Column('seed', sa.Integer(), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('inputs_sha256', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('chosen', sa.JSON(), nullable=False),
        sa.Column('drawn_by_id', sa.Integer(), nullable=True),
        sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['drawn_by_id'], ['user.id'], name=op.f('fk_panel_draw_drawn_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_draw')),
    )


def downgrade():
    op.drop_table('panel_draw')
