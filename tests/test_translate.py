"""Machine translation only drafts: a liaison still approves; failures leave a task."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bot.broadcasts.service import create_broadcast
from bot.broadcasts.translate import LibreTranslate, TranslationError, draft_translations
from bot.db import utcnow
from bot.models import Broadcast
from tests.factories import fresh, make_contact, make_user


class FakeLibreTranslate:
    """LibreTranslate's POST /translate, answering from a small phrasebook."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.server = make_server("127.0.0.1", 0, self.app)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    @Request.application
    def app(self, request: Request) -> Response:
        payload = json.loads(request.data)
        self.requests.append(payload)
        if payload["target"] == "vi":
            return Response(json.dumps({"error": "unsupported"}), status=400)
        text = {"es": "Mañana no hay clases por la nieve."}[payload["target"]]
        return Response(json.dumps({"translatedText": text}), mimetype="application/json")


@pytest.fixture
def translator() -> Iterator[FakeLibreTranslate]:
    fake = FakeLibreTranslate()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()


def test_drafts_fill_tasks_but_need_a_liaisons_approval(session, lincoln, translator) -> None:
    make_contact(session, lincoln, language="es", phone="+16175550401")
    make_contact(session, lincoln, language="vi", phone="+16175550402")
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")
    broadcast = create_broadcast(session, author=staff, title="Snow", audience={},
                                 timezone="America/New_York", now=utcnow(),
                                 text="School is closed tomorrow because of snow.")
    session.commit()
    assert draft_translations(session, LibreTranslate(translator.url), utcnow()) == 1
    session.commit()
    fresh(session)
    broadcast = session.get(Broadcast, broadcast.id)
    spanish, vietnamese = broadcast.variant("es"), broadcast.variant("vi")
    assert (spanish.text, spanish.origin, spanish.approved) == (
        "Mañana no hay clases por la nieve.", "machine", False)
    assert (vietnamese.text, vietnamese.origin) == ("", "task-failed")
    assert translator.requests[0] == {"q": "School is closed tomorrow because of snow.",
                                      "source": "en", "target": "es", "format": "text"}
    # Nothing is drafted twice.
    assert draft_translations(session, LibreTranslate(translator.url), utcnow()) == 0


def test_an_unreachable_translator_is_a_clear_error() -> None:
    with pytest.raises(TranslationError, match="unreachable"):
        LibreTranslate("http://127.0.0.1:9", timeout=0.5).translate("hi", "en", "es")
