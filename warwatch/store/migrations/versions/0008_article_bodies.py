"""article_bodies: articles' texts in a table of their own, so retention frees their pages

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_bodies",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name="fk_article_bodies_article_id_articles",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_bodies"),
    )
    op.execute("INSERT INTO article_bodies (article_id, text) SELECT id, text FROM articles")
    op.drop_column("articles", "text")  # SQLite's own DROP COLUMN: a batch copy would drop the table its claims cascade from


def downgrade() -> None:
    op.add_column("articles", sa.Column("text", sa.Text(), nullable=False, server_default=""))
    op.execute("UPDATE articles SET text = COALESCE((SELECT text FROM article_bodies WHERE article_id = articles.id), '')")
    op.drop_table("article_bodies")
