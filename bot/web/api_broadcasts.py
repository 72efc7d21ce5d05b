"""The JSON API's broadcasts: read a request body into service arguments, field by field,
and turn a broadcast back into JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, url_for
from sqlalchemy.orm import Session

from bot.broadcasts.segments import count_segments
from bot.broadcasts.templates import Template, load_templates
from bot.broadcasts.variants import sample_text
from bot.languages import normalize_tag
from bot.models import Broadcast, BroadcastVariant, School
from bot.models.broadcast import MISSING_POLICIES
from bot.schools.service import find_school
from bot.web.api_errors import invalid

FIELDS = ("title", "audience", "bodies", "source_language", "template", "variables", "send_at",
          "recurrence", "urgent", "missing_translations", "timezone")
AUDIENCE_FIELDS = ("schools", "grades", "languages", "households")
MAX_BODY = 1600  # Twilio refuses longer message bodies




@dataclass
class NewBroadcast:
    """The arguments for create_broadcast and schedule_broadcast, read from the JSON."""

    title: str = ""
    audience: dict[str, list[Any]] = field(default_factory=dict)
    timezone: str = ""
    text: str | None = None  # the original, in `language`
    language: str = "en"
    translations: dict[str, str] = field(default_factory=dict)  # unapproved variants
    template: Template | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    urgent: bool | None = None
    missing_policy: str = "hold"
    send_at: datetime | None = None
    recurrence: dict[str, Any] | None = None


def parse_broadcast(session: Session, data: dict[str, Any]) -> NewBroadcast:
    """Check the request body field by field; raise ApiError naming the first bad one."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise invalid("unknown_field", unknown[0], f"unknown field (fields: {', '.join(FIELDS)})")
    order = NewBroadcast()
    if "audience" not in data:
        raise invalid("missing_field", "audience", 'required; {} means every family')
    order.audience, schools = parse_audience(session, data["audience"])
    if "bodies" in data and "template" in data:
        raise invalid("invalid_value", "bodies", "give either bodies or a template, not both")
    if "bodies" not in data and "template" not in data:
        raise invalid("missing_field", "bodies", "give either bodies or a template")
    if "bodies" in data:
        bodies = parse_bodies(data["bodies"])
        # JSON objects are unordered to some clients (Go maps, jq -S), so naming the
        # original beats relying on the first key.
        source = data.get("source_language")
        order.language = _language(source, "source_language") if source else next(iter(bodies))
        if order.language not in bodies:
            raise invalid("invalid_value", "source_language", "must be one of the bodies")
        order.text = bodies.pop(order.language)
        order.translations = bodies
        if "variables" in data:
            raise invalid("unknown_field", "variables", "variables go with a template")
    elif "source_language" in data:
        raise invalid("unknown_field", "source_language", "a template's source is English")
    else:
        order.template = parse_template(data["template"])
        order.variables = parse_variables(order.template, data.get("variables", {}))
    order.title = _typed(data, "title", str, "a string", "")
    if len(order.title) > 200:
        raise invalid("invalid_value", "title", "at most 200 characters")
    order.urgent = _typed(data, "urgent", bool, "true or false", None)
    order.missing_policy = _typed(data, "missing_translations", str, "a string", "hold")
    if order.missing_policy not in MISSING_POLICIES:
        raise invalid("invalid_value", "missing_translations",
                      f"one of {', '.join(MISSING_POLICIES)}")
    default_zone = schools[0].timezone if schools else \
        current_app.config["PUENTE"].app.default_timezone
    order.timezone = _typed(data, "timezone", str, "an IANA timezone", default_zone)
    try:
        ZoneInfo(order.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("invalid_value", "timezone",
                      f"unknown timezone {order.timezone!r}") from None
    if data.get("send_at") is not None and data.get("recurrence") is not None:
        raise invalid("invalid_value", "send_at", "give send_at or recurrence, not both")
    order.send_at = parse_time(data.get("send_at"))
    order.recurrence = _typed(data, "recurrence", dict, "an object like "
                              '{"weekdays": [0], "time": "07:30"}', None)
    return order


def _typed(data: dict[str, Any], name: str, kind: type, what: str, default: Any) -> Any:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, kind):
        raise invalid("invalid_value", name, f"must be {what}")
    return value


def parse_audience(session: Session, raw: Any) -> tuple[dict[str, list[Any]], list[School]]:
    """Resolve school names or ids to ids and normalise languages; return the schools too."""
    if not isinstance(raw, dict):
        raise invalid("invalid_value", "audience", "must be an object")
    audience: dict[str, list[Any]] = {}
    schools: list[School] = []
    for key, values in raw.items():
        where = f"audience.{key}"
        if key not in AUDIENCE_FIELDS:
            raise invalid("unknown_field", where, f"unknown (fields: {', '.join(AUDIENCE_FIELDS)})")
        if not isinstance(values, list) or not values or not all(
                isinstance(v, str | int) and not isinstance(v, bool) for v in values):
            raise invalid("invalid_value", where, "a non-empty list of strings (leave the field "
                          "out to include everyone)")
        if key == "schools":
            schools = [_school(session, v, where) for v in values]
            audience[key] = list(dict.fromkeys(s.id for s in schools))
        elif key == "languages":
            audience[key] = list(dict.fromkeys(_language(v, where) for v in values))
        else:
            audience[key] = list(dict.fromkeys(str(v).strip() for v in values))
    return audience, schools


def _school(session: Session, value: str | int, where: str) -> School:
    school = session.get(School, value) if isinstance(value, int) else find_school(session, value)
    if school is None:
        raise invalid("unknown_school", where, f"unknown school {value!r}")
    return school


def _language(tag: Any, where: str) -> str:
    try:
        return normalize_tag(str(tag))
    except ValueError:
        raise invalid("unknown_language", where, f"unknown language tag {tag!r}") from None


def parse_bodies(raw: Any) -> dict[str, str]:
    """Language -> text, the original first, as given."""
    if not isinstance(raw, dict) or not raw:
        raise invalid("invalid_value", "bodies", 'an object like {"en": "…", "es": "…"}')
    bodies: dict[str, str] = {}
    for tag, text in raw.items():
        where = f"bodies.{tag}"
        language = _language(tag, where)
        if language in bodies:
            raise invalid("invalid_value", where, f"{language} is given twice")
        if not isinstance(text, str) or not text.strip():
            raise invalid("empty_body", where, "the text is empty")
        if len(text) > MAX_BODY:
            raise invalid("invalid_value", where, f"at most {MAX_BODY} characters")
        bodies[language] = text.strip()
    return bodies


def parse_template(raw: Any) -> Template:
    templates = load_templates()
    if not isinstance(raw, str) or raw not in templates:
        raise invalid("unknown_template", "template",
                      f"unknown template {raw!r} (known: {', '.join(sorted(templates))})")
    return templates[raw]


# Typed placeholders arrive as ISO text; the service stores them back as ISO text.
_PARSERS = {"date": (date.fromisoformat, "a date like 2026-12-04"),
            "time": (time.fromisoformat, "a time like 07:30"),
            "datetime": (datetime.fromisoformat, "a date and time like 2026-12-04T07:30")}


def parse_variables(template: Template, raw: Any) -> dict[str, Any]:
    """Check the template's values: each placeholder but {students}, typed by the template."""
    if not isinstance(raw, dict):
        raise invalid("invalid_value", "variables", "must be an object")
    needed = {name: kind for name, kind in template.placeholders.items() if name != "students"}
    for name in raw:
        if name not in needed:
            extra = " (filled in for each family)" if name == "students" else ""
            raise invalid("unknown_variable", f"variables.{name}",
                          f"template {template.name!r} has no such placeholder{extra}")
    values: dict[str, Any] = {}
    for name, kind in needed.items():
        where, value = f"variables.{name}", raw.get(name)
        if value is None or value == "":
            raise invalid("missing_variable", where,
                          f"template {template.name!r} needs a value for {{{name}}}")
        if kind in _PARSERS:
            parse, what = _PARSERS[kind]
            try:
                value = parse(value)
            except (TypeError, ValueError):
                raise invalid("invalid_value", where, f"must be {what}") from None
        elif kind == "student_names" and not (
                isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise invalid("invalid_value", where, "must be a list of names")
        elif kind == "text" and not isinstance(value, str):
            raise invalid("invalid_value", where, "must be a string")
        values[name] = value
    return values


def parse_time(raw: Any) -> datetime | None:
    """An ISO 8601 time with a UTC offset, or None for now."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise invalid("invalid_time", "send_at",
                      f"{raw!r} is not an ISO 8601 time like 2026-12-01T07:30:00-05:00")
    if moment.tzinfo is None:
        raise invalid("invalid_time", "send_at", "give a UTC offset, e.g. 2026-12-01T07:30-05:00")
    return moment


# Output -----------------------------------------------------------------------------------

def broadcast_resource(broadcast: Broadcast, counts: dict[str, int]) -> dict[str, Any]:
    """The JSON form of a broadcast, with its audience counted now."""
    links = {"self": url_for("api.get_broadcast", broadcast_id=broadcast.id)}
    if broadcast.parent_id is not None:
        links["parent"] = url_for("api.get_broadcast", broadcast_id=broadcast.parent_id)
    variants = sorted(broadcast.variants,
                      key=lambda v: (v.language != broadcast.source_language, v.language))
    template = load_templates().get(broadcast.template_name or "")
    return {
        "id": broadcast.id, "title": broadcast.title, "status": broadcast.status,
        "urgent": broadcast.urgent, "template": broadcast.template_name,
        "variables": broadcast.variables, "source_language": broadcast.source_language,
        "missing_translations": broadcast.missing_policy, "timezone": broadcast.timezone,
        "send_at": _iso(broadcast.send_at), "recurrence": broadcast.recurrence,
        "created_at": _iso(broadcast.created_at), "started_at": _iso(broadcast.started_at),
        "finished_at": _iso(broadcast.finished_at),
        "audience": {"filter": broadcast.audience, "size": sum(counts.values()),
                     "languages": dict(counts)},
        "variants": [variant_resource(v, broadcast, template) for v in variants],
        "links": links,
    }


def variant_resource(variant: BroadcastVariant, broadcast: Broadcast,
                     template: Template | None) -> dict[str, Any]:
    """One language: its text as written, and its segments as families will get it."""
    info = count_segments(sample_text(broadcast, variant, template)) if variant.text else None
    return {"language": variant.language, "text": variant.text or "", "origin": variant.origin,
            "original": variant.language == broadcast.source_language,
            "approved": variant.approved,
            "segments": info.segments if info else None,
            "encoding": info.encoding if info else None}


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None
