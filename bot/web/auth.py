"""Dashboard login and logout, sessions (Flask-Login) and CSRF protection (Flask-WTF)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from bot.db import request_session
from bot.models import AuditEvent, User
from bot.users.service import authenticate

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Set up sessions and CSRF for the dashboard."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE",
                          app.config["PUENTE"].app.public_base_url.startswith("https://"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see this page."
    csrf.init_app(app)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = request_session().get(User, int(user_id))
    return user if user is not None and user.active else None


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow only users with one of these roles (403 otherwise)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def _safe_next(target: str | None) -> str:
    """Only follow a relative ?next= path, so login cannot redirect off-site."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlparse(target).netloc:
        return target
    return url_for("dashboard.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.inbox"))
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        session = request_session()
        user = authenticate(session, email, request.form.get("password", ""))
        if user is not None:
            login_user(user)
            session.add(AuditEvent(actor_id=user.id, actor="user", action="user.logged_in",
                                   subject_type="user", subject_id=user.id))
            return redirect(_safe_next(request.args.get("next")))
        flash("That email and password do not match an active account.", "error")
    return render_template("login.html", email=email)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))
