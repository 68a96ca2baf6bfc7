"""claims and contradictions; articles remember that their claims were checked

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from warwatch.store.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch_op:
        batch_op.add_column(sa.Column("claims_checked", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index("ix_articles_claims_checked", ["claims_checked"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published", UTCDateTime(timezone=True), nullable=False),
        sa.Column("embedding_key", sa.String(64), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name="fk_claims_article_id_articles", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_claims_story_id_stories"),
    )
    for column in ("article_id", "story_id", "kind", "published"):
        op.create_index(f"ix_claims_{column}", "claims", [column])
    op.create_table(
        "contradictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("other_claim_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contradictions"),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name="fk_contradictions_claim_id_claims", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_claim_id"], ["claims.id"], name="fk_contradictions_other_claim_id_claims",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_contradictions_story_id_stories"),
        sa.UniqueConstraint("claim_id", "other_claim_id", name="uq_contradictions_claim_id_other_claim_id"),
    )
    op.create_index("ix_contradictions_story_id", "contradictions", ["story_id"])
    op.create_index("ix_contradictions_created_at", "contradictions", ["created_at"])


def downgrade() -> None:
    op.drop_table("contradictions")
    op.drop_table("claims")
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_index("ix_articles_claims_checked")
        batch_op.drop_column("claims_checked")
