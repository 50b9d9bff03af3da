"""Text normalisation for obfuscation-tolerant matching, with span mapping back to the original.

`normalise(text)` runs the steps below in this order; each is a small function over a `_Buffer`
(a list of characters, each carrying the ``[start, end)`` span of the original text it came from),
so any span of the normalised text maps back to the original words a reviewer should see.

1. `remove_invisible` - drop format characters (Unicode category Cf: zero-width space/joiners,
   soft hyphen, word joiner, BOM, bidi controls, tag characters), variation selectors and emoji
   skin-tone modifiers; turn other control characters into spaces.
2. `nfkc` - Unicode NFKC per grapheme cluster: fullwidth letters, mathematical alphanumerics,
   ligatures, circled digits etc. become their plain forms.
3. `fold_case` - `str.casefold` (so "ß" becomes "ss").
3b. `strip_diacritics` (see 9) runs here too, so stray marks are gone before spaces are handled.
4. `map_emoji` - emoji become separate tokens; the few risk-relevant ones in `EMOJI_WORDS` become
   ``:shortcode:`` words so lexicons can name them in any language.
5. `normalise_space` - apostrophe variants become "'", runs of whitespace one space, no padding.
6. `join_separated_letters` - three or more single letters/digits separated by runs of
   `` .-_*~+|/\\`` are joined: "s.e.x", "s e x y", "k-i-l-l" become "sex", "sexy", "kill".
   At least one of them must be a letter, so "1 2 3" stays.
7. `decode_leetspeak` - inside a word mixing Latin letters with 0 1 3 4 5 7 @ $, those become
   o i e a s t a s ("h0rny" -> "horny", "$3x" -> "sex"). Numbers with a unit-like suffix
   ("13yo", "2nd", "10pm") are left alone, as is a leading "@" (a mention).
8. `fold_confusables` - Cyrillic/Greek look-alikes (`CONFUSABLES`) become Latin inside words that
   also contain Latin letters; words made only of look-alikes are folded too when the text has
   Latin letters and no Cyrillic/Greek letters that are not look-alikes (so Russian stays Russian).
9. `strip_diacritics` - Latin letters lose their marks (Vietnamese "đường" -> "duong", "ñ" -> "n"),
   with a table for letters that do not decompose ("đ", "ø", "ł", "æ" ...). Marks on Thai, Lao,
   Khmer, Myanmar and other non-Latin letters are kept: in those scripts they are letters.
10. `collapse_repetition` - runs of three or more identical non-digit characters become two
   ("pleeeease" -> "pleease", "goooood" -> "good", "!!!!!" -> "!!"), keeping genuine double
   letters ("good", "kill"). Digits are never collapsed (ages and amounts matter).

The repetition rule leaves "pleease" for "pleeeease"; matching handles both one and two letters
through the *matching skeleton* (`NormalisedText.skeleton`): every run of identical letters
collapsed to one, apostrophes removed and punctuation/space runs turned into one space, both in
the text and in lexicon phrases, so "please", "pleease", "pleeeease" and "plz" vs "plzz" all meet.

The pipeline is idempotent: ``normalise(normalise(t).text).text == normalise(t).text``
(property-tested with hypothesis).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import regex

from lindung.detect.text.scripts import SPACELESS_SCRIPTS, script_of

__all__ = [
    "CONFUSABLES",
    "EMOJI_WORDS",
    "LEET",
    "NormalisedText",
    "collapse_repetition",
    "decode_leetspeak",
    "fold_case",
    "fold_confusables",
    "join_separated_letters",
    "map_emoji",
    "nfkc",
    "normalise",
    "normalise_space",
    "remove_invisible",
    "strip_diacritics",
]


@dataclass(frozen=True)
class NormalisedText:
    """A text prepared for matching, and the way back to the original.

    ``starts[i]`` and ``ends[i]`` give the span of `original` that character ``text[i]`` came from.
    """

    original: str
    text: str
    starts: Sequence[int] = field(repr=False, compare=False)
    ends: Sequence[int] = field(repr=False, compare=False)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``text[start:end]`` to the span of `original` it was derived from."""
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if start == end:
            pos = self.starts[start] if start < n else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def original_substring(self, start: int, end: int) -> str:
        """The original words behind ``text[start:end]``, for quoting in a reason."""
        a, b = self.original_span(start, end)
        return self.original[a:b]

    @cached_property
    def skeleton(self) -> str:
        """The matching form of `text` (see module docstring); lexicons match against this."""
        return skeleton_text(self.text)

    @cached_property
    def skeleton_index(self) -> tuple[int, ...]:
        """``skeleton_index[j]`` is the index in `text` of skeleton character ``j``.

        Computed only when asked for (to quote a hit): most messages have no hit."""
        return skeleton_index(self.text)

    def original_span_of_skeleton(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `skeleton` to a span of `original`."""
        index = self.skeleton_index
        if start >= end or start >= len(index):
            return self.original_span(len(self.text), len(self.text))
        last = index[min(end, len(index)) - 1]
        # The skeleton keeps the first letter of a doubled run ("worthles"); quote the whole run.
        text = self.text
        while last + 1 < len(text) and text[last + 1] == text[last] and not text[last].isdigit():
            last += 1
        return self.original_span(index[start], last + 1)


def _substitute(chars: list[str], start: int, word: str, table: dict[str, str]) -> None:
    """Replace, in place, the characters of `word` (at `start` in `chars`) that `table` maps.

    One character for one, so the span of every character stays where it was."""
    for offset, c in enumerate(word):
        if c in table:
            chars[start + offset] = table[c]


class _Buffer:
    """Characters with their original spans; a step returns a new buffer, or the same one when
    it changes nothing.

    Built to cost little when nothing changes, which is most steps on most messages: `chars` may
    be the string itself, and the spans `range` objects (character ``i`` came from ``[i, i+1)``)
    until a step changes the length; `string()` joins the characters once.
    """

    __slots__ = ("_text", "chars", "ends", "starts")

    def __init__(self, chars: Sequence[str], starts: Sequence[int], ends: Sequence[int]) -> None:
        self.chars = chars
        self.starts = starts
        self.ends = ends
        self._text = chars if isinstance(chars, str) else None

    @classmethod
    def of(cls, text: str) -> _Buffer:
        return cls(text, range(len(text)), range(1, len(text) + 1))

    def string(self) -> str:
        if self._text is None:
            self._text = "".join(self.chars)
        return self._text


class _Builder:
    """A buffer being written character by character by a step that changes the length."""

    __slots__ = ("chars", "ends", "starts")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def build(self) -> _Buffer:
        return _Buffer(self.chars, self.starts, self.ends)


# --- 1. invisible characters -------------------------------------------------------------------

_SKIN_TONES = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))
_VARIATION_SELECTORS = frozenset(chr(c) for c in range(0xFE00, 0xFE10))


_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_INVISIBLE = regex.compile(r"[\p{Cf}\p{Cc}\uFE00-\uFE0F\U0001F3FB-\U0001F3FF]")


def remove_invisible(buf: _Buffer) -> _Buffer:
    """Drop Cf characters, variation selectors and skin tones; controls become spaces."""
    text = buf.string()
    if not (_ASCII_CONTROL.search(text) if text.isascii() else _INVISIBLE.search(text)):
        return buf
    out = _Builder()
    for ch, s, e in zip(buf.chars, buf.starts, buf.ends, strict=True):
        if ch.isascii():
            if ch < " " or ch == "\x7f":
                ch = " "
        else:
            if ch in _VARIATION_SELECTORS or ch in _SKIN_TONES:
                continue
            category = unicodedata.category(ch)
            if category == "Cf":
                continue
            if category == "Cc":
                ch = " "
        out.chars.append(ch)
        out.starts.append(s)
        out.ends.append(e)
    return out.build()


# --- 2. NFKC -----------------------------------------------------------------------------------

_CLUSTER = regex.compile(r"\X")


def nfkc(buf: _Buffer) -> _Buffer:
    """Apply NFKC to each grapheme cluster; every output character keeps the cluster's span."""
    text = buf.string()
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return buf
    out = _Builder()
    for match in _CLUSTER.finditer(text):
        a, b = match.span()
        cluster = match.group()
        normal = unicodedata.normalize("NFKC", cluster)
        if normal == cluster:
            out.chars.extend(buf.chars[a:b])
            out.starts.extend(buf.starts[a:b])
            out.ends.extend(buf.ends[a:b])
            continue
        s, e = buf.starts[a], buf.ends[b - 1]
        for ch in normal:
            out.chars.append(ch)
            out.starts.append(s)
            out.ends.append(e)
    return out.build()


# --- 3. case -----------------------------------------------------------------------------------


def fold_case(buf: _Buffer) -> _Buffer:
    """Case-fold every character (`str.casefold`; "ß" -> "ss")."""
    text = buf.string()
    folded_text = text.casefold()
    if folded_text == text:
        return buf
    if len(folded_text) == len(text):
        return _Buffer(folded_text, buf.starts, buf.ends)
    out = _Builder()
    for ch, s, e in zip(buf.chars, buf.starts, buf.ends, strict=True):
        folded = ch.casefold()
        for f in folded:
            out.chars.append(f)
            out.starts.append(s)
            out.ends.append(e)
    return out.build()


# --- 4. emoji ----------------------------------------------------------------------------------

#: Risk-relevant emoji and the words they become. Deliberately small: each mapping is a common
#: euphemism in grooming/sextortion chats. Other emoji stay as separate tokens.
EMOJI_WORDS: dict[str, str] = {
    "\U0001f346": ":eggplant:",  # 🍆 penis euphemism
    "\U0001f351": ":peach:",  # 🍑 buttocks euphemism
    "\U0001f4a6": ":droplets:",  # 💦 sexual fluids euphemism
    "\U0001f608": ":smiling_devil:",  # 😈 "naughty"
    "\U0001f51e": ":no_under_18:",  # 🔞 adult content
    "\U0001f4f8": ":camera:",  # 📸 camera with flash: photos, "send pics"
    "\U0001f4f7": ":camera:",  # 📷 camera
    "\U0001f445": ":tongue:",  # 👅 licking
    "\U0001f975": ":hot_face:",  # 🥵 "horny"
    "\U0001f92b": ":shushing:",  # 🤫 secrecy
    "\U0001f52a": ":knife:",  # 🔪 threats, self-harm
    "\U0001f480": ":skull:",  # 💀 death threats (also "I'm dead" laughing)
}

_EMOJI = regex.compile(r"\p{Extended_Pictographic}")


def map_emoji(buf: _Buffer) -> _Buffer:
    """Surround emoji with spaces; replace those in `EMOJI_WORDS` by their word."""
    text = buf.string()
    if text.isascii() or not _EMOJI.search(text):
        return buf
    out = _Builder()
    for ch, s, e in zip(buf.chars, buf.starts, buf.ends, strict=True):
        if ch.isascii() or not _EMOJI.match(ch):
            out.chars.append(ch)
            out.starts.append(s)
            out.ends.append(e)
            continue
        word = EMOJI_WORDS.get(ch, ch)
        for c in f" {word} ":
            out.chars.append(c)
            out.starts.append(s)
            out.ends.append(e)
    return out.build()


# --- 5. space ----------------------------------------------------------------------------------

_APOSTROPHES = frozenset("\u2019\u2018\u02bc\u02bb`\u00b4\u2032")
_SPACE_WORK = re.compile(r"\s\s|[^\S ]|^\s|\s$|[\u2019\u2018\u02bc\u02bb`\u00b4\u2032]")


def _needs_space_work(text: str) -> bool:
    if text.isascii():  # the same test without the regex: other whitespace is not printable
        return (
            "  " in text
            or text[:1] == " "
            or text[-1:] == " "
            or "`" in text
            or not text.isprintable()
        )
    return _SPACE_WORK.search(text) is not None


def normalise_space(buf: _Buffer) -> _Buffer:
    """Apostrophe variants -> "'"; whitespace runs -> one space (spanning the run); strip ends."""
    if not _needs_space_work(buf.string()):
        return buf
    out = _Builder()
    for ch, s, e in zip(buf.chars, buf.starts, buf.ends, strict=True):
        if ch.isspace():
            if not out.chars:
                continue
            if out.chars[-1] == " ":
                out.ends[-1] = e
                continue
            ch = " "
        elif ch in _APOSTROPHES:
            ch = "'"
        out.chars.append(ch)
        out.starts.append(s)
        out.ends.append(e)
    if out.chars and out.chars[-1] == " ":
        out.chars.pop()
        out.starts.pop()
        out.ends.pop()
    return out.build()


# --- 6. separated letters ----------------------------------------------------------------------

_SINGLE = r"[\p{L}\p{N}@$]\p{M}*"
_WORDISH = r"[\p{L}\p{N}\p{M}@$']"
_SEPARATED = regex.compile(
    rf"(?<!{_WORDISH}){_SINGLE}(?:[ .\-_*~+|/\\]+{_SINGLE}(?!{_WORDISH})){{2,}}"
)
# The same pattern for ASCII-only text (letters are [a-z] after case folding; no marks), with the
# faster standard-library engine.
_SEPARATED_ASCII = re.compile(
    r"(?<![A-Za-z0-9@$'])[A-Za-z0-9@$](?:[ .\-_*~+|/\\]+[A-Za-z0-9@$](?![A-Za-z0-9@$'])){2,}"
)
_SEPARATOR_CHARS = frozenset(" .-_*~+|/\\")
_HAS_LETTER = regex.compile(r"\p{L}")


def join_separated_letters(buf: _Buffer) -> _Buffer:
    """Join runs of 3+ single letters/digits split by separators ("s.e.x" -> "sex")."""
    text = buf.string()
    drop: set[int] = set()
    pattern = _SEPARATED_ASCII if text.isascii() else _SEPARATED
    for match in pattern.finditer(text):
        if not _HAS_LETTER.search(match.group()):
            continue
        a, b = match.span()
        drop.update(i for i in range(a, b) if text[i] in _SEPARATOR_CHARS)
    if not drop:
        return buf
    keep = [i for i in range(len(text)) if i not in drop]
    chars, starts, ends = buf.chars, buf.starts, buf.ends
    return _Buffer(
        "".join([chars[i] for i in keep]), [starts[i] for i in keep], [ends[i] for i in keep]
    )


# --- 7. leetspeak ------------------------------------------------------------------------------

#: Leetspeak substitutions applied inside words that mix Latin letters with these characters.
#: "1" is read as "i"; lexicon matching also tries "l" -> "i" so "1ove" still meets "love".
LEET: dict[str, str] = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
}
_LEET_CANDIDATE = regex.compile(
    r"\p{L}[\p{L}\p{M}\p{N}@$]*[013457@$]|[013457@$][\p{L}\p{M}\p{N}@$]*\p{L}"
)
_LEET_WORD = regex.compile(r"[\p{L}\p{M}\p{N}@$]+")
_LEET_CANDIDATE_ASCII = re.compile(
    r"[A-Za-z][A-Za-z0-9@$]*[013457@$]|[013457@$][A-Za-z0-9@$]*[A-Za-z]"
)
_LEET_WORD_ASCII = re.compile(r"[A-Za-z0-9@$]+")
_ANY_LEET_ASCII = re.compile(r"[013457@$]")  # most messages have none: skip the search above
_NUMBER_WITH_UNIT = regex.compile(
    r"\d+(?:st|nd|rd|th|am|pm|yo|y|yr|yrs|yrsold|h|hr|hrs|k|kg|km|m|cm|mm|min|mins|s|sec|x|g|gb|mb|"
    r"p|px|d|w|tahun|thn|th|taon|tuoi|rb|ribu|jt|juta|ringgit|rm|php|usd|baht|b)"
)


def _latinish(ch: str) -> bool:
    return ch in CONFUSABLES or (ch.isascii() and ch.isalpha()) or script_of(ch) == "Latin"


def decode_leetspeak(buf: _Buffer) -> _Buffer:
    """Replace 0 1 3 4 5 7 @ $ by letters inside words that also contain Latin letters."""
    text = buf.string()
    if text.isascii():
        if not _ANY_LEET_ASCII.search(text) or not _LEET_CANDIDATE_ASCII.search(text):
            return buf
        words = _LEET_WORD_ASCII.finditer(text)
    else:
        if not _LEET_CANDIDATE.search(text):
            return buf
        words = _LEET_WORD.finditer(text)
    chars = list(buf.chars)
    for match in words:
        word = match.group()
        a = match.start()
        if word.startswith("@"):
            word, a = word[1:], a + 1
        if not word or _NUMBER_WITH_UNIT.fullmatch(word):
            continue
        letters = [c for c in word if c.isalpha()]
        if not letters or not any(c in LEET for c in word):
            continue
        if not all(_latinish(c) for c in letters):
            continue
        _substitute(chars, a, word, LEET)
    return _Buffer(chars, buf.starts, buf.ends)


# --- 8. confusables ----------------------------------------------------------------------------

#: Lower-case Cyrillic and Greek letters that look like Latin ones (after case folding).
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "\u0430": "a",
    "\u0435": "e",
    "\u043e": "o",
    "\u0440": "p",
    "\u0441": "c",
    "\u0443": "y",
    "\u0445": "x",
    "\u0456": "i",
    "\u0458": "j",
    "\u0455": "s",
    "\u0501": "d",
    "\u04bb": "h",
    "\u043a": "k",
    "\u043c": "m",
    "\u0442": "t",
    "\u0432": "b",
    "\u043d": "h",
    "\u0454": "e",
    "\u0457": "i",
    "\u051b": "q",
    "\u051d": "w",
    "\u0475": "v",
    # Greek
    "\u03b1": "a",
    "\u03bf": "o",
    "\u03b5": "e",
    "\u03b9": "i",
    "\u03ba": "k",
    "\u03bd": "v",
    "\u03c1": "p",
    "\u03c4": "t",
    "\u03c5": "u",
    "\u03c7": "x",
    "\u03b2": "b",
    "\u03b7": "n",
    "\u03c9": "w",
    # Latin-ish symbols and small capitals
    "\u0261": "g",
    "\u0131": "i",
    "\u1d00": "a",
    "\u0299": "b",
    "\u1d04": "c",
    "\u1d05": "d",
    "\u1d07": "e",
    "\u0262": "g",
    "\u029c": "h",
    "\u026a": "i",
    "\u1d0a": "j",
    "\u1d0b": "k",
    "\u029f": "l",
    "\u1d0d": "m",
    "\u0274": "n",
    "\u1d0f": "o",
    "\u1d18": "p",
    "\u0280": "r",
    "\ua731": "s",
    "\u1d1b": "t",
    "\u1d1c": "u",
    "\u1d20": "v",
    "\u1d21": "w",
    "\u028f": "y",
    "\u1d22": "z",
}
_LETTER_WORD = regex.compile(r"[\p{L}\p{M}]+")


def fold_confusables(buf: _Buffer) -> _Buffer:
    """Fold look-alike letters to Latin where the surrounding word (or text) is Latin."""
    text = buf.string()
    if text.isascii() or not any(c in CONFUSABLES for c in text):
        return buf
    has_latin = False
    has_foreign_lookalike_script = False
    for c in text:
        if c.isalpha() and c not in CONFUSABLES:
            script = "Latin" if c.isascii() else script_of(c)
            if script == "Latin":
                has_latin = True
            elif script in ("Cyrillic", "Greek"):
                has_foreign_lookalike_script = True
    fold_whole_words = has_latin and not has_foreign_lookalike_script
    chars = list(buf.chars)
    for match in _LETTER_WORD.finditer(text):
        word = match.group()
        if not any(c in CONFUSABLES for c in word):
            continue
        letters = [c for c in word if c.isalpha()]
        word_has_latin = any(c not in CONFUSABLES and _latinish(c) for c in letters)
        only_lookalikes = all(c in CONFUSABLES or _latinish(c) for c in letters)
        if only_lookalikes and (word_has_latin or fold_whole_words):
            _substitute(chars, match.start(), word, CONFUSABLES)
    return _Buffer(chars, buf.starts, buf.ends)


# --- 9. diacritics -----------------------------------------------------------------------------

_LATIN_SPECIAL: dict[str, str] = {
    "đ": "d",
    "ð": "d",
    "ø": "o",
    "ł": "l",
    "ħ": "h",
    "ŧ": "t",
    "\u0131": "i",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ŋ": "n",
    "ɨ": "i",
    "ƀ": "b",
    "ƶ": "z",
}
_STRIP_CACHE: dict[str, str] = {}


def _strip_latin(ch: str) -> str:
    cached = _STRIP_CACHE.get(ch)
    if cached is not None:
        return cached
    if ch in _LATIN_SPECIAL:
        result = _LATIN_SPECIAL[ch]
    else:
        decomposed = unicodedata.normalize("NFD", ch)
        result = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
        if not result or any(not c.isascii() and script_of(c) != "Latin" for c in result):
            result = ch
    if len(_STRIP_CACHE) < 100_000:
        _STRIP_CACHE[ch] = result
    return result


# Fast pre-check: a non-ASCII Latin letter, or a mark not following a Thai/Lao/Khmer/Myanmar
# character (or another mark). Text without either is left as it is.
_MAY_NEED_STRIPPING = regex.compile(
    r"(?=\p{Script=Latin})[^\x00-\x7f]"
    r"|(?<![\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{M}])\p{M}"
)


def strip_diacritics(buf: _Buffer) -> _Buffer:
    """Remove marks from Latin letters (and stray marks); keep marks of other scripts."""
    text = buf.string()
    if text.isascii() or not _MAY_NEED_STRIPPING.search(text):
        return buf
    out = _Builder()
    base_keeps_marks = False
    for ch, s, e in zip(buf.chars, buf.starts, buf.ends, strict=True):
        if ch.isascii():
            base_keeps_marks = False
            out.chars.append(ch)
            out.starts.append(s)
            out.ends.append(e)
            continue
        if unicodedata.category(ch).startswith("M"):
            if base_keeps_marks:
                out.chars.append(ch)
                out.starts.append(s)
                out.ends.append(e)
            elif out.ends:
                out.ends[-1] = max(out.ends[-1], e)
            continue
        script = script_of(ch)
        if script == "Latin":
            base_keeps_marks = False
            for c in _strip_latin(ch):
                out.chars.append(c)
                out.starts.append(s)
                out.ends.append(e)
            continue
        base_keeps_marks = script not in ("Common", "Inherited", "Unknown")
        out.chars.append(ch)
        out.starts.append(s)
        out.ends.append(e)
    return out.build()


# --- 10. repetition ----------------------------------------------------------------------------


_RUN_OF_THREE = re.compile(r"(\D)\1\1")


def collapse_repetition(buf: _Buffer) -> _Buffer:
    """Collapse runs of 3+ identical non-digit characters to two; the 2nd spans the whole run."""
    if not _RUN_OF_THREE.search(buf.string()):
        return buf
    out = _Builder()
    run = 0
    for ch, s, e in zip(buf.chars, buf.starts, buf.ends, strict=True):
        if out.chars and out.chars[-1] == ch and not ch.isdigit():
            run += 1
            if run > 2:
                out.ends[-1] = max(out.ends[-1], e)
                continue
        else:
            run = 1
        out.chars.append(ch)
        out.starts.append(s)
        out.ends.append(e)
    return out.build()


# --- pipeline ----------------------------------------------------------------------------------


_STEPS = (
    remove_invisible,
    nfkc,
    fold_case,
    strip_diacritics,
    map_emoji,
    normalise_space,
    join_separated_letters,
    decode_leetspeak,
    fold_confusables,
    strip_diacritics,  # again: marks on letters that were folded to Latin
    collapse_repetition,
)
#: The steps that can change ASCII text (the others leave it as it is, and no step makes ASCII
#: text non-ASCII), so most messages skip five calls.
_ASCII_STEPS = (
    remove_invisible,
    fold_case,
    normalise_space,
    join_separated_letters,
    decode_leetspeak,
    collapse_repetition,
)


def normalise(text: str) -> NormalisedText:
    """Normalise `text` for matching (see module docstring for the steps and their order)."""
    buf = _Buffer.of(text)
    for step in _ASCII_STEPS if text.isascii() else _STEPS:
        buf = step(buf)
    starts, ends = buf.starts, buf.ends
    return NormalisedText(
        text,
        buf.string(),
        starts if isinstance(starts, range) else tuple(starts),
        ends if isinstance(ends, range) else tuple(ends),
    )


# --- matching skeleton -------------------------------------------------------------------------

_SKELETON_SPACE = frozenset(' \t\n.,;!?"()[]{}<>-_/\\*~|+=…“”„«»¡¿،。、・')
_SKELETON_WORK = re.compile(r"['\t\n.,;!?\"()\[\]{}<>\-_/\\*~|+=…“”„«»¡¿،。、・]|(\D)\1|^ | $|  ")


def matching_skeleton(text: str) -> tuple[str, tuple[int, ...]]:
    """Collapse a normalised text to its matching form and the index of each character.

    Runs of identical letters become one, apostrophes disappear, and runs of whitespace and
    punctuation become one space (trimmed at the ends). Digits are kept as they are.
    """
    if not _SKELETON_WORK.search(text):
        return text, tuple(range(len(text)))
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch == "'":
            continue
        if ch in _SKELETON_SPACE:
            if chars and chars[-1] != " ":
                chars.append(" ")
                index.append(i)
            continue
        if chars and chars[-1] == ch and not ch.isdigit():
            continue
        chars.append(ch)
        index.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    return "".join(chars), tuple(index)


# For printable ASCII text: the punctuation of `_SKELETON_SPACE` becomes spaces and apostrophes
# go, in one `bytes.translate`; `split`/`join` then leaves single spaces and no padding.
_SKELETON_ASCII_TABLE = bytes.maketrans(
    "".join(c for c in sorted(_SKELETON_SPACE) if c.isascii()).encode(),
    b" " * sum(1 for c in _SKELETON_SPACE if c.isascii()),
)
_DOUBLED_ASCII = re.compile(r"([^0-9])\1")


def skeleton_text(text: str) -> str:
    """``matching_skeleton(text)[0]`` without the index: a few calls into C for printable ASCII
    text (about three times faster than the loop), the loop for anything else."""
    if not (text.isascii() and text.isprintable()):
        return matching_skeleton(text)[0]
    out = " ".join(text.encode().translate(_SKELETON_ASCII_TABLE, b"'").decode().split())
    # Collapse each run of a doubled character (never digits); a regex substitution with a
    # back-reference calls back into Python for every match and was slower than this.
    for ch in set(_DOUBLED_ASCII.findall(out)):
        pair = ch + ch
        while pair in out:
            out = out.replace(pair, ch)
    return out


_SKELETON_SPACE_CLASS = "".join(re.escape(c) for c in sorted(_SKELETON_SPACE) if c.isascii())
# One match per character of the skeleton: a run of one repeated character, a run of spaces and
# punctuation, or one digit.
_SKELETON_UNIT_ASCII = re.compile(
    rf"([^0-9{_SKELETON_SPACE_CLASS}])\1*|[{_SKELETON_SPACE_CLASS}]+|[0-9]"
)


def skeleton_index(text: str) -> tuple[int, ...]:
    """``matching_skeleton(text)[1]`` without the skeleton: for printable ASCII text one regex
    match per skeleton character instead of a Python step per text character, the loop for
    anything else."""
    if not (text.isascii() and text.isprintable()):
        return matching_skeleton(text)[1]
    if "'" in text:
        positions: list[int] | None = [i for i, c in enumerate(text) if c != "'"]
        text = text.replace("'", "")
    else:
        positions = None
    index: list[int] = []
    end = len(text)
    for match in _SKELETON_UNIT_ASCII.finditer(text):
        start = match.start()
        # a space run counts unless it leads or trails (the skeleton is trimmed)
        if text[start] in _SKELETON_SPACE and (not index or match.end() == end):
            continue
        index.append(start)
    if positions is not None:
        return tuple(positions[i] for i in index)
    return tuple(index)


def is_spaceless(ch: str) -> bool:
    """Whether `ch` belongs to a script written without spaces between words."""
    return not ch.isascii() and script_of(ch) in SPACELESS_SCRIPTS
