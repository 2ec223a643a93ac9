"""Configuration: safe defaults for a laptop, every setting overridable from the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_TIMEZONE = "Asia/Jakarta"
ENVIRONMENTS = ("development", "production")


class ConfigError(Exception):
    """Configuration that cannot work; the message says what to set."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    """A whole-number setting: a bad value stops start-up with one line naming the setting (the least
    value each may take is checked by check_settings, for overrides too)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# The settings that are whole numbers, with the least value each may take.
INTEGER_SETTINGS = {
    "PERMIT_VALIDITY_YEARS": 1,
    "BATCH_RETENTION_DAYS": 1,
    "PER_PAGE": 1,
    "MEDIA_MAX_BYTES": 1,
    "MAX_CONTENT_LENGTH": 1,
    "FIGURES_CACHE_SECONDS": 0,
    "COOP_DORMANT_AFTER_YEARS": 1,
    "COOP_AT_RISK_AFTER_YEARS": 1,
    "COOP_INVITATION_HOURS": 1,
    "SITEMAP_MAX_URLS": 1,
    "PERMIT_RENEWAL_WINDOW_DAYS": 0,
    "PERMIT_RESERVATION_MINUTES": 1,
    "RENDER_PROCESSES": 0,
    "SESSION_IDLE_MINUTES": 1,
    "SESSION_IDLE_MINUTES_COOPERATIVE": 1,
    "SESSION_MAX_HOURS": 1,
    "REMEMBER_DAYS": 1,
    "PASSWORD_LINK_HOURS": 1,
    "BATCH_STALE_SECONDS": 1,
    "BATCH_MAX_ATTEMPTS": 1,
    "JOBS_HEARTBEAT_MAX_SECONDS": 1,
}
# Each number pattern, the fields it may use and the one it must use (the running number / the version).
NUMBER_PATTERNS: dict[str, tuple[dict[str, object], str]] = {
    "PERMIT_NUMBER_PATTERN": (
        {"seq": 1, "year": 2026, "series": "IUMK", "kelurahan_code": "3171010001", "kecamatan_code": "31.71.01"},
        "seq",
    ),
    "COOP_DEED_NUMBER_FORMAT": ({"cooperative_id": 1, "year": 2026, "version": 1}, "version"),
}


def check_settings(config: dict) -> None:
    """Refuse numbers and number patterns that cannot work (also when given as overrides, as tests do)."""
    for name, minimum in INTEGER_SETTINGS.items():
        value = config.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ConfigError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    if config.get("LOG_LEVEL") not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL is {config.get('LOG_LEVEL')!r}: use one of {', '.join(LOG_LEVELS)}")
    if config["COOP_AT_RISK_AFTER_YEARS"] <= config["COOP_DORMANT_AFTER_YEARS"]:
        raise ConfigError("COOP_AT_RISK_AFTER_YEARS must be more than COOP_DORMANT_AFTER_YEARS")
    for name, (fields, required) in NUMBER_PATTERNS.items():
        pattern = config.get(name) or ""
        known = ", ".join("{" + field + "}" for field in fields)
        try:
            pattern.format(**fields)
        except (KeyError, IndexError, ValueError, AttributeError):
            raise ConfigError(f"{name} {pattern!r} is not a number pattern: use {known}") from None
        if "{" + required not in pattern:
            raise ConfigError(f"{name} {pattern!r} must contain {{{required}}} so that every number differs")


def _instance_secret(instance_path: Path) -> str:
    """Read the secret key kept in instance/, creating it on first run."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _port() -> int:
    """PORT: where `make run` serves (default 5000); `flask setup` prints the same one."""
    raw = os.environ.get("PORT", "5000").strip()
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"PORT must be a number between 1 and 65535, not '{raw}'")
    return int(raw)


def load_config(instance_path: Path) -> dict:
    """Build the configuration mapping from the environment with safe defaults."""
    env = os.environ.get("BALAI_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"BALAI_ENV is '{env}': use one of {', '.join(ENVIRONMENTS)}")
    port = _port()
    production = env == "production"
    sqlite_path = instance_path / "balai.sqlite3"
    secret_from_env = os.environ.get("SECRET_KEY")
    return {
        "BALAI_ENV": env,
        "DEBUG": _env_bool("FLASK_DEBUG", False),
        "SECRET_KEY": secret_from_env or _instance_secret(instance_path),
        "SECRET_KEY_FROM_ENV": bool(secret_from_env),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        "MUNICIPALITY": os.environ.get("MUNICIPALITY", "DKI Jakarta"),
        "TIMEZONE": os.environ.get("TIMEZONE", DEFAULT_TIMEZONE),
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR", str(BASE_DIR / "search_index")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # NIK look-ups while registering, per officer: enough for a busy counter, too few to enumerate residents.
        "NIK_CHECK_LIMIT": os.environ.get("NIK_CHECK_LIMIT", "20 per minute"),
        # Failed log-ins: per account and client (blocks that client), per client (across accounts), and per
        # account from every client together (past it, each attempt waits: slowed, never locked out).
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"),
        "LOGIN_SLOWDOWN_PER_ACCOUNT": os.environ.get("LOGIN_SLOWDOWN_PER_ACCOUNT", "50 per 15 minutes"),
        "LOGIN_SLOWDOWN_SECONDS": float(os.environ.get("LOGIN_SLOWDOWN_SECONDS", "2")),
        # Addresses or networks of the reverse proxies whose X-Forwarded-For / -Proto are believed.
        "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES", ""),
        # Sessions end: idle (staff / cooperative accounts, minutes; 0 = none), absolute, remember-me (<= 30 days).
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 30),
        "SESSION_IDLE_MINUTES_COOPERATIVE": _env_int("SESSION_IDLE_MINUTES_COOPERATIVE", 120),
        "SESSION_MAX_HOURS": _env_int("SESSION_MAX_HOURS", 12),
        "REMEMBER_DAYS": min(_env_int("REMEMBER_DAYS", 30), 30),
        "REMEMBER_COOKIE_DURATION": timedelta(days=min(_env_int("REMEMBER_DAYS", 30), 30)),
        # Authenticator app (TOTP) required for superadmins and officers: on by default in production.
        "TOTP_REQUIRED": _env_bool("TOTP_REQUIRED", production),
        "PASSWORD_LINK_HOURS": _env_int("PASSWORD_LINK_HOURS", 48),
        # Refused submissions one invitation link accepts (a link holder cannot probe many user names).
        "LINK_FAILURE_LIMIT": os.environ.get("LINK_FAILURE_LIMIT", "10 per hour"),
        # Outgoing mail for set-password links and invitations; without it links are shown to the officer.
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "balai@localhost"),
        "SMTP_CA_FILE": os.environ.get("SMTP_CA_FILE") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", DEFAULT_TIMEZONE),
        "LANGUAGES": ("id", "en"),
        "CERT_HEADER_GOVERNMENT": os.environ.get("CERT_HEADER_GOVERNMENT"),
        "CERT_HEADER_AGENCY": os.environ.get("CERT_HEADER_AGENCY"),
        "SITE_NAME": os.environ.get("SITE_NAME", "Balai"),
        # Permits (IUMK): number pattern, series and validity are local rules, so configuration.
        "PERMIT_NUMBER_PATTERN": os.environ.get("PERMIT_NUMBER_PATTERN", "{seq:05d}/IUMK/{kelurahan_code}/{year}"),
        "PERMIT_SERIES": os.environ.get("PERMIT_SERIES", "IUMK"),
        "PERMIT_VALIDITY_YEARS": _env_int("PERMIT_VALIDITY_YEARS", 5),
        "PORT": port,
        # One number sequence per kelurahan (its code in the number) instead of one per series and year.
        "PERMIT_SEQUENCE_PER_KELURAHAN": _env_bool("PERMIT_SEQUENCE_PER_KELURAHAN", False),
        # A renewal (perpanjangan) is offered this many days before expiry, and any time after.
        "PERMIT_RENEWAL_WINDOW_DAYS": _env_int("PERMIT_RENEWAL_WINDOW_DAYS", 90),
        # A number reserved for a permit being signed longer than this is given back (a killed worker).
        "PERMIT_RESERVATION_MINUTES": _env_int("PERMIT_RESERVATION_MINUTES", 10),
        # Certificates and deeds are rendered and signed in this many low-priority processes per web worker
        # (about 120 MB each); 0: in one low-priority thread of the worker (services/documents.py).
        "RENDER_PROCESSES": _env_int("RENDER_PROCESSES", 2),
        # Size-class thresholds (PP 7/2021), NIB, risk levels and the legal basis, with their sources.
        "OSS_RULES_FILE": os.environ.get("OSS_RULES_FILE") or None,
        # Baked into every signed QR code for ever: production must set its own (checked at start-up).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL") or ("" if production else f"http://127.0.0.1:{port}"),
        # Issued PDFs: kept in the database unless a directory every app server can read is given.
        "DOCUMENT_STORE": os.environ.get("DOCUMENT_STORE") or None,
        # PAdES signing key and certificate (PEM) of the issuing office; none: the demo key in instance/.
        "SIGNING_KEY_PATH": os.environ.get("SIGNING_KEY_PATH") or None,
        "SIGNING_CERT_PATH": os.environ.get("SIGNING_CERT_PATH") or None,
        "SIGNING_KEY_PASSPHRASE": os.environ.get("SIGNING_KEY_PASSPHRASE") or None,
        "SIGNING_DEMO_DIR": os.environ.get("SIGNING_DEMO_DIR") or None,
        # Or the office's e-seal as one PKCS#12 file (passphrase in SIGNING_KEY_PASSPHRASE).
        "SIGNING_PKCS12_PATH": os.environ.get("SIGNING_PKCS12_PATH") or None,
        # Officials' personal certificates, one <NIP>.p12 each (`flask officials certificate`).
        "SIGNING_OFFICIALS_DIR": os.environ.get("SIGNING_OFFICIALS_DIR") or None,
        # PEM bundle of the CA roots of the signing certificates (for the embedded validation data and /verify).
        "SIGNING_TRUST_ROOTS": os.environ.get("SIGNING_TRUST_ROOTS") or None,
        # RFC 3161 time-stamping authority (PAdES B-T) and the PEM roots of its certificate.
        "TSA_URL": os.environ.get("TSA_URL") or None,
        "TSA_TRUST_ROOTS": os.environ.get("TSA_TRUST_ROOTS") or None,
        "CERT_PLACE_OF_ISSUE": os.environ.get("CERT_PLACE_OF_ISSUE") or None,
        # Unset: the legal basis of the OSS rules file (OSS_RULES_FILE).
        "CERT_LEGAL_BASIS": os.environ.get("CERT_LEGAL_BASIS") or None,
        "VERIFY_RATE_LIMIT": os.environ.get("VERIFY_RATE_LIMIT", "120 per minute"),
        # Reports sent through the public "Kabarkan" form, per address.
        "OUTREACH_REPORT_LIMIT": os.environ.get("OUTREACH_REPORT_LIMIT", "10 per hour"),
        # NIK holder checks on the verification page (each answer is audited).
        "HOLDER_CHECK_RATE_LIMIT": os.environ.get("HOLDER_CHECK_RATE_LIMIT", "10 per 10 minutes"),
        # Batch print PDFs and their progress files; shared by every worker (default instance/batches).
        "BATCH_DIR": os.environ.get("BATCH_DIR") or None,
        # Print files carry names and phone numbers: `flask batches purge` deletes them after this many days.
        "BATCH_RETENTION_DAYS": _env_int("BATCH_RETENTION_DAYS", 7),
        "PER_PAGE": _env_int("PER_PAGE", 20),
        # Log lines (JSON, one per request; blueprints/request_log.py): DEBUG, INFO, WARNING or ERROR.
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").strip().upper(),
        "SITEMAP_MAX_URLS": _env_int("SITEMAP_MAX_URLS", 50_000),
        "MEDIA_DIR": os.environ.get("MEDIA_DIR", str(instance_path / "media")),
        "MEDIA_MAX_BYTES": _env_int("MEDIA_MAX_BYTES", 5 * 1024 * 1024),
        # The minutes (PDF) attached to a RAT report; below MAX_CONTENT_LENGTH, so the form can say so.
        "RAT_MINUTES_MAX_BYTES": _env_int("RAT_MINUTES_MAX_BYTES", 5 * 1024 * 1024),
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "120 per minute"),
        "COOP_DEED_NUMBER_FORMAT": os.environ.get(
            "COOP_DEED_NUMBER_FORMAT", "{cooperative_id:05d}/REG-KOP/{year}/V{version}"
        ),
        "FIGURES_CACHE_SECONDS": _env_int("FIGURES_CACHE_SECONDS", 300),
        # Cooperative activity: years without a confirmed RAT after which a cooperative is dormant / at risk.
        "COOP_DORMANT_AFTER_YEARS": _env_int("COOP_DORMANT_AFTER_YEARS", 1),
        "COOP_AT_RISK_AFTER_YEARS": _env_int("COOP_AT_RISK_AFTER_YEARS", 2),
        "COOP_INVITATION_HOURS": _env_int("COOP_INVITATION_HOURS", 48),
        # Background jobs (services/jobs.py): the queue's storage, batch-job survival.
        "JOBS_URL": os.environ.get("JOBS_URL") or None,
        "BATCH_STALE_SECONDS": _env_int("BATCH_STALE_SECONDS", 120),
        "BATCH_MAX_ATTEMPTS": _env_int("BATCH_MAX_ATTEMPTS", 3),
        "JOBS_HEARTBEAT_MAX_SECONDS": _env_int("JOBS_HEARTBEAT_MAX_SECONDS", 180),
    }


def check_production(config: dict) -> None:
    """Refuse settings that are unsafe on a production server."""
    if config.get("BALAI_ENV") != "production":
        return
    if config.get("DEBUG"):
        raise ConfigError("debug mode is on in production: unset FLASK_DEBUG")
    if not config.get("SECRET_KEY_FROM_ENV") or len(config.get("SECRET_KEY") or "") < 32:
        raise ConfigError("production needs its own SECRET_KEY of at least 32 characters in the environment")
    if not config.get("SESSION_COOKIE_SECURE") or not config.get("REMEMBER_COOKIE_SECURE"):
        raise ConfigError("production cookies must be Secure: unset SESSION_COOKIE_SECURE or set it to true")
    base_url = config.get("PUBLIC_BASE_URL") or ""
    if not base_url.startswith("https://") or base_url.rstrip("/") == "https:/":
        raise ConfigError("production needs PUBLIC_BASE_URL, the site's https:// address printed in every QR code")
    has_seal = config.get("SIGNING_PKCS12_PATH") or (config.get("SIGNING_KEY_PATH") and config.get("SIGNING_CERT_PATH"))
    if not has_seal:
        raise ConfigError(
            "production refuses the demo signing key: set SIGNING_PKCS12_PATH (or SIGNING_KEY_PATH and "
            "SIGNING_CERT_PATH) to the office's e-seal"
        )
    for setting in ("SIGNING_PKCS12_PATH", "SIGNING_KEY_PATH", "SIGNING_CERT_PATH"):
        if config.get(setting) and not Path(config[setting]).is_file():
            raise ConfigError(f"{setting} points to {config[setting]}, which is not a readable file")
