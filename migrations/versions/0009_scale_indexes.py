"""mentions indexed by (entity, document), for case files and pages at 100k documents

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

``ix_mentions_entity`` (entity_id) becomes ``ix_mentions_entity_document`` (entity_id,
document_id): the documents that name a person, their number and the newest of them are
then read from the index alone, without one table lookup per mention (15,000 for the
most-named person of the ``benchmarks.dbscale`` database). The new index serves every
query the old one did, so the old one goes. The table's statistics are refreshed (on
SQLite from a 1,000-row sample per index, as every analysis stage ends): without figures
for the new index SQLite's planner would read a week's trends through it, every mention
of every person, instead of through the week's documents.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_mentions_entity_document", "mentions", ["entity_id", "document_id"])
    op.drop_index("ix_mentions_entity", table_name="mentions")
    _refresh_statistics()


def _refresh_statistics() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=1000")
    op.execute("ANALYZE mentions")


def downgrade() -> None:
    op.create_index("ix_mentions_entity", "mentions", ["entity_id"])
    op.drop_index("ix_mentions_entity_document", table_name="mentions")
    _refresh_statistics()
