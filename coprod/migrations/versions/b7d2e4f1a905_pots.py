"""pots: a round's money split by area, with at most one pot for the whole place

Remedies and counts say which pot they belong to; rounds without pots are unchanged.

Revision ID: b7d2e4f1a905
Revises: a3e0309e9b19
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e4f1a905'
down_revision = 'a3e0309e9b19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('budget', sa.Integer(), nullable=False),
        sa.CheckConstraint('budget >= 0', name=op.f('ck_pot_pot_budget_not_negative')),
        sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_pot_area_id_area')),
        sa.ForeignKeyConstraint(
            ['round_id'], ['round.id'], name=op.f('fk_pot_round_id_round'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pot')),
        sa.UniqueConstraint('round_id', 'area_id', name='one_pot_per_area'),
    )
    with op.batch_alter_table('pot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pot_round_id'), ['round_id'], unique=False)
    for table in ('remedy', 'count'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('pot_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_pot_id'), ['pot_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_pot_id_pot'), 'pot', ['pot_id'], ['id']
            )


def downgrade():
    for table in ('count', 'remedy'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_pot_id_pot'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_pot_id'))
            batch_op.drop_column('pot_id')
    with op.batch_alter_table('pot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pot_round_id'))
    op.drop_table('pot')
