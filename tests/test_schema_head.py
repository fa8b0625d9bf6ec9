"""Opening a database at the newest migration skips Alembic; any other schema is upgraded."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from pipeline.storage.db import MIGRATIONS_DIR, Database, head_revision, open_database


def test_head_from_file_names_is_alembics_head() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def test_only_a_database_at_head_skips_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    fresh = Database(url)
    assert not fresh.at_head()  # no schema at all
    fresh.dispose()
    db = open_database(url)
    try:
        assert db.at_head() and db.has_schema()
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection_url"] = url
        with db.engine.begin() as conn:  # as an older version of atrisk left it
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0008")
        assert not db.at_head()
        db.upgrade()  # Alembic runs 0009 again: the shortcut would have left 0008
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        assert db.at_head()
    finally:
        db.dispose()
