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
from collections.abc import Sequence

import ahocorasick

__all__ = [
    "CUE_WEIGHT",
    "DEMAND_PATTERNS",
    "EXPOSURE_PATTERNS",
    "MONEY_PATTERNS",
    "SEXTORTION_BOOST",
    "THREAT_PATTERNS",
    "money_text",
    "required_literals",
    "sextortion_cues",
]

#: How much one pattern cue weighs, like a mid-weight lexicon phrase.
CUE_WEIGHT = 0.6
#: Added (noisy-OR) when a threat and a demand come together: the pair is the pattern.
SEXTORTION_BOOST = 0.5

#: Word groups of the threat and demand patterns below; every pattern is written with them, and
#: the literal gate (`_Gate`) runs a pattern only on a message that contains one word of
#: each of its groups.
_MEDIA = r"pics?|photos?|pictures?|nudes?|videos?|vids?"
_THREAT_VERBS = r"send|share|post|leak|show|upload|expose"
_SPREAD_ID = r"sebar|sebarin|viralkan|viralin|sebarkan"
_MEDIA_ID = r"foto|gambar|video"
_POSSESSION = r"have|got|saved|recorded|screenshotted|screen ?recorded|kept"
_RECORDINGS = _MEDIA + r"|video ?call|vc|call|screenshots?|ss"
_PAYMENT_CARDS = r"gift ?cards?|steam cards?|google play cards?|bitcoin|btc|paypal|cash ?app|gcash"
_MORE = r"more|another"
_MORE_MEDIA = r"pics?|photos?|nudes?|videos?"
_WALLETS = r"kpay|truemoney|promptpay|momo|gopay|touch ?n ?go|bcel ?one|wave ?money"

#: Threats to expose the victim's images, beyond the lexicon's ``threat`` phrases.
THREAT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\b(i('ll| will| am going to| m going to)|gonna|i'm gonna) "
        rf"({_THREAT_VERBS})\b.{{0,40}}\b({_MEDIA})\b"
    ),
    re.compile(rf"\b({_SPREAD_ID})\b.{{0,30}}\b({_MEDIA_ID})\b"),
    # possession claims: "I recorded our video call", "I have your pics"
    re.compile(rf"\bi ({_POSSESSION})\b.{{0,20}}\b(your|ur|our|the)\b.{{0,15}}\b({_RECORDINGS})\b"),
)
_THREAT_GROUPS: tuple[tuple[str, ...], ...] = (
    (_THREAT_VERBS, _MEDIA),
    (_SPREAD_ID, _MEDIA_ID),
    (_POSSESSION, "your|ur|our|the", _RECORDINGS),
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
    re.compile(rf"\b({_PAYMENT_CARDS})\b"),
    re.compile(rf"\bsend (me )?({_MORE}) ({_MORE_MEDIA})\b"),
    re.compile(rf"\b({_WALLETS})\b"),
)
_DEMAND_GROUPS: tuple[tuple[str, ...], ...] = (
    (_PAYMENT_CARDS,),
    ("send", _MORE, _MORE_MEDIA),
    (_WALLETS,),
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


def required_literals(alternation: str) -> tuple[str, ...]:
    """For each top-level alternative of `alternation`, the longest run of literal text that
    every match of it contains ("parents?|i-?send|kasih (liat|lihat)" gives "parent", "send",
    "kasih "); empty for an alternative without one, which `_Gate` then treats as matching
    anything. Scanning stops at the first group, class, escape or wildcard (what comes before
    it is still required)."""
    alternatives: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in alternation:
        if ch == "|" and depth == 0:
            alternatives.append("".join(current))
            current = []
            continue
        depth += (ch == "(") - (ch == ")")
        current.append(ch)
    alternatives.append("".join(current))
    out = []
    for alternative in alternatives:
        runs: list[str] = []
        run: list[str] = []
        for ch in alternative:
            if ch in "?*{":  # the character before is optional: it ends the run
                if run:
                    run.pop()
                runs.append("".join(run))
                run = []
                if ch == "{":
                    break  # a counted repeat: stop rather than parse it
                continue
            if ch in "()[]|+.\\^$":
                break
            run.append(ch)
        runs.append("".join(run))
        out.append(max(runs, key=len))
    return tuple(out)


class _Gate:
    """Which of a list of patterns can match a text, found in one Aho-Corasick pass.

    Each pattern comes with word groups (regex alternations) that every match of it contains one
    word of; a pattern is a candidate only when the text holds the required literal of some word of
    each group. Why: most messages contain none of these words, and one pass over the text is
    several times cheaper than searching it with every pattern. The gate never changes a result,
    only skips searches that could not match.
    """

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self._needed = tuple(len(g) for g in groups)
        owners: dict[str, list[tuple[int, int]]] = {}
        always: set[int] = set()
        for index, pattern_groups in enumerate(groups):
            for group_index, group in enumerate(pattern_groups):
                literals = required_literals(group)
                if not all(literals):
                    always.add(index)  # a group word without a required literal: cannot gate
                for literal in filter(None, literals):
                    owners.setdefault(literal, []).append((index, group_index))
        self._always: frozenset[int] = frozenset(always)
        self._automaton = ahocorasick.Automaton()
        for literal, owned in owners.items():
            self._automaton.add_word(literal, tuple(owned))
        if owners:
            self._automaton.make_automaton()
        self._empty = not owners

    def candidates(self, text: str) -> set[int]:
        """Indexes of the patterns that may match `text`."""
        found: dict[int, set[int]] = {}
        if not self._empty:
            for _end, owned in self._automaton.iter(text):
                for index, group_index in owned:
                    found.setdefault(index, set()).add(group_index)
        out = {i for i, groups in found.items() if len(groups) == self._needed[i]}
        return out | self._always


#: Every gated pattern, threats first, and the one gate over all of them (one pass per message).
_GATED_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    *(("threat", p) for p in THREAT_PATTERNS + EXPOSURE_PATTERNS),
    *(("demand", p) for p in DEMAND_PATTERNS),
)
_GATE = _Gate(
    _THREAT_GROUPS
    + tuple((verbs, audience) for verbs, audience in _EXPOSURE_WORDS.values())
    + tuple((verbs, audience) for verbs, audience in _EXPOSURE_WORDS_SPACELESS.values())
    + _DEMAND_GROUPS
)
_ASCII_DIGIT = re.compile(r"[0-9]")


def _first_matches(text: str) -> dict[str, re.Match[str]]:
    """The first threat and the first demand pattern match in `text`, by kind."""
    found: dict[str, re.Match[str]] = {}
    for index in sorted(_GATE.candidates(text)):
        kind, pattern = _GATED_PATTERNS[index]
        if kind not in found and (match := pattern.search(text)):
            found[kind] = match
    return found


def _money_match(original: str) -> re.Match[str] | None:
    if original.isascii():
        if not _ASCII_DIGIT.search(original):
            return None  # every money pattern needs a digit
        money = original.lower()  # NFKC changes no ASCII text, and casefold is lower on ASCII
    else:
        money = money_text(original)
    return next((m for p in MONEY_PATTERNS if (m := p.search(money))), None)


def sextortion_cues(normalised: str, original: str) -> list[tuple[str, str]]:
    """``(kind, quote)`` for the first threat and the first demand pattern in a message:
    `normalised` is its matching normalisation, `original` the text as written."""
    found: list[tuple[str, str]] = []
    matches = _first_matches(normalised)
    threat = matches.get("threat")
    if threat is not None:
        found.append(("threat", threat.group()))
    demand = matches.get("demand")
    if demand is None and original.strip():
        demand = _money_match(original)
    if demand is not None:
        found.append(("demand", demand.group()))
    return found
