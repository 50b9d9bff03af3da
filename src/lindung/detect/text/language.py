"""Language identification for the languages Lindung covers, script first.

`detect_language(text)` returns a `LanguageGuess` with a BCP 47 code:

1. Letters are counted per Unicode script (`scripts.script_profile`). Fewer than
   `MIN_LETTERS` letters gives "und" (undetermined).
2. Thai, Khmer, Lao and Myanmar script map straight to "th", "km", "lo" and "my"; other non-Latin
   scripts give "und" with a script subtag ("und-Cyrl", "und-Hani", ...). A second script with at
   least 20 % of the letters adds its language (or, for Latin, the Latin-script guess) to `mixed`.
3. Latin-script text: Tetum ("tet") is recognised by `tetum_score`, a function-word heuristic
   (lingua has no Tetum model; the word list needs native review). Then `function_word_language`:
   at least `DECISIVE_FUNCTION_WORDS` different function words, all of one language, decide it
   without lingua (faster, and more accurate where it applies: docs/text.md). Otherwise
   lingua-language-detector chooses among English, Malay, Indonesian, Vietnamese and Tagalog
   ("en", "ms", "id", "vi", "fil").
4. Code-mixing (Taglish, Manglish, English with Malay ...) is reported in `mixed`: languages other
   than the primary whose function words (`FUNCTION_WORDS`) make up at least a quarter of the
   recognised function words (two or more), or to which lingua gives at least 0.25 confidence.
   Malay and Indonesian share most function words, so neither is reported as mixed with the other;
   colloquial markers (`_malay_or_indonesian`) overrule lingua's choice between the two.

The lingua detector is built once per process, lazily and under a lock. It runs in low-accuracy
mode: on short chat messages it measured about 28 us per message against 65 us in high-accuracy
mode (and builds in under a millisecond instead of 0.7 s with preloaded models), and it still
separates the five Latin-script languages on our test messages. Pass ``low_accuracy=False`` for
the more accurate (slower) detector.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import regex
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from lindung.detect.text.normalise import NormalisedText, normalise
from lindung.detect.text.scripts import ISO_15924, ascii_letter_count, script_profile

__all__ = [
    "DECISIVE_FUNCTION_WORDS",
    "FUNCTION_WORDS",
    "MIN_LETTERS",
    "LanguageGuess",
    "detect_language",
    "function_word_language",
    "tetum_score",
]

#: Fewer letters than this is "und".
MIN_LETTERS = 4

_SCRIPT_LANGUAGE: dict[str, str] = {"Thai": "th", "Khmer": "km", "Lao": "lo", "Myanmar": "my"}
_LINGUA_CODES: dict[Language, str] = {
    Language.ENGLISH: "en",
    Language.MALAY: "ms",
    Language.INDONESIAN: "id",
    Language.VIETNAMESE: "vi",
    Language.TAGALOG: "fil",
}


@dataclass(frozen=True)
class LanguageGuess:
    """A BCP 47 language code, how sure we are (0..1), and secondary languages in the text."""

    code: str
    confidence: float
    mixed: tuple[str, ...] = ()
    script: str | None = None


_UND = LanguageGuess("und", 0.0)

# --- lingua, built lazily once per process -----------------------------------------------------

_detectors: dict[bool, LanguageDetector] = {}
_lock = threading.Lock()


def _detector(low_accuracy: bool) -> LanguageDetector:
    detector = _detectors.get(low_accuracy)
    if detector is None:
        with _lock:
            detector = _detectors.get(low_accuracy)
            if detector is None:
                builder = LanguageDetectorBuilder.from_languages(*_LINGUA_CODES)
                if low_accuracy:
                    builder = builder.with_low_accuracy_mode()
                detector = builder.with_preloaded_language_models().build()
                _detectors[low_accuracy] = detector
    return detector


# --- function words ----------------------------------------------------------------------------


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Frequent, fairly distinctive function words per language (diacritics stripped, lower case),
#: used to spot code-mixing. Non-English lists are machine-assisted and need native review.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        "the you your i me my is are was to and don't dont what how with of it this that want "
        "can will not do we they he she have just know about when where why who because would "
        "should please"
    ),
    "ms": _wordset(
        "saya awak kau tak nak boleh dengan ini itu yang tidak jangan kita dia apa mana sudah dah "
        "lah je ke pun untuk kat sini dekat pergi jumpa cakap macam sangat betul korang hang "
        "camne mcm x tau sikit kenapa bila"
    ),
    "id": _wordset(
        "saya kamu aku gak nggak enggak ga tidak mau sudah udah ini itu yang jangan kita dia apa "
        "mana aja sih dong deh banget bisa untuk sama gimana kenapa lagi ketemu bilang gue lo "
        "elu kok kalo kalau"
    ),
    "fil": _wordset(
        "ako ikaw ka mo ko ang ng sa na hindi wag huwag po naman lang kasi siya natin tayo ito "
        "yan yung mga pero talaga sobrang gusto ayaw saan paano bakit anong sige ba kita lagi "
        "dito diyan"
    ),
    "vi": _wordset(
        "anh em khong la va cua co nay di duoc toi ban minh gi voi nhe oi roi nha ko hok chi "
        "nhung cho lam thi ma"
    ),
    "tet": _wordset(
        "ha'u hau o nia ne'e nee sira ita ami imi hakarak iha ho ba mak atu deit ona tanba maibe "
        "bele hatene halo fo hela nian hosi husi seidauk katak saida oinsa labele lalika haree "
        "hatudu ne'ebe neebe loos"
    ),
}
# Words shared between languages are only counted as evidence for the languages that own them,
# and very short shared words are ignored for Tetum because Portuguese/Malay loans collide.
_TETUM_DISTINCTIVE = _wordset(
    "ha'u hau ne'e nee sira hakarak iha mak deit ona tanba maibe hatene halo hela nian hosi husi "
    "seidauk katak saida oinsa labele lalika haree hatudu ne'ebe neebe imi ami"
)
_WORD = regex.compile(r"[\p{L}\p{M}']+")
_ASCII_WORD = re.compile(r"[A-Za-z']+")  # the same words in ASCII text, by the faster engine


def _words(normalised: NormalisedText) -> list[str]:
    text = normalised.text
    words: list[str] = (_ASCII_WORD if text.isascii() else _WORD).findall(text)
    return words


def tetum_score(words: list[str]) -> float:
    """Share of words that are distinctive Tetum function words (heuristic; native review)."""
    return _tetum_share(_tag_counts(words), len(words))


def _secondary_from_function_words(primary: str, tags: dict[str, int]) -> list[str]:
    counts = {code: tags[code] for code in FUNCTION_WORDS if code in tags}
    total = sum(counts.values())
    out: list[str] = []
    for code, n in sorted(counts.items(), key=lambda item: -item[1]):
        if code == primary or {code, primary} == {"ms", "id"}:
            continue
        if n >= 2 and n / total >= 0.25:
            out.append(code)
    return out


# Colloquial words that tell Malay and Indonesian apart (lingua often confuses the two on short
# messages). Machine-assisted lists; need native review.
_MALAY_MARKERS = _wordset(
    "awak tak nak je kat korang bagitahu beritahu cakap hantar macam mcm budak camne hang sikit "
    "dah lah boleh kenapa"
)
_INDONESIAN_MARKERS = _wordset(
    "gak nggak enggak ga banget dong sih aja bilang gimana gue lo elu kamu mau udah kirim ketemu "
    "kalo kok deh nih tuh"
)


# Tags of the word lists above that are not language codes.
_TETUM_TAG, _MALAY_TAG, _INDONESIAN_TAG = "tet:distinctive", "ms:marker", "id:marker"


def _word_tags() -> dict[str, tuple[str, ...]]:
    """Every listed word and the lists it is on, so one dictionary look-up per word of a
    message counts all of them (function words per language, Tetum, Malay/Indonesian markers)."""
    tags: dict[str, list[str]] = {}
    lists = [*FUNCTION_WORDS.items()]
    lists += [
        (_TETUM_TAG, _TETUM_DISTINCTIVE),
        (_MALAY_TAG, _MALAY_MARKERS),
        (_INDONESIAN_TAG, _INDONESIAN_MARKERS),
    ]
    for tag, words in lists:
        for word in words:
            tags.setdefault(word, []).append(tag)
    return {word: tuple(found) for word, found in tags.items()}


_WORD_TAGS = _word_tags()


def _tag_counts(words: list[str]) -> dict[str, int]:
    """How many of `words` are on each list (see `_word_tags`)."""
    counts: dict[str, int] = {}
    get = _WORD_TAGS.get
    for word in words:
        found = get(word)
        if found:
            for tag in found:
                counts[tag] = counts.get(tag, 0) + 1
    return counts


def _tetum_share(tags: dict[str, int], n_words: int) -> float:
    hits = tags.get(_TETUM_TAG, 0)
    return hits / n_words if hits >= 2 else 0.0


def _malay_or_indonesian(primary: str, tags: dict[str, int]) -> str:
    """Let colloquial markers overrule lingua's choice between Malay and Indonesian."""
    ms = tags.get(_MALAY_TAG, 0)
    id_ = tags.get(_INDONESIAN_TAG, 0)
    if ms > id_:
        return "ms"
    if id_ > ms:
        return "id"
    return primary


#: A Latin-script message with at least this many different function words, all of one
#: language, is that language without asking lingua (see `function_word_language`).
DECISIVE_FUNCTION_WORDS = 2
_FUNCTION_WORD_LANGUAGES: dict[str, frozenset[str]] = {
    word: frozenset(tag for tag in tags if tag in FUNCTION_WORDS)
    for word, tags in _WORD_TAGS.items()
    if any(tag in FUNCTION_WORDS for tag in tags)
}


def _decided_by_function_words(words: list[str], tags: dict[str, int]) -> tuple[str, float] | None:
    distinct = dict.fromkeys(words)
    owners: set[str] = set()
    found = 0
    for word in distinct:
        languages = _FUNCTION_WORD_LANGUAGES.get(word)
        if languages:
            found += 1
            owners |= languages
    if found < DECISIVE_FUNCTION_WORDS:
        return None
    if owners <= {"ms", "id"}:
        code = _malay_or_indonesian("", tags)
        if not code:
            return None  # Malay or Indonesian, and no colloquial marker to tell which
    elif len(owners) == 1:
        (code,) = owners
    else:
        return None
    return code, min(0.9, 0.5 + found / len(distinct))


def function_word_language(text: str | NormalisedText) -> str | None:
    """The language a message's function words decide on their own, or None.

    They decide when the message has at least `DECISIVE_FUNCTION_WORDS` different function
    words (`FUNCTION_WORDS`) and every one of them belongs to the same language (Malay and
    Indonesian, which share most of theirs, count as one, and then colloquial markers must say
    which). `detect_language` uses this before lingua on Latin-script text: on our labelled
    messages this rule was right more often than lingua where it applies (docs/text.md), and it
    costs a few microseconds where a lingua call costs tens.
    """
    normalised = text if isinstance(text, NormalisedText) else normalise(text)
    words = _words(normalised)
    decided = _decided_by_function_words(words, _tag_counts(words))
    return decided[0] if decided is not None else None


def _latin_guess(
    text: str, low_accuracy: bool, normalised: NormalisedText | None = None
) -> LanguageGuess:
    words = _words(normalised if normalised is not None else normalise(text))
    tags = _tag_counts(words)
    tet = _tetum_share(tags, len(words))
    if tet >= 0.2:
        secondary = _secondary_from_function_words("tet", tags)
        return LanguageGuess("tet", min(0.9, 0.5 + tet), tuple(secondary), "Latn")
    decided = _decided_by_function_words(words, tags)
    if decided is not None:
        return LanguageGuess(decided[0], decided[1], (), "Latn")
    values = _detector(low_accuracy).compute_language_confidence_values(text)
    if not values:
        return LanguageGuess("und", 0.0, (), "Latn")
    primary = _LINGUA_CODES[values[0].language]
    confidence = float(values[0].value)
    if primary in ("ms", "id"):
        primary = _malay_or_indonesian(primary, tags)
    secondary = _secondary_from_function_words(primary, tags)
    for value in values[1:]:
        code = _LINGUA_CODES[value.language]
        if value.value >= 0.25 and code not in secondary and {code, primary} != {"ms", "id"}:
            secondary.append(code)
    return LanguageGuess(primary, confidence, tuple(secondary), "Latn")


def detect_language(text: str | NormalisedText, *, low_accuracy: bool = True) -> LanguageGuess:
    """Guess the BCP 47 language of `text` (see module docstring).

    Pass a `NormalisedText` when you have one, to save normalising the message twice; the
    original text is what lingua and the script count look at.
    """
    normalised = text if isinstance(text, NormalisedText) else None
    if isinstance(text, NormalisedText):
        text = text.original
    if text.isascii():  # Latin letters only, or none: no script profile needed
        if ascii_letter_count(text) < MIN_LETTERS:
            return _UND
        return _latin_guess(text, low_accuracy, normalised)
    profile = script_profile(text)
    if profile.total < MIN_LETTERS:
        return _UND
    proportions = profile.proportions
    scripts = list(proportions)
    dominant = scripts[0]
    secondary_scripts = [s for s in scripts[1:] if proportions[s] >= 0.2]
    mixed: list[str] = []
    if dominant == "Latin":
        guess = _latin_guess(text, low_accuracy, normalised)
        if len(proportions) == 1:  # Latin letters only
            return guess
        for script in secondary_scripts:
            code = _SCRIPT_LANGUAGE.get(script)
            if code is not None and code not in guess.mixed:
                mixed.append(code)
        confidence = guess.confidence * proportions[dominant]
        return LanguageGuess(guess.code, confidence, (*guess.mixed, *mixed), guess.script)
    for script in secondary_scripts:
        if script == "Latin":
            latin_text = "".join(c if c.isascii() else " " for c in text)
            if sum(c.isalpha() for c in latin_text) >= MIN_LETTERS:
                code = _latin_guess(latin_text, low_accuracy).code
                if code != "und":
                    mixed.append(code)
        elif script in _SCRIPT_LANGUAGE:
            mixed.append(_SCRIPT_LANGUAGE[script])
    iso = ISO_15924.get(dominant, "Zzzz")
    code = _SCRIPT_LANGUAGE.get(dominant, f"und-{iso}")
    return LanguageGuess(code, proportions[dominant], tuple(mixed), iso)
