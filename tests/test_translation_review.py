"""Translation review in the dashboard: a coverage table per language (missing, drafted,
reviewed), and a page per language where someone who speaks it corrects a family-facing
text or marks its draft reviewed. A reviewed text is stored in the database, wins over the
catalog's draft for families at once, and counts as reviewed."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from bot import i18n, texts
from bot.db import utcnow
from bot.i18n import family_ntext, family_text, review_state
from bot.languages import normalize_tag
from bot.models import AuditEvent, TranslationReview
from bot.translations import overlay
from bot.worker import Worker
from tests.factories import csrf_token, fresh, login, make_user

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SCHOOL = {"school": "Lincoln Elementary"}
CORRECTED = "Va a recibir otra vez los mensajes de {school}. Para no recibirlos, responda ALTO."


def named_texts() -> list[str | tuple[str, str]]:
    """The family-facing texts, as bot/texts.py names them."""
    return [v for k, v in vars(texts).items() if k.isupper() and isinstance(v, str | tuple)]


def expected_counts(po: Path) -> dict[str, int]:
    """Count the family-facing texts' states straight from a .po file."""
    with open(po, "rb") as f:
        catalog = read_po(f)
    counts = {"total": 0, "missing": 0, "drafted": 0, "reviewed": 0}
    for text in named_texts():
        message = catalog.get(text if isinstance(text, str) else text[0])
        strings = message.string if message else ""
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        state = "missing" if not translated else "drafted" if message.fuzzy else "reviewed"
        counts["total"] += 1
        counts[state] += 1
    return counts


@pytest.fixture
def people(session, lincoln):
    """María reviews Spanish, Irina Russian; Sam is staff and speaks English only."""
    people = {"maria": make_user(session, "María López", languages=["es-MX", "en"],
                                 schools=[lincoln]),
              "irina": make_user(session, "Irina Petrova", languages=["ru"]),
              "sam": make_user(session, "Sam Staff", languages=["en"], role="staff"),
              "ada": make_user(session, "Ada Admin", languages=["en"], role="admin")}
    session.commit()
    return people


def table_counts(page: str, tag: str) -> dict[str, int]:
    row = re.search(rf'<tr data-row="{tag}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {tag}"
    return {name: int(n) for name, n in re.findall(r'data-figure="(\w+)">(\d+)', row[1])}


def entry(page: str, name: str) -> str:
    found = re.search(rf'<section[^>]* id="{name}".*?</section>', page, re.S)
    assert found, f"no entry {name}"
    return found[0]


def state_of(page: str, name: str) -> str:
    return re.search(r'data-state="(\w+)"', entry(page, name))[1]


def textareas(section: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<textarea[^>]*>(.*?)</textarea>", section, re.S)]


def save(client, tag: str, name: str, *forms: str, token: str | None = None):
    data = {f"form-{i}": form for i, form in enumerate(forms)}
    data["csrf_token"] = token or csrf_token(client, f"/translations/{tag}")
    return client.post(f"/translations/{tag}/{name}", data=data)


def worker_round(app) -> None:
    """What a worker process does between texts: its transactions check the reviews."""
    Worker(app).run_once()


def test_the_coverage_table_counts_every_catalog_as_its_po_file_says(client, people) -> None:
    login(client, people["sam"])
    page = client.get("/translations").text
    catalogs = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    assert len(catalogs) == 24
    for po in catalogs:
        tag = normalize_tag(po.parent.parent.name)
        assert table_counts(page, tag) == expected_counts(po), tag
    assert "Persian (Afghanistan)" in page and "español" in page


def test_the_navigation_links_to_the_translations(client, people) -> None:
    login(client, people["maria"])
    assert 'href="/translations">Translations</a>' in client.get("/inbox").text


def test_a_liaison_sees_the_languages_she_speaks(client, people) -> None:
    login(client, people["maria"])
    page = client.get("/translations").text
    assert re.findall(r'<tr data-row="([\w-]+)">', page) == ["es"]


def test_only_the_texts_of_bot_texts_are_counted(client, people, tmp_path, monkeypatch) -> None:
    # A dashboard string in the catalog, translated and reviewed, is not a family-facing one.
    shutil.copytree(TRANSLATIONS / "es", tmp_path / "es")
    po = tmp_path / "es" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8") + "\n#: bot/web/templates/base.html:15\n"
                  'msgid "Inbox"\nmsgstr "Bandeja de entrada"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    login(client, people["maria"])
    counts = table_counts(client.get("/translations").text, "es")
    assert counts == {"total": len(named_texts()), "missing": 0,
                      "drafted": len(named_texts()), "reviewed": 0}
    assert "Inbox" not in client.get("/translations/es").text.split("<main>")[1]


def test_the_review_page_shows_source_context_current_text_and_state(client, people) -> None:
    login(client, people["maria"])
    page = client.get("/translations/es").text
    section = entry(page, "OPTED_IN")
    assert html.escape(texts.OPTED_IN) in section
    assert "For STOP, write the opt-out keyword of your language" in section  # the context
    assert "TRANSLATORS" not in section
    draft, _ = family_text(texts.OPTED_IN, ["es"], school="{school}")
    assert textareas(section) == [draft]
    assert state_of(page, "OPTED_IN") == "drafted"
    assert len(re.findall(r"<section", page)) == len(named_texts())


def test_a_correction_is_saved_as_reviewed_and_families_get_it(client, session, people) -> None:
    login(client, people["maria"])
    response = save(client, "es", "OPTED_IN", CORRECTED)
    assert response.status_code == 302
    assert response.location.endswith("/translations/es#OPTED_IN")

    page = client.get("/translations/es").text
    assert "Saved as reviewed: Opted in in Spanish." in page
    assert state_of(page, "OPTED_IN") == "reviewed"
    assert textareas(entry(page, "OPTED_IN")) == [CORRECTED]
    assert table_counts(client.get("/translations").text, "es") == {
        "total": len(named_texts()), "missing": 0, "drafted": len(named_texts()) - 1,
        "reviewed": 1}

    # What a Spanish-speaking family gets from now on (regional tags read the es catalog).
    expected = CORRECTED.format(**SCHOOL)
    assert family_text(texts.OPTED_IN, ["es", "en"], **SCHOOL) == (expected, "es")
    assert family_text(texts.OPTED_IN, ["es-MX", "en"], **SCHOOL) == (expected, "es")
    assert review_state(texts.OPTED_IN, "es") == "reviewed"
    assert review_state(texts.OPTED_OUT, "es") == "drafted"

    fresh(session)
    review = session.scalars(select(TranslationReview)).one()
    assert (review.language, review.msgid, review.msgid_plural, review.strings) == (
        "es", texts.OPTED_IN, None, [CORRECTED])
    assert review.reviewed_by_id == people["maria"].id
    audit = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "translation.reviewed")).one()
    assert audit.actor_id == people["maria"].id
    assert audit.subject_type == "translation_review" and audit.subject_id == review.id
    assert audit.details == {"language": "es", "msgid": texts.OPTED_IN, "changed": True}


def test_a_draft_saved_unchanged_is_marked_reviewed(client, session, people) -> None:
    login(client, people["maria"])
    (draft,) = textareas(entry(client.get("/translations/es").text, "HELP"))
    assert save(client, "es", "HELP", draft).status_code == 302
    assert state_of(client.get("/translations/es").text, "HELP") == "reviewed"
    assert family_text(texts.HELP, ["es"], **SCHOOL)[0] == draft.format(**SCHOOL)
    fresh(session)
    audit = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "translation.reviewed")).one()
    assert audit.details["changed"] is False


def test_reviewing_again_replaces_the_review(client, session, people) -> None:
    login(client, people["maria"])
    save(client, "es", "OPTED_IN", CORRECTED)
    save(client, "es", "OPTED_IN", "Recibirá otra vez los mensajes de {school}. Responda ALTO "
                                   "para dejar de recibirlos.")
    fresh(session)
    assert session.scalars(select(TranslationReview.strings)).all() == [
        ["Recibirá otra vez los mensajes de {school}. Responda ALTO para dejar de recibirlos."]]
    assert family_text(texts.OPTED_IN, ["es"], **SCHOOL)[0].startswith("Recibirá otra vez")


@pytest.mark.parametrize(("name", "text", "error"), [
    ("OPTED_IN", "Va a recibir otra vez los mensajes. Responda ALTO.",
     "The text must keep {school}"),
    ("HELP_WITH_PHONE", "{school}: llame al {telefono}. Responda ALTO.",
     "The text has {telefono}, which the English text does not have"),
    ("OPTED_IN", "   ", "The text is empty"),
    ("OPTED_IN", "Va a recibir los mensajes de {school again.", "lone { or }"),
    ("OPTED_IN", "Mensajes de {school}. Responda {} ALTO.", "The text has {}"),
])
def test_a_correction_that_breaks_the_text_is_refused_and_nothing_is_saved(
        client, session, people, name: str, text: str, error: str) -> None:
    login(client, people["maria"])
    before = family_text(getattr(texts, name), ["es"], phone="+1 617-555-0199", **SCHOOL)
    response = save(client, "es", name, text)
    assert response.status_code == 422
    section = entry(response.text, name)
    assert error in html.unescape(section) and "Nothing was saved." in section
    assert textareas(section) == [text]  # what the liaison typed is kept
    assert state_of(response.text, name) == "drafted"
    fresh(session)
    assert session.scalars(select(TranslationReview)).all() == []
    assert session.scalars(select(AuditEvent).where(
        AuditEvent.action == "translation.reviewed")).all() == []
    assert family_text(getattr(texts, name), ["es"], phone="+1 617-555-0199",
                       **SCHOOL) == before
    assert state_of(client.get("/translations/es").text, name) == "drafted"


def test_a_plural_text_is_reviewed_form_by_form(client, session, people) -> None:
    login(client, people["irina"])
    page = client.get("/translations/ru").text
    section = entry(page, "WRONG_CODE")
    assert html.escape(texts.WRONG_CODE[1]) in section  # the English plural is shown too
    assert len(textareas(section)) == 3  # nplurals=3
    for label in ("n = 1, 21, 31, 41, …", "n = 2, 3, 4, 22, …", "n = 0, 5, 6, 7, …"):
        assert f"Russian ({label})" in section
    forms = ["Код неверный. Осталась {attempts} попытка.",
             "Код неверный. Осталось {attempts} попытки.",
             "Код неверный. Осталось {attempts} попыток."]
    assert save(client, "ru", "WRONG_CODE", *forms).status_code == 302
    assert state_of(client.get("/translations/ru").text, "WRONG_CODE") == "reviewed"
    assert review_state(texts.WRONG_CODE, "ru") == "reviewed"
    for n, form in [(1, 0), (21, 0), (3, 1), (24, 1), (5, 2), (11, 2)]:
        assert family_ntext(*texts.WRONG_CODE, n, ["ru"], attempts=n) == (
            forms[form].format(attempts=n), "ru")
    fresh(session)
    review = session.scalars(select(TranslationReview)).one()
    assert (review.msgid, review.msgid_plural, review.strings) == (*texts.WRONG_CODE, forms)


def test_a_plural_form_may_leave_the_number_out_but_the_forms_keep_every_placeholder(
        client, people) -> None:
    login(client, people["irina"])
    one = "Код неверный. Осталась одна попытка."
    assert save(client, "ru", "WRONG_CODE", one, "Осталось {attempts} попытки.",
                "Осталось {attempts} попыток.").status_code == 302
    refused = save(client, "ru", "WRONG_CODE", one, one, one)
    assert refused.status_code == 422
    assert "The text must keep {attempts}" in html.unescape(refused.text)
    assert save(client, "ru", "WRONG_CODE", one, "Осталось {attempts} попытки.",
                "").status_code == 422  # every form is needed


def test_a_liaison_cannot_open_review_or_export_a_language_she_does_not_speak(
        client, session, people) -> None:
    login(client, people["maria"])
    assert client.get("/translations/vi").status_code == 403
    token = csrf_token(client, "/translations/es")
    assert save(client, "vi", "OPTED_IN", "Quý vị sẽ nhận lại tin nhắn từ {school}.",
                token=token).status_code == 403
    assert client.get("/translations/vi/export.po").status_code == 403
    fresh(session)
    assert session.scalars(select(TranslationReview)).all() == []


def test_staff_see_every_language_and_review_only_those_they_speak(client, people) -> None:
    login(client, people["sam"])
    page = client.get("/translations/vi").text
    assert "Save as reviewed" not in page and "<textarea" not in page
    assert "Only someone who speaks Vietnamese can review these texts" in page
    draft, _ = family_text(texts.OPTED_IN, ["vi"], school="{school}")
    assert html.escape(draft) in entry(page, "OPTED_IN")
    token = csrf_token(client, "/translations")
    assert save(client, "vi", "OPTED_IN", "Quý vị sẽ nhận lại tin nhắn từ {school}.",
                token=token).status_code == 403
    admin = client.application.test_client()
    login(admin, people["ada"])
    assert admin.get("/translations/ar").status_code == 200


def test_unknown_languages_and_texts_are_not_found(client, people) -> None:
    login(client, people["sam"])
    assert client.get("/translations/mix").status_code == 404  # no catalog
    assert client.get("/translations/xx-nope").status_code == 404
    assert client.get("/translations/es-MX").status_code == 404  # catalogs by their own tag
    liaison = client.application.test_client()
    login(liaison, people["maria"])
    assert save(liaison, "es", "NOT_A_TEXT", "Hola {school}").status_code == 404


def test_the_pages_need_a_login(client, people) -> None:
    response = client.get("/translations/es")
    assert response.status_code == 302 and "/login" in response.location


def test_saving_without_a_csrf_token_is_refused(client, session, people) -> None:
    login(client, people["maria"])
    response = client.post("/translations/es/OPTED_IN", data={"form-0": CORRECTED})
    assert response.status_code == 400
    fresh(session)
    assert session.scalars(select(TranslationReview)).all() == []


def test_a_review_saved_by_another_process_reaches_families(app, session, people,
                                                           monkeypatch) -> None:
    worker_round(app)  # this process has loaded the (empty) reviews
    session.add(TranslationReview(language="es", msgid=texts.OPTED_IN, strings=[CORRECTED],
                                  reviewed_by_id=people["maria"].id, reviewed_at=utcnow()))
    session.commit()
    worker_round(app)  # checked a moment ago: not again yet
    assert family_text(texts.OPTED_IN, ["es"], **SCHOOL)[0] != CORRECTED.format(**SCHOOL)
    monkeypatch.setattr(overlay, "CHECK_SECONDS", 0.0)
    worker_round(app)  # the table changed, so it is reloaded
    assert family_text(texts.OPTED_IN, ["es"], **SCHOOL)[0] == CORRECTED.format(**SCHOOL)
    session.query(TranslationReview).delete()
    session.commit()
    worker_round(app)
    assert review_state(texts.OPTED_IN, "es") == "drafted"


def test_a_stored_review_that_does_not_format_falls_back_to_the_draft(app, session,
                                                                      people) -> None:
    session.add(TranslationReview(language="es", msgid=texts.OPTED_IN,
                                  strings=["Mensajes de {escuela}"],
                                  reviewed_by_id=people["maria"].id, reviewed_at=utcnow()))
    session.commit()
    worker_round(app)
    assert overlay.reviewed("es", texts.OPTED_IN) == ("Mensajes de {escuela}",)
    text, language = family_text(texts.OPTED_IN, ["es"], **SCHOOL)
    assert language == "es" and text.startswith("Va a recibir de nuevo los mensajes")


def test_a_review_written_for_another_english_plural_is_not_used(app, session, people) -> None:
    session.add(TranslationReview(language="ru", msgid=texts.WRONG_CODE[0],
                                  msgid_plural="That code is wrong. {attempts} tries left.",
                                  strings=["a {attempts}", "b {attempts}", "c {attempts}"],
                                  reviewed_by_id=people["irina"].id, reviewed_at=utcnow()))
    session.commit()
    worker_round(app)
    drafted = i18n.read_catalog("ru").get(texts.WRONG_CODE[0]).string
    assert family_ntext(*texts.WRONG_CODE, 2, ["ru"], attempts=2) == (
        drafted[1].format(attempts=2), "ru")
    assert review_state(texts.WRONG_CODE, "ru") == "drafted"
