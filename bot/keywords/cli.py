"""`flask --app bot keywords match TEXT`: show which keyword class a text falls in, and why."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence

import click
import phonenumbers
from flask import current_app
from flask.cli import with_appcontext

from bot.freshness.answers import school_numbers
from bot.freshness.parse import parse_check_reply
from bot.keywords.match import find_opt_out_phrase, match_keyword
from bot.languages import english_name, normalize_tag

# Keyword kinds (match.Kind) as the operator-facing class names.
_CLASSES = {"opt_out": "opt-out", "opt_in": "opt-in", "help": "help", "yes": "yes",
            "language_menu": "language-menu"}
# What parse_check_reply decides, as the operator-facing class; refusals are "none".
_CHECK_CLASSES = {"confirm": "confirm", "same_number": "confirm",
                  "wrong_number": "wrong-number", "new_number": "new-number"}


@click.group("keywords", help="Carrier keywords and opt-out phrases, explained.")
def keywords_cli() -> None:
    pass


@keywords_cli.command("match", help="Print, as JSON, the keyword class of TEXT and why. "
                                    "With TEXT '-', read one text per line from stdin and "
                                    "print one JSON line each.")
@click.argument("text")
@click.option("--language", metavar="TAG", help="The contact's language, e.g. es.")
@click.option("--pending-check", is_flag=True,
              help="The family was asked to confirm their number: read the text as the "
                   "answer (confirm, wrong number, or a new number), as the bot would.")
@click.option("--region", default="US", show_default=True,
              help="Country for reading national phone numbers (ISO 3166, e.g. US).")
@with_appcontext
def match_command(text: str, language: str | None, pending_check: bool, region: str) -> None:
    if language is not None:
        try:
            language = normalize_tag(language)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--language") from None
    region = region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise click.BadParameter(f"unknown region {region!r}", param_hint="--region")
    with current_app.extensions["puente.db"].sessions() as session:
        numbers = school_numbers(session, current_app.config["PUENTE"])
    for one in each_text(text):
        result = explain_match(one, language=language, pending_check=pending_check,
                               region=region, school_numbers=numbers)
        click.echo(json.dumps(result, ensure_ascii=False))


def explain_match(text: str, *, language: str | None = None, pending_check: bool = False,
                  region: str = "US", school_numbers: Sequence[str] = ()) -> dict[str, object]:
    """Classify text as the inbound flow would, with the reason, as a JSON-ready dict."""
    out: dict[str, object] = {"text": text, "class": "none", "keyword": None, "language": None}
    match = match_keyword(text)
    if match is not None and not (pending_check and match.kind == "yes"):
        reason = match.reason
        if language is not None and match.language != language:
            reason += (f"; every language's keywords apply, whatever the contact's "
                       f"({english_name(language)})")
        out.update({"class": _CLASSES[match.kind], "keyword": match.keyword,
                    "language": match.language, "reason": reason})
        return out
    if pending_check:
        return _explain_check_answer(out, text, language, region, school_numbers)

    reasons = ["not a keyword: the whole text is none of the opt-out, opt-in, help, yes or "
               "language-menu keywords"]
    phrase = find_opt_out_phrase(text)
    if phrase is not None:
        out["language"] = phrase.language
        reasons.append(f"flagged, not acted on: {phrase.reason}")
    if find_phone_numbers(text, region):
        reasons.append("holds a phone number, but a new number is read only with "
                       "--pending-check")
    reasons.append("confirm and wrong-number answers are read only with --pending-check")
    out["reason"] = "; ".join(reasons)
    return out


def _explain_check_answer(out: dict[str, object], text: str, language: str | None,
                          region: str, school_numbers: Sequence[str]) -> dict[str, object]:
    """Read text as the answer to a pending number check, as bot.freshness.answers does."""
    languages = [language] if language else []
    reply = parse_check_reply(text, languages=languages, country=region, current="",
                              school_numbers=school_numbers)
    read_in = ", ".join(english_name(tag) for tag in [*languages, "en"] if tag)
    if reply.outcome in _CHECK_CLASSES:
        out["class"] = _CHECK_CLASSES[reply.outcome]
        if reply.number is not None:
            out["number"] = reply.number
        if match_keyword(text) is not None:  # YES: an opted-out number would opt in instead
            out["keyword"] = text.strip()
            reply_reason = (f"{reply.reason}; from an opted-out number this YES would opt "
                            "in instead")
        else:
            reply_reason = reply.reason
        what = ("a number check is pending and the text holds exactly one phone number"
                if reply.outcome == "new_number" else f"a number check is pending (answers "
                                                      f"read in {read_in})")
        out["reason"] = f"{what}: {reply_reason}"
        return out
    if reply.outcome == "two_numbers":
        found = find_phone_numbers(text, region)
        listed = f" ({', '.join(found)})" if len(found) > 1 else ""
        reason = (f"{len(found) if len(found) > 1 else 'several'} different phone "
                  f"numbers{listed}: the family is asked to send one")
    elif reply.outcome == "none":
        reason = f"not an answer the bot acts on ({reply.reason}): a liaison reads it"
    else:  # a number the school cannot use: answered, nothing changes
        reason = f"refused ({reply.outcome.replace('_', ' ')}): {reply.reason}"
    out["reason"] = f"a number check is pending; {reason}"
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
