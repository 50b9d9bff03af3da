"""The one settings object: every knob comes from a ``LINDUNG_*`` environment variable.

Kept free of Django so the CLI can read it before Django starts (to choose a data
directory, say) and so operators have exactly one place to look.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A LINDUNG_* variable has a value we cannot use; the message names it."""


def _env(name: str, default: str) -> str:
    return os.environ.get(f"LINDUNG_{name}", default)


def _bool(name: str, default: bool) -> bool:
    raw = _env(name, "1" if default else "0").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"LINDUNG_{name} must be true or false, not {raw!r}")


def _int(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = _env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"LINDUNG_{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"LINDUNG_{name} must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"LINDUNG_{name} must be at most {maximum}, not {value}")
    return value


def _float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"LINDUNG_{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"LINDUNG_{name} must be at least {minimum}, not {value}")
    return value


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    secret_key: str
    debug: bool
    allowed_hosts: tuple[str, ...]
    max_upload_bytes: int
    max_image_pixels: int
    video_frames_per_second: float
    video_max_seconds: int
    index_refresh_seconds: float
    default_pdq_threshold: int
    text_models_dir: Path | None
    vault_keys: str | None
    evidence_dir: Path
    intake_organisation: str
    retention_days: dict[str, int]
    public_max_files: int
    public_max_file_bytes: int
    public_reports_per_hour: int
    public_pow_bits: int
    operator_name: str
    quick_exit_url: str
    helplines_file: Path | None
    trusted_proxies: int
    cache_url: str


def _existing_dir(name: str) -> Path | None:
    raw = _env(name, "")
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise ConfigError(f"LINDUNG_{name} must name an existing folder, not {raw!r}")
    return path


def _secret_key(data_dir: Path) -> str:
    """Use LINDUNG_SECRET_KEY, else one generated once and kept in the data directory.

    A generated key survives restarts (sessions stay valid) without the operator having
    to invent one for a first run; production sets the variable explicitly.
    """
    explicit = _env("SECRET_KEY", "")
    if explicit:
        return explicit
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


#: Days a report and its evidence are kept when LINDUNG_RETENTION_DAYS does not say.
DEFAULT_RETENTION_DAYS = 730


def _retention(raw: str) -> dict[str, int]:
    """``"default=730,cyberbullying=365"``: days per incident type, ``default`` for the rest."""
    out = {"default": DEFAULT_RETENTION_DAYS}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, days = part.partition("=")
        if not sep or not name.strip():
            raise ConfigError(
                f"LINDUNG_RETENTION_DAYS: {part!r} is not TYPE=DAYS (e.g. cyberbullying=365)"
            )
        try:
            value = int(days)
        except ValueError:
            raise ConfigError(f"LINDUNG_RETENTION_DAYS: {days!r} is not a number of days") from None
        if not 1 <= value <= 36500:
            raise ConfigError(f"LINDUNG_RETENTION_DAYS: {value} days must be 1 to 36500")
        out[name.strip()] = value
    return out


def _file(name: str) -> Path | None:
    raw = _env(name, "")
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ConfigError(f"LINDUNG_{name} must name an existing file, not {raw!r}")
    return path


def _cache_url(raw: str) -> str:
    """Empty (a cache in each process) or a Redis URL shared by every server process."""
    raw = raw.strip()
    if raw and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            f"LINDUNG_CACHE_URL must be a redis://, rediss:// or unix:// URL, not {raw!r}"
        )
    return raw


def load_config() -> Config:
    data_dir = Path(_env("DATA_DIR", str(Path.cwd() / "var"))).expanduser().resolve()
    database_url = _env("DATABASE_URL", f"sqlite:///{data_dir / 'lindung.sqlite3'}")
    hosts = tuple(h.strip() for h in _env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(","))
    return Config(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(data_dir),
        debug=_bool("DEBUG", False),
        allowed_hosts=tuple(h for h in hosts if h),
        max_upload_bytes=_int("MAX_UPLOAD_BYTES", 200 * 1024 * 1024, minimum=1),
        max_image_pixels=_int("MAX_IMAGE_PIXELS", 50_000_000, minimum=1),
        video_frames_per_second=_float("VIDEO_FPS", 1.0, minimum=0.01),
        video_max_seconds=_int("VIDEO_MAX_SECONDS", 3600, minimum=1),
        index_refresh_seconds=_float("INDEX_REFRESH_SECONDS", 1.0, minimum=0.0),
        default_pdq_threshold=_int("PDQ_THRESHOLD", 31, minimum=0, maximum=128),
        text_models_dir=_existing_dir("TEXT_MODELS_DIR"),
        vault_keys=_env("VAULT_KEYS", "") or None,
        evidence_dir=Path(_env("EVIDENCE_DIR", str(data_dir / "evidence"))).expanduser(),
        intake_organisation=_env("INTAKE_ORGANISATION", ""),
        retention_days=_retention(_env("RETENTION_DAYS", "")),
        public_max_files=_int("PUBLIC_MAX_FILES", 5, minimum=0, maximum=20),
        public_max_file_bytes=_int("PUBLIC_MAX_FILE_MB", 10, minimum=1, maximum=100) * 1024 * 1024,
        public_reports_per_hour=_int("PUBLIC_REPORTS_PER_HOUR", 10, minimum=1),
        public_pow_bits=_int("PUBLIC_POW_BITS", 0, minimum=0, maximum=24),
        operator_name=_env("OPERATOR_NAME", "the Lindung hotline"),
        quick_exit_url=_env("QUICK_EXIT_URL", "https://www.google.com/search?q=weather"),
        helplines_file=_file("HELPLINES_FILE"),
        trusted_proxies=_int("TRUSTED_PROXIES", 0, minimum=0, maximum=5),
        cache_url=_cache_url(_env("CACHE_URL", "")),
    )
