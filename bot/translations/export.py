"""A catalog with its reviews applied, as a .po file to fold back into translations/."""

from __future__ import annotations

import io

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import catalog_file, read_catalog
from bot.models import TranslationReview
from bot.translations.strings import family_strings, template

WIDTH = 76  # pybabel's line width, so an export diffs cleanly against the repository's file


def export_catalog(session: Session, tag: str) -> bytes:
    """Return tag's .po with every review applied: the reviewed text, without `fuzzy`."""
    catalog = read_catalog(tag)
    reviews = session.scalars(select(TranslationReview)
                              .where(TranslationReview.language == tag)
                              .order_by(TranslationReview.id))
    for review in reviews:
        apply_review(catalog, review)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, include_previous=True)
    return _with_header_of(catalog_file(tag).read_bytes(), buffer.getvalue())


def apply_review(catalog: Catalog, review: TranslationReview) -> None:
    """Write a review into its catalog entry (added from the template if it is missing)."""
    message = catalog.get(review.msgid)
    if message is None:
        if not any((s.msgid, s.plural) == (review.msgid, review.msgid_plural)
                   for s in family_strings()):
            return  # a review of a text bot/texts.py no longer has
        source = template().get(review.msgid)
        message = catalog.add(
            review.msgid if review.msgid_plural is None else (review.msgid, review.msgid_plural),
            locations=source.locations if source else (),
            flags=source.flags if source else ("python-brace-format",),
            auto_comments=source.auto_comments if source else ())
    english_plural = message.id[1] if isinstance(message.id, tuple) else None
    if english_plural != review.msgid_plural:
        return  # reviewed for another English plural: the draft stays as it is
    message.string = tuple(review.strings) if review.msgid_plural else review.strings[0]
    message.flags.discard("fuzzy")
    message.previous_id = []  # what changed since a draft is moot once a person reviewed it


def _with_header_of(source: bytes, written: bytes) -> bytes:
    """Keep the repository file's header entry as it is.

    Babel drops the header's empty comment lines, and the Plural-Forms line of a locale it
    has no data for (hmn, ksw; translations/README.md).
    """
    header = source.partition(b"\n\n")[0]
    return header + b"\n\n" + written.partition(b"\n\n")[2]
