"""Anti-abuse checks for the public reporting form: tokens, proof of work, honeypot, limits."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache

from lindung.apps.errors import LindungError
from lindung.apps.intake.antispam import (
    POW_MAX_BITS,
    CacheSeenNonces,
    FormTokenError,
    InMemorySeenNonces,
    PowError,
    RateLimiter,
    check_form_token,
    client_key,
    consume_form_token,
    is_honeypot_filled,
    issue_challenge,
    issue_form_token,
    solve,
    verify_solution,
)

SECRET = "test-form-secret-not-for-production"
OTHER = "another-secret"
T0 = 1_800_000_000.0


def fresh_cache() -> LocMemCache:
    # LocMemCache instances with the same name share storage: one name per test.
    return LocMemCache(f"antispam-{uuid.uuid4().hex}", {})


def tamper(text: str, index: int = 5) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


# --- form tokens ------------------------------------------------------------------------


def test_valid_token_returns_its_nonce() -> None:
    token = issue_form_token(SECRET, T0)
    nonce = check_form_token(token, SECRET, T0 + 10)
    assert isinstance(nonce, str) and len(nonce) >= 16
    assert issue_form_token(SECRET, T0) != token  # a fresh nonce every time


def test_token_sent_too_fast() -> None:
    token = issue_form_token(SECRET, T0)
    with pytest.raises(FormTokenError) as info:
        check_form_token(token, SECRET, T0 + 1)
    assert info.value.code == "too_fast"
    assert "wait" in info.value.message


def test_token_from_the_future_is_too_fast() -> None:
    token = issue_form_token(SECRET, T0 + 60)
    with pytest.raises(FormTokenError, match="too quickly"):
        check_form_token(token, SECRET, T0)


def test_expired_token() -> None:
    token = issue_form_token(SECRET, T0)
    check_form_token(token, SECRET, T0 + 2 * 3600)  # the boundary is still fine
    with pytest.raises(FormTokenError) as info:
        check_form_token(token, SECRET, T0 + 2 * 3600 + 1)
    assert info.value.code == "expired"


def test_custom_age_bounds() -> None:
    token = issue_form_token(SECRET, T0)
    assert check_form_token(token, SECRET, T0 + 0.5, min_age_s=0, max_age_s=1)
    with pytest.raises(FormTokenError, match="too long"):
        check_form_token(token, SECRET, T0 + 2, min_age_s=0, max_age_s=1)
    with pytest.raises(ValueError):
        check_form_token(token, SECRET, T0 + 5, min_age_s=10, max_age_s=5)


@pytest.mark.parametrize("position", [0, 5, 20, -3])
def test_tampered_token(position: int) -> None:
    token = issue_form_token(SECRET, T0)
    index = position % len(token)
    if token[index] == ":":
        index += 1
    with pytest.raises(FormTokenError) as info:
        check_form_token(tamper(token, index), SECRET, T0 + 10)
    assert info.value.code == "bad_signature"


def test_token_signed_with_another_secret_is_refused_unless_it_is_a_fallback() -> None:
    token = issue_form_token(OTHER, T0)
    with pytest.raises(FormTokenError, match="could not be checked"):
        check_form_token(token, SECRET, T0 + 10)
    assert check_form_token(token, SECRET, T0 + 10, fallback_secrets=[OTHER])


@pytest.mark.parametrize("token", [None, "", 42, b"bytes", "x" * 5000, "no-signature", "a:b:c"])
def test_malformed_tokens(token: Any) -> None:
    with pytest.raises(FormTokenError) as info:
        check_form_token(token, SECRET, T0)
    assert info.value.code == "bad_signature"


def test_a_pow_challenge_is_not_a_form_token() -> None:
    challenge = issue_challenge(SECRET, T0, 4)
    with pytest.raises(FormTokenError, match="could not be checked"):
        check_form_token(challenge, SECRET, T0 + 10)


def test_form_token_error_is_a_lindung_error_with_the_api_shape() -> None:
    with pytest.raises(LindungError) as info:
        check_form_token("nope", SECRET, T0)
    body = info.value.as_dict()["error"]
    assert body["code"] == "bad_signature"
    assert body["message"]
    assert info.value.status == 400


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        issue_form_token("", T0)


def test_token_carries_no_personal_data() -> None:
    token = issue_form_token(SECRET, T0)
    assert len(token) < 200
    assert token.isascii()


# --- single use ---------------------------------------------------------------------------


def test_nonce_reuse_is_refused() -> None:
    seen = InMemorySeenNonces()
    token = issue_form_token(SECRET, T0)
    nonce = consume_form_token(token, SECRET, T0 + 10, seen)
    assert len(seen) == 1
    with pytest.raises(FormTokenError) as info:
        consume_form_token(token, SECRET, T0 + 20, seen)
    assert info.value.code == "reused"
    assert nonce


def test_a_failed_check_does_not_use_up_the_token() -> None:
    seen = InMemorySeenNonces()
    token = issue_form_token(SECRET, T0)
    with pytest.raises(FormTokenError, match="too quickly"):
        consume_form_token(token, SECRET, T0 + 1, seen)
    assert len(seen) == 0
    assert consume_form_token(token, SECRET, T0 + 5, seen)


def test_in_memory_nonces_expire() -> None:
    seen = InMemorySeenNonces()
    assert seen.add("n1", 10, T0)
    assert not seen.add("n1", 10, T0 + 5)
    assert seen.add("n1", 10, T0 + 11)  # forgotten after its time-to-live
    assert len(seen) == 1


def test_in_memory_nonces_are_bounded() -> None:
    seen = InMemorySeenNonces(max_entries=3)
    for i in range(5):
        assert seen.add(f"n{i}", 100 + i, T0)
    assert len(seen) == 3
    assert seen.add("n0", 100, T0)  # the soonest-expiring were forgotten first
    assert not seen.add("n4", 100, T0)
    with pytest.raises(ValueError):
        InMemorySeenNonces(max_entries=0)


def test_cache_seen_nonces_over_django_cache() -> None:
    seen = CacheSeenNonces(fresh_cache())
    token = issue_form_token(SECRET, T0)
    consume_form_token(token, SECRET, T0 + 10, seen)
    with pytest.raises(FormTokenError, match="already sent"):
        consume_form_token(token, SECRET, T0 + 10, seen)
    assert seen.add("any nonce with spaces and ünicode", 5, T0)


# --- proof of work --------------------------------------------------------------------------


def test_solve_and_verify_at_low_difficulty() -> None:
    challenge = issue_challenge(SECRET, T0, 8)
    assert challenge.startswith("pow1:8:")
    nonce = solve(challenge)
    verify_solution(challenge, nonce, SECRET, T0 + 5, max_age_s=600)
    # The JavaScript contract: SHA-256 over challenge ":" decimal nonce, leading zero bits.
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    assert digest[0] == 0
    assert nonce.isdigit()


def test_wrong_nonce() -> None:
    challenge = issue_challenge(SECRET, T0, 12)
    good = solve(challenge)
    wrong = next(
        str(n)
        for n in range(10_000)
        if hashlib.sha256(f"{challenge}:{n}".encode()).digest()[:2] != b"\0\0" and str(n) != good
    )
    with pytest.raises(PowError) as info:
        verify_solution(challenge, wrong, SECRET, T0 + 5, max_age_s=600)
    assert info.value.code == "wrong_solution"


def test_tampered_challenge_cannot_lower_the_difficulty() -> None:
    challenge = issue_challenge(SECRET, T0, 20)
    easier = challenge.replace("pow1:20:", "pow1:0:", 1)
    with pytest.raises(PowError) as info:
        verify_solution(easier, "0", SECRET, T0 + 5, max_age_s=600)
    assert info.value.code == "bad_signature"


def test_challenge_signed_with_another_secret() -> None:
    challenge = issue_challenge(OTHER, T0, 4)
    nonce = solve(challenge)
    with pytest.raises(PowError, match="could not be read"):
        verify_solution(challenge, nonce, SECRET, T0 + 5, max_age_s=600)
    verify_solution(challenge, nonce, SECRET, T0 + 5, max_age_s=600, fallback_secrets=[OTHER])


def test_expired_challenge() -> None:
    challenge = issue_challenge(SECRET, T0, 4)
    nonce = solve(challenge)
    verify_solution(challenge, nonce, SECRET, T0 + 600, max_age_s=600)
    with pytest.raises(PowError) as info:
        verify_solution(challenge, nonce, SECRET, T0 + 601, max_age_s=600)
    assert info.value.code == "expired"


def test_a_form_token_is_not_a_challenge() -> None:
    token = issue_form_token(SECRET, T0)
    with pytest.raises(PowError):
        verify_solution(token, "0", SECRET, T0 + 5, max_age_s=600)


@pytest.mark.parametrize("nonce", ["", "a b", "x" * 65, "1;2", None, 7, "١٢"])
def test_malformed_nonce(nonce: Any) -> None:
    challenge = issue_challenge(SECRET, T0, 0)
    with pytest.raises(PowError) as info:
        verify_solution(challenge, nonce, SECRET, T0, max_age_s=600)
    assert info.value.code == "malformed"


@pytest.mark.parametrize("challenge", [None, "", 5, "x" * 5000])
def test_malformed_challenge(challenge: Any) -> None:
    with pytest.raises(PowError) as info:
        verify_solution(challenge, "0", SECRET, T0, max_age_s=600)
    assert info.value.code == "bad_signature"


def test_zero_difficulty_accepts_any_nonce() -> None:
    challenge = issue_challenge(SECRET, T0, 0)
    for nonce in ("0", "abc", "Z-_9"):
        verify_solution(challenge, nonce, SECRET, T0, max_age_s=60)


@pytest.mark.parametrize("bits", [-1, POW_MAX_BITS + 1, 256, True, 8.0, "8", None])
def test_difficulty_is_bounded(bits: Any) -> None:
    with pytest.raises(ValueError):
        issue_challenge(SECRET, T0, bits)


def test_maximum_difficulty_can_be_issued() -> None:
    assert issue_challenge(SECRET, T0, POW_MAX_BITS).startswith(f"pow1:{POW_MAX_BITS}:")


def test_solve_refuses_what_is_not_a_challenge() -> None:
    with pytest.raises(ValueError):
        solve("pow1:99:1:abc:sig")
    with pytest.raises(ValueError):
        solve("hello")


# --- honeypot -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t", [], ["", " "], ()])
def test_honeypot_empty(value: Any) -> None:
    assert is_honeypot_filled(value) is False


@pytest.mark.parametrize("value", ["x", " http://spam ", ["", "y"], 0, b""])
def test_honeypot_filled(value: Any) -> None:
    assert is_honeypot_filled(value) is True


# --- rate limiting --------------------------------------------------------------------------


def test_rate_limiter_within_and_over_the_limit() -> None:
    limiter = RateLimiter(fresh_cache())
    key = "report:" + client_key("203.0.113.7", SECRET)
    now = 1000.0  # window [960, 1020) for 60 s windows
    decisions = [limiter.hit(key, 3, 60, now) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[0].retry_after_s == 0
    assert decisions[3].retry_after_s == 20


def test_rate_limiter_resets_in_the_next_window() -> None:
    limiter = RateLimiter(fresh_cache())
    for _ in range(3):
        limiter.hit("k", 2, 60, 1000.0)
    assert not limiter.hit("k", 2, 60, 1019.9).allowed
    next_window = limiter.hit("k", 2, 60, 1020.0)
    assert next_window.allowed
    assert next_window.remaining == 1


def test_rate_limiter_keys_and_windows_are_independent() -> None:
    limiter = RateLimiter(fresh_cache())
    assert limiter.hit("a", 1, 60, 1000.0).allowed
    assert not limiter.hit("a", 1, 60, 1000.0).allowed
    assert limiter.hit("b", 1, 60, 1000.0).allowed
    assert limiter.hit("a", 1, 3600, 1000.0).allowed  # another window length, another counter


def test_peek_does_not_count() -> None:
    limiter = RateLimiter(fresh_cache())
    assert limiter.peek("k", 1, 60, 1000.0).allowed
    assert limiter.peek("k", 1, 60, 1000.0).allowed
    assert limiter.hit("k", 1, 60, 1000.0).allowed
    peeked = limiter.peek("k", 1, 60, 1000.0)
    assert not peeked.allowed
    assert peeked.retry_after_s == 20


def test_zero_limit_refuses_everything() -> None:
    decision = RateLimiter(fresh_cache()).hit("k", 0, 10, 5.0)
    assert not decision.allowed
    assert decision.retry_after_s == 5


@pytest.mark.parametrize("key", ["203.0.113.7", "2001:db8::1", "", "has space", "x" * 201, None])
def test_raw_addresses_and_bad_keys_are_refused(key: Any) -> None:
    with pytest.raises(ValueError):
        RateLimiter(fresh_cache()).hit(key, 5, 60, 0.0)


@pytest.mark.parametrize("window", [0, -5, 1.5, True])
def test_bad_windows_are_refused(window: Any) -> None:
    with pytest.raises(ValueError):
        RateLimiter(fresh_cache()).hit("k", 5, window, 0.0)


def test_rate_limiter_survives_a_key_expiring_between_add_and_incr() -> None:
    class FlakyCache:
        def __init__(self) -> None:
            self.adds = 0

        def get(self, key: str, default: Any = None) -> Any:
            return default

        def add(self, key: str, value: Any, timeout: Any = None) -> bool:
            self.adds += 1
            return self.adds > 1  # exists at first, then gone

        def incr(self, key: str, delta: int = 1) -> int:
            raise ValueError(f"Key '{key}' not found")

    cache = FlakyCache()
    decision = RateLimiter(cache).hit("k", 1, 60, 0.0)
    assert decision.allowed
    assert cache.adds == 2


def test_no_raw_address_is_stored_in_the_cache() -> None:
    cache = fresh_cache()
    RateLimiter(cache).hit("report:" + client_key("198.51.100.23", SECRET), 5, 60, 0.0)
    stored = " ".join(str(k) for k in cache._cache)
    assert "198.51.100.23" not in stored
    assert "report:" in stored


# --- client keys ------------------------------------------------------------------------


def test_client_key_for_ipv4() -> None:
    key = client_key("203.0.113.7", SECRET)
    assert len(key) == 32 and all(c in "0123456789abcdef" for c in key)
    assert key == client_key(" 203.0.113.7 ", SECRET)
    assert key != client_key("203.0.113.8", SECRET)
    assert key != client_key("203.0.113.7", OTHER)  # the salt matters


def test_client_key_groups_ipv6_by_64() -> None:
    home = client_key("2001:db8:1:2::1", SECRET)
    assert home == client_key("2001:db8:1:2:ffff:ffff:ffff:ffff", SECRET)
    assert home == client_key("[2001:db8:1:2::abcd]", SECRET)
    assert home != client_key("2001:db8:1:3::1", SECRET)
    assert client_key("2001:db8:1:2::1", SECRET, ipv6_prefix=128) != client_key(
        "2001:db8:1:2::2", SECRET, ipv6_prefix=128
    )


def test_client_key_treats_mapped_ipv4_as_ipv4_and_ignores_zones() -> None:
    assert client_key("::ffff:203.0.113.7", SECRET) == client_key("203.0.113.7", SECRET)
    assert client_key("fe80::1%eth0", SECRET) == client_key("fe80::2", SECRET)


@pytest.mark.parametrize("bad", ["", "not-an-ip", "999.1.1.1", "1.2.3", "::g", None, 42])
def test_invalid_addresses_share_one_unknown_key(bad: Any) -> None:
    unknown = client_key("garbage", SECRET)
    assert client_key(bad, SECRET) == unknown
    assert unknown != client_key("203.0.113.7", SECRET)


def test_client_key_needs_a_salt_and_a_sane_prefix() -> None:
    with pytest.raises(ValueError):
        client_key("203.0.113.7", "")
    for prefix in (-1, 129, True):
        with pytest.raises(ValueError):
            client_key("2001:db8::1", SECRET, ipv6_prefix=prefix)


def test_limits_and_tokens_are_shared_through_redis() -> None:
    """Two processes sharing LINDUNG_CACHE_URL see one limit and one set of used tokens."""
    import os
    import uuid

    redis = pytest.importorskip("redis")
    from django.core.cache.backends.redis import RedisCache

    url = os.environ.get("LINDUNG_REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {url}")
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = RedisCache(url, {}), RedisCache(url, {})  # as two server processes
    now = 1_700_000_000.0
    assert RateLimiter(first, prefix=prefix).hit("k", 2, 3600, now).allowed
    assert RateLimiter(second, prefix=prefix).hit("k", 2, 3600, now).allowed
    assert not RateLimiter(first, prefix=prefix).hit("k", 2, 3600, now).allowed
    assert CacheSeenNonces(first, prefix=prefix).add("n1", 60, now)
    assert not CacheSeenNonces(second, prefix=prefix).add("n1", 60, now)
