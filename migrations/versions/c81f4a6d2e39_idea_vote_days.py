"""Each idea's votes per day, for the prioritisation table's trend

Revision ID: c81f4a6d2e39
Revises: b5e0c2d84f17
Create Date: 2026-12-05 14:10:00.000000

The trend column (votes of the last 30 days) counted the shown ideas' recent votes on
each render: 1,346 index entries for each of the top ideas of the large dataset, and
every open idea's when sorting by trend (0.5 s). ``idea_vote_day`` keeps each idea's
votes per UTC day, moved with every vote; the trend sums at most 30 rows per idea.
Existing votes are counted in.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c81f4a6d2e39"
down_revision = "b5e0c2d84f17"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idea_vote_day",
        sa.Column(
            "idea_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["idea.id"], name=op.f("fk_idea_vote_day_idea_id_idea")
        ),
        sa.PrimaryKeyConstraint("idea_id", "day", name=op.f("pk_idea_vote_day")),
    )
    op.create_index("ix_idea_vote_day_day", "idea_vote_day", ["day", "idea_id"], unique=False)
    op.execute(
        "INSERT INTO idea_vote_day (idea_id, day, votes) "
        "SELECT idea_id, date(created_at), count(*) FROM idea_vote "
        "GROUP BY idea_id, date(created_at)"
    )


def downgrade():
    op.drop_index("ix_idea_vote_day_day", table_name="idea_vote_day")
    op.drop_table("idea_vote_day")
