"""Schema objects the migrations create outside the ORM models, for Alembic's comparisons."""

from __future__ import annotations

from typing import Any

SEARCH_INDEX = "ix_documents_search"  # PostgreSQL, migration 0004


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """False for the full-text indexes (0002 on SQLite, 0004 on PostgreSQL): not in the models."""
    if type_ == "table" and name and name.startswith("documents_fts"):
        return False
    return not (type_ == "index" and name == SEARCH_INDEX)
