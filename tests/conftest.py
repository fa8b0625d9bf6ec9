"""Session-wide test fixtures: the database backend every test runs against.

By default each test's database is a SQLite file under its ``tmp_path``. With
``ATRISK_TEST_PG=1`` (``make test-postgres``) the same tests run against a real
PostgreSQL server: a throwaway one started here (see ``tests/pg.py``), or the
server named by ``ATRISK_TEST_PG_URL`` (a superuser URL; a database is created
and dropped per test). Tests that exercise SQLite itself (WAL, FTS5, the file
lock) carry the ``sqlite_only`` marker and are deselected in the PostgreSQL pass,
so they never count as passing there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import PG_MODE, PG_URL_ENV, DatabaseFactory, LocalPostgres, fresh_db_url


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): exercises SQLite itself; not run in the PostgreSQL pass")


def pytest_report_header(config: pytest.Config) -> str:
    return "atrisk database backend: " + ("PostgreSQL" if PG_MODE else "SQLite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not PG_MODE:
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("sqlite_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def pg_factory() -> Iterator[DatabaseFactory]:
    """Fresh PostgreSQL databases: on ATRISK_TEST_PG_URL, or on a server started for the session."""
    server: LocalPostgres | None = None
    url = os.environ.get(PG_URL_ENV)
    if not url:
        server = LocalPostgres().start()
        url = server.url
    factory = DatabaseFactory(url)
    try:
        yield factory
    finally:
        factory.close()
        if server is not None:
            server.stop()


@pytest.fixture()
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty-of-data database for this test: SQLite file, or PostgreSQL in PG mode."""
    if not PG_MODE:
        yield f"sqlite:///{tmp_path / 'atrisk.db'}"
        return
    factory: DatabaseFactory = request.getfixturevalue("pg_factory")
    url = factory.create()
    try:
        yield url
    finally:
        factory.drop(url)


@pytest.fixture()
def other_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Another fresh database, independent of ``db_url``."""
    return fresh_db_url(request, tmp_path, "other.db")


@pytest.fixture()
def world(db_url: str) -> Iterator[object]:
    """The workbench's small world (tests/webworld.py) on this test's database."""
    from pipeline.storage.db import open_database
    from tests.webworld import WebWorld

    db = open_database(db_url)
    try:
        yield WebWorld(db)
    finally:
        db.dispose()
