"""Alembic environment: runs migrations online against the configured URL."""

from alembic import context

import bot.models  # noqa: F401  (registers every table on Base.metadata)
from bot.db import Base, UTCDateTime, make_engine


def render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    """Render our column types as plain SQLAlchemy ones, so old migrations never break."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


config = context.config
url = config.get_main_option("sqlalchemy.url")
engine = make_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
