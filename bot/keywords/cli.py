"""`flask --app bot keywords match TEXT`: show which keyword class a text falls in, and why."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import click
import phonenumbers

from bot.keywords.match import find_opt_out_phrase, match_keyword
from bot.languages import english_name, normalize_tag

# Keyword kinds (match.Kind) as the operator-facing class names.
_CLASSES = {"opt_out": "opt-out", "opt_in": "opt-in", "help": "help", "yes": "yes"}
# Classes the issue defines that bot/keywords cannot recognise yet; "none" says so.
NOT_YET = ("confirm", "wrong-number", "language-menu")


@click.group("keywords", help="Carrier keywords and opt-out phrases, explained.")
def keywords_cli() -> None:
    pass


@keywords_cli.command("match", help="Print, as JSON, the keyword class of TEXT and why. "
                                    "With TEXT '-', read one text per line from stdin and "
                                    "print one JSON line each.")
@click.argument("text")
@click.option("--language", metavar="TAG", help="The contact's language, e.g. es.")
@click.option("--pending-check", is_flag=True,
              help="The family was asked to confirm their number: a text with exactly one "
                   "phone number in it is a new number.")
@click.option("--region", default="US", show_default=True,
              help="Country for reading national phone numbers (ISO 3166, e.g. US).")
def match_command(text: str, language: str | None, pending_check: bool, region: str) -> None:
    if language is not None:
        try:
            language = normalize_tag(language)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--language") from None
    region = region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise click.BadParameter(f"unknown region {region!r}", param_hint="--region")
    for one in each_text(text):
        result = explain_match(one, language=language, pending_check=pending_check,
                               region=region)
        click.echo(json.dumps(result, ensure_ascii=False))


def explain_match(text: str, *, language: str | None = None, pending_check: bool = False,
                  region: str = "US") -> dict[str, object]:
    """Classify text as the inbound flow would, with the reason, as a JSON-ready dict."""
    out: dict[str, object] = {"text": text, "class": "none", "keyword": None, "language": None}
    match = match_keyword(text)
    if match is not None:
        reason = match.reason
        if language is not None and match.language != language:
            reason += (f"; every language's keywords apply, whatever the contact's "
                       f"({english_name(language)})")
        out.update({"class": _CLASSES[match.kind], "keyword": match.keyword,
                    "language": match.language, "reason": reason})
        return out

    reasons = []
    phrase = find_opt_out_phrase(text)
    if phrase is not None:
        out["language"] = phrase.language
        reasons.append(f"flagged, not acted on: {phrase.reason}")
    numbers = find_phone_numbers(text, region)
    if pending_check and len(numbers) == 1:
        out.update({"class": "new-number", "number": numbers[0]})
        reasons.insert(0, f"a number check is pending and the text holds exactly one phone "
                          f"number, read as {numbers[0]} (region {region})")
        out["reason"] = "; ".join(reasons)
        return out

    reasons.insert(0, "not a keyword: the whole text is none of the opt-out, opt-in, help or "
                      "yes keywords")
    if pending_check and numbers:
        reasons.append(f"not a new number: the text holds {len(numbers)} different phone "
                       f"numbers ({', '.join(numbers)}) and only one can be taken")
    elif pending_check:
        reasons.append(f"not a new number: no phone number found (region {region})")
    elif numbers:
        reasons.append("holds a phone number, but new-number is checked only with "
                       "--pending-check")
    reasons.append(f"not available yet: {', '.join(NOT_YET)}")
    out["reason"] = "; ".join(reasons)
    return out


def find_phone_numbers(text: str, region: str) -> list[str]:
    """Return the distinct valid phone numbers in text, as E.164, in order of appearance."""
    found: list[str] = []
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in found:
            found.append(e164)  # "(617) 555-0123, I mean 617.555.0123" is one number
    return found


def each_text(text: str) -> Iterator[str]:
    """Yield TEXT, or with '-' every line of stdin (blank ones too, so lines stay aligned)."""
    if text != "-":
        yield text
        return
    for line in sys.stdin:
        yield line.rstrip("\r\n")
