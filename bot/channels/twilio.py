"""Twilio (SMS and WhatsApp): sending through the REST API and reading its webhooks."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.base import Inbound, Media, Outgoing, SendError, SendResult, StatusUpdate
from bot.sending.errors import classify

log = logging.getLogger(__name__)

WHATSAPP_PREFIX = "whatsapp:"


class TwilioProvider:
    """Send messages through Twilio's Messages API (or a compatible one, like SignalWire)."""

    name = "twilio"

    def __init__(self, *, account_sid: str, auth_token: str,
                 api_base_url: str = "https://api.twilio.com", timeout: float = 10.0) -> None:
        if not account_sid or not auth_token:
            # The SDK would silently fall back to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN.
            raise ValueError("TwilioProvider needs an account_sid and an auth_token")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.account_sid = account_sid
        self._client = Client(account_sid, auth_token,
                              http_client=TwilioHttpClient(timeout=timeout))
        # Client reads TWILIO_REGION / TWILIO_EDGE from os.environ even when region=None and
        # edge=None are passed, and either one rewrites every host (127.0.0.1 becomes
        # 127.us1.0.1), so clear them after construction instead.
        self._client.region = None
        self._client.edge = None
        self._client.api.base_url = api_base_url.rstrip("/")

    def send(self, message: Outgoing) -> SendResult:
        """Hand one message to Twilio; raise SendError when it is not accepted."""
        try:
            created = self._client.messages.create(**_create_params(message))
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _rest_error(message, exc) from exc
        except TwilioException as exc:
            # Raised before any request is made (e.g. bad credentials setup): not transient.
            log.warning("twilio refused message %s before sending: %s", message.message_id, exc)
            raise SendError(f"Twilio client error: {exc}") from exc
        except requests.RequestException as exc:
            # Timeouts and connection errors. A read timeout is ambiguous: Twilio may have
            # queued the message, so a retry can duplicate it; losing a school notice is worse.
            log.warning("twilio unreachable for message %s: %s", message.message_id,
                        type(exc).__name__)
            raise SendError(f"Twilio unreachable: {exc}", retryable=True) from exc
        log.info("twilio took message %s as %s (%s)", message.message_id, created.sid,
                 created.status)
        return SendResult(provider_sid=created.sid, status=created.status)


def _create_params(message: Outgoing) -> dict[str, Any]:
    whatsapp = message.channel == "whatsapp"
    params: dict[str, Any] = {"to": _address(message.to_address, whatsapp)}
    if message.content_sid:
        # Twilio fills the approved template; a body alongside it would be ignored.
        params["content_sid"] = message.content_sid
        params["content_variables"] = json.dumps(message.content_variables or {},
                                                 ensure_ascii=False)
    else:
        params["body"] = message.body
    if message.from_address:
        params["from_"] = _address(message.from_address, whatsapp)
    elif message.messaging_service_sid:
        params["messaging_service_sid"] = message.messaging_service_sid
    if message.status_callback:
        params["status_callback"] = message.status_callback
    if message.media_urls:
        params["media_url"] = list(message.media_urls)
    return params


def _address(address: str, whatsapp: bool) -> str:
    # Tolerate an address that already carries the prefix (config writes it that way).
    if whatsapp and not address.startswith(WHATSAPP_PREFIX):
        return WHATSAPP_PREFIX + address
    return address


def _rest_error(message: Outgoing, exc: TwilioRestException | TwilioServiceException
                ) -> SendError:
    status = exc.status
    # The SDK puts the HTTP status in `code` when the body has no Twilio code (e.g. an
    # HTML 502 from a proxy); Twilio's own codes have five digits, so this is unambiguous.
    code = None if exc.code == status else exc.code
    # Retryable exactly when the one error table says RETRY or THROTTLE: 429, 5xx, 20429
    # (Twilio did not process the request), 21611/30001/63018/10DLC caps (rate or queue
    # limits: the same request succeeds once we slow down) and 30008 (documented as
    # transient). Everything else (21211, 21610, 20003 auth, ...) would fail identically.
    retryable = classify(code, status).retryable
    detail = exc.msg if isinstance(exc, TwilioRestException) else exc.title
    log.warning("twilio rejected message %s: HTTP %s, code %s", message.message_id,
                status, code)
    return SendError(f"Twilio HTTP {status}: {detail}", code=code, http_status=status,
                     retryable=retryable)


def _split_address(value: str) -> tuple[str, str]:
    if value.startswith(WHATSAPP_PREFIX):
        return "whatsapp", value[len(WHATSAPP_PREFIX):]
    return "sms", value


# Keywords Twilio acts on and answers itself on long codes and toll-free numbers
# (help.twilio.com 223134027; REVOKE and OPTOUT since 14 May 2025).
PROVIDER_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
                               "REVOKE", "OPTOUT", "START", "UNSTOP", "YES", "HELP", "INFO"})


def parse_inbound(form: Mapping[str, str]) -> Inbound:
    """Read an inbound-message webhook's form into an Inbound."""
    sid, sender = form.get("MessageSid"), form.get("From")
    if not sid:
        raise ValueError("Twilio inbound webhook without MessageSid")
    if not sender:
        raise ValueError("Twilio inbound webhook without From")
    channel, from_address = _split_address(sender)
    _, to_address = _split_address(form.get("To") or "")
    media = []
    for index in range(_int_or_none(form.get("NumMedia")) or 0):
        url = form.get(f"MediaUrl{index}")
        if url:
            content_type = form.get(f"MediaContentType{index}") or "application/octet-stream"
            media.append(Media(url=url, content_type=content_type))
    return Inbound(provider_sid=sid, channel=channel, from_address=from_address,
                   to_address=to_address, body=form.get("Body") or "", media=tuple(media),
                   profile_name=form.get("ProfileName") or None,
                   opt_out_type=(form.get("OptOutType") or "").upper() or None)


def parse_status(form: Mapping[str, str], message_id: int | None) -> StatusUpdate:
    """Read a status-callback form into a StatusUpdate for our message `message_id`."""
    sid = form.get("MessageSid")
    status = form.get("MessageStatus") or form.get("SmsStatus")
    if not sid:
        raise ValueError("Twilio status callback without MessageSid")
    if not status:
        raise ValueError("Twilio status callback without MessageStatus")
    return StatusUpdate(provider_sid=sid, status=status.lower(),
                        error_code=_int_or_none(form.get("ErrorCode")), message_id=message_id)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def verify_signature(auth_token: str, url: str, form: Mapping[str, str],
                     signature: str | None) -> bool:
    """Return whether `signature` is Twilio's X-Twilio-Signature for this URL and form."""
    # An empty token would make the HMAC key public, so nothing verifies against it.
    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(url, form, signature)


def public_url(base_url: str, path: str, query_string: str | bytes = "") -> str:
    """Rebuild the URL Twilio called from our public base URL and the request's path.

    `path` is relative to the application root (Flask's `request.path`); `base_url` may
    carry a prefix the proxy strips, e.g. `https://x.org/puente`.
    """
    if isinstance(query_string, bytes):
        query_string = query_string.decode("utf-8", errors="replace")
    # request.path is percent-decoded; Twilio signed the encoded form.
    url = base_url.rstrip("/") + "/" + quote(path.lstrip("/"), safe="/:@!$&'()*+,;=-._~")
    return f"{url}?{query_string}" if query_string else url
