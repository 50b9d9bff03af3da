"""Sextortion's two halves, threat and demand, found by patterns in one message.

Used twice: `pipeline.TextScorer` labels a single message that holds both halves ("$200 in gift
cards by 10pm or it goes to your parents"), and `conversation.ConversationScorer` joins halves
that one author spreads over several messages. The patterns run on the matching normalisation
(case-folded, leetspeak decoded, diacritics stripped), except sums of money, which run on
`money_text` so digits stay digits. Word lists are machine-assisted and need native review,
like the lexicons.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CUE_WEIGHT",
    "DEMAND_PATTERNS",
    "EXPOSURE_PATTERNS",
    "MONEY_PATTERNS",
    "SEXTORTION_BOOST",
    "THREAT_PATTERNS",
    "money_text",
    "sextortion_cues",
]

#: How much one pattern cue weighs, like a mid-weight lexicon phrase.
CUE_WEIGHT = 0.6
#: Added (noisy-OR) when a threat and a demand come together: the pair is the pattern.
SEXTORTION_BOOST = 0.5

#: Threats to expose the victim's images, beyond the lexicon's ``threat`` phrases.
THREAT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\b(i('ll| will| am going to| m going to)|gonna|i'm gonna) "
        r"(send|share|post|leak|show|upload|expose)\b.{0,40}"
        r"\b(pics?|photos?|pictures?|nudes?|videos?|vids?)\b"
    ),
    re.compile(r"\b(sebar|sebarin|viralkan|viralin|sebarkan)\b.{0,30}\b(foto|gambar|video)\b"),
    # possession claims: "I recorded our video call", "I have your pics"
    re.compile(
        r"\bi (have|got|saved|recorded|screenshotted|screen ?recorded|kept)\b.{0,20}"
        r"\b(your|ur|our|the)\b.{0,15}\b(pics?|photos?|pictures?|nudes?|videos?|vids?|"
        r"video ?call|vc|call|screenshots?|ss)\b"
    ),
)

#: Sextortion's threat to expose: a "send, share, show" word near the victim's own audience
#: (parents, friends, followers, school), in any order, per language. Only ever counted as a
#: threat, and a threat raises the sextortion score only together with a demand from the same
#: author, so "show the photos to your friends" alone flags nothing. Word lists are
#: machine-assisted and need native review, like the lexicons.
_EXPOSURE_WORDS: dict[str, tuple[str, str]] = {
    "en": (
        r"send|sending|share|post|leak|show|upload|spread|forward|tag|goes? to|"
        r"will see|gonna see|find out",
        r"parents?|mom|mum|dad|family|friends|followers|classmates|school|teachers?|"
        r"contacts|everyone|everybody",
    ),
    "ms": (
        r"hantar|sebar|sebarkan|tunjuk|viralkan|post|upload|share|bagi tengok",
        r"mak|ayah|ibu bapa|keluarga|kawan|sekolah|cikgu|followers|semua orang",
    ),
    "id": (
        r"kirim|kirimin|sebar|sebarin|kasih (liat|lihat)|upload|posting|viralin",
        r"ortu|orang ?tua|mama|papa|keluarga|temen|teman|sekolah|guru|followers|semua orang",
    ),
    "fil": (
        r"ipapadala|ikakalat|ipopost|ipapakita|isesend|i-?send|i-?post|ikalat|ipakita",
        r"magulang|nanay|tatay|mama|papa|pamilya|kaibigan|school|eskwela|teacher|"
        r"followers|lahat",
    ),
    "vi": (  # diacritics are stripped by normalisation
        r"gui|phat tan|dang|cho xem|tung|share",
        r"bo me|ba me|gia dinh|ban be|truong|thay co|followers|moi nguoi",
    ),
    "tet": (
        r"haruka|fahe|publika|hatudu|post",
        r"inan|aman|familia|kolega|eskola|mestre|ema hotu",
    ),
}
#: The same for scripts written without spaces (no word boundaries).
_EXPOSURE_WORDS_SPACELESS: dict[str, tuple[str, str]] = {
    "th": (r"ส่ง|ปล่อย|แชร์|โพสต์|ให้ดู|แฉ", r"พ่อแม่|ครอบครัว|เพื่อน|โรงเรียน|ครู|ทุกคน"),
    "km": (
        r"ផ្ញើ|ចែករំលែក|បង្ហោះ|បង្ហាញ|ផុស",
        r"ឪពុកម្តាយ|ឪពុកម្ដាយ|ម៉ែឪ|គ្រួសារ|មិត្ត|សាលា|គ្រូ|អ្នកទាំងអស់",
    ),
    "lo": (r"ສົ່ງ|ແຊ|ໂພສ|ໃຫ້ເບິ່ງ|ປ່ອຍ", r"ພໍ່ແມ່|ຄອບຄົວ|ໝູ່|ໂຮງຮຽນ|ຄູ|ທຸກຄົນ"),
    "my": (r"ပို့|မျှဝေ|တင်|ပြ|ဖြန့်", r"မိဘ|မိသားစု|သူငယ်ချင်း|ကျောင်း|ဆရာ|လူတိုင်း"),
}


def _exposure_pattern(verbs: str, audience: str, spaceless: bool) -> re.Pattern[str]:
    b = "" if spaceless else r"\b"
    v, a = f"{b}(?:{verbs}){b}", f"{b}(?:{audience}){b}"
    return re.compile(f"{v}.{{0,60}}{a}|{a}.{{0,60}}{v}")


EXPOSURE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    _exposure_pattern(verbs, audience, False) for verbs, audience in _EXPOSURE_WORDS.values()
) + tuple(
    _exposure_pattern(verbs, audience, True)
    for verbs, audience in _EXPOSURE_WORDS_SPACELESS.values()
)
#: Demands for money, gift cards or more images.
DEMAND_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\b(gift ?cards?|steam cards?|google play cards?|bitcoin|btc|paypal|cash ?app|gcash)\b"
    ),
    re.compile(r"\bsend (me )?(more|another) (pics?|photos?|nudes?|videos?)\b"),
    re.compile(r"\b(kpay|truemoney|promptpay|momo|gopay|touch ?n ?go|bcel ?one|wave ?money)\b"),
)
#: Sums of money with their currency, run on `money_text` (digits kept as digits: the matching
#: normalisation reads "rm500" as leetspeak "rmsoo"; Thai, Khmer, Lao and Burmese digits become
#: ASCII). A bare number is not a demand ("10 malam" is a time), so a currency must be next to it.
_NUMBER = r"\d[\d,.]*"
_CURRENCY_BEFORE = r"\$|us\$|\brm|\brp\.?|₱|\bphp|\busd|฿|€|\bp(?=\d)"
_CURRENCY_AFTER = (
    r"usd|dollars?|bucks|ringgit|rm|rupiah|rb|ribu|jt|juta|k|pesos?|php|baht|บาท|"
    r"dong|đồng|đ|vnd|trieu|triệu|nghin|nghìn|riel|រៀល|ដុល្លារ|kip|ກີບ|ກີບ|ລ້ານ|kyat|ကျပ်|"
    r"သိန်း|lakh|dolar|dólar"
)
MONEY_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"(?:{_CURRENCY_BEFORE}) ?{_NUMBER}"),
    re.compile(rf"{_NUMBER} ?(?:{_CURRENCY_AFTER})(?![a-z])"),
)


def money_text(text: str) -> str:
    """NFKC, case-folded, every Unicode decimal digit as its ASCII digit; nothing else changed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in folded)


def sextortion_cues(normalised: str, original: str) -> list[tuple[str, str]]:
    """``(kind, quote)`` for the first threat and the first demand pattern in a message:
    `normalised` is its matching normalisation, `original` the text as written."""
    found: list[tuple[str, str]] = []
    threat = next(
        (m for p in THREAT_PATTERNS + EXPOSURE_PATTERNS if (m := p.search(normalised))), None
    )
    if threat is not None:
        found.append(("threat", threat.group()))
    demand = next((m for p in DEMAND_PATTERNS if (m := p.search(normalised))), None)
    if demand is None and original.strip():
        money = money_text(original)
        demand = next((m for p in MONEY_PATTERNS if (m := p.search(money))), None)
    if demand is not None:
        found.append(("demand", demand.group()))
    return found
