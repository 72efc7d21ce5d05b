"""Database engine and sessions: one transaction per request, job or sender batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; SQLite hands them back naive, so re-attach UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def make_engine(url: str, *, echo: bool = False, sqlite_immediate: bool = True) -> Engine:
    """Create an engine; SQLite gets real transactions, foreign keys and WAL.

    SQLite transactions start with BEGIN IMMEDIATE: a transaction that read first and
    writes later would otherwise fail at once ("database is locked") whenever another
    connection wrote in between; taking the write lock up front makes it wait its turn
    instead. One process serves a school on SQLite, so serialising writers costs little.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN;
        # take control of it (SQLAlchemy docs, "Serializable isolation / Savepoints").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if parsed.database and parsed.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_immediate else "BEGIN")

    return engine


def resolve_url(url: str, root: Path) -> str:
    """Make a relative SQLite path relative to the project root, creating its folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return url
    path = Path(parsed.database)
    if not path.is_absolute():
        path = root / path
    path.parent.mkdir(parents=True, exist_ok=True)
    return parsed.set(database=str(path)).render_as_string(hide_password=False)


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str, *, echo: bool = False, sqlite_immediate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo, sqlite_immediate=sqlite_immediate)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Yield a session that commits at the end, or rolls back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def init_app(app: Flask, url: str, *, echo: bool = False) -> None:
    """Bind a Database to the app; each request commits once at its end."""
    root = Path(app.root_path).parent
    app.extensions["puente.db"] = Database(resolve_url(url, root), echo=echo)
    app.after_request(_commit_request)
    app.teardown_appcontext(_close_request)


def get_db() -> Database:
    """Return the current app's Database."""
    return current_app.extensions["puente.db"]


def request_session() -> Session:
    """Return the session of the current request (or app context), opening it once."""
    if "db_session" not in g:
        g.db_session = get_db().sessions()
    return g.db_session


def after_commit(callback: Callable[[], None]) -> None:
    """Run callback once this request's transaction has committed (e.g. wake the sender)."""
    g.setdefault("after_commit", []).append(callback)


def _commit_request(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400:
        session.rollback()
        return response
    session.commit()
    for callback in g.pop("after_commit", []):
        callback()
    return response


def _close_request(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
