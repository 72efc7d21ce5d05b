"""Dashboard pages for announcements: compose, translate and approve, schedule, watch."""

from __future__ import annotations

import json
import time as time_module
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from bot.broadcasts.preview import preview_broadcast
from bot.broadcasts.progress import STATES, broadcast_progress
from bot.broadcasts.segments import smart_encode
from bot.broadcasts.service import (
    BroadcastError,
    cancel_broadcast,
    create_broadcast,
    save_variant,
    schedule_broadcast,
    send_unreviewed,
)
from bot.broadcasts.templates import TemplateError, load_templates
from bot.db import get_db, request_session, utcnow
from bot.languages import english_name, normalize_tag, speaks
from bot.models import Broadcast, School
from bot.web.auth import role_required

bp = Blueprint("broadcasts", __name__, url_prefix="/broadcasts")
STREAM_TICKS, STREAM_SECONDS = 30, 2.0
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _config():  # type: ignore[no-untyped-def]
    return current_app.config["PUENTE"]


def _visible(broadcast: Broadcast) -> bool:
    """Staff see every announcement; a liaison those with a language they speak."""
    if current_user.role in ("staff", "admin"):
        return True
    return any(speaks(current_user.languages, v.language) for v in broadcast.variants)


def _load(broadcast_id: int) -> Broadcast:
    broadcast = request_session().get(Broadcast, broadcast_id)
    if broadcast is None or not _visible(broadcast):
        abort(404)
    return broadcast


@bp.get("")
@login_required
def index() -> str:
    broadcasts = request_session().scalars(
        select(Broadcast).where(Broadcast.parent_id.is_(None))
        .order_by(Broadcast.created_at.desc()).limit(200)).all()
    return render_template("broadcasts.html", broadcasts=[b for b in broadcasts if _visible(b)],
                           language_name=english_name)


@bp.route("/new", methods=["GET", "POST"])
@role_required("staff", "admin")
def new() -> str | Response:
    session = request_session()
    templates = load_templates()
    chosen = templates.get(request.values.get("template", ""))
    schools = session.scalars(select(School).order_by(School.name)).all()
    if request.method == "POST":
        form = request.form
        audience: dict[str, Any] = {}
        if form.getlist("schools"):
            audience["schools"] = [int(s) for s in form.getlist("schools")]
        if form.get("grades", "").strip():
            audience["grades"] = [g.strip() for g in form["grades"].split(",") if g.strip()]
        households = form.get("households", "").replace(",", "\n").split()
        if households:  # a class list, pasted from the student information system
            audience["households"] = households
        try:
            languages = [normalize_tag(t) for t in form.get("languages", "").replace(",", " ")
                         .split()]
        except ValueError as exc:
            flash(str(exc), "error")
            return render_template("broadcast_new.html", templates=templates, chosen=chosen,
                                   schools=schools, form=form), 422
        if languages:
            audience["languages"] = languages
        variables = {name: form.get(f"var_{name}", "") for name in (chosen.placeholders
                                                                    if chosen else {})
                     if name != "students"}
        try:
            broadcast = create_broadcast(
                session, author=current_user, title=form.get("title", ""), audience=audience,
                timezone=schools[0].timezone if schools else _config().app.default_timezone,
                now=utcnow(), text=None if chosen else form.get("text", ""),
                source_language=form.get("source_language", "en"), template=chosen,
                variables=_typed(chosen, variables) if chosen else None,
                urgent=bool(form.get("urgent")), missing_policy=form.get("missing", "hold"))
        except (BroadcastError, TemplateError, ValueError) as exc:
            flash(str(exc), "error")
            return render_template("broadcast_new.html", templates=templates, chosen=chosen,
                                   schools=schools, form=form), 422
        return redirect(url_for("broadcasts.show", broadcast_id=broadcast.id))
    return render_template("broadcast_new.html", templates=templates, chosen=chosen,
                           schools=schools, form={})


def _typed(template: Any, values: dict[str, str]) -> dict[str, Any]:
    parse = {"date": date.fromisoformat, "time": time.fromisoformat,
             "datetime": datetime.fromisoformat}
    typed: dict[str, Any] = {}
    for name, value in values.items():
        kind = template.placeholders.get(name)
        if not value.strip():
            raise BroadcastError(f"fill in “{name}”")
        typed[name] = parse[kind](value) if kind in parse else value.strip()
    return typed


@bp.get("/<int:broadcast_id>")
@login_required
def show(broadcast_id: int) -> str:
    session = request_session()
    broadcast = _load(broadcast_id)
    now = utcnow()
    children = session.scalars(select(Broadcast).where(Broadcast.parent_id == broadcast.id)
                               .order_by(Broadcast.id.desc()).limit(10)).all()
    return render_template(
        "broadcast.html", broadcast=broadcast, preview=preview_broadcast(session, broadcast,
                                                                         _config()),
        progress=broadcast_progress(session, broadcast, now), states=STATES,
        children=children, weekdays=WEEKDAYS, language_name=english_name,
        can_edit=lambda lang: current_user.role in ("staff", "admin")
        or speaks(current_user.languages, lang),
        can_approve=lambda lang: current_user.role == "liaison"
        and speaks(current_user.languages, lang),
        local=lambda moment: moment.astimezone(ZoneInfo(broadcast.timezone)))


@bp.get("/<int:broadcast_id>/progress/stream")
@login_required
def progress_stream(broadcast_id: int) -> Response:
    """Server-sent events: the progress every two seconds for a minute, then the browser's
    EventSource reconnects on its own (so no worker thread is held for long)."""
    _load(broadcast_id)
    db = get_db()

    def events():  # type: ignore[no-untyped-def]
        for _ in range(STREAM_TICKS):
            with db.sessions() as session:
                broadcast = session.get(Broadcast, broadcast_id)
                if broadcast is None:
                    return
                payload = {"status": broadcast.status,
                           **broadcast_progress(session, broadcast, utcnow()).as_dict()}
            yield f"data: {json.dumps(payload)}\n\n"
            time_module.sleep(current_app.config.get("PROGRESS_STREAM_SECONDS", STREAM_SECONDS))

    return Response(stream_with_context(events()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@bp.get("/<int:broadcast_id>/progress.json")
@login_required
def progress_json(broadcast_id: int) -> Response:
    broadcast = _load(broadcast_id)
    return jsonify(status=broadcast.status,
                   **broadcast_progress(request_session(), broadcast, utcnow()).as_dict())


def _act(broadcast_id: int, action) -> Response:  # type: ignore[no-untyped-def]
    broadcast = _load(broadcast_id)
    try:
        message = action(broadcast)
    except (BroadcastError, ValueError) as exc:
        flash(str(exc), "error")
    except PermissionError as exc:
        abort(403, str(exc))
    else:
        flash(message, "info")
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast.id))


@bp.post("/<int:broadcast_id>/variants/<language>")
@login_required
def variant(broadcast_id: int, language: str) -> Response:
    action = request.form.get("action")
    approve = action == "approve"
    text = request.form.get("text", "")
    if action == "gsm":  # curly quotes, dashes, ellipsis → GSM look-alikes; never letters
        text = smart_encode(text)

    def act(broadcast: Broadcast) -> str:
        save_variant(request_session(), broadcast, language, text, current_user, utcnow(),
                     approve=approve)
        if action == "gsm":
            return (f"{english_name(language)}: look-alike punctuation replaced; letters are "
                    f"unchanged. Approve it again if it was approved.")
        return f"{english_name(language)} {'approved' if approve else 'saved'}."

    return _act(broadcast_id, act)


@bp.post("/<int:broadcast_id>/unreviewed/<language>")
@role_required("staff", "admin")
def unreviewed(broadcast_id: int, language: str) -> Response:
    def act(broadcast: Broadcast) -> str:
        send_unreviewed(request_session(), broadcast, language, current_user,
                        request.form.get("reason", ""), utcnow())
        return f"{english_name(language)} will go out without review; your reason is recorded."

    return _act(broadcast_id, act)


@bp.post("/<int:broadcast_id>/schedule")
@role_required("staff", "admin")
def schedule(broadcast_id: int) -> Response:
    form = request.form

    def act(broadcast: Broadcast) -> str:
        now = utcnow()
        if form.get("when") == "at":
            local = datetime.fromisoformat(form.get("send_at", ""))
            send_at = local.replace(tzinfo=ZoneInfo(broadcast.timezone))
            schedule_broadcast(request_session(), broadcast, current_user, now, send_at=send_at)
            return f"Scheduled for {send_at:%a %b %d, %H:%M} ({broadcast.timezone})."
        if form.get("when") == "weekly":
            recurrence = {"weekdays": [int(d) for d in form.getlist("weekdays")],
                          "time": form.get("time", "")}
            schedule_broadcast(request_session(), broadcast, current_user, now,
                               recurrence=recurrence)
            return "Scheduled to repeat every week."
        schedule_broadcast(request_session(), broadcast, current_user, now)
        return "Sending starts within a few seconds."

    return _act(broadcast_id, act)


@bp.post("/<int:broadcast_id>/cancel")
@role_required("staff", "admin")
def cancel(broadcast_id: int) -> Response:
    def act(broadcast: Broadcast) -> str:
        cancel_broadcast(request_session(), broadcast, current_user, utcnow())
        return "Canceled."

    return _act(broadcast_id, act)
