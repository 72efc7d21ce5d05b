"""The two WSGI apps `bench/webhook.py` serves under gunicorn: the real one and a bare baseline.

Both read `BOT_DATABASE_URL`. Gunicorn loads them as `bench.apps:real_app()` and
`bench.apps:bare_app()`.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text

from bot.db import make_engine

BARE_TABLE = "bench_bare"
_metadata = MetaData()
# Shaped like the columns the real webhook indexes: a unique provider id, so both runs pay
# for an index update per insert.
bench_bare = Table(
    BARE_TABLE, _metadata,
    Column("id", Integer, primary_key=True),
    Column("message_sid", String(64), nullable=False, unique=True),
    Column("from_address", String(64), nullable=False),
    Column("body", Text, nullable=False),
)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def real_app() -> Flask:
    """Return Puente itself, configured from the environment (`BOT_<SECTION>_<KEY>`)."""
    from bot import create_app

    return create_app()


def create_bare_table(engine: Engine) -> None:
    """Create the baseline's table if it is missing."""
    _metadata.create_all(engine, checkfirst=True)


def bare_app() -> Flask:
    """Return a Flask app whose one route stores the webhook's sid, sender and body."""
    # bot.db.make_engine, so SQLite gets the same WAL, busy timeout and BEGIN as the real app.
    engine = make_engine(os.environ["BOT_DATABASE_URL"])
    create_bare_table(engine)
    app = Flask(__name__)

    @app.post("/twilio/messages")
    def inbound() -> Response:
        form = request.form
        with engine.begin() as conn:
            conn.execute(bench_bare.insert().values(
                message_sid=form["MessageSid"], from_address=form["From"],
                body=form.get("Body", "")))
        return Response(EMPTY_TWIML, mimetype="application/xml")

    return app
