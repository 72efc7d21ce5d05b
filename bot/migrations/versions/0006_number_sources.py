"""number sources: where each contact number came from, so a roster import keeps the
numbers families and liaisons changed in Puente

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contact_numbers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), server_default='roster',
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_contact_numbers_source'),
            "source IN ('roster', 'family', 'liaison', 'inbound')")
    # Numbers of unknown senders were learned from their texts, not from a roster.
    op.execute("UPDATE contact_numbers SET source = 'inbound' WHERE contact_id IN "
               "(SELECT id FROM contacts WHERE is_unknown)")


def downgrade() -> None:
    with op.batch_alter_table('contact_numbers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contact_numbers_source'), type_='check')
        batch_op.drop_column('source')
