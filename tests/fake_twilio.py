"""A local HTTP server that answers like Twilio's Messages REST API, for tests."""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import requests
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    form: MultiDict[str, str]
    auth: tuple[str, str] | None


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int | None
    message: str


@dataclass(frozen=True)
class _Delay:
    seconds: float


def error_body(status: int, code: int | None, message: str) -> dict[str, Any]:
    """Return Twilio's JSON error body; without a code, as when a proxy answers."""
    body: dict[str, Any] = {"message": message, "status": status}
    if code is not None:
        body |= {"code": code, "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    return body


class FakeTwilio:
    """Twilio's `POST /2010-04-01/Accounts/{sid}/Messages.json`, scriptable per request."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "test-token"):  # noqa: S107
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[RecordedRequest] = []
        self._script: deque[_Failure | _Delay] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        # A short poll interval keeps stop() (and so every test's teardown) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.02})
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeTwilio:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any request still waiting on delay_next."""
        self._stopping.set()
        if self._thread.is_alive():  # shutdown() waits forever on a server never started
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fail_next(self, status: int = 400, code: int | None = None,
                  message: str = "Scripted failure") -> None:
        """Answer the next authenticated API request with this error (FIFO, one each)."""
        with self._lock:
            self._script.append(_Failure(status, code, message))

    def delay_next(self, seconds: float) -> None:
        """Make the next authenticated API request wait this long before it is answered."""
        with self._lock:
            self._script.append(_Delay(seconds))

    @Request.application
    def _app(self, request: Request) -> Response:
        basic = request.authorization
        auth = (basic.username or "", basic.password or "") if basic else None
        with self._lock:
            self.requests.append(RecordedRequest(request.method, request.path,
                                                 request.form.copy(), auth))
        if auth != (self.account_sid, self.auth_token):
            return _json(401, error_body(401, 20003, "Authenticate"))
        match = MESSAGES_PATH.match(request.path)
        if request.method != "POST" or not match or match[1] != self.account_sid:
            return _json(404, error_body(404, 20404, f"The requested resource {request.path}"
                                                     " was not found"))
        with self._lock:
            step = self._script.popleft() if self._script else None
        if isinstance(step, _Failure):
            return _json(step.status, error_body(step.status, step.code, step.message))
        if isinstance(step, _Delay):
            self._stopping.wait(step.seconds)
        return self._create(request.form)

    def _create(self, form: MultiDict[str, str]) -> Response:
        if not form.get("To"):
            return _json(400, error_body(400, 21604, "A 'To' phone number is required."))
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return _json(400, error_body(400, 21603, "A 'From' phone number is required."))
        if not (form.get("Body") or form.get("MediaUrl") or form.get("ContentSid")):
            return _json(400, error_body(400, 21602, "Message body is required."))
        sid = "SM" + secrets.token_hex(16)
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        now = format_datetime(datetime.now(UTC), usegmt=False)
        service = form.get("MessagingServiceSid")
        body = form.get("Body", "")
        return _json(201, {
            "sid": sid, "account_sid": self.account_sid, "api_version": "2010-04-01",
            "to": form["To"], "from": form.get("From"), "messaging_service_sid": service,
            "body": body, "status": "accepted" if service else "queued",
            "num_segments": "0" if service else str(1 if len(body) <= 160 else
                                                    -(-len(body) // 153)),
            "num_media": str(len(form.getlist("MediaUrl"))),
            "direction": "outbound-api", "date_created": now, "date_updated": now,
            "date_sent": None, "error_code": None, "error_message": None,
            "price": None, "price_unit": "USD", "uri": uri + ".json",
            "subresource_uris": {"media": uri + "/Media.json"},
        })


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def send_status_callback(url: str, auth_token: str,
                         form: Mapping[str, str]) -> tuple[int, str]:
    """POST `form` to `url` signed as Twilio would sign it; return (status, body)."""
    signature = RequestValidator(auth_token).compute_signature(url, dict(form))
    response = requests.post(url, data=dict(form), timeout=5,
                             headers={"X-Twilio-Signature": signature})
    return response.status_code, response.text
