"""Twilio webhooks: verify the signature first, then store; answer at once.

An inbound text is stored as it came (one insert) and processed by a worker right after
the commit, so the webhook never waits on routing, and never on the network. Any answer to
the family (acknowledgement, help) goes through the outbox like every other message.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.twilio import parse_inbound, parse_status, public_url, verify_signature
from bot.config import Config
from bot.conversations.intake import store_inbound
from bot.db import after_commit, request_session, utcnow
from bot.sending.status import apply_status
from bot.worker import wake_worker

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/twilio")


def _config() -> Config:
    return current_app.config["PUENTE"]


@bp.before_request
def check_signature() -> None:
    """Refuse any request Twilio did not sign with our auth token (403)."""
    config = _config()
    if not config.twilio.validate_signatures:
        return
    url = public_url(config.app.public_base_url, request.path, request.query_string)
    signature = request.headers.get("X-Twilio-Signature", "")
    if not verify_signature(config.twilio.auth_token, url, request.form, signature):
        log.warning("refused %s: %s X-Twilio-Signature", request.path,
                    "invalid" if signature else "missing")
        abort(403)


EMPTY_TWIML = str(MessagingResponse())  # <Response />: nothing to send back right now


def twiml() -> Response:
    """An empty TwiML answer."""
    return Response(EMPTY_TWIML, mimetype="application/xml")


@bp.post("/messages")
def inbound_message() -> Response:
    """Receive an SMS or WhatsApp message from a family."""
    try:
        inbound = parse_inbound(request.form)
    except ValueError as exc:
        return Response(f"bad request: {exc}\n", status=400, mimetype="text/plain")
    if store_inbound(request_session(), inbound):  # False: a repeated MessageSid, stored once
        after_commit(wake_worker)
    return twiml()


@bp.post("/status")
def status_callback() -> Response:
    """Receive a delivery status for a message we sent; ?m= carries our own id."""
    try:
        message_id = int(request.args["m"]) if "m" in request.args else None
        update = parse_status(request.form, message_id)
    except ValueError as exc:
        return Response(f"bad request: {exc}\n", status=400, mimetype="text/plain")
    apply_status(request_session(), update, utcnow(), current_app.config["PUENTE"])
    return Response(status=204)

