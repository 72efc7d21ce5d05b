"""What staff see before sending: the audience's languages, each variant's segments and
encoding, the estimated cost and how long sending will take, with warnings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from bot.broadcasts.audience import select_recipients
from bot.broadcasts.segments import PROVIDER_QUEUE_LIMIT, SegmentInfo, count_segments, sending_time
from bot.broadcasts.templates import load_templates
from bot.broadcasts.variants import choose_variant, sample_text
from bot.config import Config
from bot.languages import english_name
from bot.models import Broadcast, BroadcastVariant

MANY_SEGMENTS = 3


@dataclass(frozen=True)
class LanguageRow:
    language: str
    name: str
    recipients: int
    variant: BroadcastVariant | None
    sample: str  # the text a family of this language gets (sample students for templates)
    segments: SegmentInfo | None
    sent_as: str | None  # the language actually sent, when the policy falls back


@dataclass
class Preview:
    recipients: int = 0
    rows: list[LanguageRow] = field(default_factory=list)
    total_segments: int = 0
    cost: Decimal = Decimal(0)
    duration: timedelta = timedelta(0)
    warnings: list[str] = field(default_factory=list)


def preview_broadcast(session: Session, broadcast: Broadcast, config: Config) -> Preview:
    """Count the audience by language and price what each language's text costs."""
    template = load_templates().get(broadcast.template_name) if broadcast.template_name else None
    recipients = select_recipients(
        session, broadcast.audience,
        whatsapp_languages=template.whatsapp_languages if template else ())
    by_language = Counter(r.languages[0] for r in recipients)
    first = {r.languages[0]: r for r in reversed(recipients)}
    preview = Preview(recipients=len(recipients))
    languages = sorted(set(by_language) | {v.language for v in broadcast.variants},
                       key=lambda lang: (-by_language[lang], lang))
    for language in languages:
        sample_recipient = first.get(language)
        chosen = choose_variant(broadcast, sample_recipient) if sample_recipient else None
        variant = broadcast.variant(language)
        shown = chosen or variant
        text = sample_text(broadcast, shown, template) if shown and shown.text else ""
        info = count_segments(text) if text else None
        preview.rows.append(LanguageRow(
            language=language, name=english_name(language), recipients=by_language[language],
            variant=variant, sample=text, segments=info,
            sent_as=chosen.language if chosen and chosen.language != language else None))
        if info and chosen:
            preview.total_segments += info.segments * by_language[language]
        if info and info.segments > MANY_SEGMENTS:
            preview.warnings.append(
                f"{english_name(language)}: {info.segments} segments per message — consider "
                f"shortening it (each family pays attention to the first screen, and the school "
                f"pays per segment).")
        if by_language[language] and chosen is None:
            preview.warnings.append(
                f"{english_name(language)}: no approved text yet — {by_language[language]} "
                f"famil{'y' if by_language[language] == 1 else 'ies'} will be "
                + ("held until a liaison approves it." if broadcast.missing_policy == "hold"
                   else "sent the fallback text."))
    price = Decimal(str(config.sending.price_per_segment))
    preview.cost = (price * preview.total_segments).quantize(Decimal("0.01"))
    preview.duration = sending_time(preview.total_segments, config.sending.segments_per_second)
    if preview.duration > PROVIDER_QUEUE_LIMIT:
        preview.warnings.append(
            f"Sending takes about {_hours(preview.duration)} at "
            f"{config.sending.segments_per_second:g} segment(s) per second per number: longer "
            f"than the provider's 10-hour queue. Use a messaging service with more numbers or a "
            f"short code, or split the audience.")
    elif not broadcast.urgent and preview.duration > timedelta(hours=12):
        preview.warnings.append(
            f"Sending takes about {_hours(preview.duration)}: longer than the families' "
            f"sending hours, so some messages will wait until the next day.")
    return preview


#END


def _hours(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
