"""workshop sources: a table's note turned into a round's problem or idea keeps the link;
ratings typed in from a paper rating sheet say so (their channel)

Revision ID: w22d_workshop_sources
Revises: f19a_count_progress
Create Date: 2026-12-08 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w22d_workshop_sources'
down_revision = 'f19a_count_progress'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('barrier_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('remedy_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_workshop_entry_barrier_id'), ['barrier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_entry_remedy_id'), ['remedy_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_workshop_entry_barrier_id_barrier'), 'barrier', ['barrier_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_workshop_entry_remedy_id_remedy'), 'remedy', ['remedy_id'], ['id']
        )


    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'channel',
                sa.Enum('online', 'paper', 'api', 'imported', name='channel', native_enum=False, create_constraint=True, length=20),
                nullable=False,
                server_default='online',
            )
        )


def downgrade():
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_column('channel')
    with op.batch_alter_table('workshop_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_workshop_entry_remedy_id_remedy'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_workshop_entry_barrier_id_barrier'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_workshop_entry_remedy_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_entry_barrier_id'))
        batch_op.drop_column('remedy_id')
        batch_op.drop_column('barrier_id')
