"""full-text search index on documents (SQLite FTS5 only)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

An external-content FTS5 table over documents(title, text), kept in step by
triggers. Other backends search with a plain query and need nothing here.

A later migration that rebuilds the documents table through batch mode on SQLite
drops these triggers with the old table; it must create them again (the
statements below) and rebuild the index.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CREATE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
        title, text, content='documents', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    # only title and text: analysis bookkeeping updates must not churn the index
    """CREATE TRIGGER IF NOT EXISTS documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
]

_DROP = [
    "DROP TRIGGER IF EXISTS documents_fts_update",
    "DROP TRIGGER IF EXISTS documents_fts_delete",
    "DROP TRIGGER IF EXISTS documents_fts_insert",
    "DROP TABLE IF EXISTS documents_fts",
]


def _is_sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def upgrade() -> None:
    if not _is_sqlite():
        return
    for statement in _CREATE:
        op.execute(statement)


def downgrade() -> None:
    if not _is_sqlite():
        return
    for statement in _DROP:
        op.execute(statement)
