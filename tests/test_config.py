"""Settings from LINDUNG_* variables: good values parse, bad ones name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from lindung.config import ConfigError, load_config


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.setenv("LINDUNG_DATA_DIR", str(tmp_path))
    return monkeypatch


def test_intake_defaults(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = load_config()
    assert config.evidence_dir == tmp_path / "evidence"
    assert config.retention_days == {"default": 730}
    assert config.public_max_files == 5 and config.public_max_file_bytes == 10 * 1024 * 1024
    assert config.cache_url == "" and config.trusted_proxies == 0 and config.vault_keys is None


def test_intake_values(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("LINDUNG_RETENTION_DAYS", "default=365, cyberbullying=30")
    env.setenv("LINDUNG_CACHE_URL", "redis://127.0.0.1:6379/2")
    env.setenv("LINDUNG_PUBLIC_POW_BITS", "14")
    helplines = tmp_path / "helplines.toml"
    helplines.write_text("schema = 1\n")
    env.setenv("LINDUNG_HELPLINES_FILE", str(helplines))
    config = load_config()
    assert config.retention_days == {"default": 365, "cyberbullying": 30}
    assert config.cache_url.startswith("redis://") and config.public_pow_bits == 14
    assert config.helplines_file == helplines


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LINDUNG_RETENTION_DAYS", "cyberbullying"),
        ("LINDUNG_RETENTION_DAYS", "default=forever"),
        ("LINDUNG_RETENTION_DAYS", "default=0"),
        ("LINDUNG_CACHE_URL", "memcached://x"),
        ("LINDUNG_PUBLIC_POW_BITS", "40"),
        ("LINDUNG_PUBLIC_MAX_FILES", "-1"),
        ("LINDUNG_TRUSTED_PROXIES", "many"),
        ("LINDUNG_HELPLINES_FILE", "/nonexistent/helplines.toml"),
    ],
)
def test_bad_values_name_the_variable(env: pytest.MonkeyPatch, name: str, value: str) -> None:
    env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_config()


def test_unknown_incident_types_in_retention_stop_the_app(settings: object) -> None:
    import dataclasses

    from django.apps import apps
    from django.conf import settings as django_settings

    original = django_settings.LINDUNG
    django_settings.LINDUNG = dataclasses.replace(
        original, retention_days={"default": 30, "cyberbulling": 10}
    )
    try:
        with pytest.raises(ConfigError, match="cyberbulling"):
            apps.get_app_config("intake").ready()
    finally:
        django_settings.LINDUNG = original
