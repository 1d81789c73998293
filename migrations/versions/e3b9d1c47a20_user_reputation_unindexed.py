"""user_account.reputation without its index: boards and places read the period roll-ups

Revision ID: e3b9d1c47a20
Revises: ca1ac0c9f8fb
Create Date: 2026-12-04 20:20:00.000000

Every reputation award moves ``user_account.reputation``; nothing orders or filters by
it any more (the maven boards, places and "top x%" read ``period_reputation`` and its
ladders), so its index was only written, never read.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e3b9d1c47a20"
down_revision = "ca1ac0c9f8fb"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_user_account_reputation", table_name="user_account")


def downgrade():
    op.create_index("ix_user_account_reputation", "user_account", ["reputation"])
