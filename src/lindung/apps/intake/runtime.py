"""The process-wide vault, keyring and helpline directory, built once from the settings."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from lindung.apps.intake.helplines import HelplineDirectory, load_directory
from lindung.apps.intake.vault import EvidenceVault, Keyring, LocalBlobStore


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    config = settings.LINDUNG
    return Keyring.from_env_or_file(config.vault_keys, config.data_dir / "vault_keys")


@lru_cache(maxsize=1)
def vault() -> EvidenceVault:
    config = settings.LINDUNG
    config.evidence_dir.mkdir(parents=True, exist_ok=True)
    return EvidenceVault(LocalBlobStore(config.evidence_dir), keyring())


@lru_cache(maxsize=1)
def helplines() -> HelplineDirectory:
    return load_directory(settings.LINDUNG.helplines_file)


def reset() -> None:
    """Forget the cached objects (tests that change settings)."""
    for cached in (keyring, vault, helplines):
        cached.cache_clear()
