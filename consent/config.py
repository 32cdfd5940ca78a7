"""Settings: the one typed, frozen view of the environment.

``Settings.from_env()`` is the only place in the project that reads ``os.environ``.
Local mode (the default) runs with no configuration at all on embedded defaults;
production mode (``VST_ENV=production``) refuses to start while a secret is missing,
published (``consent.published_secrets``) or guessable, and names the variable to fix.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consent.errors import ConfigurationError
from consent.published_secrets import (
    DEV_CONNECTOR_KEY,
    DEV_CONNECTOR_PUBLIC,
    DEV_KOSKI_PASSWORD,
    DEV_PII_KEY,
    DEV_VISMASIGN_CLIENT,
    DEV_VISMASIGN_SECRET,
    DEV_WEB_SECRET_KEY,
    DEV_WEBHOOK_KEY,
    is_low_variety_key,
    is_published_key,
    is_published_text,
    is_weak_key,
    is_weak_password,
    is_weak_session_key,
)
from consent.retention_rules import DEFAULT_DAYS as DEFAULT_RETENTION_DAYS
from consent.retention_rules import MOST_DAYS as MOST_RETENTION_DAYS

Mode = Literal["local", "production"]

_KEY_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_HMAC_MIN, _HMAC_MAX = 24, 64
_ED25519_PUBLIC_LEN: Final = 32
_ED25519_SEED_LEN: Final = 32
_PII_MIN: Final = 32
_WEB_SECRET_MIN: Final = 32
# The local lähdejärjestelmä code: known to the project's KOSKI sandbox only (real KOSKI answers
# tuntematonKoodi), so no vendor's code is ever sent by default and production must name its own.
SANDBOX_SOURCE_SYSTEM: Final = "vst-consent-sandbox"
_SOURCE_SYSTEM: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")  # koodiarvo, ≤ 32


@dataclass(frozen=True)
class WebhookKey:
    """One trusted signing key: an HMAC secret (``whsec_``) or an Ed25519 public key (``whpk_``)."""

    kind: Literal["hmac", "ed25519"]
    material: bytes = field(repr=False)
    key_id: str

    @classmethod
    def parse(cls, text: str) -> WebhookKey:
        """Parse one ``whsec_…``/``whpk_…`` entry; the error never echoes the key."""
        if text.startswith("whsec_"):
            material = _b64(text[6:], "SIGNING_WEBHOOK_KEYS")
            if not _HMAC_MIN <= len(material) <= _HMAC_MAX:
                raise ConfigurationError("SIGNING_WEBHOOK_KEYS: a whsec_ key must be 24-64 bytes")
            return cls("hmac", material, _fingerprint(material))
        if text.startswith("whpk_"):
            material = _b64(text[5:], "SIGNING_WEBHOOK_KEYS")
            if len(material) != _ED25519_PUBLIC_LEN:
                raise ConfigurationError("SIGNING_WEBHOOK_KEYS: a whpk_ key must be 32 bytes")
            return cls("ed25519", material, _fingerprint(material))
        raise ConfigurationError("SIGNING_WEBHOOK_KEYS: each key must start whsec_ or whpk_")


@dataclass(frozen=True)
class PiiKey:
    """Key material for sealing personal data, named by a short id stored beside each value."""

    key_id: str
    material: bytes = field(repr=False)


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about its environment, typed and checked."""

    mode: Mode
    data_dir: Path
    database_url: str = field(repr=False)
    redis_url: str | None = field(repr=False)
    koski_url: str
    koski_username: str = field(repr=False)
    koski_password: str = field(repr=False)
    koski_caller_id: str
    koski_source_system: str
    webhook_keys: tuple[WebhookKey, ...]
    pii_keys: tuple[PiiKey, ...]
    allow_temporary_hetu: bool
    embedded_redis_port: int
    koski_retry_delays: tuple[int, ...]
    koski_timeout: int
    web_secret_key: str = field(repr=False)
    dashboard_url: str = "http://127.0.0.1:9181/rq/"
    trusted_proxies: int = 0  # proxies in front whose X-Forwarded-For names the client
    signing: SigningSettings = field(default_factory=lambda: SigningSettings.from_env({}))
    reconcile: ReconcileSettings = field(default_factory=lambda: ReconcileSettings.from_env({}))
    retention_days: int = DEFAULT_RETENTION_DAYS  # non-consenting data goes this long after
    mail: MailSettings = field(default_factory=lambda: MailSettings.from_env({}))

    @property
    def current_pii_key(self) -> PiiKey:
        """The key new values are sealed with (the first one configured)."""
        return self.pii_keys[0]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (the process environment by default)."""
        env = _Env(os.environ if environ is None else environ)
        mode = env.choice("VST_ENV", ("local", "production"), "local")
        data_dir = Path(env.get("VST_DATA_DIR", "var")).absolute()
        settings = cls(
            mode=mode,  # type: ignore[arg-type]  # choice() returned one of the Mode literals
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL", f"sqlite:///{data_dir / 'vst-consent.db'}"),
            redis_url=env.get("REDIS_URL", "") or None,
            koski_url=env.get("KOSKI_URL", "http://127.0.0.1:7021/koski").rstrip("/"),
            koski_username=env.get("KOSKI_USERNAME", "sandbox"),
            koski_password=env.get("KOSKI_PASSWORD", DEV_KOSKI_PASSWORD),
            koski_caller_id=env.get("KOSKI_CALLER_ID", "1.2.246.562.10.00000000001.vst-consent"),
            koski_source_system=_source_system(env.get("KOSKI_SOURCE_SYSTEM", "")),
            webhook_keys=_webhook_keys(
                env.get("SIGNING_WEBHOOK_KEYS", f"{DEV_WEBHOOK_KEY} {DEV_CONNECTOR_PUBLIC}")
            ),
            pii_keys=_pii_keys(env.get("PII_KEY", DEV_PII_KEY)),
            allow_temporary_hetu=env.flag("VST_ALLOW_TEMPORARY_HETU"),
            embedded_redis_port=env.integer("VST_EMBEDDED_REDIS_PORT", 6399),
            koski_retry_delays=env.seconds("KOSKI_RETRY_DELAYS", "10 30 60 120 300 600 1800 3600"),
            koski_timeout=env.positive_integer("KOSKI_TIMEOUT", 30),
            web_secret_key=_web_secret(env.get("WEB_SECRET_KEY", DEV_WEB_SECRET_KEY)),
            dashboard_url=env.get("VST_DASHBOARD_URL", "http://127.0.0.1:9181/rq/"),
            trusted_proxies=env.count("WEB_TRUSTED_PROXIES", 0),
            signing=SigningSettings.from_env(env),
            reconcile=ReconcileSettings.from_env(env),
            retention_days=_retention_days(env),
            mail=MailSettings.from_env(env),
        )
        if mode == "production":
            _require_production_values(env, settings)
        return settings


@dataclass(frozen=True)
class SigningSettings:
    """The signing connector: Visma Sign credentials, its own webhook key, where it posts."""

    vismasign_url: str
    vismasign_client_id: str
    vismasign_secret: str = field(repr=False)
    connector_key: str = field(repr=False)  # whsk_: signs its consent events; "" = no connector
    webhook_url: str  # our own /webhooks/signing, as the connector reaches it
    return_url: str  # /signing/return as the signer's browser reaches it
    expiry_days: int
    consent_template: Path | None  # a text file; None: the built-in Finnish form
    organiser: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | _Env) -> SigningSettings:
        """Read the ``VISMASIGN_*`` and ``SIGNING_*`` variables (local defaults: the sandbox)."""
        env = environ if isinstance(environ, _Env) else _Env(environ)
        template = env.get("SIGNING_CONSENT_TEMPLATE", "")
        expiry = env.integer("SIGNING_EXPIRY_DAYS", 30)
        if not 1 <= expiry <= 365:
            raise ConfigurationError("SIGNING_EXPIRY_DAYS must be 1-365")
        local = env.get("VST_ENV", "local") == "local"  # development secrets only there
        key = env.get("SIGNING_CONNECTOR_KEY", DEV_CONNECTOR_KEY if local else "")
        if key:
            _connector_seed(key)  # a key of any other shape stops the start, in every mode
        return cls(
            vismasign_url=env.get("VISMASIGN_URL", "http://127.0.0.1:7022").rstrip("/"),
            vismasign_client_id=env.get("VISMASIGN_CLIENT_ID", DEV_VISMASIGN_CLIENT),
            vismasign_secret=env.get("VISMASIGN_SECRET", DEV_VISMASIGN_SECRET if local else ""),
            connector_key=key,
            webhook_url=env.get(
                "SIGNING_CONNECTOR_WEBHOOK_URL", "http://127.0.0.1:8000/webhooks/signing"
            ),
            return_url=env.get("SIGNING_RETURN_URL", "http://127.0.0.1:8000/signing/return"),
            expiry_days=expiry,
            consent_template=Path(template) if template else None,
            organiser=env.get("SIGNING_ORGANISER", "Kansalaisopisto (paikallinen kokeilu)"),
        )


@dataclass(frozen=True)
class ReconcileSettings:
    """Reconciliation with KOSKI: how often each live record is read back from KOSKI
    (``KOSKI_RECONCILE_INTERVAL_HOURS``, 0 turns it off), how many records a run checks at
    most (``KOSKI_RECONCILE_BATCH``) and the pause between two calls
    (``KOSKI_RECONCILE_PAUSE_MS``), so that a run never crowds KOSKI."""

    interval: dt.timedelta
    batch: int
    pause: dt.timedelta

    @property
    def enabled(self) -> bool:
        """Whether reconciliation runs at all."""
        return self.interval > dt.timedelta(0)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | _Env) -> ReconcileSettings:
        """Read the ``KOSKI_RECONCILE_*`` variables (daily, 200 to a run, half a second apart)."""
        env = environ if isinstance(environ, _Env) else _Env(environ)
        hours = _at_most(
            env.count("KOSKI_RECONCILE_INTERVAL_HOURS", 24), "KOSKI_RECONCILE_INTERVAL_HOURS", 8760
        )
        batch = _at_most(
            env.positive_integer("KOSKI_RECONCILE_BATCH", 200), "KOSKI_RECONCILE_BATCH", 5000
        )
        pause = _at_most(
            env.count("KOSKI_RECONCILE_PAUSE_MS", 500), "KOSKI_RECONCILE_PAUSE_MS", 60_000
        )
        return cls(dt.timedelta(hours=hours), batch, dt.timedelta(milliseconds=pause))


MailSecurity = Literal["starttls", "ssl", "none"]
_SECURITIES: Final = ("starttls", "ssl", "none")
_SMTP_PORTS: Final = {"starttls": 587, "ssl": 465, "none": 25}
_WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_HOST: Final = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+)$"
)
_ADDRESS: Final = re.compile(r"^[^@\s<>\"(),;:]{1,64}@[A-Za-z0-9.-]{1,253}$")
_PUBLIC_URL: Final = re.compile(r"^https?://[^/\s?#@]+(?:/[^\s?#]*)?$")


@dataclass(frozen=True)
class MailSettings:
    """The weekly attention e-mail: the SMTP server (``SMTP_*``; no ``SMTP_HOST``, the default,
    turns e-mail off), the address it comes from, the service's public address for the link
    (``PUBLIC_URL``) and when in the week it goes (``ATTENTION_MAIL_WEEKDAY``/``_HOUR``, Finnish
    time)."""

    host: str
    port: int
    security: MailSecurity
    username: str
    password: str = field(repr=False)
    sender: str
    public_url: str
    weekday: int  # 0 is Monday, as date.weekday()
    hour: int  # 0-23 in Europe/Helsinki
    timeout: int = 30

    @property
    def enabled(self) -> bool:
        """Whether the weekly e-mail is on (``SMTP_HOST`` is set)."""
        return bool(self.host)

    @property
    def local_host(self) -> bool:
        """Whether the SMTP server is on this machine (no network between us and it)."""
        return self.host.lower() in _LOCAL_HOSTS

    @property
    def staff_link(self) -> str:
        """The staff pages' front page, which the e-mail links to."""
        return f"{self.public_url}/staff/"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | _Env) -> MailSettings:
        """Read the ``SMTP_*``, ``PUBLIC_URL`` and ``ATTENTION_MAIL_*`` variables."""
        env = environ if isinstance(environ, _Env) else _Env(environ)
        host = env.get("SMTP_HOST", "").strip()
        if host and not _HOST.match(host):
            raise ConfigurationError("SMTP_HOST must be a host name or an IP address")
        security = env.choice("SMTP_SECURITY", _SECURITIES, "starttls")
        port = env.integer("SMTP_PORT", _SMTP_PORTS[security])
        if not 1 <= port <= 65535:  # the range of TCP ports
            raise ConfigurationError("SMTP_PORT must be 1-65535")
        username, password = env.get("SMTP_USERNAME", ""), env.get("SMTP_PASSWORD", "")
        if bool(username) != bool(password):
            raise ConfigurationError("SMTP_USERNAME and SMTP_PASSWORD must be set together")
        return cls(
            host=host,
            port=port,
            security=security,  # type: ignore[arg-type]  # choice() returned one of the literals
            username=username,
            password=password,
            sender=_mail_sender(env.get("SMTP_FROM", "vst-consent@localhost")),
            public_url=_public_url(env.get("PUBLIC_URL", "http://127.0.0.1:8000")),
            weekday=_WEEKDAYS.index(env.choice("ATTENTION_MAIL_WEEKDAY", _WEEKDAYS, "mon")),
            hour=_at_most(env.count("ATTENTION_MAIL_HOUR", 7), "ATTENTION_MAIL_HOUR", 23),
            timeout=_at_most(env.positive_integer("SMTP_TIMEOUT", 30), "SMTP_TIMEOUT", 300),
        )


def _mail_sender(text: str) -> str:
    """``SMTP_FROM``: one plain address (``name@domain``), the e-mail's From."""
    if not _ADDRESS.match(text):
        raise ConfigurationError("SMTP_FROM must be one e-mail address, like vst@example.fi")
    return text


def _public_url(text: str) -> str:
    """``PUBLIC_URL``: where staff reach the service (``https://host[/prefix]``), for links."""
    url = text.strip().rstrip("/")
    if not _PUBLIC_URL.match(url):
        raise ConfigurationError(
            "PUBLIC_URL must be the service's address as staff reach it, like"
            " https://suostumus.example.fi (no query, no fragment)"
        )
    return url


def _require_production_mail(env: _Env, mail: MailSettings) -> None:
    """With e-mail on, production needs its own From and public address, and refuses to send
    a password and the counts in clear over a network (``SMTP_SECURITY=none`` is only for a
    relay on this machine)."""
    if not mail.enabled:
        return
    for name in ("SMTP_FROM", "PUBLIC_URL"):
        if not env.get(name, "").strip():
            raise ConfigurationError(
                f"{name} must be set when SMTP_HOST is, with VST_ENV=production"
            )
    if mail.security == "none" and not mail.local_host:
        raise ConfigurationError(
            "SMTP_SECURITY=none is only for an SMTP server on this machine: use starttls or ssl"
        )
    if mail.public_url.startswith("http://") and not _is_local_url(mail.public_url):
        raise ConfigurationError("PUBLIC_URL must be https:// when VST_ENV=production")


def _is_local_url(url: str) -> bool:
    return (urlsplit(url).hostname or "") in _LOCAL_HOSTS


def _retention_days(env: _Env) -> int:
    """``RETENTION_DAYS``: how long after its course ended the data of a person who never
    gave a valid consent is kept (:mod:`consent.retention_rules`), 1 to 3650 days."""
    days = env.positive_integer("RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    return _at_most(days, "RETENTION_DAYS", MOST_RETENTION_DAYS)


def _at_most(value: int, name: str, highest: int) -> int:
    """``value``, read from ``name``, unless it is above ``highest`` (a year of hours, a
    batch that would hold a worker for hours, a pause of more than a minute)."""
    if value > highest:
        raise ConfigurationError(f"{name} must be at most {highest}")
    return value


_PRODUCTION_REQUIRED: Final = (
    "DATABASE_URL",
    "REDIS_URL",
    "KOSKI_URL",
    "KOSKI_USERNAME",
    "KOSKI_PASSWORD",
    "KOSKI_CALLER_ID",
    "KOSKI_SOURCE_SYSTEM",
    "SIGNING_WEBHOOK_KEYS",
    "PII_KEY",
    "WEB_SECRET_KEY",
)
_PUBLISHED: Final = (
    "holds a published key or password, or part of one (a development default or an example);"
    " set a real secret"
)


def _require_production_values(env: _Env, settings: Settings) -> None:
    """Refuse a production start on a missing variable, a published secret or a weak one."""
    for name in _PRODUCTION_REQUIRED:
        if not env.get(name, "").strip():
            raise ConfigurationError(f"{name} must be set when VST_ENV=production")
    if settings.koski_source_system == SANDBOX_SOURCE_SYSTEM:
        raise ConfigurationError(
            "KOSKI_SOURCE_SYSTEM is the local sandbox's code: set your own lähdejärjestelmä code"
            " (koodisto lahdejarjestelma, as OPH gave it)"
        )
    _refuse_keys("SIGNING_WEBHOOK_KEYS", [k.material for k in settings.webhook_keys])
    _refuse_keys("PII_KEY", [k.material for k in settings.pii_keys])
    signing = settings.signing
    if signing.connector_key:
        _refuse_keys("SIGNING_CONNECTOR_KEY", [_connector_seed(signing.connector_key)])
    if signing.vismasign_secret:
        secret = _b64(signing.vismasign_secret, "VISMASIGN_SECRET")
        _refuse_keys("VISMASIGN_SECRET", [secret], ours=False)
    _refuse_weak_texts(settings)
    _require_production_mail(env, settings.mail)


def _refuse_keys(name: str, materials: list[bytes], *, ours: bool = True) -> None:
    """Refuse key material that is published anywhere or weak. A key of ours must be random
    bytes (not typed text, a pattern or low variety); one another party issues (``ours=False``,
    the Visma Sign secret) is refused only for too few distinct bytes."""
    for material in materials:
        if is_published_key(material):
            raise ConfigurationError(f"{name} {_PUBLISHED}")
        if not ours and is_low_variety_key(material):
            raise ConfigurationError(f"{name}: a key is made of too few distinct bytes")
        if ours and is_weak_key(material):
            raise ConfigurationError(
                f"{name}: a key is typed text, a byte pattern or too few distinct bytes;"
                " use random bytes (openssl rand -base64 32)"
            )


def _refuse_weak_texts(settings: Settings) -> None:
    """Refuse a published or guessable session key or KOSKI password (the rules: README)."""
    for name, value in (
        ("WEB_SECRET_KEY", settings.web_secret_key),
        ("KOSKI_PASSWORD", settings.koski_password),
    ):
        if is_published_text(value):
            raise ConfigurationError(f"{name} {_PUBLISHED}")
    words = _deployment_words(settings)
    if is_weak_session_key(settings.web_secret_key, words):
        raise ConfigurationError("WEB_SECRET_KEY is too weak: use 32 or more random characters")
    if is_weak_password(settings.koski_password, words):
        raise ConfigurationError(
            "KOSKI_PASSWORD is too guessable (zxcvbn scores it below 3 of 4, knowing the"
            " username and the organiser): use a longer, random one"
        )


def _deployment_words(settings: Settings) -> list[str]:
    """What an attacker knows of this deployment, for zxcvbn to try first."""
    organiser = re.findall(r"\w+", settings.signing.organiser)
    return [settings.koski_username, settings.koski_source_system, *organiser]


class _Env:
    """Typed reads from a mapping; errors name the variable, never its value."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def get(self, name: str, default: str) -> str:
        return self._environ.get(name, default)

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.get(name, default)
        if value not in allowed:
            raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}")
        return value

    def flag(self, name: str) -> bool:
        value = self.get(name, "false").lower()
        if value not in ("true", "false", "1", "0", "yes", "no"):
            raise ConfigurationError(f"{name} must be true or false")
        return value in ("true", "1", "yes")

    def seconds(self, name: str, default: str) -> tuple[int, ...]:
        """A space-separated list of positive whole seconds."""
        try:
            values = tuple(int(v) for v in self.get(name, default).split())
        except ValueError:
            raise ConfigurationError(f"{name} must be whole seconds separated by spaces") from None
        if not values or min(values) <= 0:
            raise ConfigurationError(f"{name} must list at least one positive number of seconds")
        return values

    def positive_integer(self, name: str, default: int) -> int:
        value = self.integer(name, default)
        if value <= 0:
            raise ConfigurationError(f"{name} must be a positive whole number")
        return value

    def count(self, name: str, default: int) -> int:
        value = self.integer(name, default)
        if value < 0:
            raise ConfigurationError(f"{name} must be 0 or a positive whole number")
        return value

    def integer(self, name: str, default: int) -> int:
        try:
            return int(self.get(name, str(default)))
        except ValueError:
            raise ConfigurationError(f"{name} must be an integer") from None


def _webhook_keys(text: str) -> tuple[WebhookKey, ...]:
    keys = tuple(WebhookKey.parse(entry) for entry in text.split())
    if not keys:
        raise ConfigurationError("SIGNING_WEBHOOK_KEYS must name at least one key")
    return keys


def _pii_keys(text: str) -> tuple[PiiKey, ...]:
    """Parse ``id:base64 [id:base64 …]``; the first key seals, all of them open."""
    keys: list[PiiKey] = []
    for entry in text.split():
        key_id, sep, encoded = entry.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ConfigurationError("PII_KEY entries must look like <key-id>:<base64 key>")
        material = _b64(encoded, "PII_KEY")
        if len(material) < _PII_MIN:
            raise ConfigurationError("PII_KEY: each key must be at least 32 bytes")
        if any(k.key_id == key_id for k in keys):
            raise ConfigurationError("PII_KEY: key ids must be unique")
        keys.append(PiiKey(key_id, material))
    if not keys:
        raise ConfigurationError("PII_KEY must name at least one key")
    return tuple(keys)


def ed25519_seed(material: bytes) -> bytes:
    """The seed in a ``whsk_`` key's bytes: 32 bytes of seed, or 64 of seed and public key (as
    libsodium writes a secret key) whose public half is that seed's own.

    Anything else is a :class:`ValueError`: a key is never cut to size silently. The signer
    (``consent.adapters.webhook_sender``) reads keys with this too, so both agree.
    """
    seed, public = material[:_ED25519_SEED_LEN], material[_ED25519_SEED_LEN:]
    if len(material) not in (_ED25519_SEED_LEN, 2 * _ED25519_SEED_LEN) or (
        public and public != _public_key(seed)
    ):
        raise ValueError("a whsk_ key is a 32-byte Ed25519 seed, or that seed and its public key")
    return seed


def _public_key(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def _connector_seed(key: str) -> bytes:
    """The Ed25519 seed of ``SIGNING_CONNECTOR_KEY``; a key of another shape names the variable."""
    if not key.startswith("whsk_"):
        raise ConfigurationError("SIGNING_CONNECTOR_KEY must be a whsk_ Ed25519 key")
    try:
        return ed25519_seed(_b64(key.removeprefix("whsk_"), "SIGNING_CONNECTOR_KEY"))
    except ValueError:
        raise ConfigurationError(
            "SIGNING_CONNECTOR_KEY must be a 32-byte Ed25519 seed, or 64 bytes: the seed and its"
            " own public key"
        ) from None


def _source_system(text: str) -> str:
    """The lähdejärjestelmä code every record carries: the sandbox's own code when unset (no
    vendor's code by default), else a koodiarvo of at most 32 characters."""
    code = text.strip() or SANDBOX_SOURCE_SYSTEM
    if not _SOURCE_SYSTEM.match(code):
        raise ConfigurationError(
            "KOSKI_SOURCE_SYSTEM must be a lahdejarjestelma code: letters, digits, . - or _,"
            " at most 32 characters"
        )
    return code


def _web_secret(text: str) -> str:
    """The key that signs staff session cookies and CSRF tokens."""
    if len(text) < _WEB_SECRET_MIN:
        raise ConfigurationError("WEB_SECRET_KEY must be at least 32 characters")
    return text


def _b64(text: str, name: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{name}: a key is not valid base64") from None


def _fingerprint(material: bytes) -> str:
    """A short, non-secret name for a key, for logs (which key matched)."""
    return hashlib.sha256(material).hexdigest()[:8]
