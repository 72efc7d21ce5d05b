"""reach summary: each contact's best number and latest confirmation, and each household's
language and best guardian, kept by triggers so the reachability report reads two indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23

The columns prefixed `reach_` are written only by the triggers below, on SQLite and on
PostgreSQL alike, so no write path (ORM, Core bulk update, a migration, psql) can leave
them behind:

- contacts.reach_level: the best of the contact's numbers, 0 none alive (all invalid or
  detached, or none), 1 opted out, 2 working;
- contacts.reach_confirmed_at: the latest confirmation of a working number;
- contacts.reach_school_id: the household's school (NULL without a household);
- households.reach_language: the language of the first guardian (lowest id, not an unknown
  sender); NULL when it has none;
- households.reach_level: the best reach_level of its guardians.

On SQLite, a later migration that recreates contacts, contact_numbers or households (batch
mode "move and copy") drops their triggers and must create them again;
tests/test_migrations.py fails when any is missing.
"""

from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

CONTACT_REACH = """UPDATE contacts SET
  reach_level = COALESCE((
    SELECT MAX(CASE WHEN n.detached_at IS NOT NULL OR n.invalid_at IS NOT NULL THEN 0
                    WHEN n.opted_out_at IS NOT NULL THEN 1 ELSE 2 END)
    FROM contact_numbers n WHERE n.contact_id = contacts.id), 0),
  reach_confirmed_at = (
    SELECT MAX(n.last_confirmed_at) FROM contact_numbers n
    WHERE n.contact_id = contacts.id AND n.detached_at IS NULL AND n.invalid_at IS NULL
      AND n.opted_out_at IS NULL)"""

HOUSEHOLD_REACH = """UPDATE households SET
  reach_language = (
    SELECT c.language FROM contacts c
    WHERE c.household_id = households.id AND NOT c.is_unknown ORDER BY c.id LIMIT 1),
  reach_level = COALESCE((
    SELECT MAX(c.reach_level) FROM contacts c
    WHERE c.household_id = households.id AND NOT c.is_unknown), 0)"""

CONTACT_SCHOOL = """UPDATE contacts SET reach_school_id = (
  SELECT h.school_id FROM households h WHERE h.id = contacts.household_id)"""

NUMBER_FIELDS = ("contact_id", "last_confirmed_at", "opted_out_at", "invalid_at",
                 "detached_at")
CONTACT_FIELDS = ("household_id", "language", "is_unknown", "reach_level")




class Update(NamedTuple):
    """Recompute, with `statement`, the rows of `table` whose `column` matches `key` of the
    changed rows, as they were (OLD) and/or are now (NEW)."""

    statement: str
    table: str
    column: str
    key: str
    sides: tuple[str, ...]


class Trigger(NamedTuple):
    name: str
    table: str
    event: str
    fields: tuple[str, ...]  # an UPDATE trigger acts on rows where one of these changed
    updates: tuple[Update, ...]


TRIGGERS = (
    Trigger("contact_numbers_reach_insert", "contact_numbers", "INSERT", (),
            (Update(CONTACT_REACH, "contacts", "id", "contact_id", ("NEW",)),)),
    Trigger("contact_numbers_reach_update", "contact_numbers", "UPDATE", NUMBER_FIELDS,
            (Update(CONTACT_REACH, "contacts", "id", "contact_id", ("OLD", "NEW")),)),
    Trigger("contact_numbers_reach_delete", "contact_numbers", "DELETE", (),
            (Update(CONTACT_REACH, "contacts", "id", "contact_id", ("OLD",)),)),
    Trigger("contacts_reach_insert", "contacts", "INSERT", (),
            (Update(CONTACT_SCHOOL, "contacts", "id", "id", ("NEW",)),
             Update(HOUSEHOLD_REACH, "households", "id", "household_id", ("NEW",)))),
    Trigger("contacts_reach_update", "contacts", "UPDATE", CONTACT_FIELDS,
            (Update(CONTACT_SCHOOL, "contacts", "id", "id", ("NEW",)),
             Update(HOUSEHOLD_REACH, "households", "id", "household_id", ("OLD", "NEW")))),
    Trigger("contacts_reach_delete", "contacts", "DELETE", (),
            (Update(HOUSEHOLD_REACH, "households", "id", "household_id", ("OLD",)),)),
    Trigger("households_reach_school", "households", "UPDATE", ("school_id",),
            (Update(CONTACT_SCHOOL, "contacts", "household_id", "id", ("NEW",)),)),
)


def upgrade() -> None:
    op.add_column('contacts', sa.Column('reach_level', sa.SmallInteger(), server_default='0',
                                        nullable=False))
    op.add_column('contacts', sa.Column('reach_confirmed_at', sa.DateTime(timezone=True),
                                        nullable=True))
    op.add_column('contacts', sa.Column('reach_school_id', sa.Integer(), nullable=True))
    op.add_column('households', sa.Column('reach_language', sa.String(length=35),
                                          nullable=True))
    op.add_column('households', sa.Column('reach_level', sa.SmallInteger(),
                                          server_default='0', nullable=False))
    # Fill in what is there, in dependency order: numbers, then schools, then households.
    op.execute(CONTACT_REACH)
    op.execute(CONTACT_SCHOOL)
    op.execute(HOUSEHOLD_REACH)
    # A household's guardians in id order (PostgreSQL orders equal keys by row position).
    op.drop_index('ix_contacts_household_id', table_name='contacts')
    op.create_index('ix_contacts_household_id', 'contacts', ['household_id', 'id'])
    op.create_index('ix_contacts_reach', 'contacts',
                    ['reach_school_id', 'language', 'is_unknown', 'status', 'reach_level',
                     'reach_confirmed_at'])
    # Leads with school_id, so it also serves every lookup the old index did.
    op.drop_index('ix_households_school_id', table_name='households')
    op.create_index('ix_households_reach', 'households',
                    ['school_id', 'reach_language', 'reach_level'])
    postgres = op.get_bind().dialect.name == "postgresql"
    for trigger in TRIGGERS:
        for statement in _postgres(trigger) if postgres else [_sqlite(trigger)]:
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index('ix_households_reach', table_name='households')
    op.create_index('ix_households_school_id', 'households', ['school_id'])
    op.drop_index('ix_contacts_reach', table_name='contacts')
    op.drop_index('ix_contacts_household_id', table_name='contacts')
    op.create_index('ix_contacts_household_id', 'contacts', ['household_id'])
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('reach_level')
        batch_op.drop_column('reach_language')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('reach_school_id')
        batch_op.drop_column('reach_confirmed_at')
        batch_op.drop_column('reach_level')


def _targets(update: Update) -> str:
    return f"WHERE {update.column} IN ({', '.join(f'{side}.{update.key}' for side in update.sides)})"


def _sqlite(trigger: Trigger) -> str:
    """A row trigger; `IS NOT` is SQLite's null-safe "differs" (IS DISTINCT FROM needs 3.39)."""
    on, when = trigger.event, ""
    if trigger.fields:
        on += f" OF {', '.join(trigger.fields)}"
        when = "\nWHEN " + " OR ".join(f"OLD.{f} IS NOT NEW.{f}" for f in trigger.fields)
    body = "".join(f"{u.statement}\n{_targets(u)};\n" for u in trigger.updates)
    return (f"CREATE TRIGGER {trigger.name} AFTER {on} ON {trigger.table} "
            f"FOR EACH ROW{when}\nBEGIN\n{body}END")


def _postgres(trigger: Trigger) -> list[str]:
    """A function and its row trigger.

    Each update first locks the rows it recomputes, so that its own snapshot, taken once
    any concurrent writer of those rows has committed, includes that writer's changes
    (READ COMMITTED gives each statement a new one). Sequential scans are off: every
    statement here finds its rows through an index, and a plan cached while the tables
    were small (the first import into an empty database) would otherwise scan the whole
    table for every row that follows.
    """
    on, when = trigger.event, ""
    if trigger.fields:
        on += f" OF {', '.join(trigger.fields)}"
        when = " WHEN (" + " OR ".join(f"OLD.{f} IS DISTINCT FROM NEW.{f}"
                                       for f in trigger.fields) + ")"
    body = "".join(f"PERFORM 1 FROM {u.table} {_targets(u)} ORDER BY id FOR UPDATE;\n"
                   f"{u.statement}\n{_targets(u)};\n" for u in trigger.updates)
    return [f"CREATE FUNCTION {trigger.name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET enable_seqscan = off AS $$\nBEGIN\n{body}RETURN NULL;\nEND\n$$",
            f"CREATE TRIGGER {trigger.name} AFTER {on} ON {trigger.table} "
            f"FOR EACH ROW{when} EXECUTE FUNCTION {trigger.name}()"]
