"""Carrier keywords match only a whole text; opt-out phrases are found for a liaison."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.keywords import KeywordDataError, find_opt_out_phrase, load_keywords, match_keyword


@pytest.mark.parametrize(("text", "kind", "keyword", "language"), [
    ("STOP", "opt_out", "STOP", "en"),
    ("stop", "opt_out", "STOP", "en"),
    (" stop. ", "opt_out", "STOP", "en"),
    ("Stop!!!", "opt_out", "STOP", "en"),
    ("STOP 🛑", "opt_out", "STOP", "en"),
    ("ＳＴＯＰ", "opt_out", "STOP", "en"),  # full-width, from a CJK keyboard
    ("Unsubscribe", "opt_out", "UNSUBSCRIBE", "en"),
    ("cancel", "opt_out", "CANCEL", "en"),
    ("End", "opt_out", "END", "en"),
    ("quit", "opt_out", "QUIT", "en"),
    ("STOPALL", "opt_out", "STOPALL", "en"),
    ("revoke", "opt_out", "REVOKE", "en"),
    ("optout", "opt_out", "OPTOUT", "en"),
    ("Opt-out", "opt_out", "OPT OUT", "en"),
    ("opt out", "opt_out", "OPT OUT", "en"),
    ("START", "opt_in", "START", "en"),
    ("unstop", "opt_in", "UNSTOP", "en"),
    ("Yes", "yes", "YES", "en"),
    ("yes!", "yes", "YES", "en"),
    ("HELP", "help", "HELP", "en"),
    ("info?", "help", "INFO", "en"),
    ("ALTO", "opt_out", "ALTO", "es"),
    ("Alto!", "opt_out", "ALTO", "es"),
    ("¡alto!", "opt_out", "ALTO", "es"),
    ("parar", "opt_out", "PARAR", "es"),
    ("Baja", "opt_out", "BAJA", "es"),
    ("ayuda", "help", "AYUDA", "es"),
    ("arrêt", "opt_out", "ARRET", "fr"),
    ("ARRÊT", "opt_out", "ARRET", "fr"),
    ("Arrete", "opt_out", "ARRETE", "fr"),
    ("aide", "help", "AIDE", "fr"),
    ("sair", "opt_out", "SAIR", "pt"),
    ("Sair.", "opt_out", "SAIR", "pt"),
    ("ajuda", "help", "AJUDA", "pt"),
    ("Sispann", "opt_out", "SISPANN", "ht"),
    ("dừng", "opt_out", "DỪNG", "vi"),
    ("Dừng lại!", "opt_out", "DỪNG LẠI", "vi"),
    ("giúp", "help", "GIÚP", "vi"),
    ("توقف", "opt_out", "توقف", "ar"),
    ("ايقاف", "opt_out", "إيقاف", "ar"),  # typed without the hamza
    ("مساعدة؟", "help", "مساعدة", "ar"),
    ("退订", "opt_out", "退订", "zh"),
    ("退訂。", "opt_out", "退訂", "zh"),
    ("TD", "opt_out", "TD", "zh"),
    ("帮助", "help", "帮助", "zh"),
    ("JOOJI", "opt_out", "JOOJI", "so"),
    ("caawimaad", "help", "CAAWIMAAD", "so"),
])
def test_a_text_that_is_exactly_a_keyword_matches_its_class(text: str, kind: str, keyword: str,
                                                           language: str) -> None:
    match = match_keyword(text)
    assert match is not None
    assert (match.kind, match.keyword, match.language) == (kind, keyword, language)


@pytest.mark.parametrize("text", [
    "the bus did not stop",
    "I can't stop worrying",
    "Can't stop worrying",
    "stop please",  # Twilio counts only the exact keyword; the phrase list flags it
    "Please cancel the meeting",
    "end of the day",
    "alto riesgo",
    "quiero salir temprano",
    "STOP ALL",
    "s t o p",
    "no",
    "si",
    "sí",
    "fin",
    "oui",
    "Dung",  # DỪNG without diacritics is also the name Dũng
    "Dũng",
    "Huy",
    "",
    "   ",
    "👍",
])
def test_ordinary_texts_are_not_keywords(text: str) -> None:
    assert match_keyword(text) is None


def test_a_keyword_match_explains_itself() -> None:
    match = match_keyword("Alto")
    assert match is not None
    assert match.reason == "exactly the Spanish opt-out keyword 'ALTO'"


@pytest.mark.parametrize(("text", "language"), [
    ("Please stop texting me", "en"),
    ("Remove me from the list", "en"),
    ("stop please", "en"),
    ("No más mensajes por favor", "es"),
    ("no me manden mas mensajes", "es"),
    ("Ya no quiero recibir estos mensajes", "es"),
    ("Não quero mais mensagens", "pt"),
    ("parem de mandar mensagem", "pt"),
    ("Tanpri pa voye m mesaj ankò", "ht"),
    ("Không nhắn tin nữa", "vi"),
    ("khong nhan tin nua", "vi"),
    ("不要再发短信给我", "zh"),
    ("請不要再發短信", "zh"),
    ("لا أريد رسائل بعد الآن", "ar"),
    ("Fadlan ha ii soo dirin fariimo", "so"),
    ("Retirez-moi de la liste svp", "fr"),
])
def test_plain_language_opt_out_phrases_are_found(text: str, language: str) -> None:
    match = find_opt_out_phrase(text)
    assert match is not None and match.language == language
    assert "possible opt-out" in match.reason


@pytest.mark.parametrize("text", [
    "the bus did not stop",
    "I can't stop worrying",
    "Please cancel the meeting",
    "end of the day",
    "Can you remove meat from his lunch?",
    "alto riesgo",
    "quiero salir temprano",
    "¿Hay clases mañana?",
    "Mwen pa ka vini jodi a",
    "Con tôi bị ốm hôm nay",
    "我的孩子今天生病了",
    "Mon fils est malade",
])
def test_ordinary_sentences_are_not_flagged(text: str) -> None:
    assert find_opt_out_phrase(text) is None


def write_toml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "keywords.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "message"), [
    ('[en]\nsource = "x"\nopt_out = ["STOP"]\n[es]\nsource = "y"\nhelp = ["stop"]\n',
     "'stop' is help in \\[es\\] but 'STOP' is opt_out in \\[en\\]"),
    ('[es]\nsource = "x"\nopt_out = ["ALTO", "alto!"]\n', "lists 'alto!' twice"),
    ('[es]\nopt_out = ["ALTO"]\n', "'source' must say where the words came from"),
    ('[es]\nsource = "x"\nopt_out = ["ALTO", ""]\n', "\\[es\\] opt_out: '' is not a word"),
    ('[es]\nsource = "x"\nopt_out = "ALTO"\n', "must be a list"),
    ('[es]\nsource = "x"\nstop = ["ALTO"]\n', "unknown keys \\['stop'\\]"),
    ('[xx]\nsource = "x"\n', "unknown language tag 'xx'"),
    ('[pt_BR]\nsource = "x"\n', "write the tag as 'pt-BR'"),
    ('[es]\nsource = "x"\npossible_opt_out = ["no más"]\n', "'phrases_source'"),
])
def test_bad_keyword_data_is_rejected_with_a_clear_error(tmp_path: Path, body: str,
                                                          message: str) -> None:
    with pytest.raises(KeywordDataError, match=message):
        load_keywords(write_toml(tmp_path, body))


def test_the_shipped_keyword_table_loads() -> None:
    tables = load_keywords()
    assert tables.by_form["stop"].kind == "opt_out"
    assert "dung" not in tables.by_form
