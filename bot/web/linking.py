"""'Who is this?': link a text from an unknown number to the family it says it is."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from bot.conversations.inbox import can_view
from bot.db import request_session, utcnow
from bot.freshness.candidates import Candidate, households_named
from bot.freshness.linking import (
    LinkRefused,
    NotYourSchool,
    candidate_households,
    link_unknown_number,
    served_school_ids,
)
from bot.models import Conversation

bp = Blueprint("linking", __name__)
MAX_QUERY = 200


@dataclass(frozen=True)
class WhoIsThis:
    """The conversation page's card: households the texts (or a search) name."""

    query: str  # what the liaison searched for; empty when the texts were read
    candidates: list[Candidate]


def who_is_this(conversation: Conversation, query: str | None) -> WhoIsThis | None:
    """The card for an unknown number's conversation, in the user's schools; else None."""
    if not conversation.contact.is_unknown:
        return None
    session, schools = request_session(), served_school_ids(current_user)
    query = " ".join((query or "").split())[:MAX_QUERY]
    if query:
        return WhoIsThis(query, households_named(session, [query], school_ids=schools,
                                                 search=True))
    return WhoIsThis("", candidate_households(session, conversation, school_ids=schools))


@bp.post("/conversations/<int:conversation_id>/link")
@login_required
def link(conversation_id: int) -> Response:
    session = request_session()
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not can_view(current_user, conversation):
        abort(404)  # as on the conversation page: not the user's, so not there
    guardian_id = request.form.get("guardian_id", type=int)
    if guardian_id is None:
        abort(400, "Choose the guardian to link this number to.")
    number = ", ".join(n.address for n in conversation.contact.active_numbers)
    try:
        guardian = link_unknown_number(session, conversation, guardian_id, current_user,
                                       utcnow())
    except NotYourSchool as exc:
        abort(403, str(exc))
    except LinkRefused as exc:
        abort(409, str(exc))
    flash(f"Linked {number} to {guardian.name}: it is their first number now, confirmed; "
          "their old number stays in their history.", "info")
    if not can_view(current_user, conversation):  # routed to someone who speaks the language
        return redirect(url_for("dashboard.inbox"))
    return redirect(url_for("dashboard.conversation", conversation_id=conversation.id))
