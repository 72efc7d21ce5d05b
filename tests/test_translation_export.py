"""Exporting a language's catalog with the dashboard's reviews applied, from the dashboard
and with `flask --app bot translations export TAG [-o FILE]`: a .po that parses, has the
reviewed texts without `fuzzy`, and keeps the repository file's header (Plural-Forms)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import texts
from tests.factories import csrf_token, login, make_user

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CATALOGS = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
CORRECTED = "Va a recibir otra vez los mensajes de {school}. Para no recibirlos, responda ALTO."
ONE_FORM = "nplurals=1; plural=0;"


def repository_file(locale: str) -> bytes:
    return (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").read_bytes()


def parse(data: bytes, locale: str):
    return read_po(io.BytesIO(data), locale=locale)


def review(client, tag: str, name: str, *forms: str) -> None:
    """Save a review through the dashboard, as the user logged in."""
    data = {f"form-{i}": form for i, form in enumerate(forms)}
    data["csrf_token"] = csrf_token(client, f"/translations/{tag}")
    assert client.post(f"/translations/{tag}/{name}", data=data).status_code == 302


def test_the_dashboard_export_has_the_review_without_fuzzy(client, session, lincoln) -> None:
    maria = make_user(session, "María López", languages=["es"])
    session.commit()
    login(client, maria)
    review(client, "es", "OPTED_IN", CORRECTED)
    response = client.get("/translations/es/export.po")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="es-messages.po"'
    catalog = parse(response.data, "es")
    assert not list(catalog.check())
    reviewed = catalog.get(texts.OPTED_IN)
    assert reviewed.string == CORRECTED and not reviewed.fuzzy
    assert "python-brace-format" in reviewed.flags
    assert reviewed.auto_comments  # the context for translators stays
    assert catalog.get(texts.OPTED_OUT).fuzzy  # the others are still drafts
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    # Only the reviewed entry changed: the export folds back as a one-entry diff.
    original = repository_file("es").decode().splitlines()
    exported = response.data.decode().splitlines()
    assert len(set(original) - set(exported)) <= 4 and len(exported) <= len(original)


def test_a_liaison_exports_only_her_languages(client, session, lincoln) -> None:
    make_user(session, "Staff", languages=["en"], role="staff")
    maria = make_user(session, "María López", languages=["es"])
    session.commit()
    login(client, maria)
    assert client.get("/translations/es/export.po").status_code == 200
    assert client.get("/translations/so/export.po").status_code == 403


@pytest.mark.parametrize("locale", ["hmn", "ksw"])
def test_the_cli_export_keeps_the_one_form_plural_header_babel_drops(
        client, runner, session, tmp_path, locale: str) -> None:
    reader = make_user(session, "Reader", languages=[locale])
    session.commit()
    drafts = parse(repository_file(locale), locale)
    (draft,) = drafts.get(texts.VERIFY_CODE[0]).string
    corrected = draft.replace("{school}:", "{school} -", 1)  # a reader's correction
    login(client, reader)
    review(client, locale, "VERIFY_CODE", corrected)
    review(client, locale, "OPTED_IN", drafts.get(texts.OPTED_IN).string)

    out = tmp_path / "messages.po"
    result = runner.invoke(args=["translations", "export", locale, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert f'"Plural-Forms: {ONE_FORM}\\n"'.encode() in data
    catalog = parse(data, locale)
    assert catalog.plural_forms == ONE_FORM and catalog.num_plurals == 1
    entry = catalog.get(texts.VERIFY_CODE[0])
    assert entry.string == (corrected,) and not entry.fuzzy
    assert not catalog.get(texts.OPTED_IN).fuzzy  # reviewed unchanged
    assert catalog.get(texts.HELP).fuzzy
    assert not list(catalog.check())


@pytest.mark.parametrize("locale", CATALOGS)
def test_an_export_without_reviews_is_the_repository_file(runner, locale: str) -> None:
    result = runner.invoke(args=["translations", "export", locale.replace("_", "-")])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == repository_file(locale)


def test_the_cli_refuses_a_language_without_a_catalog(runner) -> None:
    result = runner.invoke(args=["translations", "export", "mix"])
    assert result.exit_code == 2
    assert "no catalog for 'mix'" in result.output


def test_the_cli_coverage_counts_a_review_saved_in_the_dashboard(client, runner, session,
                                                                  lincoln) -> None:
    import json

    before = {r["language"]: r for r in map(json.loads, runner.invoke(
        args=["translations", "coverage", "--json"]).output.splitlines())}
    reader = make_user(session, "Lectora", languages=["es"])
    session.commit()
    login(client, reader)
    review(client, "es", "OPTED_IN", CORRECTED)

    result = runner.invoke(args=["translations", "coverage", "--json"])

    after = {r["language"]: r for r in map(json.loads, result.output.splitlines())}
    assert set(after) == set(before) and len(after) == len(CATALOGS)
    assert after["es"]["reviewed"] == before["es"]["reviewed"] + 1
    assert after["es"]["drafted"] == before["es"]["drafted"] - 1
    assert after["vi"] == before["vi"]
    table = runner.invoke(args=["translations", "coverage"]).output.splitlines()
    assert table[0].split() == ["language", "strings", "missing", "drafted", "reviewed"]
    assert table[-1].split()[0] == "all"
