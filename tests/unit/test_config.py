"""Settings from the environment: local runs bare, production fails fast and names the variable."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from consent.adapters.webhook_sender import Signer
from consent.config import SANDBOX_SOURCE_SYSTEM, Settings, WebhookKey
from consent.errors import ConfigurationError
from consent.published_secrets import (
    DEV_CONNECTOR_KEY,
    DEV_CONNECTOR_PUBLIC,
    DEV_PII_KEY,
    DEV_VISMASIGN_SECRET,
    DEV_WEB_SECRET_KEY,
    DEV_WEBHOOK_KEY,
    STANDARD_WEBHOOKS_EXAMPLE,
    is_weak_key,
)
from web.app import create_app
from web.intake.signature import verify

REAL_PII_KEY = "k2026:" + base64.b64encode(os.urandom(32)).decode()
REAL_WEBHOOK_SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()
REAL_PUBLIC_KEY = "whpk_" + base64.b64encode(os.urandom(32)).decode()

PRODUCTION = {
    "VST_ENV": "production",
    "DATABASE_URL": "postgresql://vst@db.internal/vst",
    "REDIS_URL": "redis://queue.internal:6379/0",
    "KOSKI_URL": "https://virkailija.opintopolku.fi/koski/",
    "KOSKI_USERNAME": "palvelukayttaja",
    "KOSKI_PASSWORD": secrets.token_urlsafe(16),
    "KOSKI_CALLER_ID": "1.2.246.562.10.12345678901.vst-consent",
    "KOSKI_SOURCE_SYSTEM": "primus",
    "SIGNING_WEBHOOK_KEYS": f"{REAL_WEBHOOK_SECRET} {REAL_PUBLIC_KEY}",
    "PII_KEY": REAL_PII_KEY,
    "WEB_SECRET_KEY": base64.b64encode(os.urandom(32)).decode(),
}


def test_local_mode_runs_with_no_configuration_at_all() -> None:
    settings = Settings.from_env({})
    assert settings.mode == "local"
    assert settings.database_url == f"sqlite:///{Path('var').absolute() / 'vst-consent.db'}"
    assert settings.redis_url is None
    assert settings.koski_url == "http://127.0.0.1:7021/koski"
    assert [k.kind for k in settings.webhook_keys] == ["hmac", "ed25519"]  # simulator, connector
    assert settings.current_pii_key.key_id == "dev"
    assert settings.signing.vismasign_url == "http://127.0.0.1:7022"
    assert not settings.allow_temporary_hetu


def test_local_mode_sends_the_sandboxs_own_source_system_code_never_a_vendors() -> None:
    assert Settings.from_env({}).koski_source_system == SANDBOX_SOURCE_SYSTEM
    assert Settings.from_env({"KOSKI_SOURCE_SYSTEM": " "}).koski_source_system == (
        SANDBOX_SOURCE_SYSTEM
    )
    assert Settings.from_env({"KOSKI_SOURCE_SYSTEM": "primus"}).koski_source_system == "primus"


def test_production_refuses_the_sandboxs_source_system_code_and_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="KOSKI_SOURCE_SYSTEM"):
        Settings.from_env({**PRODUCTION, "KOSKI_SOURCE_SYSTEM": SANDBOX_SOURCE_SYSTEM})


@pytest.mark.parametrize("code", ["ei koodi", "x" * 33, "-alku", "ö"])
def test_a_source_system_that_is_no_koodiarvo_is_refused_without_echoing_it(code: str) -> None:
    with pytest.raises(ConfigurationError, match="KOSKI_SOURCE_SYSTEM") as caught:
        Settings.from_env({"KOSKI_SOURCE_SYSTEM": code})
    assert code not in str(caught.value)


def test_the_data_directory_moves_the_default_database(tmp_path: Path) -> None:
    settings = Settings.from_env({"VST_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'vst-consent.db'}"


def test_a_complete_production_environment_is_accepted() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.mode == "production"
    assert settings.koski_url == "https://virkailija.opintopolku.fi/koski"  # no trailing slash
    assert [k.kind for k in settings.webhook_keys] == ["hmac", "ed25519"]


@pytest.mark.parametrize("missing", sorted(set(PRODUCTION) - {"VST_ENV"}))
def test_production_names_each_missing_variable(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigurationError, match=missing):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("name", "dev_value"),
    [
        ("PII_KEY", DEV_PII_KEY),
        ("SIGNING_WEBHOOK_KEYS", DEV_WEBHOOK_KEY),
        ("KOSKI_PASSWORD", "sandbox"),
        ("WEB_SECRET_KEY", DEV_WEB_SECRET_KEY),
    ],
)
def test_production_refuses_a_development_secret(name: str, dev_value: str) -> None:
    with pytest.raises(ConfigurationError, match=name) as caught:
        Settings.from_env({**PRODUCTION, name: dev_value})
    assert dev_value not in str(caught.value)


def test_a_development_key_hidden_among_real_ones_is_still_refused() -> None:
    with pytest.raises(ConfigurationError, match="PII_KEY"):
        Settings.from_env({**PRODUCTION, "PII_KEY": f"{REAL_PII_KEY} {DEV_PII_KEY}"})


@pytest.mark.parametrize(
    "keys",
    [
        "whsec_" + base64.b64encode(b"short").decode(),
        "whpk_" + base64.b64encode(b"x" * 31).decode(),
        "whsec_not-base64!",
        "sk_live_123",
        "",
    ],
)
def test_malformed_webhook_keys_are_refused_without_echoing_them(keys: str) -> None:
    with pytest.raises(ConfigurationError, match="SIGNING_WEBHOOK_KEYS") as caught:
        Settings.from_env({"SIGNING_WEBHOOK_KEYS": keys})
    if keys:
        assert keys not in str(caught.value)


@pytest.mark.parametrize(
    "pii_key",
    [
        "nokeyid",
        "a:" + base64.b64encode(b"too short").decode(),
        "a b:c",
        "bad id:xxxx",
        f"{REAL_PII_KEY} {REAL_PII_KEY}",
        "",
    ],
)
def test_malformed_pii_keys_are_refused(pii_key: str) -> None:
    with pytest.raises(ConfigurationError, match="PII_KEY"):
        Settings.from_env({"PII_KEY": pii_key})


def test_several_pii_keys_seal_with_the_first() -> None:
    old = "k2025:" + base64.b64encode(os.urandom(32)).decode()
    settings = Settings.from_env({"PII_KEY": f"{REAL_PII_KEY} {old}"})
    assert [k.key_id for k in settings.pii_keys] == ["k2026", "k2025"]
    assert settings.current_pii_key.key_id == "k2026"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VST_ENV", "staging"),
        ("VST_ALLOW_TEMPORARY_HETU", "maybe"),
        ("VST_EMBEDDED_REDIS_PORT", "six"),
        ("KOSKI_RETRY_DELAYS", "10 soon"),
        ("KOSKI_RETRY_DELAYS", "0 10"),
        ("KOSKI_RETRY_DELAYS", ""),
    ],
)
def test_unparseable_values_name_their_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({name: value})


def test_the_settings_repr_shows_no_secret() -> None:
    shown = repr(Settings.from_env(PRODUCTION))
    for secret in (
        PRODUCTION["KOSKI_PASSWORD"],
        REAL_PII_KEY.split(":")[1],
        REAL_WEBHOOK_SECRET[6:],
        "vst@db.internal",
    ):
        assert secret not in shown


def test_koski_retry_delays_are_configurable() -> None:
    assert Settings.from_env({}).koski_retry_delays == (10, 30, 60, 120, 300, 600, 1800, 3600)
    assert Settings.from_env({"KOSKI_RETRY_DELAYS": "1 2 3"}).koski_retry_delays == (1, 2, 3)


def test_the_koski_read_timeout_is_configurable_in_whole_seconds() -> None:
    assert Settings.from_env({}).koski_timeout == 30
    assert Settings.from_env({"KOSKI_TIMEOUT": "3"}).koski_timeout == 3
    with pytest.raises(ConfigurationError, match="KOSKI_TIMEOUT"):
        Settings.from_env({"KOSKI_TIMEOUT": "0"})


def test_a_short_session_signing_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError, match="WEB_SECRET_KEY") as caught:
        Settings.from_env({"WEB_SECRET_KEY": "too-short-secret"})
    assert "too-short-secret" not in str(caught.value)


def test_production_has_no_development_connector_secrets_unless_told() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.signing.connector_key == ""
    assert settings.signing.vismasign_secret == ""
    with pytest.raises(ConfigurationError, match="SIGNING_CONNECTOR_KEY"):
        Settings.from_env({**PRODUCTION, "SIGNING_CONNECTOR_KEY": DEV_CONNECTOR_KEY})


def test_the_development_connector_public_key_is_the_private_keys_own() -> None:
    seed = base64.b64decode(DEV_CONNECTOR_KEY.removeprefix("whsk_"))
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert base64.b64encode(raw).decode() == DEV_CONNECTOR_PUBLIC.removeprefix("whpk_")


# --- published and weak secrets in production (issue 18, finding 1) ---------------------------


def _non_canonical(encoded: str) -> str:
    """Another base64 spelling of the same bytes: the last character's unused bits set."""
    data = encoded.rstrip("=")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    spelled = data[:-1] + alphabet[alphabet.index(data[-1]) | 1] + encoded[len(data) :]
    assert spelled != encoded
    assert base64.b64decode(spelled, validate=True) == base64.b64decode(encoded)
    return spelled


def _refused(name: str, value: str) -> ConfigurationError:
    """The error a production start gives for ``name=value``, checked not to echo it."""
    with pytest.raises(ConfigurationError, match=name) as caught:
        Settings.from_env({**PRODUCTION, name: value})
    message = str(caught.value)
    assert value.strip() not in message
    for part in (p for p in value.split() if len(p) > 3):  # a word as short as "key" may occur
        assert part.partition(":")[2] not in message if ":" in part else part not in message
    return caught.value


def test_production_refuses_the_development_connector_public_key_beside_a_real_secret() -> None:
    _refused("SIGNING_WEBHOOK_KEYS", f"{REAL_WEBHOOK_SECRET} {DEV_CONNECTOR_PUBLIC}")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SIGNING_WEBHOOK_KEYS", "whpk_" + _non_canonical(DEV_CONNECTOR_PUBLIC[5:])),
        ("PII_KEY", "dev:" + _non_canonical(DEV_PII_KEY[4:])),
        ("SIGNING_CONNECTOR_KEY", "whsk_" + _non_canonical(DEV_CONNECTOR_KEY[5:])),
        ("VISMASIGN_SECRET", _non_canonical(DEV_VISMASIGN_SECRET)),
    ],
)
def test_production_refuses_a_non_canonical_base64_spelling_of_a_development_key(
    name: str, value: str
) -> None:
    _refused(name, value)


def test_production_refuses_the_development_pii_material_under_another_key_id() -> None:
    _refused("PII_KEY", f"{REAL_PII_KEY} prod:{DEV_PII_KEY.partition(':')[2]}")


def test_production_refuses_the_standard_webhooks_specifications_example_secret() -> None:
    _refused("SIGNING_WEBHOOK_KEYS", f"{REAL_WEBHOOK_SECRET} {STANDARD_WEBHOOKS_EXAMPLE}")


@pytest.mark.parametrize(
    "material",
    [base64.b64encode(b"vst-consent local webhook key 32b").decode(), DEV_PII_KEY[4:]],
    ids=["the development webhook secret", "the development pii key"],
)
def test_production_refuses_a_published_key_in_any_key_variable(material: str) -> None:
    _refused("PII_KEY", f"k1:{material}")
    _refused("SIGNING_WEBHOOK_KEYS", f"whsec_{material}")


def test_production_refuses_the_visma_sign_secret_a_test_publishes() -> None:
    _refused("VISMASIGN_SECRET", base64.b64encode(bytes(range(48))).decode())


@pytest.mark.parametrize(
    "value",
    [
        DEV_WEB_SECRET_KEY + " ",
        " " + DEV_WEB_SECRET_KEY.upper(),
        "a" * 32,
        "ab" * 32,
        "abcdefgh" * 4,
    ],
    ids=["dev plus a space", "dev in capitals", "32 a", "ab repeated", "8 letters repeated"],
)
def test_production_refuses_a_development_or_low_variety_session_key(value: str) -> None:
    _refused("WEB_SECRET_KEY", value)


@pytest.mark.parametrize(
    "value", ["Sandbox", "SANDBOX", "salasana", "a-real-password", "kissa12", "aaaaaaaaaaaa"]
)
def test_production_refuses_a_published_or_trivially_weak_koski_password(value: str) -> None:
    _refused("KOSKI_PASSWORD", value)


def test_production_refuses_the_koski_username_as_its_password() -> None:
    _refused("KOSKI_PASSWORD", PRODUCTION["KOSKI_USERNAME"])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SIGNING_WEBHOOK_KEYS", "whsec_" + base64.b64encode(bytes(32)).decode()),
        ("SIGNING_WEBHOOK_KEYS", "whsec_" + base64.b64encode(b"ab" * 16).decode()),
        ("PII_KEY", "k1:" + base64.b64encode(b"k" * 32).decode()),
        ("SIGNING_CONNECTOR_KEY", "whsk_" + base64.b64encode(bytes(32)).decode()),
    ],
)
def test_production_refuses_a_key_made_of_few_distinct_bytes(name: str, value: str) -> None:
    _refused(name, value)


def test_a_realistic_strong_production_configuration_is_accepted() -> None:
    seed, public = os.urandom(32), Ed25519PrivateKey.generate().public_key()
    raw_public = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    environ = {
        **PRODUCTION,
        "KOSKI_PASSWORD": secrets.token_urlsafe(12),
        "SIGNING_WEBHOOK_KEYS": " ".join(
            [
                "whsec_" + base64.b64encode(os.urandom(24)).decode(),
                "whsec_" + base64.b64encode(os.urandom(64)).decode(),
                "whpk_" + base64.b64encode(raw_public).decode(),
            ]
        ),
        "PII_KEY": f"{REAL_PII_KEY} k2025:{base64.b64encode(os.urandom(32)).decode()}",
        "WEB_SECRET_KEY": secrets.token_hex(16),
        "SIGNING_CONNECTOR_KEY": "whsk_" + base64.b64encode(seed).decode(),
        "VISMASIGN_SECRET": base64.b64encode(os.urandom(48)).decode(),
    }
    settings = Settings.from_env(environ)
    assert [k.kind for k in settings.webhook_keys] == ["hmac", "hmac", "ed25519"]
    assert [k.key_id for k in settings.pii_keys] == ["k2026", "k2025"]
    assert settings.signing.connector_key == environ["SIGNING_CONNECTOR_KEY"]


def test_the_web_app_refuses_to_start_on_a_published_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**PRODUCTION, "PII_KEY": f"prod:{DEV_PII_KEY[4:]}"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="PII_KEY"):
        create_app()


# --- secrets only a little different from published ones (issue 18, second round) -------------

DEV_WEBHOOK_MATERIAL = base64.b64decode(DEV_WEBHOOK_KEY.removeprefix("whsec_"))
DEV_PII_MATERIAL = base64.b64decode(DEV_PII_KEY.removeprefix("dev:"))
DEV_SEED = base64.b64decode(DEV_CONNECTOR_KEY.removeprefix("whsk_"))
DEV_PUBLIC = base64.b64decode(DEV_CONNECTOR_PUBLIC.removeprefix("whpk_"))
EXAMPLE_MATERIAL = base64.b64decode(STANDARD_WEBHOOKS_EXAMPLE.removeprefix("whsec_"))


def _b64(material: bytes) -> str:
    return base64.b64encode(material).decode()


def test_hmac_pads_a_short_key_with_zero_bytes_so_a_padded_key_verifies_the_published_ones() -> (
    None
):
    """RFC 2104 fills a key shorter than the hash's 64-byte block with zero bytes before use, so
    the development key followed by NUL bytes is the same HMAC key: whoever holds the published
    key signs events that a server trusting the padded one accepts. Hence the refusals below."""
    padded = WebhookKey.parse("whsec_" + _b64(DEV_WEBHOOK_MATERIAL + b"\0" * 5))
    body, now = b'{"type":"consent.signed"}', 1_790_000_000
    signature = Signer.parse(DEV_WEBHOOK_KEY).sign("msg_1", now, body)
    sent = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": signature}
    verified = verify(lambda name: [sent[name]] if name in sent else [], body, [padded], now)
    assert verified.key_id == padded.key_id


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SIGNING_WEBHOOK_KEYS", "whsec_" + _b64(DEV_WEBHOOK_MATERIAL + b"\0")),
        ("SIGNING_WEBHOOK_KEYS", "whsec_" + _b64(DEV_WEBHOOK_MATERIAL + b"\0" * 5)),
        ("SIGNING_WEBHOOK_KEYS", "whsec_" + _b64(EXAMPLE_MATERIAL + b"\0" * 22)),
        ("VISMASIGN_SECRET", _b64(base64.b64decode(DEV_VISMASIGN_SECRET) + b"\0")),
        ("PII_KEY", "p:" + _b64(DEV_PII_MATERIAL + b"!")),
        ("PII_KEY", "p:" + _b64(DEV_PII_MATERIAL + b"\0")),
        ("PII_KEY", "p:" + _b64(b"!" + DEV_PII_MATERIAL)),
        (
            "SIGNING_WEBHOOK_KEYS",
            "whsec_" + _b64(EXAMPLE_MATERIAL[:12] + b"?" + EXAMPLE_MATERIAL[13:]),
        ),
        ("SIGNING_CONNECTOR_KEY", "whsk_" + _b64(DEV_SEED + DEV_PUBLIC)),
    ],
    ids=[
        "dev webhook key + NUL",
        "dev webhook key + 5 NUL",
        "standard webhooks example + 22 NUL",
        "visma sign dev secret + NUL",
        "dev pii key + !",
        "dev pii key + NUL",
        "! + dev pii key",
        "standard webhooks example with its middle byte changed",
        "dev seed and its public key",
    ],
)
def test_production_refuses_a_published_key_padded_extended_or_barely_changed(
    name: str, value: str
) -> None:
    _refused(name, value)


def test_a_connector_key_of_a_seed_and_its_own_public_key_signs_with_that_seed() -> None:
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = "whsk_" + _b64(seed + public)
    assert Settings.from_env({**PRODUCTION, "SIGNING_CONNECTOR_KEY": key}).signing.connector_key
    assert Signer.parse(key) == Signer.parse("whsk_" + _b64(seed))


@pytest.mark.parametrize(
    "material",
    [os.urandom(31), os.urandom(33), os.urandom(48), os.urandom(64), os.urandom(96)],
    ids=["31 bytes", "33 bytes", "48 bytes", "a seed and a foreign public key", "96 bytes"],
)
def test_a_connector_key_that_is_no_seed_nor_a_seed_and_its_public_key_is_refused(
    material: bytes,
) -> None:
    key = "whsk_" + _b64(material)
    for environ in ({"SIGNING_CONNECTOR_KEY": key}, {**PRODUCTION, "SIGNING_CONNECTOR_KEY": key}):
        with pytest.raises(ConfigurationError, match="SIGNING_CONNECTOR_KEY") as caught:
            Settings.from_env(environ)
        assert key[5:] not in str(caught.value)
    with pytest.raises(ValueError, match="seed"):
        Signer.parse(key)


@pytest.mark.parametrize(
    "value",
    [
        DEV_WEB_SECRET_KEY + ".",
        DEV_WEB_SECRET_KEY + "x",
        DEV_WEB_SECRET_KEY.replace("local", "lo\u200bcal"),
        DEV_WEB_SECRET_KEY.replace(" ", "  ", 1),
        DEV_WEB_SECRET_KEY.replace("never", "nevex"),
        secrets.token_hex(8) + DEV_WEB_SECRET_KEY,
        DEV_WEBHOOK_KEY,
        DEV_PII_KEY,
        STANDARD_WEBHOOKS_EXAMPLE,
        "vst-consent local webhook key 32b",
        "0123456789abcdefghijklmnopqrstuvwxyz",
    ],
    ids=[
        "dev + .",
        "dev + x",
        "dev with a zero-width space",
        "dev with a doubled space",
        "dev with a letter changed",
        "random + dev",
        "the dev webhook key's text",
        "the dev pii key's text",
        "the standard webhooks example's text",
        "the dev webhook key's material as text",
        "a sequence",
    ],
)
def test_production_refuses_a_session_key_near_a_published_one_or_guessable(value: str) -> None:
    _refused("WEB_SECRET_KEY", value)


@pytest.mark.parametrize(
    "value",
    [
        "Sandbox1",
        "sandboxsandbox",
        "Password1",
        "salasana1",
        "changeme!",
        "123456789",
        "abcdefgh",
        "Kes\u00e4kuu-2026/palvelu#7",
        "Kes\u00e4kuu-2026/palvelu#7!",
        "pitk\u00e4-ja-hyv\u00e4-salasana",
        "palvelukayttaja1",
    ],
)
def test_production_refuses_a_guessable_or_printed_koski_password(value: str) -> None:
    _refused("KOSKI_PASSWORD", value)


def test_a_koski_password_made_of_the_username_or_the_organiser_s_name_is_refused() -> None:
    environ = {**PRODUCTION, "KOSKI_USERNAME": "palvelu-vst", "KOSKI_PASSWORD": "palvelu-vst1"}
    with pytest.raises(ConfigurationError, match="KOSKI_PASSWORD"):
        Settings.from_env(environ)
    environ = {
        **PRODUCTION,
        "SIGNING_ORGANISER": "Kansalaisopisto",
        "KOSKI_PASSWORD": "Kansalaisopisto2026",
    }
    with pytest.raises(ConfigurationError, match="KOSKI_PASSWORD"):
        Settings.from_env(environ)


def test_long_random_secrets_are_judged_whole_and_accepted() -> None:
    environ = {
        **PRODUCTION,
        "WEB_SECRET_KEY": secrets.token_urlsafe(96),
        "KOSKI_PASSWORD": secrets.token_urlsafe(80),
    }
    assert Settings.from_env(environ).web_secret_key == environ["WEB_SECRET_KEY"]


# --- typed and patterned key material (issue 18, second round) ---------------------------------


def _whsec(material: bytes) -> str:
    return "whsec_" + base64.b64encode(material).decode()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SIGNING_WEBHOOK_KEYS", _whsec(b"webhook-secret-prod-2026")),
        ("SIGNING_WEBHOOK_KEYS", _whsec(b"0123456789abcdef" * 2)),
        ("SIGNING_WEBHOOK_KEYS", _whsec(bytes(range(100, 124)) * 2)),
        ("PII_KEY", "k1:" + base64.b64encode(bytes(range(100, 132))).decode()),
        ("PII_KEY", "k1:" + base64.b64encode(b"our production pii key for 2026!").decode()),
        (
            "SIGNING_CONNECTOR_KEY",
            "whsk_" + base64.b64encode(b"connector signing key 2026 prod!").decode(),
        ),
    ],
    ids=[
        "a typed webhook secret",
        "16 distinct bytes of 32",
        "an arithmetic run repeated",
        "an arithmetic run as pii key",
        "a typed pii key",
        "a typed connector seed",
    ],
)
def test_production_refuses_a_key_of_typed_text_or_a_byte_pattern(name: str, value: str) -> None:
    _refused(name, value)


def test_production_accepts_a_visma_sign_secret_that_is_text_as_visma_sign_may_issue_it() -> None:
    secret = base64.b64encode(b"Issued by Visma: 7fQ2-kL9x/Rb3Zp8Wm4Tn6Yc1Hd5Jg0uVe").decode()
    environ = {**PRODUCTION, "VISMASIGN_SECRET": secret}
    assert Settings.from_env(environ).signing.vismasign_secret == secret


@pytest.mark.parametrize("length", [24, 32, 64])
def test_random_keys_are_never_judged_weak(length: int) -> None:
    weak = [key for key in (os.urandom(length) for _ in range(10_000)) if is_weak_key(key)]
    assert weak == []
