"""language menu: the menu last sent to a contact and when, so a number sent back picks
from it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language_menu', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('language_menu_sent_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('language_menu_sent_at')
        batch_op.drop_column('language_menu')
