"""page cache generation counter

Revision ID: 1bc006724806
Revises: 3ec33e6103ef
Create Date: 2026-11-23 19:02:45.424453

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1bc006724806"
down_revision = "3ec33e6103ef"
branch_labels = None
depends_on = None

SHARDS = 8  # community/core/page_cache.py


def upgrade():
    table = op.create_table(
        "page_generations",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_page_generations")),
    )
    op.bulk_insert(table, [{"shard": shard, "n": 0} for shard in range(SHARDS)])


def downgrade():
    op.drop_table("page_generations")
