"""Inbound intake: the webhook stores the raw text; a worker processes it in order.

The webhook does one insert and answers Twilio at once, so a slow or failing step in
routing never costs a family's message: the stored row is retried until it is processed.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.channels.base import Inbound, Media
from bot.config import Config
from bot.conversations.inbound import record_inbound
from bot.models import InboundEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Texts from one family must be processed in order, one at a time (two workers handling a
# family's first two texts at once would open two conversations). Inbound volume is small
# next to sending, so one worker at a time processes it: on PostgreSQL this advisory lock
# elects it; SQLite runs a single worker anyway.
PROCESSING_LOCK = 0x50_75_65_6E  # "Puen"


# INSERT … ON CONFLICT (provider_sid) DO NOTHING, built once per dialect.
_INSERTS = {
    name: dialect.insert(InboundEvent.__table__).on_conflict_do_nothing(
        index_elements=["provider_sid"])
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def store_inbound(session: Session, inbound: Inbound) -> bool:
    """Store a delivered text for processing; return False if its MessageSid is known."""
    values = {
        "provider_sid": inbound.provider_sid, "channel": inbound.channel,
        "from_address": inbound.from_address, "to_address": inbound.to_address,
        # NUL cannot be stored in PostgreSQL text and means nothing in an SMS.
        "body": inbound.body.replace("\x00", ""),
        "media": [asdict(m) for m in inbound.media], "profile_name": inbound.profile_name,
        "opt_out_type": inbound.opt_out_type, "state": "pending", "attempts": 0,
    }
    connection = session.connection()
    insert = _INSERTS[connection.dialect.name]
    # Core on the session's own connection and transaction: the webhook's one hot insert
    # skips the ORM's bookkeeping.
    return bool(connection.execute(insert, values).rowcount)


def process_pending(session: Session, *, config: Config, now: datetime, limit: int = 50) -> int:
    """Turn up to limit stored texts into messages, oldest first; return how many were tried.

    Each text is processed inside a savepoint, so one that fails is rolled back alone and
    kept (with its error) for another attempt, while the others go through.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and not session.scalar(
            select(func.pg_try_advisory_xact_lock(PROCESSING_LOCK))):
        return 0
    rows = list(session.scalars(
        select(InboundEvent)
        .where(InboundEvent.state == "pending")
        .order_by(InboundEvent.id)
        .limit(limit)
    ).all())
    for row in rows:
        row.attempts += 1
        try:
            with session.begin_nested():
                result = record_inbound(session, to_inbound(row), config=config, now=now)
        except Exception as exc:  # keep the text; say why; retry later
            log.exception("processing inbound %s failed (attempt %s)", row.id, row.attempts)
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            row.state = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
            continue
        row.state, row.last_error = "done", None
        row.message_id = result.message.id if result.message is not None else None
    return len(rows)


def to_inbound(row: InboundEvent) -> Inbound:
    """Rebuild the provider-neutral Inbound from a stored row."""
    return Inbound(provider_sid=row.provider_sid, channel=row.channel,
                   from_address=row.from_address, to_address=row.to_address, body=row.body,
                   media=tuple(Media(**m) for m in row.media or ()),
                   profile_name=row.profile_name, opt_out_type=row.opt_out_type)
