"""The helpline directory: the packaged file, strict validation, operator overrides."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from lindung.apps.intake.helplines import (
    HELPS_WITH,
    HelplineDirectoryError,
    default_path,
    load_directory,
    missing_asean_countries,
)
from lindung.apps.intake.jurisdiction import ASEAN

# --- the packaged directory ------------------------------------------------------------------


def test_packaged_directory_loads_and_covers_all_asean_members() -> None:
    directory = load_directory()
    assert missing_asean_countries(directory) == []
    for country in ASEAN:
        helplines = directory.for_country(country)
        assert helplines, country  # at least the regional fallback
        assert all(h.source and h.checked for h in helplines)


def test_packaged_directory_has_a_regional_fallback() -> None:
    directory = load_directory()
    assert directory.regional
    assert all(h.country is None and h.web for h in directory.regional)
    # Myanmar: no number confirmed, so the note says so and reporters get the fallback.
    assert directory.for_country("MM") == list(directory.regional)
    note = directory.note_for("mm")
    assert note is not None and "No national child helpline" in note
    # A country outside the file gets the fallback too.
    assert directory.for_country("fr") == list(directory.regional)


def test_every_unverified_entry_says_check_before_deployment() -> None:
    directory = load_directory()
    entries = [*directory.regional]
    for country in directory.countries.values():
        entries.extend(country.services)
    assert entries
    for entry in entries:
        assert entry.checked <= dt.date.today()
        if not entry.verified:
            assert entry.note and "check before deployment" in entry.note.lower(), entry.name


def test_packaged_numbers_are_well_formed() -> None:
    directory = load_directory()
    talian_kasih = directory.for_country("MY")[0]
    assert talian_kasih.name == "Talian Kasih"
    (phone,) = talian_kasih.phone
    assert (phone.text, phone.tel, phone.short_code) == ("15999", "tel:15999", True)
    (whatsapp,) = talian_kasih.whatsapp
    assert whatsapp.tel == "tel:+60192615999"
    assert whatsapp.national == "019-261 5999"
    assert talian_kasih.local_names["ms"] == "Talian Kasih"
    assert "1280" in [p.text for p in directory.for_country("KH")[0].phone]
    assert "111" in [p.text for p in directory.for_country("VN")[0].phone]


def test_packaged_file_is_part_of_the_package() -> None:
    path = default_path()
    assert path.name == "helplines.toml" and path.is_file()
    assert load_directory() is load_directory()  # parsed once


def test_unknown_country_code_is_refused() -> None:
    with pytest.raises(ValueError):
        load_directory().for_country("UK")


# --- validation ---------------------------------------------------------------------------

VALID = """
schema = 1

[[regional]]
name = "Regional directory"
helps_with = ["directory"]
web = "https://example.org/helplines"
source = "https://example.org/helplines"
checked = 2025-01-01
verified = false

[countries.MY]
note = "Test entry."

[[countries.MY.services]]
name = "Test line"
helps_with = ["child_helpline"]
phone = ["15999", "+60 3-2123 4567"]
source = "https://example.org/my"
checked = 2025-01-01
verified = true
"""

SERVICE_LINE = 'name = "Test line"'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "operator-helplines.toml"
    path.write_text(text, encoding="utf-8")
    tomllib.loads(text)  # the test itself must write valid TOML unless it means not to
    return path


def with_service_field(line: str) -> str:
    return VALID.replace(SERVICE_LINE, f"{SERVICE_LINE}\n{line}")


def expect_error(path: Path, *fragments: str) -> HelplineDirectoryError:
    with pytest.raises(HelplineDirectoryError) as info:
        load_directory(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    return info.value


def test_valid_operator_file_loads(tmp_path: Path) -> None:
    directory = load_directory(write(tmp_path, VALID))
    (line,) = directory.for_country("my")
    assert [p.text for p in line.phone] == ["15999", "+60 3-2123 4567"]
    assert line.checked == dt.date(2025, 1, 1)


def test_unknown_service_key(tmp_path: Path) -> None:
    error = expect_error(
        write(tmp_path, with_service_field('fax = "123"')), "country MY", "'fax'", "Test line"
    )
    assert (error.country, error.field) == ("MY", "fax")


def test_unknown_top_level_and_country_keys(tmp_path: Path) -> None:
    expect_error(write(tmp_path, VALID + '\nversion = "2"\n'), "unknown key", "version")
    text = VALID.replace('note = "Test entry."', 'note = "Test entry."\nflag = "x"')
    expect_error(write(tmp_path, text), "country MY", "flag")


def test_missing_source(tmp_path: Path) -> None:
    text = VALID.replace('source = "https://example.org/my"\n', "")
    error = expect_error(write(tmp_path, text), "country MY", "'source'", "is required")
    assert error.field == "source"


def test_empty_source(tmp_path: Path) -> None:
    text = VALID.replace('source = "https://example.org/my"', 'source = ["  "]')
    expect_error(write(tmp_path, text), "country MY", "'source'")


@pytest.mark.parametrize("code", ["XX", "UK", "Malaysia", "my"])
def test_invalid_country_code(tmp_path: Path, code: str) -> None:
    text = VALID.replace("countries.MY", f"countries.{code}")
    expect_error(write(tmp_path, text), f"country {code}")


@pytest.mark.parametrize(
    ("phone", "why"),
    [
        ("12ab", "short codes"),
        ("15", "short codes"),
        ("1234567", "short codes"),
        ("03-2123 4567", "short codes"),
        ("0321234567", "short codes"),
        ("+60 1", "is not a"),
        ("+60 3-2123 45678 99", "not a valid phone number"),
        ("+65 6123 4567", "from SG, not MY"),
        ("+abc", "not a phone number"),
    ],
)
def test_bad_phone_format(tmp_path: Path, phone: str, why: str) -> None:
    text = VALID.replace('phone = ["15999", "+60 3-2123 4567"]', f'phone = ["{phone}"]')
    error = expect_error(write(tmp_path, text), "country MY", "'phone'", why)
    assert error.field == "phone"


def test_whatsapp_needs_a_full_number(tmp_path: Path) -> None:
    expect_error(
        write(tmp_path, with_service_field('whatsapp = ["15999"]')), "'whatsapp'", "+country"
    )


def test_regional_entries_cannot_use_short_codes(tmp_path: Path) -> None:
    text = VALID.replace(
        'helps_with = ["directory"]', 'helps_with = ["directory"]\nphone = ["116"]'
    )
    expect_error(write(tmp_path, text), "regional[0]", "'phone'", "regional")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('helps_with = ["counselling"]', "helps_with"),
        ("helps_with = []", "helps_with"),
        ('checked = "2025-01-01"', "checked"),
        ("checked = 2999-01-01", "checked"),
        ('verified = "yes"', "verified"),
        ('web = "ftp://example.org"', "web"),
        ('chat = "https://example.org"', "chat"),
        ('email = ["not-an-address"]', "email"),
        ('languages = ["english language"]', "languages"),
        ('local_names = { "Bahasa Melayu" = "x" }', "local_names"),
        ('hours = ""', "hours"),
    ],
)
def test_bad_field_values(tmp_path: Path, line: str, field: str) -> None:
    head, service = VALID.split("[[countries.MY.services]]")
    key = line.split(" = ", 1)[0]
    kept = [ln for ln in service.splitlines() if not ln.startswith(f"{key} = ")]
    text = head + "[[countries.MY.services]]" + "\n".join([*kept, line]) + "\n"
    error = expect_error(write(tmp_path, text), "country MY", f"'{field}'")
    assert error.field == field


def test_a_service_needs_a_way_to_reach_it(tmp_path: Path) -> None:
    text = VALID.replace('phone = ["15999", "+60 3-2123 4567"]\n', "")
    expect_error(write(tmp_path, text), "country MY", "no way to reach")


def test_a_country_needs_services_or_a_note(tmp_path: Path) -> None:
    text = VALID + "\n[countries.TH]\n"
    expect_error(write(tmp_path, text), "country TH", "note")


def test_schema_is_required(tmp_path: Path) -> None:
    expect_error(write(tmp_path, VALID.replace("schema = 1", "schema = 2")), "'schema'")


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[countries.MY\n", encoding="utf-8")
    expect_error(path, "not valid TOML")
    expect_error(tmp_path / "missing.toml", "cannot read")


# --- operator override ---------------------------------------------------------------------


def test_operator_file_replaces_the_packaged_one(tmp_path: Path) -> None:
    operator = load_directory(write(tmp_path, VALID))
    assert [h.name for h in operator.for_country("MY")] == ["Test line"]
    # Not merged: countries the operator left out get the operator's regional entries only.
    assert [h.name for h in operator.for_country("TH")] == ["Regional directory"]
    assert missing_asean_countries(operator) == [c for c in ASEAN if c != "MY"]
    # The packaged directory is untouched.
    assert load_directory().for_country("MY")[0].name == "Talian Kasih"


def test_helps_with_vocabulary_is_stable() -> None:
    assert {"child_helpline", "police_cybercrime", "mental_health_crisis"} <= set(HELPS_WITH)
