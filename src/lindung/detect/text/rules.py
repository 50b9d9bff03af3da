"""Co-occurrence rules: two kinds of words near each other, where a phrase list needs luck.

Phrases match only as written: "take your shirt off for me" and "send a pic without your shirt"
share no phrase, but both put a request ("send", "take", "turn on your cam") near an undressing
word ("shirt off", "without clothes"). A rule names two term lists and a window: it fires when a
term of list A and a term of list B occur within ``window`` characters of each other, in either
order, in one message. Paraphrases that keep the two ingredients are caught; the window keeps
unrelated words in a long message apart.

Files: UTF-8 TSV, one per language, ``rules/<lang>.tsv`` (operators may add
``<lang>.<name>.tsv`` files with `RuleSet.from_files`), header::

    name<TAB>category<TAB>weight<TAB>stage<TAB>terms_a<TAB>terms_b<TAB>window<TAB>note<TAB>review

Terms are ``|``-separated and normalised like messages (`normalise.normalise`: case, diacritics,
leetspeak, repeated letters); Latin-script terms match on word boundaries, Thai, Khmer, Lao and
Burmese terms anywhere. Category, weight and stage mean what they mean in the lexicons; a rule
hit is a `lexicon.LexiconHit` (``source="rule"``), so the pipeline weighs, explains and stages it
exactly like a phrase.

Speed: one Aho-Corasick pass over the message finds every term of every rule; only rules with
terms on both sides are then checked for distance, so hundreds of rules cost about one lexicon.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from lindung.detect.text.lexicon import (
    LexiconHit,
    at_word_boundaries,
    check_category_weight_stage,
    read_tsv,
)
from lindung.detect.text.normalise import NormalisedText, is_spaceless, normalise

__all__ = ["DEFAULT_DIR", "HEADER", "MAX_WINDOW", "Rule", "RuleError", "RuleSet"]

HEADER = (
    "name",
    "category",
    "weight",
    "stage",
    "terms_a",
    "terms_b",
    "window",
    "note",
    "review",
)
DEFAULT_DIR = Path(__file__).with_name("rules")
MAX_WINDOW = 120
#: Occurrences kept per rule side: enough for any chat message, bounded for hostile input.
_MAX_SPANS = 32


class RuleError(ValueError):
    """Invalid rule files; the message lists every problem as ``file:line: message``."""


@dataclass(frozen=True)
class Rule:
    name: str
    language: str
    category: str
    weight: float
    stage: str | None
    terms_a: tuple[str, ...]  # normalised
    terms_b: tuple[str, ...]
    window: int
    note: str = ""


def _normalised_terms(raw: str) -> tuple[str, ...]:
    terms = []
    for part in raw.split("|"):
        term = normalise(part.strip()).text if part.strip() else ""
        if term and term not in terms:
            terms.append(term)
    return tuple(terms)


def _parse_file(path: Path) -> tuple[list[Rule], list[str]]:
    language = path.name.split(".", 1)[0]
    rows, errors = read_tsv(path, HEADER)
    rules: list[Rule] = []
    names: set[str] = set()
    for number, fields in rows:
        where = f"{path}:{number}"
        if not 7 <= len(fields) <= len(HEADER):
            errors.append(f"{where}: expected 7 to {len(HEADER)} tab-separated columns")
            continue
        fields += [""] * (len(HEADER) - len(fields))
        name, category, weight_text, stage, raw_a, raw_b, window_text, note, _review = fields
        problems: list[str] = []
        if not name or name in names:
            problems.append(f"rule name {name!r} is empty or used twice")
        weight = check_category_weight_stage(category, weight_text, stage, problems)
        terms_a, terms_b = _normalised_terms(raw_a), _normalised_terms(raw_b)
        if not terms_a or not terms_b:
            problems.append("terms_a and terms_b each need at least one term")
        window = int(window_text) if window_text.isdigit() else -1
        if not 0 <= window <= MAX_WINDOW:
            problems.append(f"window must be a whole number from 0 to {MAX_WINDOW}")
        if problems or weight is None:
            errors.extend(f"{where}: {p}" for p in problems)
            continue
        names.add(name)
        rules.append(
            Rule(name, language, category, weight, stage or None, terms_a, terms_b, window, note)
        )
    return rules, errors


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int | None:
    """Characters between two spans; 0 when they share one character (normalisation collapses a
    letter doubled across two joined words, common in Thai, Lao, Khmer and Burmese); None when
    they overlap more (the same words cannot be both sides)."""
    if a[1] <= b[0]:
        return b[0] - a[1]
    if b[1] <= a[0]:
        return a[0] - b[1]
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return 0 if shared <= 1 else None


class RuleSet:
    """Rules compiled into one automaton over all their terms."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(r for r in rules if r.weight > 0)
        # term -> [(rule index, side 0 = A / 1 = B)]
        refs: dict[str, list[tuple[int, int]]] = {}
        for index, rule in enumerate(self.rules):
            for side, terms in enumerate((rule.terms_a, rule.terms_b)):
                for term in terms:
                    refs.setdefault(term, []).append((index, side))
        self._refs = refs
        # term -> (rules with the term on side A, rules with it on side B)
        self._sides: dict[str, tuple[frozenset[int], frozenset[int]]] = {
            term: (
                frozenset(i for i, side in owned if side == 0),
                frozenset(i for i, side in owned if side == 1),
            )
            for term, owned in refs.items()
        }
        self._automaton = ahocorasick.Automaton()
        for term in refs:
            left = not is_spaceless(term[0])
            right = not is_spaceless(term[-1])
            self._automaton.add_word(term, (term, left, right))
        if refs:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self.rules)

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], *, include_default: bool = True) -> RuleSet:
        """The packaged rules (unless ``include_default`` is false) and the given files."""
        files = sorted(DEFAULT_DIR.glob("*.tsv")) if include_default else []
        files += [Path(p) for p in paths]
        rules: list[Rule] = []
        errors: list[str] = []
        for path in files:
            found, problems = _parse_file(path)
            rules += found
            errors += problems
        if errors:
            raise RuleError("invalid rule files:\n" + "\n".join(errors))
        return cls(rules)

    @classmethod
    def load_default(cls) -> RuleSet:
        """The packaged rules, parsed once per process."""
        return _packaged_rules()

    def match(self, text: str | NormalisedText) -> list[LexiconHit]:
        """One hit per rule whose two sides occur within its window (the closest pair)."""
        normalised = text if isinstance(text, NormalisedText) else normalise(text)
        body = normalised.text
        if not body or not self._refs:
            return []
        found: list[tuple[str, int, int]] = []
        for end, (term, left, right) in self._automaton.iter(body):
            start = end - len(term) + 1
            if at_word_boundaries(body, start, end + 1, left, right):
                found.append((term, start, end + 1))
        # Only rules with a term of each side in the message can match; most messages have
        # none, and finding that with set operations is much cheaper than walking every rule
        # a common term belongs to.
        side_a: set[int] = set()
        side_b: set[int] = set()
        for term, _, _ in found:
            rules_a, rules_b = self._sides[term]
            side_a |= rules_a
            side_b |= rules_b
        candidates = side_a & side_b
        if not candidates:
            return []
        spans: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        for term, start, stop in found:
            for index, side in self._refs[term]:
                if index not in candidates:
                    continue
                sides = spans.setdefault(index, ([], []))
                if len(sides[side]) < _MAX_SPANS:
                    sides[side].append((start, stop))
        hits: list[LexiconHit] = []
        for index, (a_spans, b_spans) in spans.items():
            if not a_spans or not b_spans:
                continue
            rule = self.rules[index]
            best: tuple[int, tuple[int, int], tuple[int, int]] | None = None
            for a in a_spans:
                for b in b_spans:
                    gap = _gap(a, b)
                    if gap is not None and gap <= rule.window and (best is None or gap < best[0]):
                        best = (gap, a, b)
            if best is None:
                continue
            _, a, b = best
            first, second = sorted((a, b))
            span = normalised.original_span(first[0], second[1])
            hits.append(
                LexiconHit(
                    phrase=f"{rule.name}: {body[a[0] : a[1]]} … {body[b[0] : b[1]]}",
                    category=rule.category,
                    weight=rule.weight,
                    stage=rule.stage,
                    span_in_original=span,
                    language=rule.language,
                    text_in_original=normalised.original[span[0] : span[1]],
                    source="rule",
                )
            )
        hits.sort(key=lambda h: (h.span_in_original, h.category))
        return hits


@functools.cache
def _packaged_rules() -> RuleSet:
    return RuleSet.from_files(())
