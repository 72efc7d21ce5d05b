"""Dashboard: translation coverage per language, reviewing family-facing texts, export."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from bot.db import after_commit, request_session, utcnow
from bot.i18n import catalog_tag, catalog_tags
from bot.languages import autonym, english_name, gettext_locale
from bot.translations import overlay
from bot.translations.coverage import coverage
from bot.translations.entries import language_entries, language_entry
from bot.translations.export import export_catalog
from bot.translations.review import ReviewRefused, may_review, may_view, save_review
from bot.web.reports import percent

bp = Blueprint("translations", __name__, url_prefix="/translations")
STATES = {"missing": "Missing", "drafted": "Drafted", "reviewed": "Reviewed"}


@bp.get("")
@login_required
def index() -> str:
    """Every language with a catalog (a liaison's own), and how much of it is reviewed."""
    _refresh()
    rows = coverage(tag for tag in catalog_tags() if may_view(current_user, tag))
    return render_template("translations.html", rows=rows, states=STATES, percent=percent,
                           english_name=english_name, autonym=autonym)


@bp.get("/<tag>")
@login_required
def language(tag: str) -> str:
    tag = _viewable(tag)
    _refresh()
    return _page(tag)


@bp.post("/<tag>/<name>")
@login_required
def review(tag: str, name: str) -> str | Response | tuple[str, int]:
    """Save the text of one family-facing string as reviewed, corrected or as it was."""
    tag = _viewable(tag)
    if not may_review(current_user, tag):
        abort(403)
    _refresh()
    entry = language_entry(tag, name)
    if entry is None:
        abort(404)
    forms = [request.form.get(f"form-{i}", "") for i in range(len(entry.forms))]
    try:
        saved = save_review(request_session(), current_user, tag, entry, forms, now=utcnow())
    except ReviewRefused as exc:
        # Nothing was saved (the request rolls back); keep what the reviewer typed.
        return _page(tag, failed=name, error=str(exc), typed=forms), 422
    after_commit(partial(overlay.remember, saved))
    flash(f"Saved as reviewed: {title(name)} in {english_name(tag)}.", "info")
    return redirect(url_for("translations.language", tag=tag) + f"#{name}")


@bp.get("/<tag>/export.po")
@login_required
def export(tag: str) -> Response:
    """The catalog with its reviews applied, to fold back into translations/."""
    tag = _viewable(tag)
    filename = f"{gettext_locale(tag)}-messages.po"
    return Response(export_catalog(request_session(), tag),
                    mimetype="text/x-gettext-translation",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def title(name: str) -> str:
    """A string's heading from its bot/texts.py name: CODE_SENT -> "Code sent"."""
    return name.replace("_", " ").capitalize()


def _viewable(tag: str) -> str:
    found = catalog_tag(tag)
    if found is None:
        abort(404)
    if not may_view(current_user, found):
        abort(403)
    return found


def _refresh() -> None:
    """These pages show the database's reviews exactly, whichever process saved them."""
    overlay.refresh(request_session().connection(), force=True)


def _page(tag: str, failed: str | None = None, error: str | None = None,
          typed: list[str] | None = None) -> str:
    entries = language_entries(tag)
    (summary,) = coverage([tag])
    return render_template("translation_review.html", tag=tag, entries=entries,
                           summary=summary, states=STATES, percent=percent,
                           may_review=may_review(current_user, tag), failed=failed,
                           error=error, typed=typed, title=title,
                           language=english_name(tag))
