"""`flask --app bot language detect TEXT`: show what the detector makes of a text, and why."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import click
from flask.cli import with_appcontext

from bot.cli import settings
from bot.language.detect import detect_language
from bot.languages import normalize_tag


@click.group("language", help="Language detection, explained.")
def language_cli() -> None:
    pass


@language_cli.command("detect", help="Print, as JSON, the language detected in TEXT, its "
                                     "confidence and whether it counts as certain. With TEXT "
                                     "'-', read one text per line from stdin and print one "
                                     "JSON line each.")
@click.argument("text")
@click.option("--candidates", metavar="TAG,TAG",
              help="Answer only one of these languages (a household's), e.g. es,pt.")
@with_appcontext
def detect_command(text: str, candidates: str | None) -> None:
    threshold = settings().languages.detection_threshold  # the one the bot acts on
    allowed = parse_candidates(candidates)
    for one in each_text(text):
        click.echo(json.dumps(explain_detection(one, allowed, threshold), ensure_ascii=False))


def explain_detection(text: str, candidates: list[str] | None,
                      threshold: float) -> dict[str, object]:
    """Return what detect_language answers for text, as a JSON-ready dict."""
    detection = detect_language(text, candidates, threshold=threshold)
    out: dict[str, object] = {
        "text": text, "language": detection.language, "confidence": detection.confidence,
        "certain": detection.certain, "threshold": threshold,
    }
    if candidates:
        out["candidates"] = candidates
    return out


def parse_candidates(raw: str | None) -> list[str] | None:
    """Split "es, pt-br" into canonical tags; reject a tag that is not one."""
    if not raw:
        return None
    try:
        return [normalize_tag(tag) for tag in raw.split(",") if tag.strip()] or None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--candidates") from None


def each_text(text: str) -> Iterator[str]:
    """Yield TEXT, or with '-' every line of stdin (blank ones too, so lines stay aligned)."""
    if text != "-":
        yield text
        return
    for line in sys.stdin:
        yield line.rstrip("\r\n")
