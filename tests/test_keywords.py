"""Carrier keywords match only a whole text; opt-out phrases are found for a liaison."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.keywords import KeywordDataError, find_opt_out_phrase, load_keywords, match_keyword
from bot.keywords.match import KINDS, read_keyword_file
from bot.keywords.replies import match_check_answer, prompt_words
from bot.languages import speaks

# Every language issue #5 asks for, as contacts are tagged: Dari households as prs, prs-AF or
# fa-AF, Tagalog ones as tl or fil, Chinese ones in either script.
SERVED = ["en", "es", "ht", "pt-BR", "kea", "vi", "zh-Hans", "zh-Hant", "zh-TW", "ar", "so",
          "fr", "ru", "uk", "prs", "prs-AF", "fa-AF", "ps", "ne", "sw", "rw", "ti", "am", "my",
          "ksw", "ko", "tl", "fil", "hmn"]
REQUIRED = ("opt_out", "help", "language_menu", "confirm", "wrong_number")
# Kinds a table leaves out, with the words its source uses to say why.
OMITTED = {
    ("ht", "help"): "no help word",  # ÈD is also the name Ed
    ("ksw", "help"): "no help word",  # none trusted yet
}


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
    # Language menu and opt-in words of the first nine tables
    ("LANGUAGE", "language_menu", "LANGUAGE", "en"),
    ("Languages?", "language_menu", "LANGUAGES", "en"),
    ("idioma", "language_menu", "IDIOMA", "es"),
    ("Língua", "language_menu", "LÍNGUA", "pt"),
    ("langaj", "language_menu", "LANGAJ", "ht"),
    ("Ngôn ngữ", "language_menu", "NGÔN NGỮ", "vi"),
    ("اللغة", "language_menu", "اللغة", "ar"),
    ("语言", "language_menu", "语言", "zh"),
    ("語言？", "language_menu", "語言", "zh"),
    ("Luqadda", "language_menu", "LUQADDA", "so"),
    ("langue", "language_menu", "LANGUE", "fr"),
    ("Iniciar", "opt_in", "INICIAR", "es"),
    ("ALTA", "opt_in", "ALTA", "es"),
    ("Kòmanse", "opt_in", "KÒMANSE", "ht"),
    ("bắt đầu", "opt_in", "BẮT ĐẦU", "vi"),
    ("اشتراك", "opt_in", "اشتراك", "ar"),
    ("訂閱", "opt_in", "訂閱", "zh"),
    ("重新订阅", "opt_in", "重新订阅", "zh"),
    ("bilow", "opt_in", "BILOW", "so"),
    ("Commencer", "opt_in", "COMMENCER", "fr"),
    # Traditional Chinese forms
    ("取消訂閱", "opt_out", "取消訂閱", "zh"),
    ("幫助", "help", "幫助", "zh"),
    # Cape Verdean Creole, both spellings
    ("Para mensajen", "opt_out", "PARA MENSAJEN", "kea"),
    ("para mensagem.", "opt_out", "PARA MENSAGEM", "kea"),
    ("djuda", "help", "DJUDA", "kea"),
    # Russian and Ukrainian (СТОП is listed in both; the first table names it)
    ("СТОП", "opt_out", "СТОП", "ru"),
    ("стоп!", "opt_out", "СТОП", "ru"),
    ("Отписаться", "opt_out", "ОТПИСАТЬСЯ", "ru"),
    ("старт", "opt_in", "СТАРТ", "ru"),
    ("Помощь", "help", "ПОМОЩЬ", "ru"),
    ("язык", "language_menu", "ЯЗЫК", "ru"),
    ("Відписатися", "opt_out", "ВІДПИСАТИСЯ", "uk"),
    ("підписатися", "opt_in", "ПІДПИСАТИСЯ", "uk"),
    ("допомога", "help", "ДОПОМОГА", "uk"),
    ("Мова", "language_menu", "МОВА", "uk"),
    # Dari and Pashto, with Arabic-keyboard letters
    ("لغو اشتراک", "opt_out", "لغو اشتراک", "prs"),
    ("کمک", "help", "کمک", "prs"),
    ("كمك؟", "help", "كمك", "prs"),
    ("زبان", "language_menu", "زبان", "prs"),
    ("شروع", "opt_in", "شروع", "prs"),
    ("بند کړئ", "opt_out", "بند کړئ", "ps"),
    ("مرسته", "help", "مرسته", "ps"),
    ("ژبه", "language_menu", "ژبه", "ps"),
    # Nepali, Burmese and S'gaw Karen keep their vowel signs
    ("रोक", "opt_out", "रोक", "ne"),
    ("रोक्नुहोस्।", "opt_out", "रोक्नुहोस्", "ne"),
    ("मद्दत", "help", "मद्दत", "ne"),
    ("भाषा", "language_menu", "भाषा", "ne"),
    ("सुरु", "opt_in", "सुरु", "ne"),
    ("ရပ်", "opt_out", "ရပ်", "my"),
    ("ရပ်ပါ။", "opt_out", "ရပ်ပါ", "my"),
    ("အကူအညီ", "help", "အကူအညီ", "my"),
    ("ဘာသာစကား", "language_menu", "ဘာသာစကား", "my"),
    ("ဆိကတီၢ်", "opt_out", "ဆိကတီၢ်", "ksw"),
    ("ကျိာ်", "language_menu", "ကျိာ်", "ksw"),
    # Swahili, Kinyarwanda, Tagalog, Hmong
    ("Sitisha", "opt_out", "SITISHA", "sw"),
    ("msaada", "help", "MSAADA", "sw"),
    ("LUGHA", "language_menu", "LUGHA", "sw"),
    ("anza", "opt_in", "ANZA", "sw"),
    ("Hagarika", "opt_out", "HAGARIKA", "rw"),
    ("ubufasha", "help", "UBUFASHA", "rw"),
    ("ururimi", "language_menu", "URURIMI", "rw"),
    ("tangira", "opt_in", "TANGIRA", "rw"),
    ("Tigil", "opt_out", "TIGIL", "tl"),
    ("ITIGIL!", "opt_out", "ITIGIL", "tl"),
    ("tulong", "help", "TULONG", "tl"),
    ("wika", "language_menu", "WIKA", "tl"),
    ("simulan", "opt_in", "SIMULAN", "tl"),
    ("Nres", "opt_out", "NRES", "hmn"),
    ("pab", "help", "PAB", "hmn"),
    ("Hom lus", "language_menu", "HOM LUS", "hmn"),
    ("pib", "opt_in", "PIB", "hmn"),
    # Tigrinya and Amharic (ቋንቋ, "language", is listed in both)
    ("ደው በል", "opt_out", "ደው በል", "ti"),
    ("ሓገዝ", "help", "ሓገዝ", "ti"),
    ("ቋንቋ", "language_menu", "ቋንቋ", "ti"),
    ("አቁም", "opt_out", "አቁም", "am"),
    ("እርዳታ", "help", "እርዳታ", "am"),
    # Korean, with and without the space
    ("수신거부", "opt_out", "수신거부", "ko"),
    ("수신 거부", "opt_out", "수신 거부", "ko"),
    ("수신동의", "opt_in", "수신동의", "ko"),
    ("도움말", "help", "도움말", "ko"),
    ("언어", "language_menu", "언어", "ko"),
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
    # Words left out on purpose, and answers that are not keywords
    "para",  # Spanish and Portuguese "for"
    "sin",
    "हजुर",
    "सर",  # "sir": सुरु ("start") without its vowel signs
    "बन्द",  # "closed": is school closed?
    "ရုပ်",  # "image": ရပ် ("stop") with another vowel sign
    "أبداً",  # "never", ابدأ ("start") without its hamza
    "بس",
    "لغو",
    "справка",  # a doctor's note
    "хватит",
    "그만",
    "시작",
    "开始",
    "開始",
    "取消",
    "acha",
    "tau",
    "da",
    "так",
    "네",
    "oo",
    "yog",
    "tsis yog",
    "hindi",
])
def test_ordinary_texts_are_not_keywords(text: str) -> None:
    assert match_keyword(text) is None


@pytest.mark.parametrize("text", [
    "не могу остановиться",
    "Стоп, я перепутала день собрания",
    "Нужна помощь с регистрацией в школу",
    "Стоп, я помилилася з датою",
    "Потрібна допомога з домашнім завданням",
    "수신거부 어떻게 하나요?",
    "도움이 필요해요",
    "언어 수업은 언제예요?",
    "Huwag mo akong ihinto sa pag-aaral ng Ingles",
    "Hindi tumigil ang bus sa kanto namin kanina",
    "Kailangan ko po ng tulong sa enrollment form",
    "Naomba msaada wa kujaza fomu",
    "Mwanangu anahitaji msaada wa hesabu",
    "Lub tsheb npav tsis nres ntawm peb lub tsev",
    "Kuv xav tau kev pab sau daim ntawv",
    "موتر مکتب امروز توقف نکرد",
    "برای ثبت نام کمک میخواهم",
    "ښوونځی سبا بند دی؟",
    "له فورمې سره مرسته وکړئ",
    "बच्चालाई गृहकार्यमा मद्दत चाहिन्छ",
    "बस किन रोकिएन?",
    "ကျောင်းကား ဒီနေ့ မရပ်ဘူး",
    "ልጄ በቤት ስራ እርዳታ ይፈልጋል",
    "ውላደይ ናይ ገዛ ዕዮ ሓገዝ የድልዮ",
    "Kuzé ki N debe fazi pa para mensajen?",
    "Umwana wanjye akeneye ubufasha mu mukoro",
    "أحتاج مساعدة في التسجيل",
    "請幫助我的孩子",
    "學校的語言課幾點開始？",
])
def test_a_sentence_merely_containing_a_keyword_is_not_one(text: str) -> None:
    assert match_keyword(text) is None


@pytest.mark.parametrize("language", SERVED)
def test_every_language_served_has_each_kind_of_word(language: str) -> None:
    tables = read_keyword_file()
    [tag] = [tag for tag in tables if speaks([language], tag)]  # one table per language
    missing = {kind for kind in REQUIRED if not tables[tag].get(kind)}
    assert missing == {kind for table, kind in OMITTED if table == tag}


@pytest.mark.parametrize(("tag", "kind"), list(OMITTED))
def test_a_kind_left_out_is_explained_in_the_source(tag: str, kind: str) -> None:
    table = read_keyword_file()[tag]
    assert kind not in table
    assert OMITTED[tag, kind] in table["source"].casefold()


def test_a_language_without_opt_in_words_says_why() -> None:
    for tag, table in read_keyword_file().items():
        if "opt_in" not in table:
            assert "no opt_in word" in table["source"].casefold(), tag


def test_no_number_check_answer_is_a_carrier_keyword() -> None:
    # Carrier keywords are read first: a reply of exactly such a word would opt out instead.
    for tag, table in read_keyword_file().items():
        for word in [*table.get("confirm", []), *table.get("wrong_number", [])]:
            match = match_keyword(word)
            assert match is None or match.kind == "yes", (tag, word, match)


@pytest.mark.parametrize("language", ["prs", "prs-AF", "fa-AF", "fa"])
def test_dari_and_persian_contacts_read_the_dari_table(language: str) -> None:
    assert prompt_words([language]) == ("بلی", "نه")
    answer = match_check_answer("بلی، همین شماره", [language])
    assert (answer.kind, answer.language) == ("confirm", "prs")


@pytest.mark.parametrize("language", ["tl", "fil"])
def test_tagalog_and_filipino_contacts_read_the_tagalog_table(language: str) -> None:
    assert prompt_words([language]) == ("OO", "HINDI")


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "zh-TW"])
def test_both_chinese_scripts_are_asked_for_words_written_alike(language: str) -> None:
    assert prompt_words([language]) == ("是", "不是")


# The Simplified and Traditional forms of the characters the zh table uses, and those written
# alike in both. A new character must be added to one or the other, with its counterpart.
SIMPLIFIED = "别发号对帮没码确订认识语误错阅"
TRADITIONAL = "別發號對幫沒碼確訂認識語誤錯閱"
SAME_IN_BOTH = "不信停再到助取想家我打收新是止正消的短要言退重"


def test_every_chinese_word_is_listed_in_both_scripts() -> None:
    table = read_keyword_file()["zh"]
    to_traditional = str.maketrans(SIMPLIFIED, TRADITIONAL)
    to_simplified = str.maketrans(TRADITIONAL, SIMPLIFIED)
    for key in (*KINDS, "confirm", "wrong_number", "possible_opt_out"):
        words = table.get(key, [])
        for word in words:
            unknown = {c for c in word if ord(c) > 0x3000} - set(
                SIMPLIFIED + TRADITIONAL + SAME_IN_BOTH)
            assert not unknown, (word, unknown)
            assert word.translate(to_traditional) in words, (key, word)
            assert word.translate(to_simplified) in words, (key, word)


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
