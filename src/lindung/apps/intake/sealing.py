"""Personal details of a report, sealed with the vault's master keys.

Why: a report's story, the reported account, the victim and the reporter's contact are the most
sensitive data Lindung holds, and a database dump or backup should reveal none of them. They are
kept as one AES-256-GCM ciphertext (`cryptography`), bound by its associated data to the report's
public id so a sealed blob copied onto another report does not open. The master key is the
vault's current one (key id stored beside the blob), so rotating vault keys covers these too.
Erasing for retention is overwriting the column.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lindung.apps.intake.vault import EvidenceCorrupt, Keyring

_LABEL = b"lindung-intake/1/report-details\x00"
_NONCE_BYTES = 12


def _aad(report_id: str) -> bytes:
    return _LABEL + report_id.encode("ascii")


def seal(keyring: Keyring, report_id: str, details: dict[str, Any]) -> tuple[str, str]:
    """(base64 ciphertext, key id) of `details` as canonical JSON."""
    plaintext = json.dumps(details, ensure_ascii=False, sort_keys=True).encode("utf-8")
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(keyring.current_key).encrypt(nonce, plaintext, _aad(report_id))
    return base64.b64encode(nonce + sealed).decode("ascii"), keyring.current_id


def unseal(keyring: Keyring, report_id: str, token: str, key_id: str) -> dict[str, Any]:
    """The details sealed by `seal`; `EvidenceCorrupt` if anything was changed or moved."""
    if not token:
        return {}
    try:
        raw = base64.b64decode(token, validate=True)
        plaintext = AESGCM(keyring.key(key_id)).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(report_id)
        )
        value = json.loads(plaintext)
    except (ValueError, InvalidTag):
        raise EvidenceCorrupt(
            "The sealed details of this report cannot be opened (changed, moved or wrong key)."
        ) from None
    if not isinstance(value, dict):
        raise EvidenceCorrupt("The sealed details of this report are not an object.")
    return value
