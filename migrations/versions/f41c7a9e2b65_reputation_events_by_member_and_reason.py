"""reputation_event by member and reason: badge rules count one reason's events

Revision ID: f41c7a9e2b65
Revises: e3b9d1c47a20
Create Date: 2026-12-04 21:05:00.000000

A badge rule like "100 kudos" counts up to 100 of the member's standing events of one
reason after each award; through ``(user_id, id)`` that read every event of a busy
member. ``(user_id, reason, id)`` reads only the reason's.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "f41c7a9e2b65"
down_revision = "e3b9d1c47a20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_reputation_event_user_reason", "reputation_event", ["user_id", "reason", "id"]
    )


def downgrade():
    op.drop_index("ix_reputation_event_user_reason", table_name="reputation_event")
