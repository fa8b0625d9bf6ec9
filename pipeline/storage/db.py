"""Engine and sessions. The schema is created and upgraded by Alembic when an entry point asks
(`atrisk init`, each command's first use of the database, the crawl child): see
:func:`open_database`; constructing a :class:`Database` never migrates."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from filelock import FileLock
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.redact import mask_url

log = logging.getLogger(__name__)

DEFAULT_DB_URL = "sqlite:///data/atrisk.db"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
MIGRATION_LOCK_KEY = 0x61747268  # PostgreSQL advisory lock held while migrating


BUSY_TIMEOUT_ENV = "ATRISK_DB_BUSY_TIMEOUT"  # seconds a SQLite write waits for a lock (default 30)


def head_revision() -> str | None:
    """The newest migration's revision, from the file names: ``NNNN_<name>.py`` holds revision
    "NNNN" (tests/test_schema_head.py checks it against Alembic's own head)."""
    names = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return names[-1][:4] if names else None


class DatabaseError(RuntimeError):
    """The database cannot be opened or upgraded."""


def describe_db_error(exc: BaseException) -> str:
    """One line for a database error: the driver's message, without SQL or SQLAlchemy's links."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        text_ = str(exc.orig)
    else:
        text_ = str(exc).split("\n[SQL:", 1)[0]
    text_ = text_.split("\n(Background on this error", 1)[0]
    return " ".join(text_.split())


def busy_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(BUSY_TIMEOUT_ENV) or 30))
    except ValueError:
        return 30.0


def resolve_url(url: str | None) -> str:
    return url or os.environ.get("ATRISK_DB") or DEFAULT_DB_URL


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def conflict_insert(session: Session) -> Any | None:
    """The ``insert`` of the session's dialect that takes ``ON CONFLICT`` (SQLite,
    PostgreSQL), or None on another database. Several workers starting at once on one
    database write the same new row; an insert that skips or updates on conflict keeps
    that from failing any of them."""
    from sqlalchemy.dialects import postgresql, sqlite

    return {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(session.get_bind().dialect.name)


def sqlite_path(url: str) -> Path | None:
    """Filesystem path of a file-backed SQLite URL, else None."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Database:
    """One database: an engine and a session factory (:meth:`upgrade` migrates the schema)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        path = sqlite_path(self.url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            kwargs: dict = {"future": True}
            if is_sqlite(self.url):
                kwargs["connect_args"] = {"timeout": busy_timeout()}
            else:
                kwargs["pool_pre_ping"] = True
            self.engine = create_engine(self.url, **kwargs)
        except Exception as exc:
            raise DatabaseError(f"cannot open database {mask_url(self.url)}: {exc}") from None
        if is_sqlite(self.engine):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        return mask_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest Alembic revision."""
        if self.at_head():
            return  # Alembic and its migration scripts cost ~0.3 s of CPU to find nothing to do
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection_url"] = self.url
        try:
            with self._migration_lock(), self.engine.begin() as conn:
                if not self.is_sqlite:
                    # workers on several machines may start at once on a new database
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except Exception as exc:
            raise DatabaseError(
                f"cannot create or upgrade the schema of {self.safe_url}: {describe_db_error(exc)}"
            ) from None

    def at_head(self) -> bool:
        """True when the schema is at the newest migration (False when it cannot tell)."""
        head = head_revision()
        try:
            with self.engine.connect() as conn:
                versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except SQLAlchemyError:  # no schema yet, or no database
            return False
        return head is not None and list(versions) == [head]

    def _migration_lock(self) -> AbstractContextManager[object]:
        """Processes opening one new SQLite file at once create its schema one after another."""
        path = sqlite_path(self.url)
        if path is None:
            return nullcontext()
        return FileLock(str(path) + ".migrate.lock", timeout=120)

    def has_schema(self) -> bool:
        return inspect(self.engine).has_table("documents")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        with self.sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None) -> Database:
    """An entry point's database: opened, and its schema created or upgraded to the newest revision."""
    db = Database(url)
    try:
        db.upgrade()
    except BaseException:
        db.dispose()
        raise
    return db
