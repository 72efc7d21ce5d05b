"""Which language variant a family gets, and a variant's text as a family would read it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.broadcasts.audience import Recipient
from bot.broadcasts.service import variables_for
from bot.broadcasts.templates import TemplateError, render
from bot.models import Broadcast, BroadcastVariant


def choose_variant(broadcast: Broadcast, recipient: Recipient) -> BroadcastVariant | None:
    """The approved variant for this family, following the broadcast's missing policy."""
    approved = {v.language: v for v in broadcast.variants if v.approved and v.text.strip()}
    own = [lang for lang in recipient.languages if lang != "en"] or ["en"]
    for language in own:  # their language, or its declared fallback (Mixtec → Spanish)
        if language in approved:
            return approved[language]
    if broadcast.missing_policy == "fallback":
        return approved.get("en") or approved.get(broadcast.source_language)
    if broadcast.missing_policy == "original":
        return approved.get(broadcast.source_language)
    return None  # hold until a liaison approves that language


def with_variant_text(template: Any, language: str, text: str) -> Any:
    """The template with one language's text replaced (a liaison's edit)."""
    variants = dict(template.variants)
    if language in variants:
        variants[language] = replace(variants[language], text=text)
    else:
        variants[language] = replace(next(iter(variants.values())), text=text, reviewed_by="")
    return replace(template, variants=variants)


def sample_text(broadcast: Broadcast, variant: BroadcastVariant, template: object) -> str:
    """The variant as a family with two students (Ana and Luis) would get it."""
    if template is None:
        return variant.text
    values = {**variables_for(template, broadcast.variables),  # type: ignore[arg-type]
              "students": ["Ana", "Luis"]}
    try:
        return render(with_variant_text(template, variant.language, variant.text), variant.language,
                      values).text
    except (TemplateError, ValueError, KeyError, IndexError) as exc:
        # A liaison's edit with a broken placeholder: show why instead of failing the page.
        return f"[cannot render this text: {exc}]"
