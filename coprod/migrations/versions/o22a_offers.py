"""offers: people offer time or a skill to a remedy; remedies ask for helpers

Revision ID: o22a_offers
Revises: v21a0c0e1d001
Create Date: 2026-12-07 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'o22a_offers'
down_revision = 'v21a0c0e1d001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('remedy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('helpers_wanted', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('helper_hours', sa.Integer(), nullable=True))
    op.create_table(
        'offer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('remedy_id', sa.Integer(), nullable=False),
        sa.Column('what', sa.Text(), nullable=False),
        sa.Column('lang', sa.String(length=12), nullable=False),
        sa.Column('hours', sa.Integer(), nullable=True),
        sa.Column('contact', sa.String(length=254), nullable=False),
        sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('withdraw_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['remedy_id'], ['remedy.id'], name=op.f('fk_offer_remedy_id_remedy')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_offer_round_id_round')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offer')),
    )
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_remedy_id'), ['remedy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_withdraw_hash'), ['withdraw_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_withdraw_hash'))
        batch_op.drop_index(batch_op.f('ix_offer_round_id'))
        batch_op.drop_index(batch_op.f('ix_offer_remedy_id'))
    op.drop_table('offer')
    with op.batch_alter_table('remedy', schema=None) as batch_op:
        batch_op.drop_column('helper_hours')
        batch_op.drop_column('helpers_wanted')
