"""analysis failures: attempts, parking and notes per document

A document whose analysis fails is retried on later passes up to ``[analysis]
max_attempts`` times, then parked (``analysis_parked_at``) until its text changes.
``analysis_note`` says what the analysis did not cover (a text cut at the length limit).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("analysis_attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("analysis_parked_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("analysis_note", sa.Text(), nullable=True))
        batch.create_index("ix_documents_parked", ["analysis_parked_at"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_parked")
        batch.drop_column("analysis_note")
        batch.drop_column("analysis_parked_at")
        batch.drop_column("analysis_attempts")
