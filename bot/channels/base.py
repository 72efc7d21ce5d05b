"""The small interface every messaging provider implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True)
class Inbound:
    """A message a family sent, as the provider reported it."""

    provider_sid: str
    channel: str  # "sms" | "whatsapp"
    from_address: str  # E.164 or raw caller id, without any "whatsapp:" prefix
    to_address: str  # E.164 or short code, without any "whatsapp:" prefix
    body: str
    media: tuple[Media, ...] = ()
    profile_name: str | None = None
    # Set when the provider itself handled an opt-out/opt-in/help keyword and answered it
    # (Twilio's OptOutType, sent with Advanced Opt-Out): we record it but do not answer too.
    opt_out_type: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery status the provider reported for one of our outgoing messages."""

    provider_sid: str
    status: str
    error_code: int | None = None
    message_id: int | None = None  # our own id, carried in the callback URL


@dataclass(frozen=True)
class Outgoing:
    """One message to hand to the provider."""

    message_id: int
    channel: str
    to_address: str  # E.164, without prefix
    body: str
    from_address: str | None = None  # E.164, without prefix
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    media_urls: tuple[str, ...] = field(default=())
    # A WhatsApp content template (HX…) and its numbered variables, sent instead of body.
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str


class SendError(Exception):
    """The provider refused or could not take a message.

    `retryable` says whether the same request may succeed later (429, 5xx, timeouts);
    `code` is the provider's error code when it gave one.
    """

    def __init__(self, message: str, *, code: int | None = None, retryable: bool = False,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable
        self.http_status = http_status


class Provider(Protocol):
    """What the sender and the simulator need from a provider."""

    name: str

    def send(self, message: Outgoing) -> SendResult:
        """Hand one message to the provider; raise SendError when it is not accepted."""
        ...
