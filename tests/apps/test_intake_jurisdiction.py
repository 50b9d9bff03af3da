"""Jurisdiction guessing: country hints from phone numbers, URL hosts and the declared country."""

from __future__ import annotations

import json
import socket
from typing import Any

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.apps.intake import jurisdiction as jur
from lindung.apps.intake.jurisdiction import (
    ASEAN,
    COUNTRY_CODES,
    guess_jurisdiction,
    normalise_country,
)


def scores(guess: jur.JurisdictionGuess) -> dict[str, float]:
    return {c.country: c.score for c in guess.countries}


# --- normalise_country ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"), [("my", "MY"), (" sg ", "SG"), ("Tl", "TL"), ("XK", "XK")]
)
def test_normalise_country_accepts_any_case(raw: str, code: str) -> None:
    assert normalise_country(raw) == code


@pytest.mark.parametrize("raw", ["UK", "EU", "XX", "MYS", "", "M", "001", "AC", 12, None, b"MY"])
def test_normalise_country_refuses_non_codes(raw: Any) -> None:
    with pytest.raises(ValueError):
        normalise_country(raw)


def test_uk_error_points_to_gb() -> None:
    with pytest.raises(ValueError, match="GB"):
        normalise_country("uk")


def test_country_codes_are_iso_3166_plus_kosovo() -> None:
    # 249 assigned ISO 3166-1 alpha-2 codes, plus the user-assigned XK.
    assert len(COUNTRY_CODES) == 250
    assert set(ASEAN) <= COUNTRY_CODES
    assert {"AQ", "BV", "PN", "UM", "GB", "SH", "XK"} <= COUNTRY_CODES
    assert not {"AC", "TA", "UK", "EU", "001", "ZZ"} & COUNTRY_CODES


# --- phone numbers -----------------------------------------------------------------------


def test_international_phone_number_names_its_country() -> None:
    guess = guess_jurisdiction(phone_numbers=["+60 12-345 6789"])
    assert guess.primary == "MY"
    (hint,) = guess.countries
    assert hint.country == "MY"
    assert hint.score == jur.WEIGHT_PHONE_INTERNATIONAL
    assert hint.evidence == ("phone +60 12-345 6789 is a number from Malaysia (MY)",)
    code, score, evidence = hint  # usable as a plain (code, score, evidence) tuple
    assert (code, score, evidence) == ("MY", 2.0, hint.evidence)


def test_national_number_is_read_with_the_declared_country() -> None:
    guess = guess_jurisdiction(phone_numbers=["012-345 6789"], declared_country="MY")
    (hint,) = guess.countries
    assert hint.score == jur.WEIGHT_DECLARED + jur.WEIGHT_PHONE_NATIONAL
    assert any("has no country code" in e and "+60 12-345 6789" in e for e in hint.evidence)


def test_explicit_default_region_wins_over_declared_country() -> None:
    guess = guess_jurisdiction(
        phone_numbers=["0812 3456 7890"], declared_country="MY", default_region="id"
    )
    assert scores(guess) == {"MY": 3.0, "ID": 1.0}


def test_national_number_without_any_region_is_ignored() -> None:
    assert guess_jurisdiction(phone_numbers=["012-345 6789"]).countries == ()


def test_idd_prefix_counts_as_international() -> None:
    # "00" is Malaysia's international prefix: the number carries its own country code.
    guess = guess_jurisdiction(phone_numbers=["00 66 81 234 5678"], default_region="MY")
    assert scores(guess) == {"TH": jur.WEIGHT_PHONE_INTERNATIONAL}


def test_ascension_numbers_belong_to_saint_helena() -> None:
    example = phonenumbers.example_number("AC")
    assert example is not None
    number = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert guess_jurisdiction(phone_numbers=[number]).primary == "SH"


def test_non_geographic_numbers_give_no_hint() -> None:
    satellite = phonenumbers.example_number_for_non_geo_entity(881)
    assert satellite is not None
    number = phonenumbers.format_number(satellite, phonenumbers.PhoneNumberFormat.E164)
    assert guess_jurisdiction(phone_numbers=[number]).countries == ()


def test_same_number_twice_counts_once() -> None:
    guess = guess_jurisdiction(phone_numbers=["+60 12-345 6789", "+60123456789"])
    assert scores(guess) == {"MY": 2.0}
    assert len(guess.countries[0].evidence) == 1


def test_a_lone_string_is_one_number_not_its_characters() -> None:
    assert guess_jurisdiction(phone_numbers="+66 81 234 5678").primary == "TH"


# --- URL hosts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "country"),
    [
        ("https://example.com.my/path?q=1", "MY"),
        ("www.bbc.co.uk", "GB"),
        ("http://ministry.gov.tl", "TL"),
        ("https://user:pw@Shop.Example.SG:8443/", "SG"),
        ("//cdn.example.vn/x.js", "VN"),
        ("mailto:someone@example.co.th", "TH"),
        ("someone@example.ph", "PH"),
        ("http://example.xn--o3cw4h/", "TH"),
        ("http://example.ไทย/", "TH"),
        ("https://example.xn--mgbx4cd0ab", "MY"),
        ("https://shop.com.co", "CO"),  # vanity ccTLD, but a local second-level name
        ("https://example.id.", "ID"),  # trailing dot of a fully qualified name
    ],
)
def test_cctld_gives_the_country(url: str, country: str) -> None:
    guess = guess_jurisdiction(urls=[url])
    assert guess.primary == country
    assert guess.countries[0].score == jur.WEIGHT_CCTLD


def test_evidence_for_a_url_names_host_and_tld() -> None:
    guess = guess_jurisdiction(urls=["https://example.com.my/x"])
    assert guess.countries[0].evidence == ("URL host example.com.my has ccTLD .my: Malaysia (MY)",)


@pytest.mark.parametrize(
    "url",
    ["https://example.com", "example.org", "http://example.net/", "https://example.app"],
)
def test_generic_tlds_give_no_hint(url: str) -> None:
    guess = guess_jurisdiction(urls=[url])
    assert guess.countries == ()
    assert guess.notes == ()


@pytest.mark.parametrize("url", ["https://startup.io", "me.tv", "https://x.co", "a.me", "b.ai"])
def test_vanity_cctlds_are_noted_but_not_counted(url: str) -> None:
    guess = guess_jurisdiction(urls=[url])
    assert guess.countries == ()
    assert guess.primary is None
    assert len(guess.notes) == 1
    assert "not counted" in guess.notes[0]


def test_bare_la_is_a_weak_hint_and_gov_la_a_full_one() -> None:
    assert scores(guess_jurisdiction(urls=["shop.la"])) == {"LA": 0.5}
    assert scores(guess_jurisdiction(urls=["ministry.gov.la"])) == {"LA": 1.0}


def test_same_host_twice_counts_once() -> None:
    guess = guess_jurisdiction(urls=["https://a.example.th/1", "http://A.example.th/2"])
    assert scores(guess) == {"TH": 1.0}


# --- weighting -------------------------------------------------------------------------------


def test_declared_country_counts_most() -> None:
    guess = guess_jurisdiction(declared_country="PH")
    assert guess.primary == "PH"
    assert guess.countries[0].evidence == ("the reporter said they are in Philippines (PH)",)
    assert guess.countries[0].score == jur.WEIGHT_DECLARED


def test_one_phone_and_one_url_elsewhere_tie_and_the_declared_country_wins_the_tie() -> None:
    guess = guess_jurisdiction(
        declared_country="MY", phone_numbers=["+66 81 234 5678"], urls=["https://x.co.th"]
    )
    assert scores(guess) == {"MY": 3.0, "TH": 3.0}
    assert guess.primary == "MY"


def test_enough_independent_evidence_outweighs_the_declared_country() -> None:
    guess = guess_jurisdiction(
        declared_country="MY",
        phone_numbers=["+66 81 234 5678", "+66 2 123 4567"],
        urls=["https://x.co.th"],
    )
    assert scores(guess) == {"TH": 4.0, "MY": 3.0}
    assert guess.primary == "TH"
    assert [c.country for c in guess.countries] == ["TH", "MY"]


def test_many_urls_of_one_kind_saturate_below_the_declared_country() -> None:
    urls = [f"https://site{i}.example.th" for i in range(20)]
    guess = guess_jurisdiction(declared_country="VN", urls=urls)
    th = scores(guess)["TH"]
    assert 1.99 < th <= 2.0
    assert guess.primary == "VN"


def test_strongest_evidence_is_listed_first() -> None:
    guess = guess_jurisdiction(urls=["x.com.my"], phone_numbers=["+60 12-345 6789"])
    assert guess.countries[0].evidence[0].startswith("phone ")


def test_as_dict_is_json_ready() -> None:
    guess = guess_jurisdiction(
        declared_country="SG", phone_numbers=["+65 6123 4567"], urls=["a.io", "b.sg"]
    )
    data = json.loads(json.dumps(guess.as_dict()))
    assert data["primary"] == "SG"
    assert data["countries"][0]["country"] == "SG"
    assert data["notes"]


# --- invalid input ----------------------------------------------------------------------


def test_garbage_is_ignored_without_exceptions() -> None:
    guess = guess_jurisdiction(
        phone_numbers=["abc", "+999 123", "", "   ", "+60 1", "1" * 5000, None, 42, b"+6012"],
        urls=[
            "not a url",
            "http://[zz",
            "",
            "http://1.2.3.4/",
            "http://[2001:db8::1]/",
            "localhost",
            "http://exa mple.com/",
            "..",
            "x" * 5000 + ".my",
            None,
            3.5,
            ["nested.my"],
        ],
    )
    assert guess.countries == ()
    assert guess.primary is None


def test_non_iterable_hints_are_ignored() -> None:
    assert guess_jurisdiction(phone_numbers=42, urls=None).countries == ()  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["Malaysia", "UK", "", "XX", 60])
def test_bad_declared_country_raises(bad: Any) -> None:
    with pytest.raises(ValueError):
        guess_jurisdiction(declared_country=bad)


def test_bad_default_region_raises() -> None:
    with pytest.raises(ValueError):
        guess_jurisdiction(phone_numbers=["012"], default_region="Malaysia")


@settings(max_examples=150, deadline=None)
@given(
    phones=st.lists(st.text(max_size=40), max_size=5),
    urls=st.lists(st.text(max_size=60), max_size=5),
)
def test_any_text_gives_a_guess_not_an_exception(phones: list[str], urls: list[str]) -> None:
    guess = guess_jurisdiction(phone_numbers=phones, urls=urls, declared_country="TH")
    assert guess.primary is not None
    assert all(c.country in COUNTRY_CODES and c.score > 0 for c in guess.countries)


# --- no network ---------------------------------------------------------------------------


def test_tldextract_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    jur._extractor.cache_clear()  # build the extractor again, under the patch
    try:
        guess = guess_jurisdiction(urls=["https://example.com.my", "x.co.uk", "example.com"])
    finally:
        jur._extractor.cache_clear()
    assert scores(guess) == {"MY": 1.0, "GB": 1.0}


def test_extractor_is_configured_offline() -> None:
    extractor = jur._extractor()
    assert extractor.suffix_list_urls == ()
    assert extractor.fallback_to_snapshot is True
