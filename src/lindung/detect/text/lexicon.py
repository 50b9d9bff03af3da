"""Curated, versioned risk lexicons and obfuscation-tolerant phrase matching.

Lexicon files are UTF-8 TSV, one per language, named ``<lang>.tsv`` (or ``<lang>.<anything>.tsv``
for operator files; the language is the BCP 47 tag before the first dot). The first non-comment
line is the header::

    phrase<TAB>category<TAB>weight<TAB>stage<TAB>note<TAB>review

- ``phrase``: what people write; it is normalised like messages are (`normalise.normalise`), so
  write it plainly ("don't tell your parents"); emoji in `normalise.EMOJI_WORDS` may be used.
- ``category``: one of `CATEGORIES`.
- ``weight``: 0..1, how strongly the phrase alone indicates the category. 0 disables an entry,
  which lets an operator file switch off a default phrase.
- ``stage``: for grooming one of `GROOMING_STAGES`, for sextortion one of `SEXTORTION_STAGES`,
  otherwise empty.
- ``note``: free text for reviewers. ``review``: provenance, e.g. "machine-assisted; needs native
  review".

Lines starting with ``#`` and blank lines are ignored; trailing empty columns may be left out.
Invalid rows raise `LexiconError` listing every problem as ``file:line: message``.

Later files override earlier ones: an entry with the same language, matching form and category
replaces the earlier one. `Lexicon.load_default()` reads the packaged ``lexicons/`` directory;
`Lexicon.from_files(paths, include_default=True)` layers operator files on top.

Matching runs one pyahocorasick automaton, built once per lexicon, over the *matching skeleton* of
the normalised message (see `normalise`), for all languages at once, since chats mix languages.
A phrase side written in a space-separated script must sit on a word boundary; a side in Thai,
Khmer, Lao, Myanmar (or Han/Kana) matches inside longer text, as those scripts have no spaces.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
import regex

from lindung.detect.text.normalise import NormalisedText, is_spaceless, matching_skeleton, normalise

__all__ = [
    "CATEGORIES",
    "DEFAULT_DIR",
    "GROOMING_STAGES",
    "HEADER",
    "SEXTORTION_STAGES",
    "Lexicon",
    "LexiconEntry",
    "LexiconError",
    "LexiconHit",
    "check_category_weight_stage",
    "is_word_char",
    "read_tsv",
]

CATEGORIES: tuple[str, ...] = (
    "grooming",
    "sextortion",
    "sexual_content_minor",
    "bullying_harassment",
    "self_harm",
)
GROOMING_STAGES: tuple[str, ...] = (
    "trust_building",
    "isolation",
    "sexualisation",
    "meeting",
    "secrecy",
)
SEXTORTION_STAGES: tuple[str, ...] = ("threat", "demand")
HEADER: tuple[str, ...] = ("phrase", "category", "weight", "stage", "note", "review")
DEFAULT_DIR = Path(__file__).with_name("lexicons")

_LANGUAGE_TAG = regex.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_ALLOWED_STAGES: dict[str, tuple[str, ...]] = {
    "grooming": GROOMING_STAGES,
    "sextortion": SEXTORTION_STAGES,
}


class LexiconError(ValueError):
    """One or more invalid lexicon rows; `errors` holds ``file:line: message`` strings."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("invalid lexicon:\n" + "\n".join(self.errors))


@dataclass(frozen=True)
class LexiconEntry:
    """One phrase of a lexicon, with where it came from."""

    phrase: str
    category: str
    weight: float
    stage: str | None
    note: str
    review: str
    language: str
    source: str
    line: int
    key: str  # the matching form (skeleton of the normalised phrase)


@dataclass(frozen=True)
class LexiconHit:
    """A lexicon phrase found in a message; `span_in_original` quotes the message's own words."""

    phrase: str
    category: str
    weight: float
    stage: str | None
    span_in_original: tuple[int, int]
    language: str
    text_in_original: str
    #: "lexicon" for a phrase, "rule" for a co-occurrence rule (`rules.RuleSet`).
    source: str = "lexicon"


def _mark_clusters(text: str) -> tuple[str, ...]:
    """The diacritics of `text`, one cluster per accented letter, in order.

    Matching strips diacritics so that messages typed without them still match; but where a
    message *has* them they carry meaning (Vietnamese "từ từ đi", take it easy, and "tự tử đi",
    go kill yourself, differ only in their marks), so a hit whose marks contradict the phrase's
    is dropped. Case-folded and NFD-decomposed: ``"Tự tử"`` -> ``("\u031b\u0323", "\u031b\u0309")``.
    """
    if text.isascii():
        return ()
    clusters: list[str] = []
    current = ""
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if unicodedata.category(ch) == "Mn" and not is_spaceless(ch):
            current += ch
            continue
        if current:
            clusters.append(current)
            current = ""
    if current:
        clusters.append(current)
    return tuple(clusters)


def _is_subsequence(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    """Whether `part` is `whole` with some items left out (a message may omit some marks)."""
    remaining = iter(whole)
    return all(any(item == candidate for candidate in remaining) for item in part)


def _phrase_key(phrase: str) -> str:
    return matching_skeleton(normalise(phrase).text)[0]


def _language_of(path: Path) -> str:
    return path.name.split(".", 1)[0]


def read_tsv(path: Path, header: tuple[str, ...]) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """The data rows of a TSV file that starts (after comments) with `header`: (line number,
    stripped fields) each, and errors as ``file:line: message``. Shared by lexicons and rules."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"{path}:0: cannot read: {exc}"]
    rows: list[tuple[int, list[str]]] = []
    header_seen = False
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if not header_seen:
            if tuple(f.lower() for f in fields[: len(header)]) != header:
                return [], [f"{path}:{number}: header must be {' TAB '.join(header)}"]
            header_seen = True
            continue
        rows.append((number, fields))
    if not header_seen:
        return [], [f"{path}:1: missing header {' TAB '.join(header)}"]
    return rows, []


def check_category_weight_stage(
    category: str, weight_text: str, stage: str, problems: list[str]
) -> float | None:
    """The columns lexicon and rule files share: appends what is wrong to `problems` and
    returns the weight (0 to 1), or None when it is not one."""
    if category not in CATEGORIES:
        problems.append(f"unknown category {category!r} (expected one of {CATEGORIES})")
    try:
        weight: float | None = float(weight_text)
    except ValueError:
        weight = None
    if weight is None or not 0.0 <= weight <= 1.0:
        problems.append(f"weight must be a number from 0 to 1, not {weight_text!r}")
        weight = None
    allowed = _ALLOWED_STAGES.get(category, ())
    if stage and stage not in allowed:
        problems.append(
            f"stage {stage!r} not allowed for {category!r}"
            + (f" (expected one of {allowed} or empty)" if allowed else " (must be empty)")
        )
    return weight


def _parse_file(path: Path) -> tuple[list[LexiconEntry], list[str]]:
    entries: list[LexiconEntry] = []
    language = _language_of(path)
    if not _LANGUAGE_TAG.fullmatch(language):
        return [], [f"{path}:0: file name must start with a BCP 47 language tag, not {language!r}"]
    rows, errors = read_tsv(path, HEADER)
    for number, fields in rows:
        where = f"{path}:{number}"
        if len(fields) < 3 or len(fields) > len(HEADER):
            errors.append(f"{where}: expected 3 to {len(HEADER)} tab-separated columns")
            continue
        fields += [""] * (len(HEADER) - len(fields))
        phrase, category, weight_text, stage, note, review = fields
        problems: list[str] = []
        if not phrase:
            problems.append("empty phrase")
        weight = check_category_weight_stage(category, weight_text, stage, problems)
        key = _phrase_key(phrase) if phrase else ""
        if phrase and not key:
            problems.append(f"phrase {phrase!r} is empty after normalisation")
        if problems or weight is None:
            errors.extend(f"{where}: {p}" for p in problems)
            continue
        entries.append(
            LexiconEntry(
                phrase=phrase,
                category=category,
                weight=weight,
                stage=stage or None,
                note=note,
                review=review,
                language=language,
                source=str(path),
                line=number,
                key=key,
            )
        )
    return entries, errors


# Value stored in the automaton: (key length, entries, boundary needed left, boundary right).
_Payload = tuple[int, tuple[LexiconEntry, ...], bool, bool]


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or (not ch.isascii() and unicodedata.category(ch)[0] == "M")


_ASCII_WORD_CHARS = frozenset(chr(i) for i in range(128) if is_word_char(chr(i)))


def at_word_boundaries(text: str, start: int, end: int, left: bool, right: bool) -> bool:
    """Whether ``text[start:end]`` has no word character just before it (when `left`) and just
    after it (when `right`): the check every automaton hit of a spaced-script phrase needs.
    ASCII neighbours are looked up in a set; only others go through `is_word_char`."""
    if left and start > 0:
        ch = text[start - 1]
        if ch in _ASCII_WORD_CHARS or (not ch.isascii() and is_word_char(ch)):
            return False
    if right and end < len(text):
        ch = text[end]
        if ch in _ASCII_WORD_CHARS or (not ch.isascii() and is_word_char(ch)):
            return False
    return True


#: A phrase written without (some of) its spaces ("donttell your parents", "#killyourself") is
#: indexed too, when the phrase is long enough not to occur by chance inside ordinary words
#: (its edges must still fall on word boundaries).
MIN_JOINED_LENGTH = 7
#: Longer phrases are rarely written glued together, and their variants grow as 2^(words-1).
MAX_JOINED_WORDS = 6
_DOUBLED = regex.compile(r"(.)\1+")


def _variants(key: str) -> set[str]:
    """Every form of a phrase key the automaton should find.

    - "1" is read as "i" by leetspeak decoding, so "l" is also indexed as "i" ("1ove").
    - Spaced-out letters ("d.o.n.t t.e.l.l") and hashtags join words together, so a
      multi-word phrase in a spaced script is also indexed without its spaces.
    """
    forms = {key}
    words = key.split(" ")
    spaced_script = not any(is_spaceless(ch) for ch in key if not ch.isspace())
    if spaced_script and 1 < len(words) <= MAX_JOINED_WORDS:
        # Every way of gluing neighbouring words: "donttell your parents", "donttellyourparents"...
        for glue in itertools.product((" ", ""), repeat=len(words) - 1):
            form = words[0] + "".join(g + w for g, w in zip(glue, words[1:], strict=True))
            # The skeleton has no doubled letters, also where two words meet ("dont"+"tel").
            form = _DOUBLED.sub(r"\1", form)
            if len(form.replace(" ", "")) >= MIN_JOINED_LENGTH:
                forms.add(form)
    for form in list(forms):
        if "l" in form:
            variant = form.replace("l", "i")
            if "ii" not in variant:
                forms.add(variant)
    return forms


class Lexicon:
    """A set of lexicon entries with a matching automaton built once."""

    def __init__(self, entries: Iterable[LexiconEntry], version: str) -> None:
        merged: dict[tuple[str, str, str], LexiconEntry] = {}
        for entry in entries:
            merged[(entry.language, entry.key, entry.category)] = entry
        self.entries: tuple[LexiconEntry, ...] = tuple(e for e in merged.values() if e.weight > 0)
        self.version = version
        self._automaton = self._build()

    def _build(self) -> ahocorasick.Automaton:
        by_key: dict[str, list[LexiconEntry]] = {}
        for entry in self.entries:
            for key in _variants(entry.key):
                group = by_key.setdefault(key, [])
                if entry not in group:
                    group.append(entry)
        automaton = ahocorasick.Automaton()
        for key, group in by_key.items():
            payload: _Payload = (
                len(key),
                tuple(group),
                not is_spaceless(key[0]),
                not is_spaceless(key[-1]),
            )
            automaton.add_word(key, payload)
        if by_key:
            automaton.make_automaton()
        return automaton

    # --- loading -----------------------------------------------------------------------------

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], *, include_default: bool = False) -> Lexicon:
        """Load lexicon files in order (later override earlier), optionally over the defaults."""
        files = [Path(p) for p in paths]
        all_files = (_default_files() if include_default else []) + files
        entries: list[LexiconEntry] = []
        errors: list[str] = []
        for path in all_files:
            file_entries, file_errors = _parse_file(path)
            entries.extend(file_entries)
            errors.extend(file_errors)
        if errors:
            raise LexiconError(errors)
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.read_bytes())
        custom = f"custom.{digest.hexdigest()[:12]}"
        if include_default:
            version = f"{default_version()}+{custom}" if files else default_version()
        else:
            version = custom
        return cls(entries, version)

    @classmethod
    def load_default(cls) -> Lexicon:
        """The lexicons shipped with Lindung (cached: built once per process)."""
        global _default
        if _default is None:
            with _default_lock:
                if _default is None:
                    _default = cls.from_files([], include_default=True)
        return _default

    # --- matching ----------------------------------------------------------------------------

    def languages(self) -> list[str]:
        """Languages with at least one active entry."""
        return sorted({e.language for e in self.entries})

    def match(
        self, text: str | NormalisedText, *, languages: Iterable[str] | None = None
    ) -> list[LexiconHit]:
        """Find lexicon phrases in `text`; hits are ordered by position in the original text."""
        normalised = text if isinstance(text, NormalisedText) else normalise(text)
        skeleton = normalised.skeleton
        if not skeleton or not self.entries:
            return []
        wanted = frozenset(languages) if languages is not None else None
        hits: list[LexiconHit] = []
        for end, (length, group, left, right) in self._automaton.iter(skeleton):
            start = end - length + 1
            if not at_word_boundaries(skeleton, start, end + 1, left, right):
                continue
            span = normalised.original_span_of_skeleton(start, end + 1)
            quoted = normalised.original[span[0] : span[1]]
            marks = _mark_clusters(quoted)
            for entry in group:
                if wanted is not None and entry.language not in wanted:
                    continue
                if marks and not _is_subsequence(marks, _mark_clusters(entry.phrase)):
                    continue  # written with other diacritics: another word ("từ từ" ≠ "tự tử")
                hits.append(
                    LexiconHit(
                        phrase=entry.phrase,
                        category=entry.category,
                        weight=entry.weight,
                        stage=entry.stage,
                        span_in_original=span,
                        language=entry.language,
                        text_in_original=quoted,
                    )
                )
        hits.sort(key=lambda h: (h.span_in_original, h.category, h.language))
        return hits


_default: Lexicon | None = None
_default_lock = threading.Lock()


def _default_files() -> list[Path]:
    return sorted(DEFAULT_DIR.glob("*.tsv"))


def default_version() -> str:
    """The version of the packaged lexicons (``lexicons/VERSION``)."""
    return (DEFAULT_DIR / "VERSION").read_text(encoding="utf-8").strip()
