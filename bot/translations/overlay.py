"""Reviewed translations from the database, kept in memory for bot.i18n to use first.

A text reviewed in the dashboard is a `translation_reviews` row; it wins over the catalog's
entry. `family_text()` has no database session, so each process keeps a snapshot of the
table, {(language, msgid): Reviewed}, that bot.i18n consults before the catalogs:

- **Loaded on first use**, by the first transaction the app's sessions begin, not by
  `create_app` (which must not touch the database: `flask db upgrade` runs before the
  table exists).
- **Kept fresh** when a transaction of the app's sessions begins: at most every
  CHECK_SECONDS, one query compares the table's row count and latest `reviewed_at` with
  the snapshot's, and a difference reloads it. Web requests, worker rounds and scheduler
  jobs all render texts inside such a transaction, so a review saved by another process
  reaches families within CHECK_SECONDS.
- **Updated at once** in the process that saved a review, when its request commits
  (`remember`).

The snapshot belongs to the process: one app per process (tests call `forget`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from bot.models.translation import TranslationReview

CHECK_SECONDS = 10.0


@dataclass(frozen=True)
class Reviewed:
    plural: str | None  # the English plural the strings were written for
    strings: tuple[str, ...]  # one per plural form, else one


@dataclass(frozen=True)
class _Snapshot:
    reviews: Mapping[tuple[str, str], Reviewed]
    stamp: tuple[int, datetime | None] | None  # (rows, latest reviewed_at); None: not loaded
    checked_at: float  # time.monotonic() of the last check


_EMPTY = _Snapshot({}, None, float("-inf"))
_snapshot = _EMPTY
_lock = threading.Lock()  # writers only: readers take the current snapshot as it is


def init_app(app: Flask) -> None:
    """Check the snapshot whenever one of the app's sessions begins a transaction."""
    event.listen(app.extensions["puente.db"].sessions, "after_begin", _on_begin)


def reviewed(language: str, msgid: str, plural: str | None = None) -> tuple[str, ...] | None:
    """Return the reviewed strings of msgid in a catalog's language, if a person wrote them."""
    found = _snapshot.reviews.get((language, msgid))
    if found is None or found.plural != plural:
        return None  # a review of another English plural no longer fits the text
    return found.strings


def remember(review: TranslationReview) -> None:
    """Put a review this process just committed into the snapshot."""
    global _snapshot
    with _lock:
        entry = Reviewed(review.msgid_plural, tuple(review.strings))
        reviews = {**_snapshot.reviews, (review.language, review.msgid): entry}
        _snapshot = _Snapshot(reviews, _snapshot.stamp, _snapshot.checked_at)


def refresh(connection: Connection, *, force: bool = False) -> None:
    """Reload the snapshot if the table changed; checked at most every CHECK_SECONDS."""
    global _snapshot
    now = time.monotonic()
    if not force and now - _snapshot.checked_at < CHECK_SECONDS:
        return
    table = TranslationReview.__table__
    stamp = tuple(connection.execute(
        select(func.count(), func.max(table.c.reviewed_at))).one())
    if stamp == _snapshot.stamp:
        with _lock:
            _snapshot = _Snapshot(_snapshot.reviews, _snapshot.stamp, now)
        return
    rows = connection.execute(select(table.c.language, table.c.msgid, table.c.msgid_plural,
                                     table.c.strings)).all()
    reviews = {(row.language, row.msgid): Reviewed(row.msgid_plural, tuple(row.strings))
               for row in rows}
    with _lock:
        _snapshot = _Snapshot(reviews, stamp, now)  # type: ignore[arg-type]


def forget() -> None:
    """Drop the snapshot; the next transaction loads it again."""
    global _snapshot
    with _lock:
        _snapshot = _EMPTY


def _on_begin(session: Session, transaction: SessionTransaction,
              connection: Connection) -> None:
    refresh(connection)
