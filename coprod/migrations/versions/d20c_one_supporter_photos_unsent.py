"""support counted once per person across ways; uploaded delivery photos; unsent messages
kept with their words so organisers can send them again

Revision ID: d20c_one_supporter_photos_unsent
Revises: w22d_workshop_sources
Create Date: 2026-12-08 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd20c_one_supporter_photos_unsent'
down_revision = 'w22d_workshop_sources'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_support') as batch:
        batch.add_column(sa.Column('person', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('browser', sa.String(length=64), nullable=True))
        batch.create_index(batch.f('ix_idea_support_browser'), ['browser'], unique=False)
    # Until now each way of supporting was its own person.
    op.execute('UPDATE idea_support SET person = supporter')
    with op.batch_alter_table('idea_support') as batch:
        batch.alter_column('person', existing_type=sa.String(length=64), nullable=False)

    with op.batch_alter_table('unsent_email') as batch:
        batch.add_column(sa.Column('why', sa.String(length=20), nullable=False, server_default=''))
        batch.add_column(
            sa.Column('channel', sa.String(length=10), nullable=False, server_default='email')
        )
        batch.add_column(sa.Column('body', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('unfollow', sa.String(length=500), nullable=False, server_default=''))
    with op.batch_alter_table('unsent_email') as batch:
        for name in ('why', 'channel', 'body', 'unfollow'):
            batch.alter_column(name, server_default=None)

    op.create_table(
        'delivery_photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=False),
        sa.Column('media_type', sa.String(length=20), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ['update_id'], ['delivery_update.id'],
            name=op.f('fk_delivery_photo_update_id_delivery_update'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_photo')),
        sa.UniqueConstraint('update_id', name=op.f('uq_delivery_photo_update_id')),
    )


def downgrade():
    op.drop_table('delivery_photo')
    with op.batch_alter_table('unsent_email') as batch:
        for name in ('unfollow', 'body', 'channel', 'why'):
            batch.drop_column(name)
    with op.batch_alter_table('idea_support') as batch:
        batch.drop_index(batch.f('ix_idea_support_browser'))
        batch.drop_column('browser')
        batch.drop_column('person')
