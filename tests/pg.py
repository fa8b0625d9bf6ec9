"""A throwaway PostgreSQL server for tests: its own data directory, a random local port.

``initdb`` refuses to run as root, so when the tests run as root the server is
initialised and run as the ``postgres`` operating-system user (Debian's package
creates it) through ``runuser``. Durability is switched off: the cluster is deleted
when the tests end, and fsync would only slow every commit down.

Each test gets its own database, copied from a template that already holds the
migrated schema (``CREATE DATABASE ... TEMPLATE``), which takes milliseconds where
running the migrations again would take a quarter of a second.
"""

from __future__ import annotations

import glob
import itertools
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PG_URL_ENV = "ATRISK_TEST_PG_URL"
# the whole suite against PostgreSQL (``make test-postgres``)
PG_MODE = os.environ.get("ATRISK_TEST_PG") == "1" or bool(os.environ.get(PG_URL_ENV))
PG_BIN_ENV = "ATRISK_TEST_PG_BIN"
TEMPLATE = "atrisk_template"
_SEARCH = ("/usr/lib/postgresql/*/bin",)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries were found, or the server did not start."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin_dir() -> Path:
    """Directory of initdb/pg_ctl: $ATRISK_TEST_PG_BIN, else the newest Debian install, else PATH."""
    if os.environ.get(PG_BIN_ENV):
        return Path(os.environ[PG_BIN_ENV])
    found = sorted(glob.glob(_SEARCH[0]), key=lambda p: int(Path(p).parent.name)
                   if Path(p).parent.name.isdigit() else 0)
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; "
                              "install Debian's postgresql package or set ATRISK_TEST_PG_BIN")


class LocalPostgres:
    """``initdb`` + ``pg_ctl start`` in a temporary directory; ``stop()`` deletes it all."""

    def __init__(self, user: str = "postgres") -> None:
        self.bin = pg_bin_dir()
        self.port = free_port()
        self.as_user = user if os.geteuid() == 0 else None
        self.tmp = Path(tempfile.mkdtemp(prefix="atrisk-pg-"))
        self.data = self.tmp / "data"
        self.socket_dir = self.tmp / "run"
        self.log_file = self.tmp / "server.log"
        self.superuser = user if self.as_user else pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> LocalPostgres:
        self.socket_dir.mkdir(parents=True)
        if self.as_user:
            pw = pwd.getpwnam(self.as_user)
            for p in (self.tmp, self.socket_dir):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        res = self._run("initdb", "-D", str(self.data), "-U", self.superuser, "--auth=trust",
                        "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
        if res.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {res.stderr.strip() or res.stdout.strip()}")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.socket_dir} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                   "-c shared_buffers=128MB")
        res = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_file), "-o", options,
                        "-w", "-t", "60", "start")
        if res.returncode != 0:
            tail = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {res.stderr.strip()} {tail}")
        return self

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.tmp, ignore_errors=True)


class DatabaseFactory:
    """Fresh databases on one server: each a copy of a template with the migrated schema."""

    def __init__(self, server_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.server_url = make_url(server_url).set(database="postgres")
        self.admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self.prefix = f"atrisk_t{os.getpid()}_"
        self._n = itertools.count(1)
        self.created: list[str] = []
        self.template = f"{TEMPLATE}_{os.getpid()}"
        self._make_template()

    def _exec(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def url_for(self, name: str) -> str:
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def _make_template(self) -> None:
        from pipeline.storage.db import open_database

        self._exec(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._exec(f'CREATE DATABASE "{self.template}" TEMPLATE template0 ENCODING \'UTF8\'')
        open_database(self.url_for(self.template)).dispose()

    def create(self, *, migrated: bool = True) -> str:
        """A new database's URL: with the schema (from the template) or empty."""
        name = f"{self.prefix}{next(self._n)}"
        source = self.template if migrated else "template0"
        for attempt in range(20):
            try:
                self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                break
            except Exception as exc:  # the template is busy for a moment after its last use
                if "being accessed by other users" not in str(exc) or attempt == 19:
                    raise
                time.sleep(0.1)
        self.created.append(name)
        return self.url_for(name)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for name in [*self.created, self.template]:
            try:
                self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # a server going away at the end is no test failure
                log.warning("could not drop test database %s: %s", name, exc)
        self.admin.dispose()


def _null_pool() -> type:
    from sqlalchemy.pool import NullPool

    return NullPool


def query_rows(url: str, sql: str) -> list[tuple]:
    """Rows of a read-only query, or [] while the database or its schema does not exist yet.

    For tests that watch a database another process is writing: a short-lived
    connection each time, so no lock or snapshot is held between polls.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if not u.database or not Path(u.database).exists():
            return []
        u = u.set(database=f"file:{u.database}?mode=ro", query={"uri": "true"})
    engine = create_engine(u, poolclass=NullPool,
                           connect_args={"timeout": 5} if u.get_backend_name() == "sqlite" else {})
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql)).all()]
    except DBAPIError:  # schema not created yet
        return []
    finally:
        engine.dispose()


def fresh_db_url(request: Any, tmp_path: Path, name: str = "atrisk.db") -> str:
    """A new database for a test or a module fixture: a SQLite file, or PostgreSQL in PG mode.

    ``request`` is the pytest request of the fixture asking; in PG mode the
    session's ``pg_factory`` makes the database and drops it when the session ends.
    """
    if not PG_MODE:
        return f"sqlite:///{tmp_path / name}"
    factory: DatabaseFactory = request.getfixturevalue("pg_factory")
    return factory.create()


def dump_rows(url: str) -> str:
    """Every row of every table as text, on any backend (to search stored data for a string)."""
    from sqlalchemy import MetaData, create_engine, select
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        meta = MetaData()
        meta.reflect(engine)
        lines = []
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                lines += [f"{table.name}: {tuple(row)!r}" for row in conn.execute(select(table))]
        return "\n".join(lines)
    finally:
        engine.dispose()
