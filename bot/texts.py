"""The bot's own family-facing texts; translations live in translations/<locale>/."""

from bot.i18n import N_, N_plural

# These go out as SMS: keep them short. A single letter outside GSM-7 (á, ç, ã, any
# Vietnamese, Chinese or Arabic) makes the whole text UCS-2: 70 characters a segment, not 160.
# TRANSLATORS comments are kept under 70 columns so the .pot shows them unwrapped.

# TRANSLATORS: Automatic reply when a family texts the school and no
# staff member who speaks the family's language is on duty.
# {school} is the school's short name. Say "your language" in general:
# the family may speak another language than the one of this text.
ACK_NOBODY_ON_DUTY = N_(
    "{school} received your message. A staff member who speaks your language will answer "
    "as soon as possible."
)

# TRANSLATORS: Reply to HELP (or INFO, AYUDA, ...). {school} is the
# school's short name, {phone} its phone number. For STOP, write the
# opt-out keyword of your language from bot/keywords/keywords.toml
# (ALTO in Spanish); the English STOP works in every language.
HELP_WITH_PHONE = N_(
    "{school}: this is the school's messaging line. Reply here to reach a staff member, or "
    "call {phone}. Text STOP to stop messages."
)

# TRANSLATORS: Reply to HELP when the school has no phone number:
# the previous text without "or call ...".
HELP = N_(
    "{school}: this is the school's messaging line. Reply here to reach a staff member. "
    "Text STOP to stop messages."
)

# TRANSLATORS: Confirmation after a family texts STOP (ALTO, ARRET, ...).
# Keep START in English: it is the word that lifts the carrier's block.
OPTED_OUT = N_(
    "You will no longer receive messages from {school} at this number. Text START to "
    "receive them again."
)

# TRANSLATORS: Confirmation after a family texts START. For STOP, write
# the opt-out keyword of your language, as in the HELP text.
OPTED_IN = N_("You will receive messages from {school} again. Text STOP to stop.")

# TRANSLATORS: Sent to a new phone number a family gave the school, to
# check that it is theirs. {code} is a short number to send back;
# {minutes} is how long the code stays valid.
VERIFY_CODE = N_plural(
    "{school}: your code is {code}. It expires in {minutes} minute.",
    "{school}: your code is {code}. It expires in {minutes} minutes.",
)
