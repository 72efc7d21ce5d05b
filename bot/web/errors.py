"""Error pages: short, plain, and never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    """Render HTTP errors as a page (dashboard) or plain text (webhooks)."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        message = "The form expired. Go back, reload the page and try again."
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if request.path.startswith("/twilio/"):
            return f"{error.code} {error.name}\n", error.code, {"Content-Type": "text/plain"}
        return render_template("error.html", code=error.code,
                               message=error.description), error.code
