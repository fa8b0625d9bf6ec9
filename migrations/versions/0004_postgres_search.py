"""full-text search on PostgreSQL: a GIN index over documents(title, text)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

What migration 0002 gives SQLite (FTS5, diacritics folded), for PostgreSQL: words
are matched whole with the 'simple' configuration (no stemming, as in FTS5's
unicode61 tokenizer), accents folded by the ``unaccent`` extension, and an
expression index keeps the search off a table scan. ``unaccent`` is a trusted
extension (PostgreSQL 13+), so the database owner can create it; where it cannot
be created, ``atrisk_unaccent`` is the identity and accents then count.

SQLite needs nothing here.
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

_WITH_UNACCENT = """
CREATE OR REPLACE FUNCTION atrisk_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, value) $$
"""
_WITHOUT_UNACCENT = """
CREATE OR REPLACE FUNCTION atrisk_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT value $$
"""
_SEARCH_VECTOR = """
CREATE OR REPLACE FUNCTION atrisk_search_vector(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT to_tsvector('simple'::regconfig,
                         atrisk_unaccent(coalesce(title, '') || ' ' || coalesce(body, ''))) $$
"""
_INDEX = ("CREATE INDEX IF NOT EXISTS ix_documents_search ON documents "
          "USING gin (atrisk_search_vector(title, text))")


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    conn = op.get_bind()
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
        unaccent = _WITH_UNACCENT
    except Exception as exc:  # no privilege or no contrib package: search still works
        log.warning("unaccent extension not available, search will not fold accents: %s", exc)
        unaccent = _WITHOUT_UNACCENT
    op.execute(unaccent)
    op.execute(_SEARCH_VECTOR)
    op.execute(_INDEX)


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_documents_search")
    op.execute("DROP FUNCTION IF EXISTS atrisk_search_vector(text, text)")
    op.execute("DROP FUNCTION IF EXISTS atrisk_unaccent(text)")
