"""workshops: sign-in by short code, table entries; offers for an area or a theme

Revision ID: o22c_workshops
Revises: o22b_panel_draws
Create Date: 2026-12-07 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'o22c_workshops'
down_revision = 'v21b_standalone_conversations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'workshop',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('sign_in_code', sa.String(length=12), nullable=False),
        sa.Column('tables', sa.Integer(), nullable=False),
        sa.Column('table_codes', sa.JSON(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_workshop_created_by_id_user')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_workshop_round_id_round')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop')),
        sa.UniqueConstraint('sign_in_code', name=op.f('uq_workshop_sign_in_code')),
    )
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_round_id'), ['round_id'], unique=False)
    op.create_table(
        'workshop_person',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=40), nullable=False),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('language', sa.String(length=40), nullable=False),
        sa.Column('area', sa.String(length=200), nullable=False),
        sa.Column('needs_interpreter', sa.Boolean(), nullable=False),
        sa.Column('interprets', sa.String(length=40), nullable=False),
        sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_workshop_person_workshop_id_workshop'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_person')),
    )
    with op.batch_alter_table('workshop_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_person_workshop_id'), ['workshop_id'], unique=False)
    op.create_table(
        'workshop_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('table', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('lang', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_workshop_entry_workshop_id_workshop'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_entry')),
    )
    with op.batch_alter_table('workshop_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_entry_workshop_id'), ['workshop_id'], unique=False)
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method', sa.String(length=20), nullable=False, server_default='legacy'))
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.alter_column('remedy_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('area_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('barrier_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_offer_area_id_area'), 'area', ['area_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_offer_barrier_id_barrier'), 'barrier', ['barrier_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_offer_group_id_group'), 'group', ['group_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_offer_group_id'), ['group_id'], unique=False)


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_group_id'))
        batch_op.drop_constraint(batch_op.f('fk_offer_group_id_group'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_offer_barrier_id_barrier'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_offer_area_id_area'), type_='foreignkey')
        batch_op.drop_column('group_id')
        batch_op.drop_column('barrier_id')
        batch_op.drop_column('area_id')
        batch_op.alter_column('remedy_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.drop_column('method')
    op.drop_table('workshop_entry')
    op.drop_table('workshop_person')
    op.drop_table('workshop')
