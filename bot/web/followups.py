"""Dashboard: the follow-up list of households nobody can text, and resolving one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from bot.db import after_commit, request_session, utcnow
from bot.freshness.details import error_meaning, follow_up_details
from bot.freshness.followups import follow_ups_for, may_work_on
from bot.freshness.resolve import ResolveRefused, resolve_follow_up
from bot.languages import english_name
from bot.models import FollowUp
from bot.phones import display_phone
from bot.worker import wake_worker

bp = Blueprint("follow_ups", __name__, url_prefix="/follow-ups")
REASONS = {"no_answer": "No answer to the number check",
           "wrong_person": "The person who answered is not the guardian",
           "dead_number": "No working number left"}


@bp.app_context_processor
def open_follow_ups() -> dict[str, Any]:
    """The navigation's count of households waiting for the user; counted only when shown."""
    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        return len(follow_ups_for(request_session(), current_user))
    return {"open_follow_ups": count}


@bp.get("")
@login_required
def index() -> str:
    return _page(MultiDict())


def _page(form: MultiDict[str, str], failed_id: int | None = None) -> str:
    """The list; after a refused form, that household's form keeps what was typed."""
    session = request_session()
    config = current_app.config["PUENTE"]
    rows = follow_up_details(session, follow_ups_for(session, current_user), now=utcnow(),
                             unreachable_threshold=config.freshness.unreachable_threshold)
    return render_template("follow_ups.html", rows=rows, reasons=REASONS, form=form,
                           failed_id=failed_id, language_name=english_name,
                           phone=display_phone, error_meaning=error_meaning)


@bp.post("/<int:follow_up_id>/resolve")
@login_required
def resolve(follow_up_id: int) -> str | Response | tuple[str, int]:
    session = request_session()
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None or not may_work_on(current_user, follow_up.household):
        abort(404)  # a household outside the user's schools and languages does not exist
    form = request.form
    try:
        done = resolve_follow_up(
            session, follow_up, current_user, new_number=form.get("new_number"),
            verified_in_person=form.get("verified_in_person") == "1",
            confirmed_by_phone=form.get("action") == "confirm",
            contact_id=form.get("contact_id", 0, type=int) or 0,
            config=current_app.config["PUENTE"], now=utcnow())
    except ResolveRefused as exc:
        # Nothing was changed (the request rolls back); keep what the liaison typed.
        flash(str(exc), "error")
        return _page(form, failed_id=follow_up.id), 422
    if done.outcome == "code_sent":
        after_commit(wake_worker)
    flash(done.message, "info")
    return redirect(url_for("follow_ups.index"))
