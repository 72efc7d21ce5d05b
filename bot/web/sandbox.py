"""The phone simulator (sandbox mode only): text the school as a demo family."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from bot.channels.base import Inbound
from bot.conversations.intake import process_pending, store_inbound
from bot.db import after_commit, request_session, utcnow
from bot.models import Contact, ContactNumber, Household, Message, School
from bot.phones import PhoneError, parse_phone
from bot.worker import wake_worker

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


def _selected() -> ContactNumber | None:
    """The phone picked in the URL, by row id (numbers stay out of URLs and access logs)."""
    number_id = request.args.get("number", type=int)
    return request_session().get(ContactNumber, number_id) if number_id else None


@bp.get("")
def phone() -> str:
    selected = _selected()
    thread = _thread(selected.channel, selected.address) if selected else []
    return render_template("sandbox.html", phones=_phones(), targets=_school_numbers(),
                           selected=selected, thread=thread)


@bp.get("/messages.json")
def messages_json() -> Response:
    selected = _selected()
    thread = _thread(selected.channel, selected.address) if selected else []
    return jsonify([{"id": m.id, "direction": m.direction, "body": m.body, "status": m.status,
                     "at": m.created_at.isoformat()} for m in thread])


@bp.post("/send")
def send() -> Response | tuple[str, int]:
    """Deliver a simulated family text through the same inbound flow as the webhook."""
    config = current_app.config["PUENTE"]
    target = request.form.get("target", "")
    to_channel, _, to_address = target.partition(":")
    if target not in {value for value, _ in _school_numbers()}:
        return render_template("error.html", code=400,
                               message="Choose the school number to text."), 400
    try:
        address = parse_phone(request.form.get("address", ""), config.app.default_country)
    except PhoneError as exc:
        return render_template("error.html", code=400, message=str(exc)), 400
    channel = "whatsapp" if to_channel == "whatsapp" else "sms"
    session = request_session()
    inbound = Inbound(provider_sid="SBIN" + uuid.uuid4().hex, channel=channel,
                      from_address=address, to_address=to_address,
                      body=request.form.get("body", ""))
    store_inbound(session, inbound)
    # Process it now rather than in the worker, so the phone view shows it at once; the
    # same function the worker runs. Replies still go out through the worker.
    process_pending(session, config=config, now=utcnow())
    after_commit(wake_worker)
    number = session.scalars(
        select(ContactNumber).where(ContactNumber.channel == channel,
                                    ContactNumber.address == address,
                                    ContactNumber.detached_at.is_(None))
        .order_by(ContactNumber.last_heard_at.desc().nulls_last())).first()
    return redirect(url_for("sandbox.phone", number=number.id if number else None,
                            target=target) + "#phone")
