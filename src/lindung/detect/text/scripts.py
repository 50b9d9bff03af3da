"""Unicode script identification (UAX #24) for characters and texts.

`script_of` names the script of one character with the long Unicode names ("Latin", "Thai",
"Khmer", "Lao", "Myanmar", "Han", "Cyrillic", "Arabic", ...), "Common" for punctuation, digits,
symbols and emoji, "Inherited" for combining marks shared between scripts, and "Unknown" for
anything outside the scripts listed in `SCRIPTS`. Lookups go through the `regex` module's
``\\p{Script=...}`` classes once per distinct character and are then cached, so profiling a
message costs one dictionary lookup per character.

`script_profile` counts the letters (and script-specific marks) of a text per script and gives
their proportions; Common and Inherited characters are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

__all__ = [
    "ISO_15924",
    "SCRIPTS",
    "SPACELESS_SCRIPTS",
    "ScriptProfile",
    "ascii_letter_count",
    "script_of",
    "script_profile",
]

#: Scripts recognised by name, most likely first (the order only affects lookup speed).
SCRIPTS: tuple[str, ...] = (
    "Latin",
    "Thai",
    "Khmer",
    "Lao",
    "Myanmar",
    "Han",
    "Cyrillic",
    "Greek",
    "Arabic",
    "Hangul",
    "Hiragana",
    "Katakana",
    "Tagalog",
    "Javanese",
    "Balinese",
    "Sundanese",
    "Buginese",
    "Cham",
    "Tai_Tham",
    "Tai_Viet",
    "New_Tai_Lue",
    "Tai_Le",
    "Bengali",
    "Devanagari",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Gujarati",
    "Gurmukhi",
    "Oriya",
    "Sinhala",
    "Tibetan",
    "Hebrew",
    "Armenian",
    "Georgian",
    "Ethiopic",
    "Mongolian",
    "Bopomofo",
)

#: ISO 15924 codes, used for BCP 47 script subtags such as "und-Cyrl".
ISO_15924: dict[str, str] = {
    "Latin": "Latn",
    "Thai": "Thai",
    "Khmer": "Khmr",
    "Lao": "Laoo",
    "Myanmar": "Mymr",
    "Han": "Hani",
    "Cyrillic": "Cyrl",
    "Greek": "Grek",
    "Arabic": "Arab",
    "Hangul": "Hang",
    "Hiragana": "Hira",
    "Katakana": "Kana",
    "Tagalog": "Tglg",
    "Javanese": "Java",
    "Balinese": "Bali",
    "Sundanese": "Sund",
    "Buginese": "Bugi",
    "Cham": "Cham",
    "Tai_Tham": "Lana",
    "Tai_Viet": "Tavt",
    "New_Tai_Lue": "Talu",
    "Tai_Le": "Tale",
    "Bengali": "Beng",
    "Devanagari": "Deva",
    "Tamil": "Taml",
    "Telugu": "Telu",
    "Kannada": "Knda",
    "Malayalam": "Mlym",
    "Gujarati": "Gujr",
    "Gurmukhi": "Guru",
    "Oriya": "Orya",
    "Sinhala": "Sinh",
    "Tibetan": "Tibt",
    "Hebrew": "Hebr",
    "Armenian": "Armn",
    "Georgian": "Geor",
    "Ethiopic": "Ethi",
    "Mongolian": "Mong",
    "Bopomofo": "Bopo",
}

#: Scripts written without spaces between words: lexicon phrases in them match as substrings.
SPACELESS_SCRIPTS: frozenset[str] = frozenset(
    {"Thai", "Lao", "Khmer", "Myanmar", "Han", "Hiragana", "Katakana", "Tai_Tham", "New_Tai_Lue"}
)

_PATTERN = regex.compile(
    "|".join(f"(?P<{name}>\\p{{Script={name}}})" for name in (*SCRIPTS, "Common", "Inherited"))
)
_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 200_000


def script_of(char: str) -> str:
    """Return the Unicode script name of a single character (see module docstring)."""
    script = _CACHE.get(char)
    if script is None:
        match = _PATTERN.match(char)
        script = match.lastgroup if match is not None and match.lastgroup else "Unknown"
        if len(_CACHE) < _CACHE_LIMIT:
            _CACHE[char] = script
    return script


@dataclass(frozen=True)
class ScriptProfile:
    """Counts of script-specific characters per script, and their proportions."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Number of characters counted (Common and Inherited are excluded)."""
        return sum(self.counts.values())

    @property
    def proportions(self) -> dict[str, float]:
        """Share of each script, largest first; empty for a text without letters."""
        total = self.total
        if total == 0:
            return {}
        ordered = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        return {name: count / total for name, count in ordered}

    @property
    def dominant(self) -> str | None:
        """The most frequent script, or None when the text has no script-specific characters."""
        proportions = self.proportions
        return next(iter(proportions)) if proportions else None


_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def ascii_letter_count(text: str) -> int:
    """Letters in an ASCII `text`, counted in C (`bytes.translate` deletes the rest)."""
    return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))


def script_profile(text: str) -> ScriptProfile:
    """Count the script-specific characters of `text` per script."""
    if text.isascii():  # the common case, without a loop in Python
        letters = ascii_letter_count(text)
        return ScriptProfile({"Latin": letters} if letters else {})
    counts: dict[str, int] = {}
    for char in text:
        if char.isascii():
            if char.isalpha():
                counts["Latin"] = counts.get("Latin", 0) + 1
            continue
        script = script_of(char)
        if script in ("Common", "Inherited"):
            continue
        counts[script] = counts.get(script, 0) + 1
    return ScriptProfile(counts)
