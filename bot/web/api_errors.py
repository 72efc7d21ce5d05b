"""The JSON API's errors: every failure under /api/v1 is {"error": {code, message, field}}."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify


class ApiError(Exception):
    """An answer other than success: HTTP status, a stable code, a message for people."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.headers = field, headers or {}


def invalid(code: str, field: str, message: str) -> ApiError:
    """A 422 naming the field at fault, in the message too."""
    return ApiError(422, code, f"{field}: {message}", field)


def error_response(error: ApiError) -> Response:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.field:
        body["field"] = error.field
    response = jsonify(error=body)
    response.status_code = error.status
    response.headers.update(error.headers)
    return response
