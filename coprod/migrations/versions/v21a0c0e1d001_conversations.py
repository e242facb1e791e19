"""conversations: statements people write, their agree / disagree marks, themes

Revision ID: v21a0c0e1d001
Revises: c4a9e2d7b310
Create Date: 2026-12-07 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'v21a0c0e1d001'
down_revision = 'c4a9e2d7b310'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'conversation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('is_open', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('content_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['content_id'], ['content.id']),
        sa.ForeignKeyConstraint(['round_id'], ['round.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('round_id'),
    )
    op.create_table(
        'theme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('barrier_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('content_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['barrier_id'], ['barrier.id']),
        sa.ForeignKeyConstraint(['content_id'], ['content.id']),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_theme_conversation_id', 'theme', ['conversation_id'])
    op.create_table(
        'statement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('author', sa.String(length=64), nullable=True),
        sa.Column(
            'status',
            sa.Enum('waiting', 'published', 'rejected', name='statementstatus',
                    native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('theme_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('content_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['area.id']),
        sa.ForeignKeyConstraint(['content_id'], ['content.id']),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id']),
        sa.ForeignKeyConstraint(['theme_id'], ['theme.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_statement_conversation_id', 'statement', ['conversation_id'])
    op.create_index('ix_statement_author', 'statement', ['author'])
    op.create_index('ix_statement_status', 'statement', ['status'])
    op.create_table(
        'mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('marker', sa.String(length=64), nullable=False),
        sa.Column('value', sa.SmallInteger(), nullable=False),
        sa.Column('indicative', sa.Boolean(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('lang', sa.String(length=12), nullable=False),
        sa.Column('marked_on', sa.Date(), nullable=False),
        sa.CheckConstraint('value IN (-1, 0, 1)', name='mark_value'),
        sa.ForeignKeyConstraint(['area_id'], ['area.id']),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id']),
        sa.ForeignKeyConstraint(['statement_id'], ['statement.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('statement_id', 'marker', name='one_mark_per_person'),
    )
    op.create_index('ix_mark_conversation_id', 'mark', ['conversation_id'])
    op.create_index('ix_mark_statement_id', 'mark', ['statement_id'])
    op.create_index('ix_mark_marker', 'mark', ['marker'])
    op.create_table(
        'theme_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=200), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('people >= 0', name='people_not_negative'),
        sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_theme_count_theme_id', 'theme_count', ['theme_id'])


def downgrade():
    op.drop_table('theme_count')
    op.drop_table('mark')
    op.drop_table('statement')
    op.drop_table('theme')
    op.drop_table('conversation')
