"""translation reviews: family-facing texts reviewed in the dashboard, which win over the
catalogs' drafts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('translation_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('msgid', sa.Text(), nullable=False),
    sa.Column('msgid_plural', sa.Text(), nullable=True),
    sa.Column('strings', sa.JSON(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_translation_reviews_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_reviews')),
    sa.UniqueConstraint('language', 'msgid', name=op.f('uq_translation_reviews_language_msgid'))
    )


def downgrade() -> None:
    op.drop_table('translation_reviews')
