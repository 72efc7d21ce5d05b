"""WhatsApp content templates: an announcement message carries its template's Content SID
and variables, and records whether it went out as the template

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_sid', sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column('content_variables', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('sent_as_template', sa.Boolean(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('sent_as_template')
        batch_op.drop_column('content_variables')
        batch_op.drop_column('content_sid')
