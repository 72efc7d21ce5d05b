"""Replies to a number check, read across the household's languages: 150+ real-looking
answers in every language Puente serves, with and without accents, any case, extra words
and mixed languages."""

from __future__ import annotations

import pytest

from bot.freshness.parse import parse_check_reply

CURRENT = "+16175550143"
SCHOOL = ["+16175550100"]

# (reply, household languages, outcome, new number if any)
REPLIES = [
    # English
    ("YES", ["en"], "confirm", None),
    ("yes", ["en"], "confirm", None),
    ("Yes!", ["en"], "confirm", None),
    ("yes thank you", ["en"], "confirm", None),
    ("Yep that's right", ["en"], "confirm", None),
    ("ok", ["en"], "confirm", None),
    ("1", ["en"], "confirm", None),
    ("still my number", ["en"], "confirm", None),
    ("WRONG", ["en"], "wrong_number", None),
    ("wrong number sorry", ["en"], "wrong_number", None),
    ("not my family", ["en"], "wrong_number", None),
    ("No", ["en"], "wrong_number", None),
    ("no, same number", ["en"], "none", None),
    ("who is this?", ["en"], "none", None),
    ("I have 1 kid there", ["en"], "none", None),
    ("new number 857-555-0123", ["en"], "new_number", "+18575550123"),
    ("(857) 555-0123", ["en"], "new_number", "+18575550123"),
    ("+1 857 555 0123", ["en"], "new_number", "+18575550123"),
    # Spanish
    ("Sí", ["es"], "confirm", None),
    ("si", ["es"], "confirm", None),
    ("SI GRACIAS", ["es"], "confirm", None),
    ("sí, es mi número", ["es"], "confirm", None),
    ("Correcto 👍", ["es"], "confirm", None),
    ("claro que si", ["es"], "confirm", None),
    ("no", ["es"], "wrong_number", None),
    ("No es mi número", ["es"], "wrong_number", None),
    ("numero equivocado", ["es"], "wrong_number", None),
    ("no es mi familia, no conozco a Juan", ["es"], "wrong_number", None),
    ("no entiendo", ["es"], "none", None),
    ("mi nuevo numero es 857 555 0123", ["es"], "new_number", "+18575550123"),
    ("cambie de cel, ahora es el 8575550123", ["es"], "new_number", "+18575550123"),
    ("ya no uso este, el nuevo es 857-555-0123 y el de mi esposo 857-555-0124", ["es"],
     "two_numbers", None),
    ("mi número en México es +52 55 1234 5678", ["es"], "foreign_number", "+525512345678"),
    ("llamen a la escuela al 617-555-0100", ["es"], "school_number", "+16175550100"),
    ("es el 617 555 0143", ["es"], "same_number", "+16175550143"),
    # Spanglish and mixed households
    ("yes es mi numero", ["es"], "confirm", None),
    ("Si yes", ["es", "en"], "confirm", None),
    ("ok gracias", ["es"], "confirm", None),
    ("sí pero wrong number para Juan", ["es"], "none", None),
    # Haitian Creole
    ("WI", ["ht"], "confirm", None),
    ("wi mèsi", ["ht"], "confirm", None),
    ("Wi se menm nimewo a", ["ht"], "confirm", None),
    ("move nimewo", ["ht"], "wrong_number", None),
    ("se pa fanmi mwen", ["ht"], "wrong_number", None),
    ("oui c'est correct", ["ht", "fr"], "confirm", None),
    ("nouvo nimewo m se 857 555 0123", ["ht"], "new_number", "+18575550123"),
    # Portuguese (Brazil)
    ("SIM", ["pt-BR"], "confirm", None),
    ("sim, obrigada", ["pt-BR"], "confirm", None),
    ("Não", ["pt-BR"], "wrong_number", None),
    ("nao", ["pt-BR"], "wrong_number", None),
    ("número errado", ["pt-BR"], "wrong_number", None),
    ("meu novo número é 857-555-0123", ["pt-BR"], "new_number", "+18575550123"),
    # Vietnamese
    ("Có", ["vi"], "confirm", None),
    ("co a", ["vi"], "confirm", None),
    ("Đúng rồi", ["vi"], "confirm", None),
    ("sai số", ["vi"], "wrong_number", None),
    ("số mới của tôi là 857 555 0123", ["vi"], "new_number", "+18575550123"),
    # Arabic
    ("نعم", ["ar"], "confirm", None),
    ("نعم شكرا", ["ar"], "confirm", None),
    ("رقم خطأ", ["ar"], "wrong_number", None),
    ("رقمي الجديد 857-555-0123", ["ar"], "new_number", "+18575550123"),
    # Chinese
    ("是的", ["zh-Hans"], "confirm", None),
    ("对", ["zh-Hans"], "confirm", None),
    ("不是", ["zh-Hans"], "wrong_number", None),
    ("打错了", ["zh-Hans"], "wrong_number", None),
    ("新号码 857-555-0123", ["zh-Hans"], "new_number", "+18575550123"),
    ("不对", ["zh-Hans"], "wrong_number", None),
    ("你是谁？", ["zh-Hans"], "none", None),  # one character counts only alone
    ("我不是很清楚", ["zh-Hans"], "none", None),  # "I'm not sure": 不是 counts only alone
    ("不是我的号码", ["zh-Hans"], "wrong_number", None),
    ("對不對？", ["zh-Hant"], "none", None),  # "right?": 不對 counts only alone
    ("Cô ơi, ai đây?", ["vi"], "none", None),  # "Miss, who is this?": cô folds to CÓ
    ("Có phải trường Lincoln không?", ["vi"], "none", None),  # a question, not a yes
    ("Dạ, cho tôi hỏi", ["vi"], "none", None),  # a polite opening
    ("Dạ có", ["vi"], "confirm", None),
    ("हो", ["ne"], "confirm", None),
    ("Yog", ["hmn"], "confirm", None),
    ("对不起，你是哪位？", ["zh-Hans"], "none", None),
    # Somali
    ("HAA", ["so"], "confirm", None),
    ("haa waa sax", ["so"], "confirm", None),
    ("lambar qalad", ["so"], "wrong_number", None),
    # French
    ("OUI", ["fr"], "confirm", None),
    ("oui merci", ["fr"], "confirm", None),
    ("Non", ["fr"], "wrong_number", None),
    ("mauvais numéro", ["fr"], "wrong_number", None),
    ("mon nouveau numéro: 857.555.0123", ["fr"], "new_number", "+18575550123"),
    # Chinese, Traditional script
    ("是的，謝謝", ["zh-Hant"], "confirm", None),
    ("打錯了", ["zh-Hant"], "wrong_number", None),
    ("不是，我不認識他們", ["zh-Hant"], "wrong_number", None),
    ("不是的", ["zh-Hant"], "wrong_number", None),
    # Cape Verdean Creole: ALUPEC and Portuguese-based spellings
    ("Sin, obrigadu", ["kea"], "confirm", None),
    ("sim, é mesmo número", ["kea"], "confirm", None),
    ("Nau", ["kea"], "wrong_number", None),
    ("númeru eradu, N ka konxe es família", ["kea"], "wrong_number", None),
    ("sin mas wrong number pa Djon", ["kea"], "none", None),
    # Russian
    ("Да, спасибо", ["ru"], "confirm", None),
    ("да, это мой номер", ["ru"], "confirm", None),
    ("Нет", ["ru"], "wrong_number", None),
    ("Вы ошиблись номером, это не моя семья", ["ru"], "wrong_number", None),
    ("да, но это не мой номер", ["ru"], "none", None),
    ("не понимаю", ["ru"], "none", None),
    # Ukrainian
    ("Так, дякую", ["uk"], "confirm", None),
    ("так, це мій номер", ["uk"], "confirm", None),
    ("Ні", ["uk"], "wrong_number", None),
    ("це не мій номер, я їх не знаю", ["uk"], "wrong_number", None),
    ("так, але wrong number для Олени", ["uk"], "none", None),
    ("Да", ["uk"], "none", None),  # Russian, not the household's language
    # Dari
    ("بلی، تشکر", ["prs"], "confirm", None),
    ("بله همین شماره است", ["prs"], "confirm", None),
    ("نه", ["prs"], "wrong_number", None),
    ("نمبر غلط است، ما این فامیل را نمی‌شناسیم", ["prs"], "wrong_number", None),
    ("بلی ولی wrong number", ["prs"], "none", None),
    # Pashto
    ("هو، مننه", ["ps"], "confirm", None),
    ("هو دا زما شمېره ده", ["ps"], "confirm", None),
    ("نه", ["ps"], "wrong_number", None),
    ("غلطه شمېره ده، زه دوی نه پېژنم", ["ps"], "wrong_number", None),
    ("هو خو دا زما شمېره نه ده", ["ps"], "none", None),
    # Nepali
    ("सही हो, धन्यवाद", ["ne"], "confirm", None),
    ("हो यही नम्बर हो", ["ne"], "confirm", None),
    ("होइन", ["ne"], "wrong_number", None),
    ("गलत नम्बर, म उहाँहरूलाई चिन्दिन", ["ne"], "wrong_number", None),
    ("ठीक छ तर wrong number", ["ne"], "none", None),
    ("को हो?", ["ne"], "none", None),  # "who is it?": हो alone is no answer
    # Swahili
    ("Ndiyo, asante", ["sw"], "confirm", None),
    ("ndio ni namba yangu", ["sw"], "confirm", None),
    ("Hapana", ["sw"], "wrong_number", None),
    ("umekosea namba, siwajui hao", ["sw"], "wrong_number", None),
    ("hii si namba yangu", ["sw"], "wrong_number", None),
    ("ndiyo lakini si sahihi kwa Amina", ["sw"], "none", None),
    # Kinyarwanda
    ("Yego, murakoze", ["rw"], "confirm", None),
    ("nibyo", ["rw"], "confirm", None),
    ("Oya", ["rw"], "wrong_number", None),
    ("si umuryango wanjye", ["rw"], "wrong_number", None),
    ("yego ariko wrong number", ["rw"], "none", None),
    # Tigrinya
    ("እወ የቐንየለይ", ["ti"], "confirm", None),
    ("ኣይፋል", ["ti"], "wrong_number", None),
    ("ጌጋ ቁጽሪ እዩ", ["ti"], "wrong_number", None),
    ("እወ ግን ቁጽረይ ኣይኮነን", ["ti"], "none", None),
    # Amharic
    ("አዎ አመሰግናለሁ", ["am"], "confirm", None),
    ("አዎ ቁጥሬ ነው", ["am"], "confirm", None),
    ("አይደለም", ["am"], "wrong_number", None),
    ("የተሳሳተ ቁጥር ነው", ["am"], "wrong_number", None),
    ("አዎ ግን የተሳሳተ ቁጥር", ["am"], "none", None),
    # Burmese: no spaces between words, so a word counts only where it stands apart
    ("ဟုတ်ကဲ့ ကျေးဇူးတင်ပါတယ်", ["my"], "confirm", None),
    ("ဟုတ်ကဲ့။", ["my"], "confirm", None),
    ("မဟုတ်ပါ", ["my"], "wrong_number", None),
    ("နံပါတ်မှား", ["my"], "wrong_number", None),
    ("ဟုတ်ကဲ့ but wrong number", ["my"], "none", None),
    ("ဟုတ်ကဲ့ပါ", ["my"], "none", None),
    # S'gaw Karen
    ("မ့ၢ်", ["ksw"], "confirm", None),
    ("မ့ၢ်လီၤ တၢ်ဘျုးလီၤ", ["ksw"], "confirm", None),
    ("တမ့ၢ်ဘၣ်", ["ksw"], "wrong_number", None),
    ("မ့ၢ် but not my number", ["ksw"], "none", None),
    # Korean: 네 counts only alone (네 시 is "four o'clock")
    ("네", ["ko"], "confirm", None),
    ("네 맞습니다 감사합니다", ["ko"], "confirm", None),
    ("아니요", ["ko"], "wrong_number", None),
    ("잘못 보내셨어요. 저희 가족 아니에요", ["ko"], "wrong_number", None),
    ("잘못된 번호입니다", ["ko"], "wrong_number", None),
    ("네 시에 전화 주세요", ["ko"], "none", None),
    ("맞아요 근데 wrong number 같아요", ["ko"], "none", None),
    # Tagalog and Taglish
    ("Opo, salamat po", ["tl"], "confirm", None),
    ("oo ito pa rin ang numero namin", ["tl"], "confirm", None),
    ("Hindi", ["tl"], "wrong_number", None),
    ("maling numero po, hindi ko sila kilala", ["tl"], "wrong_number", None),
    ("hindi tama po", ["tl"], "none", None),
    ("Opo pero wrong number po ito para kay Jose", ["tl"], "none", None),
    # Hmong
    ("Yog lawm, ua tsaug", ["hmn"], "confirm", None),
    ("Koj yog leej twg?", ["hmn"], "none", None),  # "who are you?": yog alone is no answer
    ("Tsis yog", ["hmn"], "wrong_number", None),
    ("xov tooj yuam kev, kuv tsis paub lawv", ["hmn"], "wrong_number", None),
    ("tsis yog lawm", ["hmn"], "none", None),
    ("yog lawm tab sis wrong number rau Tou", ["hmn"], "none", None),
    # Only the household's languages (and English) count: SIM is Portuguese, not Spanish.
    ("sim", ["es"], "none", None),
    # Numbers that are not usable
    ("1-800-555-0199", ["en"], "not_mobile", "+18005550199"),
    ("123456789", ["en"], "not_a_number", None),
]


def test_the_table_is_big_enough() -> None:
    assert len(REPLIES) >= 150
    assert len({langs[0] for _, langs, _, _ in REPLIES}) >= 25


@pytest.mark.parametrize(("reply", "languages", "outcome", "number"), REPLIES,
                         ids=[r[0] for r in REPLIES])
def test_reply_is_read(reply: str, languages: list[str], outcome: str,
                       number: str | None) -> None:
    parsed = parse_check_reply(reply, languages=languages, country="US", current=CURRENT,
                               school_numbers=SCHOOL)
    assert (parsed.outcome, parsed.number) == (outcome, number), parsed.reason
