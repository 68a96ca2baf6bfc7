"""stories: when their bodies and vectors were pruned; the vector keys indexed so a prune finds who still uses one

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from warwatch.store.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch_op:
        batch_op.add_column(sa.Column("pruned_at", UTCDateTime(), nullable=True))
    op.create_index("ix_articles_embedding_key", "articles", ["embedding_key"])
    op.create_index("ix_claims_embedding_key", "claims", ["embedding_key"])


def downgrade() -> None:
    op.drop_index("ix_claims_embedding_key", "claims")
    op.drop_index("ix_articles_embedding_key", "articles")
    with op.batch_alter_table("stories") as batch_op:
        batch_op.drop_column("pruned_at")
