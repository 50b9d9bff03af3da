"""Spam and abuse resistance for the public reporting form, with no third-party service.

The form must work without JavaScript, on a cheap phone, on a slow or shared connection
(carrier-grade NAT is the norm on Southeast Asian mobile networks: hundreds of real people may
share one IPv4 address). A CAPTCHA service would send a child's visit to a third party and fail
without JavaScript, so instead we layer cheap checks, each of which a real reporter never
notices:

1. **Signed form token** (:func:`issue_form_token`, :func:`check_form_token`): the page embeds
   a token signed with ``django.core.signing`` holding a random nonce and the time it was
   served. A submission must come back at least ``min_age_s`` later (bots post instantly) and
   within ``max_age_s`` (stale tokens cannot be farmed), and each nonce is accepted once
   (:class:`SeenNonces`, :func:`consume_form_token`), so one fetched page is one report.
2. **Honeypot** (:func:`is_honeypot_filled`): a field people do not see and bots fill in.
3. **Rate limit** (:class:`RateLimiter`): fixed-window counters in the Django cache, keyed by a
   salted hash of the client's network (:func:`client_key`), never by the raw address.
4. **Proof of work** (:func:`issue_challenge`, :func:`verify_solution`), *optional* progressive
   enhancement: pages that can run JavaScript spend a moment of CPU before posting, which is
   nothing for one report and expensive for ten thousand. A form that arrives without a
   solution must still be accepted (perhaps under a tighter rate limit), because the form has
   to work without JavaScript.

None of these should silently drop a report. A failed check means "show the form again with
what the person wrote, and a plain-words message" (every error here has one), or, for a
filled honeypot, "keep it, but in a low-priority queue": a screen reader or an autofill may
fill a honeypot, and a discarded real report about a child is the worst failure this form has.

Errors are :class:`lindung.apps.errors.LindungError` subclasses, so the API and the HTML views
report them the same way; ``code`` is machine-readable, ``message`` is for the person.

Secrets: pass a purpose-specific secret derived from ``SECRET_KEY`` (for example
``django.utils.crypto.salted_hmac("lindung.intake.form", "").hexdigest()``). Rotating it
invalidates pages already served; pass the old one in ``fallback_secrets`` for a while.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import ipaddress
import math
import re
import secrets
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.core import signing

from lindung.apps.errors import LindungError

_FORM_SALT = "lindung.intake.form-token"
_POW_SALT = "lindung.intake.pow-challenge"
_POW_VERSION = "pow1"
_MAX_TOKEN_LEN = 1024

#: Bounds on proof-of-work difficulty. 24 bits is about 16 million hashes: seconds in a
#: browser on a laptop and far too long on a cheap phone, so no deployment needs more.
POW_MIN_BITS = 0
POW_MAX_BITS = 24

_NONCE_RE = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")


class AntispamError(LindungError):
    """A submission failed an anti-abuse check; ``message`` can be shown to the person."""

    status = 400


class FormTokenError(AntispamError):
    """The form token is missing, forged, too young, too old or already used.

    ``code`` is one of ``bad_signature``, ``too_fast``, ``expired``, ``reused``.
    """

    code = "bad_signature"


class PowError(AntispamError):
    """A proof-of-work solution is missing, forged, stale or wrong.

    ``code`` is one of ``bad_signature``, ``malformed``, ``expired``, ``wrong_solution``.
    """

    code = "bad_signature"


_FORM_MESSAGES = {
    "bad_signature": "This form could not be checked. Please reload the page and send it again.",
    "too_fast": "This form was sent too quickly. Please wait a few seconds and send it again.",
    "expired": "This form was open for too long. Please send it again.",
    "reused": "This form was already sent. Please reload the page to send another report.",
}

_POW_MESSAGES = {
    "bad_signature": "The page's security check could not be read. Please reload the page.",
    "malformed": "The page's security check was incomplete. Please send the form again.",
    "expired": "The page's security check has expired. Please reload the page.",
    "wrong_solution": "The page's security check did not finish. Please send the form again.",
}


def _form_error(code: str) -> FormTokenError:
    return FormTokenError(_FORM_MESSAGES[code], code=code)


def _pow_error(code: str) -> PowError:
    return PowError(_POW_MESSAGES[code], code=code)


def _signer(secret: str, salt: str, fallback_secrets: Sequence[str] = ()) -> signing.Signer:
    if not isinstance(secret, str) or not secret:
        # An empty key would make every token forgeable; refuse rather than sign with it.
        raise ValueError("The signing secret must be a non-empty string")
    return signing.Signer(key=secret, salt=salt, fallback_keys=list(fallback_secrets))


# --- signed form tokens -------------------------------------------------------------------


def issue_form_token(secret: str, now: float) -> str:
    """A token for one rendering of the form: a random nonce and ``now``, signed.

    ``now`` is passed in (``time.time()`` in the view) so tests and replays are exact. The
    token is URL-safe text for a hidden ``<input>``; it reveals only when the page was served.
    """
    payload = {"n": secrets.token_urlsafe(16), "t": round(float(now), 3)}
    return str(_signer(secret, _FORM_SALT).sign_object(payload))


def check_form_token(
    token: object,
    secret: str,
    now: float,
    *,
    min_age_s: float = 3,
    max_age_s: float = 2 * 3600,
    fallback_secrets: Sequence[str] = (),
) -> str:
    """The token's nonce, if the token is ours and its age is within bounds; else FormTokenError.

    This does not make the token single-use: the caller records the nonce (see
    :func:`consume_form_token`, which does both).
    """
    if not 0 <= min_age_s < max_age_s:
        raise ValueError("Need 0 <= min_age_s < max_age_s")
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LEN:
        raise _form_error("bad_signature")
    try:
        payload = _signer(secret, _FORM_SALT, fallback_secrets).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, zlib.error):
        raise _form_error("bad_signature") from None
    issued = payload.get("t") if isinstance(payload, dict) else None
    nonce = payload.get("n") if isinstance(payload, dict) else None
    if (
        not isinstance(nonce, str)
        or not _NONCE_RE.match(nonce)
        or isinstance(issued, bool)
        or not isinstance(issued, int | float)
        or not math.isfinite(issued)
    ):
        raise _form_error("bad_signature")
    age = now - issued
    if age > max_age_s:
        raise _form_error("expired")
    if age < min_age_s:  # includes a token "from the future" (clock skew between servers)
        raise _form_error("too_fast")
    return nonce


class SeenNonces(Protocol):
    """Remembers used nonces until they could no longer be valid anyway.

    ``add`` records ``nonce`` for ``ttl_s`` seconds and returns False if it was already
    recorded: the semantics of Django's ``cache.add``, so the production implementation is
    :class:`CacheSeenNonces` over the shared cache.
    """

    def add(self, nonce: str, ttl_s: float, now: float) -> bool: ...


class InMemorySeenNonces:
    """A :class:`SeenNonces` for one process: tests, the CLI, a single-process deployment.

    Bounded: past ``max_entries`` live nonces it forgets the ones closest to expiry (which
    re-allows those few tokens) rather than refuse everyone or grow without limit.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._expiry)

    def add(self, nonce: str, ttl_s: float, now: float) -> bool:
        with self._lock:
            self._purge(now)
            if nonce in self._expiry:
                return False
            while len(self._expiry) >= self.max_entries:
                self._pop_oldest()
            expires = now + ttl_s
            self._expiry[nonce] = expires
            heapq.heappush(self._heap, (expires, nonce))
            return True

    def _purge(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            self._pop_oldest()

    def _pop_oldest(self) -> None:
        expires, nonce = heapq.heappop(self._heap)
        if self._expiry.get(nonce) == expires:
            del self._expiry[nonce]


class CacheSeenNonces:
    """A :class:`SeenNonces` over a Django-style cache (shared by every worker).

    ``now`` is not used: the cache expires keys on its own clock. The key is a hash of the
    nonce, so any nonce makes a valid memcached key.
    """

    def __init__(self, cache: Any, *, prefix: str = "lindung:formnonce") -> None:
        self.cache = cache
        self.prefix = prefix

    def add(self, nonce: str, ttl_s: float, now: float) -> bool:
        digest = hashlib.sha256(nonce.encode()).hexdigest()[:32]
        return bool(self.cache.add(f"{self.prefix}:{digest}", 1, timeout=max(1, math.ceil(ttl_s))))


def consume_form_token(
    token: object,
    secret: str,
    now: float,
    seen: SeenNonces,
    *,
    min_age_s: float = 3,
    max_age_s: float = 2 * 3600,
    fallback_secrets: Sequence[str] = (),
) -> str:
    """:func:`check_form_token`, then record the nonce; a second use raises ``reused``.

    Only a token that passes every other check is recorded, so someone told "too fast" can
    send the same page again after a pause.
    """
    nonce = check_form_token(
        token,
        secret,
        now,
        min_age_s=min_age_s,
        max_age_s=max_age_s,
        fallback_secrets=fallback_secrets,
    )
    if not seen.add(nonce, max_age_s, now):
        raise _form_error("reused")
    return nonce


# --- honeypot -----------------------------------------------------------------------------


def is_honeypot_filled(value: object) -> bool:
    """True when the hidden honeypot field came back with something in it.

    Render the field hidden with CSS (not ``type=hidden``, which bots skip), give it a name
    autofill does not know (not "email" or "website"), ``autocomplete="off"``,
    ``tabindex="-1"`` and a label saying "Leave this empty" for screen-reader users. Blank
    and whitespace-only values count as empty; a list (``QueryDict.getlist``) is filled if any
    item is. Treat a filled honeypot as "probably a bot, keep for low-priority review", not
    "discard" (see the module docstring).
    """
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return any(is_honeypot_filled(item) for item in value)
    return True


# --- proof of work ------------------------------------------------------------------------


def issue_challenge(secret: str, now: float, difficulty_bits: int) -> str:
    """A signed challenge ``pow1:<bits>:<issued unix time>:<random salt>:<signature>``.

    The difficulty is readable by the page (field 2) and protected by the signature, so a
    client can neither lower it nor reuse another page's challenge.

    JavaScript solver contract (the page's ~20-line script):

    - read the challenge from the form (``data-pow-challenge``), and
      ``bits = parseInt(challenge.split(":")[1], 10)``;
    - for ``n = 0, 1, 2, ...`` compute ``crypto.subtle.digest("SHA-256",
      new TextEncoder().encode(challenge + ":" + n))`` until the digest starts with at least
      ``bits`` zero bits (most significant bit of byte 0 first);
    - put ``String(n)`` (decimal, no sign) in the hidden input ``pow_nonce`` and submit. Any
      1-64 characters of ``[0-9A-Za-z_-]`` are accepted as the nonce.

    ``crypto.subtle`` exists only on HTTPS pages (and localhost). Each ``digest`` call is
    asynchronous, so a cheap phone manages tens of thousands per second at best: 12-16 bits
    is a sensible range. The server must accept the form without a solution too.
    """
    if isinstance(difficulty_bits, bool) or not isinstance(difficulty_bits, int):
        raise ValueError("difficulty_bits must be a whole number")
    if not POW_MIN_BITS <= difficulty_bits <= POW_MAX_BITS:
        raise ValueError(f"difficulty_bits must be between {POW_MIN_BITS} and {POW_MAX_BITS}")
    value = f"{_POW_VERSION}:{difficulty_bits}:{math.floor(now)}:{secrets.token_hex(16)}"
    return str(_signer(secret, _POW_SALT).sign(value))


def _pow_fields(challenge: str) -> tuple[int, int]:
    """(difficulty bits, issued) from a challenge's readable part; ValueError if malformed."""
    parts = challenge.split(":")
    if len(parts) != 5 or parts[0] != _POW_VERSION:
        raise ValueError("not a proof-of-work challenge")
    if not parts[1].isdigit() or not parts[2].isdigit():
        raise ValueError("not a proof-of-work challenge")
    bits, issued = int(parts[1]), int(parts[2])
    if not POW_MIN_BITS <= bits <= POW_MAX_BITS:
        raise ValueError("difficulty out of bounds")
    return bits, issued


def _leading_zero_bits_at_least(digest: bytes, bits: int) -> bool:
    return bits == 0 or int.from_bytes(digest, "big") >> (len(digest) * 8 - bits) == 0


def verify_solution(
    challenge: object,
    nonce: object,
    secret: str,
    now: float,
    max_age_s: float,
    *,
    fallback_secrets: Sequence[str] = (),
) -> None:
    """Accept a solved challenge, or raise PowError.

    Checks the signature first (so nothing unsigned is parsed), then age, then that
    SHA-256(challenge + ":" + nonce) has the challenge's number of leading zero bits. To make
    a solution single-use, record the challenge string in a :class:`SeenNonces` after this.
    """
    if not isinstance(challenge, str) or not challenge or len(challenge) > _MAX_TOKEN_LEN:
        raise _pow_error("bad_signature")
    if not isinstance(nonce, str) or not _NONCE_RE.match(nonce):
        raise _pow_error("malformed")
    try:
        _signer(secret, _POW_SALT, fallback_secrets).unsign(challenge)
    except signing.BadSignature:
        raise _pow_error("bad_signature") from None
    try:
        bits, issued = _pow_fields(challenge)
    except ValueError:
        raise _pow_error("malformed") from None
    if now - issued > max_age_s:
        raise _pow_error("expired")
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    if not _leading_zero_bits_at_least(digest, bits):
        raise _pow_error("wrong_solution")


def solve(challenge: str) -> str:
    """Find a nonce for ``challenge`` the way the JavaScript solver does (decimal counter).

    For tests and the benchmark; a browser uses the script described in
    :func:`issue_challenge`. Expected work is 2**bits hashes.
    """
    bits, _issued = _pow_fields(challenge)
    prefix = hashlib.sha256(f"{challenge}:".encode())
    n = 0
    while True:
        attempt = prefix.copy()
        candidate = str(n)
        attempt.update(candidate.encode())
        if _leading_zero_bits_at_least(attempt.digest(), bits):
            return candidate
        n += 1


# --- rate limiting ------------------------------------------------------------------------


class CacheLike(Protocol):
    """The part of Django's cache API the limiter uses (``caches["default"]`` fits)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def add(self, key: str, value: Any, timeout: Any = ...) -> bool: ...

    def incr(self, key: str, delta: int = 1) -> int: ...


@dataclass(frozen=True)
class RateDecision:
    """Whether this request may go on, how many are left in the window, and when to retry.

    ``retry_after_s`` is whole seconds (for a ``Retry-After`` header), 0 when allowed.
    """

    allowed: bool
    remaining: int
    retry_after_s: int


class RateLimiter:
    """Fixed-window counters: at most ``limit`` hits per ``window_s`` seconds per key.

    Fixed windows need one atomic counter per key and window (``add`` then ``incr``), which
    every Django cache backend offers, and they expire on their own; the price is that up to
    twice the limit can pass around a window boundary, which is fine for spam control.

    Use a cache shared by all workers (Redis or Memcached) in production: with ``LocMemCache``
    each process counts separately, and the database cache does not increment atomically.
    Keys should come from :func:`client_key` (prefixed with a scope such as ``"report:"``);
    raw IP addresses are refused so that none is ever written to the cache.

    Limits should be generous for the public form: behind carrier-grade NAT many real
    reporters share one IPv4 address. Errors from the cache itself (Redis down) propagate;
    the public form's view should then let the report through and log, not turn it away.
    """

    def __init__(self, cache: CacheLike, *, prefix: str = "lindung:rl") -> None:
        self.cache = cache
        self.prefix = prefix

    def _cache_key(self, key: str, window_s: int, now: float) -> tuple[str, float]:
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise ValueError("A rate-limit key must be 1-200 characters of [A-Za-z0-9_.:-]")
        try:
            ipaddress.ip_address(key)
        except ValueError:
            pass
        else:
            raise ValueError("Pass client_key(ip, salt), not a raw IP address")
        if isinstance(window_s, bool) or not isinstance(window_s, int) or window_s < 1:
            raise ValueError("window_s must be a whole number of seconds, at least 1")
        window = math.floor(now / window_s)
        window_end = (window + 1) * window_s
        return f"{self.prefix}:{window_s}:{window}:{key}", window_end

    @staticmethod
    def _decision(count: int, limit: int, window_end: float, now: float) -> RateDecision:
        if count <= limit:
            return RateDecision(True, limit - count, 0)
        return RateDecision(False, 0, max(1, math.ceil(window_end - now)))

    def hit(self, key: str, limit: int, window_s: int, now: float) -> RateDecision:
        """Count one request for ``key`` and say whether it is within ``limit``."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        cache_key, window_end = self._cache_key(key, window_s, now)
        timeout = window_s + 1  # the key names its window, so expiry only frees memory
        count = 1  # if the counter keeps vanishing under us, let the request through
        for _attempt in range(3):
            if self.cache.add(cache_key, 1, timeout=timeout):
                count = 1
                break
            try:
                count = int(self.cache.incr(cache_key))
                break
            except ValueError:  # expired between add and incr: try to create it again
                continue
        return self._decision(count, limit, window_end, now)

    def peek(self, key: str, limit: int, window_s: int, now: float) -> RateDecision:
        """Like :meth:`hit` but without counting: would one more request be allowed?"""
        cache_key, window_end = self._cache_key(key, window_s, now)
        count = int(self.cache.get(cache_key, 0) or 0)
        return self._decision(count + 1, limit, window_end, now)


_UNKNOWN_CLIENT = "unknown"


def _client_network(ip: object, ipv6_prefix: int) -> str:
    if not isinstance(ip, str):
        return _UNKNOWN_CLIENT
    text = ip.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # an IPv6 zone ("fe80::1%eth0") names a local interface
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return _UNKNOWN_CLIENT
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"v4:{address.ipv4_mapped}"
        network = ipaddress.IPv6Network(f"{address}/{ipv6_prefix}", strict=False)
        return f"v6:{network}"
    return f"v4:{address}"


def client_key(ip: object, salt: str, *, ipv6_prefix: int = 64) -> str:
    """A salted, keyed hash naming the client's network, for rate-limit keys.

    - IPv4 addresses count one by one (and ``::ffff:a.b.c.d`` is the IPv4 address).
    - IPv6 addresses count by their /64 (``ipv6_prefix``): one household or phone gets a whole
      /64 and can pick any address in it, so per-address limits would be no limits.
    - Anything unparseable (a misconfigured proxy header) maps to one shared "unknown" key:
      a mistake then shows up as everyone being limited together, which is visible, rather
      than as no limit at all, which is not.

    The hash is HMAC-SHA256 keyed with ``salt``; the salt must be secret (derive it from
    ``SECRET_KEY``), because all 2**32 IPv4 addresses can be tried against an unkeyed hash.
    Rotating the salt (daily, say) makes old keys unlinkable to new ones.
    """
    if not isinstance(salt, str) or not salt:
        raise ValueError("The salt must be a non-empty secret string")
    if isinstance(ipv6_prefix, bool) or not isinstance(ipv6_prefix, int):
        raise ValueError("ipv6_prefix must be a whole number")
    if not 0 <= ipv6_prefix <= 128:
        raise ValueError("ipv6_prefix must be between 0 and 128")
    network = _client_network(ip, ipv6_prefix)
    return hmac.new(salt.encode(), network.encode(), hashlib.sha256).hexdigest()[:32]
