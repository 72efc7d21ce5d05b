"""The liaison dashboard: inbox, conversation with the family's profile, reply."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from bot.broadcasts.progress import recent_announcements
from bot.conversations.inbox import (
    VIEWS,
    can_view,
    list_inbox,
    mark_read,
    take_conversation,
    views_for,
)
from bot.conversations.replies import ReplyRefused, send_reply
from bot.db import after_commit, request_session, utcnow
from bot.languages import english_name
from bot.models import AuditEvent, Conversation
from bot.users.service import set_on_duty
from bot.web.linking import who_is_this
from bot.worker import wake_worker

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def home() -> Response:
    return redirect(url_for("dashboard.inbox"))


@bp.get("/inbox")
@login_required
def inbox() -> str:
    views = views_for(current_user)
    view = request.args.get("view", views[0])
    if view not in views:
        abort(404)
    rows = list_inbox(request_session(), current_user, view)
    return render_template("inbox.html", rows=rows, view=view, views=views, labels=VIEWS,
                           language_name=english_name)


def _conversation_for_user(conversation_id: int) -> Conversation:
    conversation = request_session().get(Conversation, conversation_id)
    if conversation is None or not can_view(current_user, conversation):
        abort(404)  # a conversation outside the user's languages does not exist for them
    return conversation


@bp.get("/conversations/<int:conversation_id>")
@login_required
def conversation(conversation_id: int) -> str:
    session = request_session()
    conv = _conversation_for_user(conversation_id)
    mark_read(session, current_user, conv, utcnow())
    session.add(AuditEvent(actor_id=current_user.id, actor="user", action="conversation.viewed",
                           subject_type="conversation", subject_id=conv.id))
    return render_template("conversation.html", conversation=conv, contact=conv.contact,
                           draft=request.args.get("draft", ""), language_name=english_name,
                           announcements=recent_announcements(session, conv.contact_id),
                           who=who_is_this(conv, request.args.get("find")))


@bp.post("/conversations/<int:conversation_id>/reply")
@login_required
def reply(conversation_id: int) -> str | Response | tuple[str, int]:
    session = request_session()
    conv = _conversation_for_user(conversation_id)
    body = request.form.get("body", "")
    try:
        send_reply(session, conv, current_user, body, config=current_app.config["PUENTE"],
                   now=utcnow())
    except ReplyRefused as exc:
        # Keep what the liaison typed; nothing was queued.
        flash(str(exc), "error")
        return render_template("conversation.html", conversation=conv, contact=conv.contact,
                               draft=body, language_name=english_name,
                               announcements=recent_announcements(session, conv.contact_id),
                               who=who_is_this(conv, None)), 409
    after_commit(wake_worker)
    return redirect(url_for("dashboard.conversation", conversation_id=conv.id) + "#reply")


@bp.post("/conversations/<int:conversation_id>/take")
@login_required
def take(conversation_id: int) -> Response:
    conv = _conversation_for_user(conversation_id)
    try:
        take_conversation(request_session(), current_user, conv, utcnow())
    except PermissionError as exc:
        abort(403, str(exc))
    return redirect(url_for("dashboard.conversation", conversation_id=conv.id))


@bp.post("/duty")
@login_required
def duty() -> Response:
    on_duty = request.form.get("on_duty") == "1"
    set_on_duty(request_session(), current_user, on_duty)
    flash("You are on duty: new conversations in your languages come to you." if on_duty
          else "You are off duty: new conversations go to colleagues or the queue.", "info")
    return redirect(request.referrer or url_for("dashboard.inbox"))
