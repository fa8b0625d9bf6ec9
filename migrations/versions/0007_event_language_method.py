"""events: the language of the sentence and how the event was found

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

``language`` is the sentence's language ("fa", "ru"...); ``method`` is "parse" when a
model read the text, "lexicon" when a watchlisted name and a trigger word of that
language stood in one clause. Rows written before this revision stay NULL: they were
all found by the English parser, and the export reports them as such.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("method", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("method")
        batch.drop_column("language")
