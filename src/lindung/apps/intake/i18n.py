"""Words of the public reporting page in ten languages, from one JSON catalog per language.

Why not gettext: Tetum, Lao and Burmese are missing from Django's language table, the page has
an easy-read variant of many strings (``key.easy``), and the catalogs are flat JSON that
translators' tools (Weblate, Crowdin) edit directly. A missing key falls back to English, so a
half-translated catalog still gives a working page; the tests check every catalog is complete.

Language choice, in order: an explicit ``?lang=`` (the picker's links carry it), then the
browser's Accept-Language, then English. No cookie is set: the page leaves as few traces as
possible on a child's device.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header

LOCALE_DIR = Path(__file__).with_name("locale")
#: The picker's order: English first, then the ASEAN languages alphabetically by code.
LANGUAGE_ORDER = ("en", "fil", "id", "km", "lo", "ms", "my", "tet", "th", "vi")
DEFAULT_LANGUAGE = "en"
#: Tags browsers send for these languages that are not the catalog's own code.
ALIASES = {"tl": "fil", "in": "id", "zsm": "ms", "tdt": "tet", "bur": "my", "khm": "km"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class CatalogError(ValueError):
    """A catalog file is not valid (bad JSON, wrong types, placeholders that differ)."""


@dataclass(frozen=True)
class Catalog:
    code: str
    name: str
    direction: str
    machine_assisted: bool
    messages: dict[str, str]


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


@lru_cache(maxsize=1)
def catalogs() -> dict[str, Catalog]:
    """Every catalog in ``locale/``, validated against English's keys and placeholders."""
    out: dict[str, Catalog] = {}
    for path in sorted(LOCALE_DIR.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CatalogError(f"{path.name}: {exc}") from None
        meta = raw.pop("_meta", {})
        if not isinstance(meta, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise CatalogError(f"{path.name}: values must be strings and _meta an object")
        out[path.stem] = Catalog(
            code=path.stem,
            name=str(meta.get("name", path.stem)),
            direction=str(meta.get("direction", "ltr")),
            machine_assisted=bool(meta.get("machine_assisted", False)),
            messages=raw,
        )
    if DEFAULT_LANGUAGE not in out:
        raise CatalogError(f"locale/{DEFAULT_LANGUAGE}.json is missing")
    english = out[DEFAULT_LANGUAGE].messages
    for catalog in out.values():
        for key, text in catalog.messages.items():
            if key in english and placeholders(text) != placeholders(english[key]):
                raise CatalogError(
                    f"{catalog.code}.json: {key!r} has placeholders {sorted(placeholders(text))}"
                    f", English has {sorted(placeholders(english[key]))}"
                )
    return out


def available_languages() -> list[Catalog]:
    found = catalogs()
    ordered = [found[c] for c in LANGUAGE_ORDER if c in found]
    return ordered + [c for code, c in sorted(found.items()) if code not in LANGUAGE_ORDER]


def _known(code: str) -> str | None:
    code = code.strip().lower().replace("_", "-")
    found = catalogs()
    for candidate in (code, code.split("-")[0]):
        candidate = ALIASES.get(candidate, candidate)
        if candidate in found:
            return candidate
    return None


def choose_language(request: HttpRequest) -> str:
    # only the query string: reading a POST body here would parse a (large) upload before the
    # view has checked its size; the forms post to "?lang=xx"
    explicit = request.GET.get("lang") or ""
    if explicit and len(explicit) <= 16:
        chosen = _known(explicit)
        if chosen:
            return chosen
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:1000]
    for tag, _quality in parse_accept_lang_header(header):
        if tag != "*":
            chosen = _known(tag)
            if chosen:
                return chosen
    return DEFAULT_LANGUAGE


class _SafeFormat(string.Formatter):
    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "{" + key + "}")
        return super().get_value(key, args, kwargs)


_FORMAT = _SafeFormat()


@dataclass(frozen=True)
class Translator:
    """``tr("key", name=value)``: the easy-read variant when asked for and present, else the
    standard text, else English; placeholders filled, unknown ones left visible."""

    language: str
    easy: bool = False

    @property
    def catalog(self) -> Catalog:
        return catalogs()[self.language]

    def __call__(self, key: str, **values: Any) -> str:
        own = self.catalog.messages
        english = catalogs()[DEFAULT_LANGUAGE].messages
        text = None
        if self.easy:
            text = own.get(f"{key}.easy") or english.get(f"{key}.easy")
        if text is None:
            text = own.get(key) or english.get(key)
        if text is None:
            return key
        return _FORMAT.vformat(text, (), values) if values else text
