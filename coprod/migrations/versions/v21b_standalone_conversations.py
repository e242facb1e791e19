"""stand-alone conversations, themes that become ideas, groupings worked out by a job

Revision ID: v21b_standalone_conversations
Revises: o22b_panel_draws
Create Date: 2026-12-07 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'v21b_standalone_conversations'
down_revision = 'd20b_delivery'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversation') as batch:
        batch.alter_column('round_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('slug', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('area_id', sa.Integer(), nullable=True))
        batch.create_unique_constraint('uq_conversation_slug', ['slug'])
        batch.create_foreign_key('fk_conversation_area_id_area', 'area', ['area_id'], ['id'])
    with op.batch_alter_table('theme') as batch:
        batch.add_column(sa.Column('remedy_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_theme_remedy_id_remedy', 'remedy', ['remedy_id'], ['id'])
    op.create_table(
        'conversation_grouping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('marks', sa.Integer(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('worked_out_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'],
                                name='fk_conversation_grouping_conversation_id_conversation',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_conversation_grouping'),
        sa.UniqueConstraint('conversation_id', name='uq_conversation_grouping_conversation_id'),
    )


def downgrade():
    op.drop_table('conversation_grouping')
    with op.batch_alter_table('theme') as batch:
        batch.drop_constraint('fk_theme_remedy_id_remedy', type_='foreignkey')
        batch.drop_column('remedy_id')
    with op.batch_alter_table('conversation') as batch:
        batch.drop_constraint('fk_conversation_area_id_area', type_='foreignkey')
        batch.drop_constraint('uq_conversation_slug', type_='unique')
        batch.drop_column('area_id')
        batch.drop_column('slug')
        batch.alter_column('round_id', existing_type=sa.Integer(), nullable=False)
