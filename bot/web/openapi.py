"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Written by hand, next to the views in bot/web/api.py; tests/test_api.py checks that the two
agree on paths, fields and error codes.
"""

from __future__ import annotations

from typing import Any

from bot.broadcasts.progress import STATES
from bot.freshness.report import MAX_DAYS
from bot.models.broadcast import MISSING_POLICIES, STATUSES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


_ID_OR_NAME = {"type": "array", "minItems": 1,
               "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
_COUNT = {"type": "integer", "minimum": 0}
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs: "
                         "unauthorized, invalid_token, forbidden, not_found, invalid_json, "
                         "unknown_field, missing_field, invalid_value, unknown_template, "
                         "unknown_variable, missing_variable, unknown_school, "
                         "unknown_language, empty_body, empty_audience, invalid_time, "
                         "invalid_schedule, invalid_broadcast."},
                "message": {"type": "string", "description": "For people; names the field."},
                "field": {"type": "string", "description": "The request field at fault, "
                          "dotted: audience.schools, variables.date, bodies.es."}}}},
        "examples": [{"error": {"code": "missing_variable", "field": "variables.date",
                                "message": "variables.date: template 'school-closed' needs "
                                           "a value for {date}"}}],
    },
    "Audience": {
        "type": "object", "additionalProperties": False,
        "description": "Filters that all apply; {} is every family. A field left out does "
                       "not filter; an empty list is refused.",
        "properties": {
            "schools": {**_ID_OR_NAME, "description": "School names or ids."},
            "grades": {**_ID_OR_NAME, "description": "Grades as in the roster: K, 3, 10."},
            "languages": {"type": "array", "minItems": 1, "items": {"type": "string"},
                          "description": "Preferred languages, BCP 47 tags."},
            "households": {**_ID_OR_NAME, "description": "Household ids from the roster."},
        },
    },
    "Recurrence": {
        "type": "object", "additionalProperties": False, "required": ["weekdays", "time"],
        "properties": {
            "weekdays": {"type": "array", "minItems": 1,
                         "items": {"type": "integer", "minimum": 0, "maximum": 6},
                         "description": "0 is Monday."},
            "time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$",
                     "description": "Local time in the broadcast's timezone."}},
    },
    "BroadcastCreate": {
        "type": "object", "additionalProperties": False, "required": ["audience"],
        "oneOf": [{"required": ["bodies"]}, {"required": ["template"]}],
        "properties": {
            "title": {"type": "string", "maxLength": 200},
            "audience": _ref("Audience"),
            "bodies": {"type": "object", "minProperties": 1,
                       "additionalProperties": {"type": "string", "minLength": 1,
                                                "maxLength": 1600},
                       "description": "Language tag to text. The original is the "
                                      "source_language one, else the first; the others "
                                      "wait for a liaison's approval."},
            "source_language": {"type": "string", "description": "Which body is the "
                                "original (bodies only); say it when your JSON library "
                                "does not keep key order."},
            "template": {"type": "string", "description": "A template name from messages/, "
                         "e.g. school-closed."},
            "variables": {"type": "object", "description": "The template's placeholders "
                          "except students (filled per family); dates and times as ISO "
                          "8601 text."},
            "send_at": {"type": "string", "format": "date-time",
                        "description": "With a UTC offset; left out means now."},
            "recurrence": _ref("Recurrence"),
            "urgent": {"type": "boolean", "description": "Send outside families' hours. "
                       "Default: the template's setting, else false."},
            "missing_translations": {"enum": list(MISSING_POLICIES), "default": "hold"},
            "timezone": {"type": "string", "description": "IANA name. Default: the first "
                         "audience school's, else the district's."},
        },
        "examples": [{"title": "Snow day", "audience": {"schools": ["Lincoln Elementary"]},
                      "template": "school-closed",
                      "variables": {"school": "Lincoln", "date": "2026-12-04"},
                      "send_at": "2026-12-03T18:00:00-05:00"}],
    },
    "Variant": {
        "type": "object",
        "required": ["language", "text", "origin", "original", "approved", "segments",
                     "encoding"],
        "properties": {
            "language": {"type": "string"},
            "text": {"type": "string", "description": "Empty while waiting for a translation."},
            "origin": {"enum": ["staff", "template", "machine", "liaison", "task"]},
            "original": {"type": "boolean"},
            "approved": {"type": "boolean"},
            "segments": {"type": ["integer", "null"], "description": "SMS segments of the "
                         "text as a family gets it: a template's placeholders filled, with "
                         "two sample student names. Null while the text is empty."},
            "encoding": {"enum": ["GSM-7", "UCS-2", None]},
        },
    },
    "Broadcast": {
        "type": "object",
        "required": ["id", "title", "status", "urgent", "send_at", "recurrence", "audience",
                     "variants", "links"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "status": {"enum": list(STATUSES)},
            "urgent": {"type": "boolean"},
            "template": {"type": ["string", "null"]},
            "variables": {"type": "object"},
            "source_language": {"type": "string"},
            "missing_translations": {"enum": list(MISSING_POLICIES)},
            "timezone": {"type": "string"},
            "send_at": _NULLABLE_TIME,
            "recurrence": {"oneOf": [_ref("Recurrence"), {"type": "null"}]},
            "created_at": {"type": "string", "format": "date-time"},
            "started_at": _NULLABLE_TIME,
            "finished_at": _NULLABLE_TIME,
            "audience": {"type": "object", "required": ["filter", "size", "languages"],
                         "properties": {"filter": _ref("Audience"),
                                        "size": {"type": "integer", "minimum": 0},
                                        "languages": _COUNTS}},
            "variants": {"type": "array", "items": _ref("Variant")},
            "links": {"type": "object", "required": ["self"],
                      "properties": {"self": {"type": "string"}, "parent": {"type": "string"}}},
        },
    },
    "Progress": {
        "type": "object", "required": ["total", "states", "by_language"],
        "properties": {
            "total": {"type": "integer"},
            "states": {"type": "object", "required": list(STATES),
                       "properties": {s: {"type": "integer"} for s in STATES}},
            "by_language": {"type": "object", "additionalProperties": {
                "type": "object", "properties": {s: {"type": "integer"} for s in STATES}}},
            "held_until": _NULLABLE_TIME,
            "failures": {**_COUNTS, "description": "Provider error code to count."},
            "by_channel": {**_COUNTS, "description": "Messages by how they went out: sms, "
                           "whatsapp (free-form text), whatsapp_template."},
        },
    },
    "ReachCounts": {
        "type": "object",
        "description": "A working number is not detached, not invalid and not opted out. "
                       "Shares are fractions of contacts (unreachable_share: of households), "
                       "null when there are none; the flags overlap, so shares need not add "
                       "up to 1.",
        "required": ["contacts", "confirmed", "stale", "invalid", "households",
                     "unreachable_households", "confirmed_share", "stale_share",
                     "invalid_share", "unreachable_share"],
        "properties": {
            "contacts": {**_COUNT, "description": "Guardians in a household, in their own "
                         "preferred language; unknown senders are left out."},
            "confirmed": {**_COUNT, "description": "With a working number confirmed within "
                          "`days`."},
            "stale": {**_COUNT, "description": "Status stale: no answer to a number check."},
            "invalid": {**_COUNT, "description": "Status invalid, or no number left that is "
                        "neither invalid nor detached."},
            "households": {**_COUNT, "description": "Counted once, in their first guardian's "
                           "language."},
            "unreachable_households": {**_COUNT, "description": "No guardian has a working "
                                       "number."},
            "confirmed_share": _SHARE, "stale_share": _SHARE, "invalid_share": _SHARE,
            "unreachable_share": _SHARE,
        },
    },
    "LanguageReach": {
        "allOf": [{"type": "object", "required": ["language"],
                   "properties": {"language": {"type": "string",
                                               "description": "BCP 47 tag."}}},
                  _ref("ReachCounts")],
    },
    "Reachability": {
        "type": "object",
        "required": ["as_of", "days", "confirmed_since", "total", "languages", "schools"],
        "properties": {
            "as_of": {"type": "string", "format": "date-time"},
            "days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
            "confirmed_since": {"type": "string", "format": "date-time"},
            "total": _ref("ReachCounts"),
            "languages": {"type": "array", "items": _ref("LanguageReach"),
                          "description": "Totals per language over the schools shown, most "
                                         "contacts first."},
            "schools": {"type": "array", "description": "By name.", "items": {
                "type": "object", "required": ["id", "name", "total", "languages"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                               "total": _ref("ReachCounts"),
                               "languages": {"type": "array",
                                             "items": _ref("LanguageReach")}}}},
        },
    },
    "BroadcastWithProgress": {
        "allOf": [_ref("Broadcast"), {"type": "object", "required": ["progress"],
                                      "properties": {"progress": _ref("Progress")}}],
    },
}

RESPONSES: dict[str, Any] = {
    "BadRequest": _error("The body is not a JSON object."),
    "Unauthorized": _error("No bearer token, or one that is unknown or revoked."),
    "Forbidden": _error("The token's user may not do this (only staff and admins create)."),
    "NotFound": _error("No such broadcast."),
    "Unprocessable": _error("A field is wrong; error.field names it."),
}


def _response(ref: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{ref}"}


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Puente API", "version": "1",
             "description": "Schedule multilingual announcements to families, follow "
                            "their progress, and see how many families can be reached. Tokens: "
                            "`flask --app bot users token EMAIL --name NAME`."},
    "security": [{"bearerAuth": []}],
    "paths": {
        "/api/v1/broadcasts": {"post": {
            "operationId": "createBroadcast",
            "summary": "Create and schedule a broadcast",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref("BroadcastCreate")}}},
            "responses": {
                "201": {"description": "Created and scheduled.",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": _ref("Broadcast")}}},
                "400": _response("BadRequest"), "401": _response("Unauthorized"),
                "403": _response("Forbidden"), "422": _response("Unprocessable")}}},
        "/api/v1/broadcasts/{id}": {"get": {
            "operationId": "getBroadcast",
            "summary": "A broadcast and its progress",
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {
                "200": {"description": "The broadcast.", "content": {
                    "application/json": {"schema": _ref("BroadcastWithProgress")}}},
                "401": _response("Unauthorized"), "404": _response("NotFound")}}},
        "/api/v1/reports/reachability": {"get": {
            "operationId": "getReachability",
            "summary": "Contacts confirmed, stale and invalid, and unreachable households, "
                       "per school and language",
            "description": "Staff and admins see every school and language; a liaison's "
                           "token their schools (all when attached to none) and the "
                           "languages they speak.",
            "parameters": [
                {"name": "days", "in": "query", "required": False,
                 "description": "Confirmed within this many days. Default: the "
                                "freshness.confirm_after_days setting.",
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS}},
                {"name": "school", "in": "query", "required": False, "explode": True,
                 "description": "A school id or name; repeat it for several.",
                 "schema": {"type": "array", "items": {"type": "string"}}}],
            "responses": {
                "200": {"description": "The report.", "content": {
                    "application/json": {"schema": _ref("Reachability")}}},
                "401": _response("Unauthorized"),
                "403": _error("The school is not one of the token's user's schools."),
                "422": _response("Unprocessable")}}},
        "/api/v1/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "This document", "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1.",
                                  "content": {"application/json": {
                                      "schema": {"type": "object"}}}}}}},
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A token from `flask users token`."}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
    },
}
