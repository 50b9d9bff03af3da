"""Guess which country's authorities a report concerns, from the hints the report carries.

A report arrives with some of: phone numbers (the child's, the offender's, the reporter's),
URLs or e-mail addresses (where the content is, who sent it), and the country the reporter
says they are in. Each is a *hint*, not a fact: a SIM card roams, a website under ``.my`` may
be hosted anywhere, a reporter abroad may report a child at home. So this module does not
decide anything. It scores countries, keeps every piece of evidence in words a reviewer can
read and check, and leaves routing to a person (see "Human in the loop" in DESIGN.md).

Weights (per piece of evidence, before diminishing returns)
-----------------------------------------------------------
=====================================================  ======  =================================
evidence                                               weight  why
=====================================================  ======  =================================
country the reporter declared                          3.0     a deliberate statement by the one
                                                               person we can reach; it is where
                                                               help (a focal point, a helpline)
                                                               can reach them, and most reports
                                                               concern a child near the reporter
phone number written with its country code (+60 ...)   2.0     a valid number is tied to one
                                                               numbering plan; people move and
                                                               roam, but less than websites do
phone number without a country code                    1.0     read with ``default_region``, so
                                                               it mostly repeats that assumption
URL / e-mail host under a country-code TLD             1.0     describes where a *site* is
                                                               registered, not where the people
                                                               are; often hosted elsewhere
bare ``.la`` (Laos) host                               0.5     also marketed as "Los Angeles"
ccTLDs widely sold as generic names: ``.io .co .tv``   0       no hint; listed in ``notes`` so a
``.me .ai .fm .ly .gg .cc .ws .to .tk ...``                    reviewer sees they were looked at
=====================================================  ======  =================================

Under a country's second-level domain (``example.com.co``, ``ministry.gov.la``) those vanity
ccTLDs count in full: registries reserve such names for local registrants.

The *n*-th piece of the same kind (declared / phone / URL) for the same country adds half of
the previous one, so one kind saturates at twice its weight: a report pasting twenty links to
one Thai site does not outweigh what the reporter told us. Duplicate numbers and hosts count
once. The declared country therefore wins unless at least two independent kinds of evidence,
or several phone numbers, point elsewhere; a tie is broken in favour of the country with the
strongest single piece of evidence, then of the one seen first (the declared country first).

Countries are ISO 3166-1 alpha-2 codes, plus ``XK`` (Kosovo): a user-assigned code that the
EU, CLDR and ``phonenumbers`` use, so a +383 number has somewhere to go. Ascension and
Tristan da Cunha (``AC``, ``TA`` in ``phonenumbers``) belong to ISO's ``SH``.

Nothing here touches the network: ``tldextract`` is built on its bundled Public Suffix List
snapshot, with no download and no disk cache (a worker must not fetch a list from the internet
in the middle of handling a child's report, nor fail when it cannot).
"""

from __future__ import annotations

import functools
import ipaddress
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import phonenumbers
import tldextract
from phonenumbers import geocoder

#: Members of ASEAN, first-class in Lindung (Timor-Leste joined in October 2025).
ASEAN: tuple[str, ...] = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN")

WEIGHT_DECLARED = 3.0
WEIGHT_PHONE_INTERNATIONAL = 2.0
WEIGHT_PHONE_NATIONAL = 1.0
WEIGHT_CCTLD = 1.0

#: Per-ccTLD weight when the host sits directly under the ccTLD (``example.io``). 0 means
#: "no hint". These are registries that market themselves worldwide as generic names, or
#: that gave names away for free (``.tk .ml .ga .cf .gq``), so they say nothing about where
#: the people are.
_BARE_CCTLD_WEIGHT: dict[str, float] = {
    **dict.fromkeys(
        (
            "io", "co", "tv", "me", "ai", "fm", "am", "ly", "gg", "cc", "ws", "to", "tk",
            "ml", "ga", "cf", "gq", "nu", "gd", "vc", "so", "sh", "ms", "im", "ac", "st",
        ),
        0.0,
    ),
    "la": 0.5,
}  # fmt: skip

#: ccTLDs whose code is not the ISO code of their country.
_CCTLD_TO_COUNTRY = {"uk": "GB"}

#: Internationalised ccTLDs of ASEAN members (others give no hint).
_IDN_CCTLD_TO_COUNTRY = {
    "ไทย": "TH",  # xn--o3cw4h
    "新加坡": "SG",  # xn--yfro4i67o
    "சிங்கப்பூர்": "SG",  # xn--clchc0ea0b2g2a9gcd
    "مليسيا": "MY",  # xn--mgbx4cd0ab
}

#: phonenumbers regions that ISO 3166-1 folds into another code.
_REGION_TO_COUNTRY = {"AC": "SH", "TA": "SH"}

#: ISO 3166-1 codes that have no telephone numbering plan, so phonenumbers lacks them
#: (uninhabited or nearly so). Listed by hand because nothing installed has them.
_ISO_WITHOUT_PHONES = {
    "AQ": "Antarctica",
    "BV": "Bouvet Island",
    "GS": "South Georgia and the South Sandwich Islands",
    "HM": "Heard Island and McDonald Islands",
    "PN": "Pitcairn",
    "TF": "French Southern Territories",
    "UM": "United States Minor Outlying Islands",
}

_NAMES_NOT_IN_PHONENUMBERS = {**_ISO_WITHOUT_PHONES, "XK": "Kosovo"}


def _country_codes() -> frozenset[str]:
    regions: set[str] = set(phonenumbers.SUPPORTED_REGIONS)
    for codes in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.values():
        regions.update(codes)
    regions -= {"001", "ZZ", *_REGION_TO_COUNTRY}
    return frozenset(regions | set(_ISO_WITHOUT_PHONES))


#: Every code :func:`normalise_country` accepts: ISO 3166-1 alpha-2 (249) plus ``XK``.
COUNTRY_CODES: frozenset[str] = _country_codes()

#: Bounds the work one report can cause; a guess does not need the 5,000th link.
MAX_HINTS_PER_KIND = 200
_MAX_TEXT = 2048
_BAD_HOST_CHARS = frozenset(" \t\r\n/\\@:?#[]%<>\"'{}|^`,;!$&()*+=~")


class CountryHint(NamedTuple):
    """One candidate country: its code, its score and the evidence, in reviewer's words."""

    country: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class JurisdictionGuess:
    """The candidates, best first; ``primary`` is the best one, or None without evidence.

    ``notes`` lists hints that were looked at and deliberately not counted (a ``.io`` host,
    say), so a reviewer can see the guess did not simply miss them.
    """

    countries: tuple[CountryHint, ...] = ()
    notes: tuple[str, ...] = ()
    primary: str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "primary", self.countries[0].country if self.countries else None)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, to store with the report."""
        return {
            "primary": self.primary,
            "countries": [
                {"country": c.country, "score": c.score, "evidence": list(c.evidence)}
                for c in self.countries
            ],
            "notes": list(self.notes),
        }


def normalise_country(code: object) -> str:
    """``code`` as an upper-case ISO 3166-1 alpha-2 code, or ValueError.

    Accepts any case and surrounding spaces ("my " -> "MY"); refuses anything that is not
    an assigned code ("UK", "EU", "XX", "MYS"), because a wrong code would silently route a
    report nowhere.
    """
    if not isinstance(code, str):
        raise ValueError(f"A country must be an ISO 3166-1 alpha-2 code, not {type(code).__name__}")
    cleaned = code.strip().upper()
    if cleaned not in COUNTRY_CODES:
        hint = " (the United Kingdom is GB)" if cleaned == "UK" else ""
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code{hint}")
    return cleaned


@functools.cache
def country_name(code: str) -> str:
    """English short name of a country, for evidence text ("Malaysia"); the code if unknown."""
    if code in _NAMES_NOT_IN_PHONENUMBERS:
        return _NAMES_NOT_IN_PHONENUMBERS[code]
    example = phonenumbers.example_number(code)
    name = geocoder.country_name_for_number(example, "en") if example is not None else ""
    return name or code


def _label(code: str) -> str:
    return f"{country_name(code)} ({code})"


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() : never download the Public Suffix List; cache_dir=None : never
    # write one to disk. The bundled snapshot is all we need to find a ccTLD.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


class _Piece(NamedTuple):
    country: str
    kind: str
    weight: float
    text: str


def _as_items(values: Iterable[object] | str | None) -> list[object]:
    """The first MAX_HINTS_PER_KIND items; a lone string is one item, not its letters."""
    if values is None:
        return []
    if isinstance(values, str | bytes):
        return [values]
    items: list[object] = []
    try:
        for value in values:
            items.append(value)
            if len(items) >= MAX_HINTS_PER_KIND:
                break
    except TypeError:
        return []
    return items


def _phone_pieces(numbers: Iterable[object], default_region: str | None) -> list[_Piece]:
    pieces: list[_Piece] = []
    seen: set[str] = set()
    for raw in numbers:
        if not isinstance(raw, str) or not raw.strip() or len(raw) > _MAX_TEXT:
            continue
        try:
            number = phonenumbers.parse(raw, default_region, keep_raw_input=True)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        region = phonenumbers.region_code_for_number(number)
        country = _REGION_TO_COUNTRY.get(region or "", region)
        if country not in COUNTRY_CODES:  # "001": satellite and other global services
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 in seen:
            continue
        seen.add(e164)
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        source = number.country_code_source
        if source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY:
            text = (
                f"phone {raw.strip()} has no country code; read as {shown}, a number from "
                f"{_label(country)}, because the default region is {default_region}"
            )
            pieces.append(_Piece(country, "phone", WEIGHT_PHONE_NATIONAL, text))
        else:
            text = f"phone {shown} is a number from {_label(country)}"
            pieces.append(_Piece(country, "phone", WEIGHT_PHONE_INTERNATIONAL, text))
    return pieces


def _host(raw: str) -> str | None:
    """The host of a URL, a bare domain or an e-mail address, lower-cased; None if malformed."""
    text = raw.strip()
    if not text or len(text) > _MAX_TEXT:
        return None
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or any(
        not label or len(label) > 63 or _BAD_HOST_CHARS.intersection(label) for label in labels
    ):
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None  # an IP address has no TLD


def _tld_country(tld: str) -> str | None:
    if tld.startswith("xn--"):
        try:
            tld = tld.encode("ascii").decode("idna")
        except UnicodeError:
            return None
    if tld in _IDN_CCTLD_TO_COUNTRY:
        return _IDN_CCTLD_TO_COUNTRY[tld]
    code = _CCTLD_TO_COUNTRY.get(tld, tld.upper())
    return code if len(code) == 2 and code in COUNTRY_CODES else None


def _url_pieces(urls: Iterable[object]) -> tuple[list[_Piece], list[str]]:
    pieces: list[_Piece] = []
    notes: list[str] = []
    seen: set[str] = set()
    extract = _extractor()
    for raw in urls:
        if not isinstance(raw, str):
            continue
        host = _host(raw)
        if host is None or host in seen:
            continue
        seen.add(host)
        try:
            suffix = extract.extract_str(host).suffix.lower()
        except (ValueError, UnicodeError):
            continue
        if not suffix:
            continue
        suffix_labels = suffix.split(".")
        tld = suffix_labels[-1]
        country = _tld_country(tld)
        if country is None:
            continue  # a generic TLD (.com, .org, .net, .app ...): no hint
        weight = WEIGHT_CCTLD
        if len(suffix_labels) == 1 and tld in _BARE_CCTLD_WEIGHT:
            weight = _BARE_CCTLD_WEIGHT[tld]
            if weight == 0:
                notes.append(
                    f"URL host {host} has ccTLD .{tld} ({country}), which is widely sold as a "
                    "generic name: not counted"
                )
                continue
        text = f"URL host {host} has ccTLD .{tld}: {_label(country)}"
        if weight < WEIGHT_CCTLD:
            text += ", also marketed as a generic name: weak hint"
        pieces.append(_Piece(country, "url", weight, text))
    return pieces, notes


def guess_jurisdiction(
    *,
    phone_numbers: Iterable[object] | str = (),
    urls: Iterable[object] | str = (),
    declared_country: str | None = None,
    default_region: str | None = None,
) -> JurisdictionGuess:
    """Score candidate countries from a report's hints; see the module docstring for weights.

    Unusable hints (garbage numbers, malformed URLs, non-strings) are skipped silently: this
    is a guess over whatever a reporter typed, not a validator. A declared country or a
    default region that is not an alpha-2 code raises ValueError, because that is a bug in
    the caller (a form choice list), not something a reporter typed.

    ``default_region`` is the country used to read numbers written without a country code;
    it defaults to ``declared_country`` (a Malaysian reporter writes 012-345 6789).
    """
    declared = normalise_country(declared_country) if declared_country is not None else None
    region = normalise_country(default_region) if default_region is not None else declared

    pieces: list[_Piece] = []
    if declared is not None:
        text = f"the reporter said they are in {_label(declared)}"
        pieces.append(_Piece(declared, "declared", WEIGHT_DECLARED, text))
    pieces.extend(_phone_pieces(_as_items(phone_numbers), region))
    url_pieces, notes = _url_pieces(_as_items(urls))
    pieces.extend(url_pieces)
    return JurisdictionGuess(countries=_rank(pieces), notes=tuple(notes))


def _rank(pieces: list[_Piece]) -> tuple[CountryHint, ...]:
    order: dict[str, int] = {}
    by_country_kind: dict[tuple[str, str], list[_Piece]] = {}
    for piece in pieces:
        order.setdefault(piece.country, len(order))
        by_country_kind.setdefault((piece.country, piece.kind), []).append(piece)

    scores = dict.fromkeys(order, 0.0)
    strongest = dict.fromkeys(order, 0.0)
    evidence: dict[str, list[str]] = {country: [] for country in order}
    for (country, _kind), group in by_country_kind.items():
        group.sort(key=lambda p: -p.weight)
        scores[country] += sum(p.weight * 0.5**i for i, p in enumerate(group))
        strongest[country] = max(strongest[country], group[0].weight)
    for piece in sorted(pieces, key=lambda p: -p.weight):
        evidence[piece.country].append(piece.text)

    ranked = sorted(order, key=lambda c: (-scores[c], -strongest[c], order[c]))
    return tuple(
        CountryHint(c, _round(scores[c]), tuple(evidence[c])) for c in ranked if scores[c] > 0
    )


def _round(score: float) -> float:
    return math.floor(score * 1000 + 0.5) / 1000
