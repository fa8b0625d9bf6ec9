"""One pass at a time: a lock the operating system releases when the process dies."""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout
from sqlalchemy import Connection, text

from pipeline.storage.db import Database, sqlite_path

log = logging.getLogger(__name__)
ADVISORY_KEY = 0x61747269  # "atri"


class AlreadyRunning(RuntimeError):
    """Another atrisk pass holds the lock on this database."""


class PassLock:
    """A file lock beside the SQLite database, or a PostgreSQL advisory lock."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        path = sqlite_path(db.url)
        lock_path = Path(str(path) + ".lock") if path is not None else data_dir / "atrisk.lock"
        self._file = FileLock(str(lock_path)) if db.is_sqlite else None
        self._conn: Connection | None = None
        self.where = str(lock_path) if db.is_sqlite else "PostgreSQL advisory lock"

    def __enter__(self) -> PassLock:
        if self._file is not None:
            Path(self._file.lock_file).parent.mkdir(parents=True, exist_ok=True)
            try:
                self._file.acquire(timeout=0)
            except Timeout:
                raise AlreadyRunning(
                    f"another atrisk pass is running on this database (lock: {self.where}); "
                    "this one exits without doing anything"
                ) from None
            return self
        self._conn = self.db.engine.connect()
        got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
        if not got:
            self._conn.close()
            self._conn = None
            raise AlreadyRunning("another atrisk pass is running on this database (advisory lock held)")
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._file is not None:
            self._file.release()
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            finally:
                self._conn.close()
                self._conn = None
