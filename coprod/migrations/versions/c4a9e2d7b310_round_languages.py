"""round languages: the languages a round is offered in, main language first

Rounds made before keep an empty list, which means every language the site serves.

Revision ID: c4a9e2d7b310
Revises: b7d2e4f1a905
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a9e2d7b310'
down_revision = 'b7d2e4f1a905'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('languages', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('languages')
