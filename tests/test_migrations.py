"""Migrations: the migrated schema is exactly what the models describe, and reversible."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.models  # noqa: F401
from bot import migrations
from bot.db import Base, make_engine


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrations.upgrade(url)
    migrations.downgrade(url, "base")
    migrations.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
