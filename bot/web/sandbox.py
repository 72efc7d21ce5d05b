"""The phone simulator (sandbox mode only): text the school as a demo family."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from bot.channels.base import Inbound
from bot.conversations.inbound import record_inbound
from bot.db import request_session, utcnow
from bot.models import Contact, ContactNumber, Household, Message, School
from bot.phones import PhoneError, parse_phone

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")


def _phones() -> list[ContactNumber]:
    return list(request_session().scalars(
        select(ContactNumber)
        .where(ContactNumber.detached_at.is_(None))
        .options(selectinload(ContactNumber.contact).selectinload(Contact.household)
                 .selectinload(Household.students))
        .order_by(ContactNumber.contact_id, ContactNumber.priority)
    ).all())


def _school_numbers() -> list[tuple[str, str]]:
    """(address, label) for every number a family can text, school numbers first."""
    config = current_app.config["PUENTE"]
    options = []
    for school in request_session().scalars(select(School).order_by(School.name)):
        if school.sms_number:
            options.append((f"sms:{school.sms_number}", f"{school.name} (SMS)"))
        if school.whatsapp_number:
            options.append((f"whatsapp:{school.whatsapp_number}", f"{school.name} (WhatsApp)"))
    if config.twilio.sms_number:
        options.append((f"sms:{config.twilio.sms_number}", "District number (SMS)"))
    return options


def _thread(channel: str, address: str) -> list[Message]:
    return list(request_session().scalars(
        select(Message)
        .where(Message.channel == channel,
               or_(Message.from_address == address, Message.to_address == address))
        .order_by(Message.id)
    ).all())


@bp.get("")
def phone() -> str:
    channel = request.args.get("channel", "sms")
    address = request.args.get("address", "")
    return render_template("sandbox.html", phones=_phones(), targets=_school_numbers(),
                           channel=channel, address=address,
                           thread=_thread(channel, address) if address else [])


@bp.get("/messages.json")
def messages_json() -> Response:
    channel = request.args.get("channel", "sms")
    thread = _thread(channel, request.args.get("address", ""))
    return jsonify([{"id": m.id, "direction": m.direction, "body": m.body, "status": m.status,
                     "at": m.created_at.isoformat()} for m in thread])


@bp.post("/send")
def send() -> Response | tuple[str, int]:
    """Deliver a simulated family text through the same inbound flow as the webhook."""
    target = request.form.get("target", "")
    to_channel, _, to_address = target.partition(":")
    body = request.form.get("body", "")
    try:
        address = parse_phone(request.form.get("address", ""), "US")
    except PhoneError as exc:
        return render_template("error.html", code=400, message=str(exc)), 400
    channel = "whatsapp" if to_channel == "whatsapp" else "sms"
    inbound = Inbound(provider_sid="SBIN" + uuid.uuid4().hex, channel=channel,
                      from_address=address, to_address=to_address, body=body)
    record_inbound(request_session(), inbound, config=current_app.config["PUENTE"], now=utcnow())
    return redirect(url_for("sandbox.phone", channel=channel, address=address,
                            target=target) + "#phone")
