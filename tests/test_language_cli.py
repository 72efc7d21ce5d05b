"""`flask --app bot language detect` and `keywords match`: an operator sees why, as JSON."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskCliRunner


@pytest.fixture
def cli(runner: FlaskCliRunner) -> FlaskCliRunner:
    """The app's CLI runner: bot/cli.py registers the language and keywords groups."""
    return runner


def run_json(cli: FlaskCliRunner, args: list[str], stdin: str | None = None) -> list[dict]:
    result = cli.invoke(args=args, input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


@pytest.mark.parametrize(("text", "language"), [
    ("Chào cô, hôm nay con tôi bị sốt nên không đi học được", "vi"),
    ("Hola, mi hijo está enfermo hoy y no va a ir a la escuela", "es"),
])
def test_detect_prints_the_language_its_confidence_and_certainty(
        cli: FlaskCliRunner, text: str, language: str) -> None:
    [out] = run_json(cli, ["language", "detect", text])
    assert set(out) == {"text", "language", "confidence", "certain", "threshold"}
    assert out["text"] == text  # unescaped: ensure_ascii=False
    assert out["language"] == language and out["certain"] is True
    assert out["confidence"] >= out["threshold"] == 0.8  # the app's detection_threshold


def test_detect_keeps_non_ascii_text_readable(cli: FlaskCliRunner) -> None:
    result = cli.invoke(args=["language", "detect", "谢谢老师"])
    assert "谢谢老师" in result.output and "zh-Hans" in result.output


def test_detect_with_candidates_answers_only_among_them(cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["language", "detect", "ሰላም", "--candidates", "ti, en"])
    assert out["language"] == "ti" and out["certain"] is True
    assert out["candidates"] == ["ti", "en"]


def test_detect_rejects_a_candidate_that_is_not_a_language_tag(cli: FlaskCliRunner) -> None:
    result = cli.invoke(args=["language", "detect", "hola", "--candidates", "es,klingon!"])
    assert result.exit_code == 2 and "--candidates" in result.output


def test_detect_says_so_when_it_does_not_guess(cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["language", "detect", "👍"])
    assert out["language"] is None and out["certain"] is False and out["confidence"] == 0.0


def test_detect_dash_reads_one_text_per_line_and_prints_one_json_line_each(
        cli: FlaskCliRunner) -> None:
    stdin = "Hola, mi hijo está enfermo hoy\n\nCon tôi bị ốm hôm nay\r\n"
    lines = run_json(cli, ["language", "detect", "-"], stdin=stdin)
    assert [out["text"] for out in lines] == ["Hola, mi hijo está enfermo hoy", "",
                                              "Con tôi bị ốm hôm nay"]
    assert [out["language"] for out in lines] == ["es", None, "vi"]


@pytest.mark.parametrize(("text", "kind", "keyword", "language"), [
    ("STOP", "opt-out", "STOP", "en"),
    ("alto", "opt-out", "ALTO", "es"),
    ("Help!", "help", "HELP", "en"),
    ("START", "opt-in", "START", "en"),
    ("YES", "yes", "YES", "en"),
])
def test_match_classifies_carrier_keywords(cli: FlaskCliRunner, text: str, kind: str,
                                           keyword: str, language: str) -> None:
    [out] = run_json(cli, ["keywords", "match", text])
    assert out["class"] == kind and out["keyword"] == keyword and out["language"] == language
    assert f"'{keyword}'" in out["reason"]


def test_a_sentence_that_contains_stop_is_no_keyword(cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "the bus did not stop"])
    assert out["class"] == "none" and out["keyword"] is None
    assert "not a keyword" in out["reason"]
    assert "read only with --pending-check" in out["reason"]


def test_a_possible_opt_out_phrase_is_flagged_in_the_reason_but_not_a_class(
        cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "please stop texting me"])
    assert out["class"] == "none" and out["language"] == "en"
    assert "'stop texting'" in out["reason"] and "flagged, not acted on" in out["reason"]


def test_the_contact_language_is_named_when_the_keyword_is_in_another(
        cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "STOP", "--language", "es"])
    assert out["class"] == "opt-out" and "Spanish" in out["reason"]


def test_a_pending_check_takes_exactly_one_phone_number_as_the_new_number(
        cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "my new number is 617-555-0123",
                           "--pending-check"])
    assert out["class"] == "new-number" and out["number"] == "+16175550123"
    assert "exactly one phone number" in out["reason"]


@pytest.mark.parametrize(("text", "language", "kind"), [
    ("Sí, es mi número, gracias", "es", "confirm"),
    ("YES", "es", "confirm"),
    ("número equivocado", "es", "wrong-number"),
    ("no es mi número", "es", "wrong-number"),
    ("no, mismo número", "es", "none"),
    ("Wi se nimewo mwen", "ht", "confirm"),
    ("ok", None, "confirm"),
])
def test_a_pending_check_reads_confirm_and_wrong_number_answers(
        cli: FlaskCliRunner, text: str, language: str | None, kind: str) -> None:
    args = ["keywords", "match", text, "--pending-check"]
    [out] = run_json(cli, args + (["--language", language] if language else []))
    assert out["class"] == kind, out
    assert out["reason"].startswith("a number check is pending")


def test_the_schools_own_number_is_refused_as_a_new_number(cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "new one: 617-555-0100", "--pending-check"])
    assert out["class"] == "none" and out["reason"].startswith(
        "a number check is pending; refused (school number)")


@pytest.mark.parametrize("text", ["LANGUAGE", "idioma", "Langue!", "lang"])
def test_language_menu_words(cli: FlaskCliRunner, text: str) -> None:
    [out] = run_json(cli, ["keywords", "match", text])
    assert out["class"] == "language-menu"


def test_a_pending_check_with_two_numbers_is_not_a_new_number(cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "call 617-555-0123 or my husband 857-555-0199",
                           "--pending-check"])
    assert out["class"] == "none" and "number" not in out
    assert "2 different phone numbers" in out["reason"]
    assert "+16175550123" in out["reason"] and "+18575550199" in out["reason"]


def test_the_same_number_written_twice_is_one_number(cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "(617) 555-0123, I mean 617.555.0123",
                           "--pending-check"])
    assert out["class"] == "new-number" and out["number"] == "+16175550123"


def test_without_a_pending_check_a_number_is_not_a_new_number(cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "my new number is 617-555-0123"])
    assert out["class"] == "none" and "--pending-check" in out["reason"]


def test_numbers_are_read_in_the_given_region(cli: FlaskCliRunner) -> None:
    [out] = run_json(cli, ["keywords", "match", "mon numéro: 06 12 34 56 78",
                           "--pending-check", "--region", "fr"])
    assert out["class"] == "new-number" and out["number"] == "+33612345678"


def test_match_dash_reads_one_text_per_line(cli: FlaskCliRunner) -> None:
    lines = run_json(cli, ["keywords", "match", "-", "--pending-check"],
                     stdin="STOP\nthanks\nnew number 617-555-0123\n")
    assert [out["class"] for out in lines] == ["opt-out", "none", "new-number"]
