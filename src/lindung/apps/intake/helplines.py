"""Help and helplines for a reporter's country: a directory the operator edits, with sources.

After someone reports, the page tells them where to get help now: a child helpline, who
takes reports of abuse, a crisis line. Those numbers change and differ by country, so they
live in a TOML file (``data/helplines.toml`` by default) that an operator replaces with their
own copy, not in code. Every entry names its ``source`` and the date it was ``checked``, and
says whether it was ``verified`` from the service's own site, because a wrong number shown to
a child in crisis is worse than none.

Loading is strict: a mistake in the file (an unknown key, a missing source, a malformed
number) stops the load with an error naming the file, the country, the entry and the field,
so it is found when the operator deploys, not by a reporter.

File format (``schema = 1``)::

    schema = 1

    [[regional]]                 # shown for countries with no services of their own
    name = "..."                 # ... same fields as a service, but no short codes

    [countries.MY]               # ISO 3166-1 alpha-2
    note = "..."                 # optional: what is (not) known for this country

    [[countries.MY.services]]
    name = "Talian Kasih"                   # required
    local_names = { ms = "Talian Kasih" }   # BCP 47 tag -> name in that language
    helps_with = ["child_protection"]       # required, from HELPS_WITH
    phone = ["15999", "+60 3-1234 5678"]    # short codes (3-6 digits) or +international
    sms = ["15999"]                         # same rules as phone
    whatsapp = ["+60 19-261 5999"]          # +international only
    chat = ["https://..."]                  # web chat or messaging pages
    web = "https://..."
    email = ["help@example.org"]
    hours = "24 hours"
    languages = ["ms", "en"]                # BCP 47
    source = "https://..."                  # required: URL or document, or a list of them
    checked = 2026-11-27                    # required: a TOML date
    verified = false                        # required: true only if read on the service's own site
    note = "..."

At least one way to reach the service (phone, sms, whatsapp, chat, web or email) is required.
Numbers are checked with ``phonenumbers``: a full number must be valid and belong to the
country it is listed under. Short codes are checked only for shape, because the short-number
data in ``phonenumbers`` lacks many real helplines (Cambodia's 1280, Thailand's 1300).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from lindung.apps.intake.jurisdiction import ASEAN, normalise_country

SCHEMA_VERSION = 1

#: What a service helps with; a page can group or filter by these.
HELPS_WITH: tuple[str, ...] = (
    "child_helpline",
    "child_protection",
    "family_violence",
    "mental_health_crisis",
    "police_cybercrime",
    "directory",
)

_TOP_KEYS = {"schema", "regional", "countries"}
_COUNTRY_KEYS = {"note", "services", "emergency", "emergency_source"}
_REQUIRED = ("name", "helps_with", "source", "checked", "verified")
_OPTIONAL = (
    "local_names",
    "phone",
    "sms",
    "whatsapp",
    "chat",
    "web",
    "email",
    "hours",
    "languages",
    "note",
)
_CONTACT_FIELDS = ("phone", "sms", "whatsapp", "chat", "web", "email")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SHORT_CODE_RE = re.compile(r"^[0-9][0-9 -]{1,10}[0-9]$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAX_TEXT = 2000

_Err = Callable[[str, str], "HelplineDirectoryError"]


class HelplineDirectoryError(ValueError):
    """The helpline file cannot be used; the message names the file, country, entry and field."""

    def __init__(
        self,
        message: str,
        *,
        path: str,
        country: str | None = None,
        entry: str | None = None,
        field: str | None = None,
    ) -> None:
        where = [path]
        if country is not None:
            where.append(f"country {country}")
        if entry is not None:
            where.append(entry)
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{': '.join(where)}: {message}")
        self.path = path
        self.country = country
        self.entry = entry
        self.field = field


@dataclass(frozen=True)
class ContactNumber:
    """A number as the file gives it, and the forms a page needs.

    ``national`` is how to dial it inside the country (short codes as they are), ``tel`` is
    a ``tel:`` link for phones without JavaScript.
    """

    text: str
    national: str
    tel: str
    short_code: bool


@dataclass(frozen=True)
class Helpline:
    """One service. ``country`` is None for a regional entry."""

    country: str | None
    name: str
    helps_with: tuple[str, ...]
    source: tuple[str, ...]
    checked: dt.date
    verified: bool
    local_names: Mapping[str, str]
    phone: tuple[ContactNumber, ...] = ()
    sms: tuple[ContactNumber, ...] = ()
    whatsapp: tuple[ContactNumber, ...] = ()
    chat: tuple[str, ...] = ()
    web: str | None = None
    email: tuple[str, ...] = ()
    hours: str | None = None
    languages: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class CountryHelplines:
    services: tuple[Helpline, ...]
    note: str | None
    #: The number to call when someone is in danger now (police/emergency), if confirmed.
    emergency: str | None = None
    emergency_source: str | None = None


@dataclass(frozen=True)
class HelplineDirectory:
    """The loaded file: per-country services and regional fallbacks."""

    path: str
    countries: Mapping[str, CountryHelplines]
    regional: tuple[Helpline, ...]

    def for_country(self, code: str) -> list[Helpline]:
        """The country's services, or the regional entries when it has none.

        ``code`` is normalised (any case); an invalid code raises ValueError.
        """
        country = normalise_country(code)
        entry = self.countries.get(country)
        if entry is not None and entry.services:
            return list(entry.services)
        return list(self.regional)

    def emergency_for(self, code: str) -> str | None:
        """The confirmed emergency number of the country, if the directory gives one."""
        entry = self.countries.get(normalise_country(code))
        return entry.emergency if entry is not None else None

    def note_for(self, code: str) -> str | None:
        """The country's ``note`` (what is and is not known), if any."""
        entry = self.countries.get(normalise_country(code))
        return entry.note if entry is not None else None


def default_path() -> Path:
    """The packaged directory (a snapshot to start from, not a maintained source)."""
    return Path(str(importlib.resources.files("lindung.apps.intake") / "data" / "helplines.toml"))


def load_directory(path: str | Path | None = None) -> HelplineDirectory:
    """Read and check a helpline directory: ``path``, or the packaged file when None.

    An operator's file replaces the packaged one; it is not merged, so what reporters see is
    exactly what the operator reviewed. Raises :class:`HelplineDirectoryError`.
    """
    if path is None:
        return _load_packaged()
    return _load(Path(path))


@functools.cache
def _load_packaged() -> HelplineDirectory:
    return _load(default_path())


def _load(path: Path) -> HelplineDirectory:
    name = str(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise HelplineDirectoryError(f"cannot read the file ({exc.strerror})", path=name) from None
    except tomllib.TOMLDecodeError as exc:
        raise HelplineDirectoryError(f"not valid TOML: {exc}", path=name) from None
    return _Parser(name).directory(data)


class _Parser:
    def __init__(self, path: str) -> None:
        self.path = path

    def error(
        self,
        message: str,
        *,
        country: str | None = None,
        entry: str | None = None,
        field: str | None = None,
    ) -> HelplineDirectoryError:
        return HelplineDirectoryError(
            message, path=self.path, country=country, entry=entry, field=field
        )

    def directory(self, data: dict[str, Any]) -> HelplineDirectory:
        unknown = sorted(set(data) - _TOP_KEYS)
        if unknown:
            raise self.error(f"unknown key(s) {', '.join(unknown)}; allowed: {sorted(_TOP_KEYS)}")
        if data.get("schema") != SCHEMA_VERSION:
            raise self.error(f"'schema = {SCHEMA_VERSION}' is required", field="schema")

        raw_regional = data.get("regional", [])
        if not isinstance(raw_regional, list):
            raise self.error("must be an array of tables ([[regional]])", field="regional")
        regional = tuple(
            self.service(item, None, f"regional[{i}]") for i, item in enumerate(raw_regional)
        )

        raw_countries = data.get("countries", {})
        if not isinstance(raw_countries, dict):
            raise self.error("must be a table of countries", field="countries")
        countries: dict[str, CountryHelplines] = {}
        for key, value in raw_countries.items():
            try:
                code = normalise_country(key)
            except ValueError as exc:
                raise self.error(str(exc), country=key) from None
            if code != key:
                raise self.error(f"write the country code as {code!r}", country=key)
            countries[code] = self.country(code, value)
        if not regional and not countries:
            raise self.error("the directory lists no services at all")
        return HelplineDirectory(self.path, MappingProxyType(countries), regional)

    def country(self, code: str, value: object) -> CountryHelplines:
        if not isinstance(value, dict):
            raise self.error("must be a table", country=code)
        unknown = sorted(set(value) - _COUNTRY_KEYS)
        if unknown:
            raise self.error(
                f"unknown key(s) {', '.join(unknown)}; allowed: {sorted(_COUNTRY_KEYS)}",
                country=code,
            )
        note = self.optional_text(value.get("note"), code, None, "note")
        raw_services = value.get("services", [])
        if not isinstance(raw_services, list):
            raise self.error(
                "must be an array of tables ([[countries.XX.services]])",
                country=code,
                field="services",
            )
        services = tuple(
            self.service(item, code, f"services[{i}]") for i, item in enumerate(raw_services)
        )
        if not services and not note:
            raise self.error(
                "lists no services; add a 'note' saying what is known, or remove the country",
                country=code,
            )
        emergency = self.optional_text(value.get("emergency"), code, None, "emergency")
        emergency_source = self.optional_text(
            value.get("emergency_source"), code, None, "emergency_source"
        )
        if emergency is not None:
            if not re.fullmatch(r"\d{3,4}", emergency):
                raise self.error(
                    "must be a 3-4 digit emergency number", country=code, field="emergency"
                )
            if emergency_source is None:
                raise self.error(
                    "needs 'emergency_source': where the number was read",
                    country=code,
                    field="emergency",
                )
        return CountryHelplines(services, note, emergency, emergency_source)

    def service(self, item: object, country: str | None, where: str) -> Helpline:
        if not isinstance(item, dict):
            raise self.error("must be a table", country=country, entry=where)
        name = item.get("name")
        entry = f"{where} ({name!r})" if isinstance(name, str) and name else where

        def err(message: str, field: str) -> HelplineDirectoryError:
            return self.error(message, country=country, entry=entry, field=field)

        unknown = sorted(set(item) - set(_REQUIRED) - set(_OPTIONAL))
        if unknown:
            allowed = ", ".join(sorted((*_REQUIRED, *_OPTIONAL)))
            raise err(f"unknown key; allowed keys are {allowed}", unknown[0])
        for key in _REQUIRED:
            if key not in item:
                raise err("is required", key)

        helps_with = self.text_list(item["helps_with"], err, "helps_with")
        if not helps_with:
            raise err("must list at least one of " + ", ".join(HELPS_WITH), "helps_with")
        for kind in helps_with:
            if kind not in HELPS_WITH:
                raise err(f"{kind!r} is not one of {', '.join(HELPS_WITH)}", "helps_with")

        source = item["source"]
        sources = [source] if isinstance(source, str) else source
        sources = self.text_list(sources, err, "source")
        if not sources or any(not s.strip() for s in sources):
            raise err("must name the URL or document the entry was read from", "source")

        checked = item["checked"]
        if not isinstance(checked, dt.date) or isinstance(checked, dt.datetime):
            raise err("must be a date written as YYYY-MM-DD (no quotes)", "checked")
        if checked > dt.date.today() + dt.timedelta(days=1):
            raise err(f"{checked} is in the future", "checked")

        verified = item["verified"]
        if not isinstance(verified, bool):
            raise err("must be true or false", "verified")

        local_names = item.get("local_names", {})
        if not isinstance(local_names, dict):
            raise err("must be a table of language tag = name", "local_names")
        for lang, local in local_names.items():
            if not _LANG_RE.match(lang):
                raise err(f"{lang!r} is not a BCP 47 language tag", "local_names")
            self.text(local, country, entry, "local_names")

        languages = self.text_list(item.get("languages", []), err, "languages")
        for lang in languages:
            if not _LANG_RE.match(lang):
                raise err(f"{lang!r} is not a BCP 47 language tag", "languages")

        phone = tuple(self.number(n, country, err, "phone") for n in _list_of(item, "phone", err))
        sms = tuple(self.number(n, country, err, "sms") for n in _list_of(item, "sms", err))
        whatsapp = tuple(
            self.number(n, country, err, "whatsapp", allow_short=False)
            for n in _list_of(item, "whatsapp", err)
        )
        chat = tuple(self.url(u, err, "chat") for u in _list_of(item, "chat", err))
        web = self.url(item["web"], err, "web") if "web" in item else None
        email: list[str] = []
        for address in _list_of(item, "email", err):
            if not isinstance(address, str) or not _EMAIL_RE.match(address):
                raise err(f"{address!r} is not an e-mail address", "email")
            email.append(address)
        if not any(item.get(key) for key in _CONTACT_FIELDS):
            raise err(
                "gives no way to reach the service; add one of " + ", ".join(_CONTACT_FIELDS),
                "phone",
            )

        return Helpline(
            country=country,
            name=self.text(name, country, entry, "name"),
            helps_with=tuple(helps_with),
            source=tuple(sources),
            checked=checked,
            verified=verified,
            local_names=MappingProxyType(dict(local_names)),
            phone=phone,
            sms=sms,
            whatsapp=whatsapp,
            chat=chat,
            web=web,
            email=tuple(email),
            hours=self.optional_text(item.get("hours"), country, entry, "hours"),
            languages=tuple(languages),
            note=self.optional_text(item.get("note"), country, entry, "note"),
        )

    # -- field helpers ---------------------------------------------------------------------

    def text(self, value: object, country: str | None, entry: str | None, field: str) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
            raise self.error(
                f"must be non-empty text of at most {_MAX_TEXT} characters",
                country=country,
                entry=entry,
                field=field,
            )
        return value.strip()

    def optional_text(
        self, value: object, country: str | None, entry: str | None, field: str
    ) -> str | None:
        return None if value is None else self.text(value, country, entry, field)

    @staticmethod
    def text_list(value: object, err: _Err, field: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise err("must be a list of text values", field)
        return list(value)

    @staticmethod
    def url(value: object, err: _Err, field: str) -> str:
        if not isinstance(value, str):
            raise err("must be a URL starting with https:// or http://", field)
        try:
            parts = urlsplit(value)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise err(f"{value!r} is not a URL starting with https:// or http://", field)
        return value

    @staticmethod
    def number(
        value: object, country: str | None, err: _Err, field: str, *, allow_short: bool = True
    ) -> ContactNumber:
        if not isinstance(value, str) or not value.strip():
            raise err(f"{value!r} is not a phone number", field)
        text = value.strip()
        if not text.startswith("+"):
            if not allow_short:
                raise err(f"{text!r}: write the full number with its +country code", field)
            if country is None:
                raise err(f"{text!r}: a regional entry needs a full +country number", field)
            return _short_code(text, country, err, field)
        try:
            parsed = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException as exc:
            raise err(f"{text!r} is not a phone number ({exc})", field) from None
        if not phonenumbers.is_valid_number(parsed):
            raise err(f"{text!r} is not a valid phone number", field)
        region = phonenumbers.region_code_for_number(parsed)
        if country is not None and region != country:
            raise err(f"{text!r} is a number from {region}, not {country}", field)
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return ContactNumber(text=shown, national=national, tel=f"tel:{e164}", short_code=False)


def _list_of(item: dict[str, Any], field: str, err: _Err) -> list[Any]:
    value = item.get(field, [])
    if not isinstance(value, list):
        raise err(f'must be a list, like {field} = ["..."]', field)
    return value


def _short_code(text: str, country: str, err: _Err, field: str) -> ContactNumber:
    """A 3-6 digit number dialled inside ``country``; a national full number is refused."""
    digits = re.sub(r"[ -]", "", text)
    if not _SHORT_CODE_RE.match(text) or not 3 <= len(digits) <= 6:
        raise err(
            f"{text!r}: write short codes as 3-6 digits, and full numbers with their +country code",
            field,
        )
    try:
        parsed = phonenumbers.parse(digits, country)
    except phonenumbers.NumberParseException as exc:
        raise err(f"{text!r} is not a phone number ({exc})", field) from None
    if phonenumbers.is_valid_number(parsed):
        raise err(f"{text!r} looks like a full number; write it with its +country code", field)
    return ContactNumber(text=digits, national=digits, tel=f"tel:{digits}", short_code=True)


def missing_asean_countries(directory: HelplineDirectory) -> list[str]:
    """ASEAN members the directory says nothing about (for a deployment check)."""
    return [code for code in ASEAN if code not in directory.countries]
