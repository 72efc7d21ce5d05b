"""What Puente does about each provider error code, and which status changes count."""

from __future__ import annotations

from enum import StrEnum


class ErrorAction(StrEnum):
    RETRY = "retry"  # transient: send the same request again after a backoff
    THROTTLE = "throttle"  # over a rate, queue or daily limit: slow down, resend later
    OPTED_OUT = "opted_out"  # the family replied STOP: never send until START
    INVALID_NUMBER = "invalid_number"  # bad or non-mobile number: ask the family
    UNREACHABLE = "unreachable"  # counted toward marking the number stale
    NOT_ON_WHATSAPP = "not_on_whatsapp"  # fall back to SMS
    OUTSIDE_WHATSAPP_WINDOW = "outside_whatsapp_window"  # send an approved template
    BLOCKED = "blocked"  # the recipient blocked us: stop on that channel
    FAILED = "failed"  # final for this message; nothing to learn about the number

    @property
    def retryable(self) -> bool:
        """Return whether the same request may succeed later."""
        return self in (ErrorAction.RETRY, ErrorAction.THROTTLE)


# Twilio error codes (twilio.com/docs/api/errors/<code>); any code not listed is FAILED.
ERROR_ACTIONS: dict[int, ErrorAction] = {
    20429: ErrorAction.THROTTLE,  # too many concurrent REST requests; nothing was processed
    21211: ErrorAction.INVALID_NUMBER,  # invalid 'To' phone number
    21610: ErrorAction.OPTED_OUT,  # recipient replied STOP
    21611: ErrorAction.THROTTLE,  # sender queue overflow (> 10 h queued), at create time
    21612: ErrorAction.UNREACHABLE,  # 'To' not reachable via SMS (carrier/route not served)
    21614: ErrorAction.INVALID_NUMBER,  # 'To' is not a mobile number
    30001: ErrorAction.THROTTLE,  # queue overflow inside a Messaging Service
    30003: ErrorAction.UNREACHABLE,  # handset off, no signal or roaming
    30004: ErrorAction.BLOCKED,  # recipient blocked the sender
    30005: ErrorAction.INVALID_NUMBER,  # unknown handset: the number "may no longer exist"
    30006: ErrorAction.INVALID_NUMBER,  # landline or unreachable carrier
    30008: ErrorAction.RETRY,  # unknown error; Twilio documents it as transient
    30022: ErrorAction.THROTTLE,  # 10DLC rate limit exceeded
    30023: ErrorAction.THROTTLE,  # 10DLC daily cap reached
    30027: ErrorAction.THROTTLE,  # T-Mobile daily limit reached
    63003: ErrorAction.NOT_ON_WHATSAPP,  # WhatsApp could not find the 'To' address
    63014: ErrorAction.BLOCKED,  # the user blocked the business on WhatsApp
    63016: ErrorAction.OUTSIDE_WHATSAPP_WINDOW,  # free-form text outside the 24 h window
    63018: ErrorAction.THROTTLE,  # WhatsApp channel rate limit exceeded
    63024: ErrorAction.NOT_ON_WHATSAPP,  # invalid WhatsApp recipient (Meta 1026/1002)
}


def classify(code: int | None, http_status: int | None) -> ErrorAction:
    """Return what to do about a failed send or a failed/undelivered status.

    `code` and `http_status` both None means no answer at all (timeout, connection
    error), so a caller holding a `SendError` should check its `retryable` first.
    """
    if code is not None and code in ERROR_ACTIONS:
        return ERROR_ACTIONS[code]
    if http_status == 429:
        return ErrorAction.THROTTLE
    if http_status is not None and http_status >= 500:
        return ErrorAction.RETRY
    if code is None and http_status is None:
        return ErrorAction.RETRY
    return ErrorAction.FAILED


# Progress of one outgoing message; "pending" is ours: in the outbox, not yet handed over.
STATUS_RANK: dict[str, int] = {
    "pending": 0,
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "read": 6,
}
FINAL_STATUSES = frozenset({"failed", "undelivered", "canceled"})
# Proof that the family got the message; a later failure report cannot undo it.
_CONFIRMED = frozenset({"delivered", "read"})


def moves_forward(current: str | None, new: str) -> bool:
    """Return whether `new` should replace `current` as a message's status.

    Twilio does not deliver status callbacks in order, so a late one must not
    move a message backwards.
    """
    if new not in STATUS_RANK and new not in FINAL_STATUSES:
        return False
    if current is None or (current not in STATUS_RANK and current not in FINAL_STATUSES):
        return True
    if current in FINAL_STATUSES:
        return False
    if new in FINAL_STATUSES:
        # Also for "canceled": a delivered message cannot have been canceled.
        return current not in _CONFIRMED
    return STATUS_RANK[new] > STATUS_RANK[current]
