"""What every command needs: database, config, watchlist and file paths, loaded on first use."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from extract.watchlist import Watchlist, load_watchlist
from pipeline.analysis import incidents
from pipeline.config import Config, load_config
from pipeline.storage.db import Database, open_database, resolve_url, sqlite_path


@dataclass
class App:
    db_url: str | None = None
    sources_path: str | None = None
    watchlist_path: str | None = None
    config_path: str | None = None
    _db: Database | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.db_url = resolve_url(self.db_url)
        self.sources_path = self.sources_path or os.environ.get("ATRISK_SOURCES")
        self.watchlist_path = self.watchlist_path or os.environ.get("ATRISK_WATCHLIST")
        self.config_path = self.config_path or os.environ.get("ATRISK_CONFIG")

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @cached_property
    def watchlist(self) -> Watchlist:
        return load_watchlist(self.watchlist_path)

    @property
    def db(self) -> Database:
        """The database, its schema created or upgraded on first use (the command's entry point).

        The data follows the schema then: events stored before incidents existed are grouped
        into incidents (the configuration is read only when there are such events).
        """
        if self._db is None:
            self._db = open_database(self.db_url)
            with self._db.sessions() as s:
                ungrouped = incidents.has_unassigned(s)
            if ungrouped:
                incidents.backfill(self._db, self.config)
        return self._db

    @property
    def data_dir(self) -> Path:
        """Directory for the lock, feeds and digests: beside a SQLite file, else ./data."""
        assert self.db_url is not None
        p = sqlite_path(self.db_url)
        return p.parent if p is not None else Path("data")

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
