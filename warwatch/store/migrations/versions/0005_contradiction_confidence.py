"""contradictions: a confidence from their evidence, and whether they were alerted or kept for review

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contradictions") as batch_op:  # rows from before were all alerted
        batch_op.add_column(sa.Column("confidence", sa.Float(), nullable=False, server_default="1.0"))
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("alerted", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("contradictions") as batch_op:
        batch_op.drop_column("alerted")
        batch_op.drop_column("evidence")
        batch_op.drop_column("confidence")
