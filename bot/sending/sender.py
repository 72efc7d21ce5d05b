"""The sender: claims outbox rows, hands them to the provider outside any transaction,
then records each result in a transaction of its own."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from bot.channels.base import Outgoing, Provider, SendError, SendResult
from bot.config import Config
from bot.contacts.service import invalid_number, opted_out_number
from bot.db import Database, utcnow
from bot.models import Message, MessageEvent, OutboxItem, School
from bot.sending.errors import ErrorAction, moves_forward
from bot.sending.outbox import claim
from bot.sending.pacing import Pacer
from bot.sending.status import apply_error_effects
from bot.sending.whatsapp import choose_whatsapp_form, retarget_to_sms, use_template

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)


@dataclass
class Sender:
    db: Database
    provider: Provider
    config: Config
    worker: str = "sender"
    clock: Callable[[], datetime] = utcnow
    pacer: Pacer | None = None

    def __post_init__(self) -> None:
        if self.pacer is None:
            sandbox = self.provider.name == "sandbox"  # no carrier: nothing to pace
            self.pacer = Pacer(0.0 if sandbox else self.config.sending.segments_per_second)

    @property
    def batch_limit(self) -> int:
        """Claim about two seconds' worth at a time, so a reply never waits behind a long
        paced batch of announcements."""
        rate = self.pacer.rate if self.pacer else 0.0
        if rate <= 0:
            return self.config.sending.batch_size
        return max(1, min(self.config.sending.batch_size, int(rate * 2)))

    def run_once(self) -> int:
        """Send one batch; return how many rows were claimed."""
        with self.db.unit_of_work() as session:
            items = claim(session, worker=self.worker, limit=self.batch_limit,
                          now=self.clock(),
                          stale_after=timedelta(seconds=self.config.sending.stale_claim_seconds))
            work = [(item.id, *self._outgoing(session, item)) for item in items]
        claimed_at = time.monotonic()
        for position, (item_id, outgoing, segments) in enumerate(work):
            # Another sender may take rows claimed longer ago than stale_claim_seconds; hand
            # back the rest of a slow batch (timeouts, pacing) well before that can happen.
            if time.monotonic() - claimed_at > self.config.sending.stale_claim_seconds / 2:
                self._release([row[0] for row in work[position:]])
                break
            result: SendResult | SendError | None = None
            if outgoing is not None:
                assert self.pacer is not None
                self.pacer.wait(outgoing.from_address or outgoing.messaging_service_sid or "",
                                segments)
                try:
                    result = self.provider.send(outgoing)
                except SendError as exc:
                    result = exc
            with self.db.unit_of_work() as session:
                self._record(session, item_id, result)
        return len(work)

    def _release(self, item_ids: list[int]) -> None:
        """Put claimed rows back in line, untouched (only if they are still ours)."""
        with self.db.unit_of_work() as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(item_ids), OutboxItem.claimed_by == self.worker,
                       OutboxItem.state == "sending")
                .values(state="pending", claimed_by=None, claimed_at=None,
                        attempts=OutboxItem.attempts - 1))

    def _outgoing(self, session,  # type: ignore[no-untyped-def]
                  item: OutboxItem) -> tuple[Outgoing | None, int]:
        message = session.get(Message, item.message_id)
        if message is None:
            return None, 0
        if message.kind != "opt_out" and opted_out_number(session, message.channel,
                                                          message.to_address):
            return None, 0
        if invalid_number(session, message.channel, message.to_address):
            return None, 0
        choose_whatsapp_form(session, message, self.config, self.clock())
        template = message.sent_as_template
        base = self.config.app.public_base_url.rstrip("/")
        return Outgoing(
            message_id=message.id, channel=message.channel, to_address=message.to_address,
            body=message.body, from_address=message.from_address or None,
            messaging_service_sid=self._messaging_service(session, message.school_id),
            status_callback=(None if self.config.app.sandbox
                             else f"{base}/twilio/status?m={message.id}"),
            media_urls=tuple(m["url"] for m in message.media or ()),
            content_sid=message.content_sid if template else None,
            content_variables=message.content_variables if template else None,
        ), message.segments

    def _messaging_service(self, session,  # type: ignore[no-untyped-def]
                           school_id: int | None) -> str | None:
        school = session.get(School, school_id) if school_id else None
        return (school.messaging_service_sid if school else None) or \
            self.config.twilio.messaging_service_sid or None

    def _record(self, session, item_id: int, result) -> None:  # type: ignore[no-untyped-def]
        item = session.get(OutboxItem, item_id)
        message = session.get(Message, item.message_id) if item else None
        if item is None or message is None:
            return
        now = self.clock()
        if result is None:
            item.state = "failed"
            item.last_error = ("not sent: the number opted out or was found invalid after "
                               "this was queued")
            self._set_status(session, message, "canceled", None, item.last_error, now)
        elif isinstance(result, SendResult):
            item.state = "done"
            message.provider_sid = message.provider_sid or result.provider_sid
            self._set_status(session, message, result.status, None, "accepted by provider", now)
        else:
            self._record_error(session, item, message, result, now)

    def _record_error(self, session, item: OutboxItem, message: Message,  # type: ignore[no-untyped-def]
                      error: SendError, now: datetime) -> None:
        action = apply_error_effects(session, message, error.code, error.http_status, now,
                                     self.config)
        item.last_error = f"{error.code or error.http_status or 'network'}: {error}"[:500]
        if action is ErrorAction.THROTTLE and self.pacer is not None:
            self.pacer.slow_down(message.from_address or self._messaging_service(
                session, message.school_id) or "")
        if (action is ErrorAction.OUTSIDE_WHATSAPP_WINDOW and message.content_sid
                and not message.sent_as_template):
            use_template(session, message, now, f"WhatsApp refused free-form text ({error.code})")
            item.state, item.not_before = "pending", now  # straight back in line
            return
        whatsapp_refused = action in (ErrorAction.OUTSIDE_WHATSAPP_WINDOW,
                                      ErrorAction.NOT_ON_WHATSAPP)
        if whatsapp_refused and retarget_to_sms(session, message, self.config, error.code, now):
            item.state, item.not_before = "pending", now  # straight back in line, by SMS
            return
        retry = error.retryable or action in (ErrorAction.RETRY, ErrorAction.THROTTLE)
        if retry and item.attempts < self.config.sending.max_attempts:
            base = self.config.sending.retry_base_seconds
            delay = timedelta(seconds=base * 2 ** (item.attempts - 1))
            item.state, item.not_before = "pending", now + min(delay, MAX_BACKOFF)
            session.add(MessageEvent(message_id=message.id, status=message.status,
                                     error_code=error.code, applied=False, created_at=now,
                                     detail=f"attempt {item.attempts} failed, retry at "
                                            f"{item.not_before:%H:%M:%S} UTC: {item.last_error}"))
            return
        item.state = "failed"
        self._set_status(session, message, "failed", error.code, item.last_error, now)

    @staticmethod
    def _set_status(session, message: Message, status: str, code: int | None,  # type: ignore[no-untyped-def]
                    detail: str, now: datetime) -> None:
        applied = moves_forward(message.status, status)
        if applied:
            message.status = status
            if code is not None:
                message.error_code = code
        session.add(MessageEvent(message_id=message.id, status=status, error_code=code,
                                 applied=applied, detail=detail, created_at=now))
