"""community map: area outlines and landmarks, remedies' places, barrier marks, assets

Revision ID: m23_community_map
Revises: o22b_panel_draws
Create Date: 2026-12-07 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm23_community_map'
down_revision = 'o22c_workshops'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('boundary', sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column('landmarks', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table('remedy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lon', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column('from_paper', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        'asset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('about', sa.Text(), nullable=False),
        sa.Column('lang', sa.String(length=12), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('from_paper', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_asset_area_id_area')),
        sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_asset_group_id_group')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_asset')),
        sa.UniqueConstraint('key', name=op.f('uq_asset_key')),
    )
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_status'), ['status'], unique=False)
    op.create_table(
        'barrier_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('barrier_id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('lang', sa.String(length=12), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('from_paper', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_barrier_mark_area_id_area')),
        sa.ForeignKeyConstraint(['barrier_id'], ['barrier.id'], name=op.f('fk_barrier_mark_barrier_id_barrier')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_barrier_mark_round_id_round')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_barrier_mark')),
    )
    with op.batch_alter_table('barrier_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_barrier_mark_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_barrier_mark_status'), ['status'], unique=False)
    op.create_table(
        'remedy_asset',
        sa.Column('remedy_id', sa.Integer(), nullable=False),
        sa.Column('asset_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_remedy_asset_asset_id_asset'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['remedy_id'], ['remedy.id'], name=op.f('fk_remedy_asset_remedy_id_remedy'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('remedy_id', 'asset_id', name=op.f('pk_remedy_asset')),
    )


def downgrade():
    op.drop_table('remedy_asset')
    op.drop_table('barrier_mark')
    op.drop_table('asset')
    with op.batch_alter_table('remedy', schema=None) as batch_op:
        batch_op.drop_column('from_paper')
        batch_op.drop_column('lat')
        batch_op.drop_column('lon')
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_column('landmarks')
        batch_op.drop_column('boundary')
