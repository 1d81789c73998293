"""period reputation roll-ups and their ladders: bounded maven boards, places and top %

Revision ID: 5a7c2e9d4b18
Revises: 1bc006724806
Create Date: 2026-12-04 16:30:00.000000

The new tables start empty; ``flask --app wsgi reputation rebuild`` fills them from the
ledger (seed-scale writes them itself).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5a7c2e9d4b18"
down_revision = "1bc006724806"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UNSETTLED = sa.text("points <> counted_points")
UNRANKED = sa.text("role <> 'member' OR erased_at IS NOT NULL")


def upgrade():
    op.create_table(
        "period_reputation",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("category_type", sa.String(length=40), nullable=False),
        sa.Column("category_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("counted_points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_period_reputation_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint(
            "period",
            "starts_on",
            "category_type",
            "category_id",
            "user_id",
            name=op.f("pk_period_reputation"),
        ),
    )
    with op.batch_alter_table("period_reputation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_period_reputation_board",
            ["period", "starts_on", "category_type", "category_id", sa.literal_column("points").desc(), "user_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_period_reputation_unsettled",
            ["period", "starts_on", "category_type", "category_id", "points", "counted_points"],
            unique=False,
            sqlite_where=UNSETTLED,
            postgresql_where=UNSETTLED,
        )
    op.create_table(
        "period_ladder",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("category_type", sa.String(length=40), nullable=False),
        sa.Column("category_id", BigId, nullable=False),
        sa.Column("points", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "period",
            "starts_on",
            "category_type",
            "category_id",
            "points",
            name=op.f("pk_period_ladder"),
        ),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(
            "ix_user_account_unranked",
            ["id"],
            unique=False,
            sqlite_where=UNRANKED,
            postgresql_where=UNRANKED,
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_user_account_unranked", sqlite_where=UNRANKED, postgresql_where=UNRANKED
        )
    op.drop_table("period_ladder")
    with op.batch_alter_table("period_reputation", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_period_reputation_unsettled", sqlite_where=UNSETTLED, postgresql_where=UNSETTLED
        )
        batch_op.drop_index("ix_period_reputation_board")
    op.drop_table("period_reputation")
