"""The JSON API under /api/v1: broadcasts in, their progress and reports out, for other
school systems.

Bearer tokens (`flask --app bot users token`), no cookies, so no CSRF. The views only turn
JSON into arguments for the broadcast services and their results back into JSON; the
request's one commit happens in bot/db.py. Every error under /api/v1 is JSON:
{"error": {"code": ..., "message": ..., "field": ...}}.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from bot.broadcasts.audience import audience_languages
from bot.broadcasts.progress import broadcast_progress
from bot.broadcasts.service import (
    BroadcastError,
    create_broadcast,
    save_variant,
    schedule_broadcast,
)
from bot.db import request_session, utcnow
from bot.freshness.report import parse_days, reachability_report, scope_for
from bot.models import Broadcast, School
from bot.schools.service import find_school
from bot.users.tokens import authenticate_token
from bot.web.api_broadcasts import broadcast_resource, parse_broadcast
from bot.web.api_errors import ApiError, error_response, invalid
from bot.web.openapi import DOCUMENT

bp = Blueprint("api", __name__, url_prefix="/api/v1")

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REACHABILITY_PARAMETERS = ("days", "school")


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    return error_response(error)


@bp.errorhandler(PermissionError)
def permission_error(error: PermissionError) -> Response:
    return error_response(ApiError(403, "forbidden", str(error)))


@bp.errorhandler(BroadcastError)
def broadcast_error(error: BroadcastError) -> Response:
    return error_response(ApiError(422, "invalid_broadcast", str(error)))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    code = (error.name or "error").lower().replace(" ", "_")
    headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
    return error_response(ApiError(error.code or 500, code, error.description or "", None,
                                   headers))


@bp.before_request
def require_token() -> None:
    """Authenticate `Authorization: Bearer <token>`; only the OpenAPI document is public."""
    if request.endpoint == "api.openapi":
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send an API token: Authorization: Bearer <token>",
                       headers={"WWW-Authenticate": 'Bearer realm="puente"'})
    user = authenticate_token(request_session(), token.strip(), utcnow())
    if user is None:
        raise ApiError(401, "invalid_token", "the API token is unknown, revoked or its user "
                       "is inactive", headers={"WWW-Authenticate":
                                               'Bearer realm="puente", error="invalid_token"'})
    g.api_user = user


@bp.get("/openapi.json")
def openapi() -> Response:
    servers = [{"url": current_app.config["PUENTE"].app.public_base_url.rstrip("/")}]
    return jsonify({**DOCUMENT, "servers": servers})


@bp.post("/broadcasts")
def create() -> tuple[Response, int, dict[str, str]]:
    """Create a broadcast and schedule it (now, at send_at, or on a recurrence)."""
    session, now, user = request_session(), utcnow(), g.api_user
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json",
                       "send a JSON object with Content-Type: application/json")
    order = parse_broadcast(session, data)
    broadcast = create_broadcast(
        session, author=user, title=order.title, audience=order.audience,
        timezone=order.timezone, now=now, text=order.text, source_language=order.language,
        template=order.template, variables=order.variables, urgent=order.urgent,
        missing_policy=order.missing_policy)
    counts = audience_languages(session, broadcast.audience)
    if not counts:
        raise ApiError(422, "empty_audience", "audience: the audience matches no family",
                       "audience")
    for language, text in order.translations.items():  # a liaison still has to approve them
        save_variant(session, broadcast, language, text, user, now, approve=False)
    where = "recurrence" if order.recurrence is not None else "send_at"
    try:
        schedule_broadcast(session, broadcast, user, now, send_at=order.send_at,
                           recurrence=order.recurrence)
    except BroadcastError as exc:
        raise invalid("invalid_schedule", where, str(exc)) from None
    resource = broadcast_resource(broadcast, counts)
    return jsonify(resource), 201, {"Location": resource["links"]["self"]}


@bp.get("/broadcasts/<int:broadcast_id>")
def get_broadcast(broadcast_id: int) -> Response:
    """A broadcast with its audience, variants and progress."""
    session = request_session()
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise ApiError(404, "not_found", f"no broadcast with id {broadcast_id}")
    resource = broadcast_resource(broadcast, audience_languages(session, broadcast.audience))
    resource["progress"] = broadcast_progress(session, broadcast, utcnow()).as_dict()
    return jsonify(resource)


@bp.get("/reports/reachability")
def reachability() -> Response:
    """Confirmed, stale and invalid contacts and unreachable households, per school and
    language, within what the token's user may see (a liaison: their schools and languages)."""
    session, config = request_session(), current_app.config["PUENTE"]
    unknown = sorted(set(request.args) - set(REACHABILITY_PARAMETERS))
    if unknown:
        raise invalid("unknown_field", unknown[0],
                      f"unknown parameter (parameters: {', '.join(REACHABILITY_PARAMETERS)})")
    try:
        days = parse_days(request.args.get("days"), config.freshness.confirm_after_days)
    except ValueError as exc:
        raise invalid("invalid_value", "days", str(exc)) from None
    school_ids, languages = scope_for(g.api_user)
    wanted = {_school(session, value).id for value in request.args.getlist("school")}
    if wanted:
        if school_ids is not None and not wanted <= school_ids:
            raise ApiError(403, "forbidden", "school: you may see only your own schools",
                           "school")
        school_ids = frozenset(wanted)
    report = reachability_report(session, config, now=utcnow(), days=days,
                                 school_ids=school_ids, languages=languages)
    return jsonify(report.as_dict())


def _school(session: Session, value: str) -> School:
    value = value.strip()
    school = session.get(School, int(value)) if value.isascii() and value.isdigit() \
        else find_school(session, value)
    if school is None:
        raise invalid("unknown_school", "school", f"unknown school {value!r}")
    return school


@bp.route("/<path:path>", methods=METHODS)
def not_found(path: str) -> Response:
    """Answer unknown paths and methods in JSON too (routing errors skip blueprint handlers)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in METHODS:
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            allowed.append(method)
    if allowed:
        raise ApiError(405, "method_not_allowed", f"{request.method} is not allowed here",
                       headers={"Allow": ", ".join(allowed)})
    raise ApiError(404, "not_found", f"no API endpoint at {request.path}")
