"""articles and stories: whether they are on the channel's topic, with the article's score and reason

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch_op:  # articles from before were judged by no topic
        batch_op.add_column(sa.Column("relevant", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("relevance", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("relevance_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("stories") as batch_op:  # stories from before were all posted
        batch_op.add_column(sa.Column("relevant", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch_op:
        batch_op.drop_column("relevant")
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_column("relevance_reason")
        batch_op.drop_column("relevance")
        batch_op.drop_column("relevant")
