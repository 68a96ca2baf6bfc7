"""embeddings cache, why an article joined its story, story sources

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_embeddings")),
    )
    with op.batch_alter_table("articles") as batch_op:
        batch_op.add_column(sa.Column("embedding_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("nearest_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_articles_nearest_id_articles"), "articles", ["nearest_id"], ["id"])
    with op.batch_alter_table("stories") as batch_op:
        batch_op.add_column(sa.Column("sources", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch_op:
        batch_op.drop_column("sources")
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_constraint(op.f("fk_articles_nearest_id_articles"), type_="foreignkey")
        batch_op.drop_column("nearest_id")
        batch_op.drop_column("score")
        batch_op.drop_column("embedding_key")
    op.drop_table("embeddings")
