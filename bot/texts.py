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

# --- Number checks (bot/freshness/) ---------------------------------

# TRANSLATORS: Sent every few months to check that the school still has
# the right number. {students} is the students' first names ("Ana and
# Luis"). {yes} and {wrong} are this language's reply words from
# bot/keywords/keywords.toml, filled in by the program: keep them as
# they are. The family may also answer with a new phone number.
CHECK_NUMBER = N_(
    "{school}: is this still the right number for the family of {students}? Reply {yes} "
    "to confirm, or send the new number. Not this family? Reply {wrong}."
)

# TRANSLATORS: Answer to {yes} after the number check: the number is
# confirmed and nothing else changes.
NUMBER_CONFIRMED = N_("Thank you! {school} will keep using this number.")

# TRANSLATORS: Answer to "not my family" after the number check. The
# school will stop texting this number about that family.
WRONG_PERSON = N_("Thank you for telling us. {school} will not text this number about this "
                  "family again.")

# TRANSLATORS: Answer on the old phone after the family sent a new
# number. {phone} is the new number. The code is sent to the new phone,
# and must be sent back from it; {hours} is how long that is possible.
CODE_SENT = N_plural(
    "{school}: we sent a code to {phone}. Send it back from that phone within {hours} hour "
    "to receive our messages there.",
    "{school}: we sent a code to {phone}. Send it back from that phone within {hours} hours "
    "to receive our messages there.",
)

# TRANSLATORS: Sent to a new phone number a family gave the school, to
# check that it is theirs. {code} is six digits to send back from this
# phone; {hours} is how long the code stays valid.
VERIFY_CODE = N_plural(
    "{school}: to receive the school's messages at this number, reply {code}. The code "
    "expires in {hours} hour.",
    "{school}: to receive the school's messages at this number, reply {code}. The code "
    "expires in {hours} hours.",
)

# TRANSLATORS: Sent to the new phone after it sent back the right code:
# from now on the school texts this number.
NUMBER_CHANGED = N_("Thank you! {school} will now send its messages to this number.")

# TRANSLATORS: The new phone sent a wrong code. {attempts} is how many
# tries are left.
WRONG_CODE = N_plural(
    "That code is not right. You can try {attempts} more time.",
    "That code is not right. You can try {attempts} more times.",
)

# TRANSLATORS: The new phone sent too many wrong codes: nothing changed.
# {phone} is the school's phone number.
TOO_MANY_ATTEMPTS = N_("Too many wrong codes: the number was not changed. Please call "
                       "{school} at {phone}.")

# TRANSLATORS: The code was sent back after it expired: nothing changed.
CODE_EXPIRED = N_("This code has expired and the number was not changed. Send the new "
                  "number again from your old phone, or call {school}.")

# TRANSLATORS: The right code was sent, but from another phone than the
# new number ({phone}): it must come from the new phone.
CODE_FROM_WRONG_PHONE = N_("Please send this code from the new phone, {phone}, not from "
                           "this one.")

# TRANSLATORS: The family's answer to the number check held two or more
# phone numbers: we do not guess which one is new.
TWO_NUMBERS = N_("Your message has more than one phone number. Please send only the new "
                 "number.")

# TRANSLATORS: The family sent something that looks like a phone number
# but is not one ({phone} is what they wrote).
NOT_A_NUMBER = N_("{phone} is not a phone number we can use. Please check it and send it "
                  "again.")

# TRANSLATORS: The family sent a number from another country. {country}
# is the school's country, already in this language ("United States").
FOREIGN_NUMBER = N_("{school} can only text numbers in {country}. Please send a number "
                    "from {country}.")

# TRANSLATORS: The new number is a landline or cannot receive texts.
NOT_MOBILE = N_("{phone} cannot receive text messages. Please send a mobile number.")

# TRANSLATORS: The family sent the school's own number as their new one.
SCHOOL_NUMBER = N_("That is the school's number. Please send your own new number.")

# TRANSLATORS: The same number the school already uses was sent as new.
SAME_NUMBER = N_("{school} already uses this number. Thank you!")

# --- Language menu ---------------------------------------------------

# TRANSLATORS: First line of the language menu, sent when a family texts
# LANGUAGE (IDIOMA, LANGUE, ...). The program adds one line per language
# after it, each written in that language ("1 English", "2 Español").
LANGUAGE_MENU = N_("Reply with the number of your language:")

# TRANSLATORS: Sent after a family chose a language from the menu, in
# the chosen language. {language} is its name, written in itself.
LANGUAGE_CHANGED = N_("{school} will write to you in {language} from now on.")
