"""ix_idea_merged_into_id on merged ideas only

Revision ID: a7d3e5f91c28
Revises: f41c7a9e2b65
Create Date: 2026-12-04 23:40:00.000000

The ideas list filters ``merged_into_id IS NULL``. With the index over every idea,
SQLite's planner took it for that filter, read all 20,000 ideas of the large dataset
and sorted them (100 ms) instead of walking ``ix_idea_hot``. Indexing only the merged
ideas keeps what the index is for (an idea's merged duplicates) and leaves the lists to
their own indexes.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7d3e5f91c28"
down_revision = "f41c7a9e2b65"
branch_labels = None
depends_on = None

MERGED = sa.text("merged_into_id IS NOT NULL")


def upgrade():
    op.drop_index("ix_idea_merged_into_id", table_name="idea")
    op.create_index(
        "ix_idea_merged_into_id",
        "idea",
        ["merged_into_id"],
        postgresql_where=MERGED,
        sqlite_where=MERGED,
    )


def downgrade():
    op.drop_index("ix_idea_merged_into_id", table_name="idea")
    op.create_index("ix_idea_merged_into_id", "idea", ["merged_into_id"])
