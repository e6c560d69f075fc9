"""Typed settings, read once from environment variables.

Every variable is listed in ``docs/configuration.md``. Dev mode (the default) has working defaults
for everything; outside dev mode the process refuses to start with a placeholder secret.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network

from backend.settings_values import PlatformConfigError, parse_networks, parse_secrets

PLACEHOLDER = "dev-insecure-placeholder-change-me-0123456789"
DEV_FIELD_KEY = "k1:" + base64.b64encode(b"jiujinban-dev-field-key-0000000!"[:16]).decode()
DEFAULT_WECHAT_API_BASE = "https://api.weixin.qq.com/"
SMS_CONNECT_TIMEOUT_S = 3.0
SMS_READ_TIMEOUT_S = 5.0
SMS_SEND_WORST_S = SMS_CONNECT_TIMEOUT_S + SMS_READ_TIMEOUT_S
"""The SMS gateway's connect and answer timeouts (a request is a few hundred bytes)."""


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and why."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"not a boolean: {raw!r}")


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def parse_field_keys(raw: str) -> dict[str, bytes]:
    """``FIELD_KEYS`` is ``id:base64key[,id:base64key…]``; the first key encrypts new values."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key_id, sep, b64 = part.partition(":")
        if not sep or not key_id:
            raise SettingsError("FIELD_KEYS entries look like 'k1:<base64 of 16 bytes>'")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise SettingsError(f"FIELD_KEYS key {key_id!r} is not base64") from exc
        if len(key) != 16:
            raise SettingsError(f"FIELD_KEYS key {key_id!r} must be 16 bytes (SM4), got {len(key)}")
        keys[key_id] = key
    if not keys:
        raise SettingsError("FIELD_KEYS is empty")
    return keys


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the processes need to know about their environment."""

    dev_mode: bool = True
    database_url: str = "postgresql://postgres@127.0.0.1:5432/jiujinban"
    redis_url: str = "redis://127.0.0.1:6379/0"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    secret_key: str = PLACEHOLDER
    audit_key: str = PLACEHOLDER
    field_keys: str = DEV_FIELD_KEY
    wechat_appid: str = "wx-dev-appid"
    wechat_secret: str = PLACEHOLDER
    wechat_api_base: str = DEFAULT_WECHAT_API_BASE
    wechat_timeout_s: float = 5.0
    wechat_miniprogram_state: str = "formal"
    wechat_h5_appid: str = "wx-dev-h5-appid"
    wechat_h5_secret: str = PLACEHOLDER
    fake_wechat_port: int = 8001
    access_token_ttl_s: int = 2 * 3600
    staff_token_ttl_s: int = 8 * 3600
    login_max_failures: int = 5
    login_lockout_s: int = 15 * 60
    demo_password: str = "jiujinban-demo"  # noqa: S105 - demo accounts only, documented
    log_level: str = "INFO"
    log_json: bool = False
    arq_queue: str = "arq:queue"
    redis_prefix: str = "jiujinban"
    worker_poll_delay_s: float = 0.05
    worker_max_jobs: int = 20
    job_timeout_s: int = 60
    outbox_lease_s: int = 90
    outbox_max_attempts: int = 12
    outbox_backoff_s: float = 5.0
    outbox_sweep_every_s: int = 5
    idempotency_ttl_s: int = 24 * 3600
    db_pool_min: int = 1
    db_pool_max: int = 10
    web_workers: int = 0
    cookie_secure: bool = False
    data_dir: str = ".data"
    catalogue_cache_s: float = 2.0
    window_claim_s: int = 900
    mandate_max_days: int = 365
    mandate_spot_check_rate: float = 0.1
    handover_max_cases: int = 200
    wechat_templates: str = ""
    wechat_push_token: str = ""
    wechat_push_aes_key: str = ""
    notify_send_rate: float = 20.0
    sms_url: str = ""
    sms_secret: str = ""
    sms_code_per_minute: int = 1
    sms_code_per_day: int = 5
    sms_code_max_tries: int = 5
    reminder_hour: int = 8
    wecom_corp_id: str = ""
    wecom_secret: str = ""
    wecom_agent_id: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com/cgi-bin/"
    escalate_township_after_days: int = 1
    escalate_district_after_days: int = 5
    overdue_soon_days: int = 2
    callback_sample_size: int = 5
    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_per_day: int = 200
    storage_backend: str = "local"
    storage_dir: str = ".data/uploads"
    h5_dir: str = ""
    """The citizens' H5 build served at /m/ and /kiosk/ (empty: this checkout's build)."""
    kiosk_reader_url: str = ""
    """Where a self-service terminal's browser reaches its ID-card reader bridge."""
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    signed_url_ttl_s: int = 300
    identity_verify_url: str = ""
    elicense_url: str = ""
    platform_secrets: str = ""
    platform_connect_timeout_s: float = 3.0
    platform_read_timeout_s: float = 10.0
    retention_case_years: int = 30
    retention_audit_years: int = 10
    retention_upload_days: int = 180
    calendar_cache_s: float = 30.0
    travel_detour: float = 1.3
    travel_walk_kmh: float = 4.5
    travel_ebike_kmh: float = 15.0
    travel_car_kmh: float = 30.0
    metrics_token: str = ""
    outbound_allow_networks: str = ""
    id_lookup_limit_per_account: int = 30
    id_lookup_limit_per_address: int = 300
    id_lookup_window_s: int = 3600
    deletion_notice_s: int = 72 * 3600
    trusted_proxies: str = ""
    login_window_s: int = 3600
    login_address_max_usernames: int = 10
    login_account_lock_addresses: int = 10
    login_account_lock_failures: int = 50
    terminal_token_ttl_s: int = 12 * 3600
    terminal_session_ttl_s: int = 600
    terminal_login_max_failures: int = 10
    terminal_login_window_s: int = 900

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """``TRUSTED_PROXIES``: the networks whose ``X-Forwarded-For`` is believed."""
        try:
            return tuple(
                ip_network(part.strip(), strict=False)
                for part in self.trusted_proxies.split(",")
                if part.strip()
            )
        except ValueError as exc:
            raise SettingsError(f"TRUSTED_PROXIES: {exc}") from exc

    def field_key_ring(self) -> dict[str, bytes]:
        return parse_field_keys(self.field_keys)

    def check(self) -> Settings:
        """Refuse unsafe configurations; returns self so it can be chained."""
        self.field_key_ring()
        self.trusted_proxy_networks()
        if self.login_max_failures < 1 or self.login_lockout_s < 1 or self.login_window_s < 60:
            raise SettingsError(
                "LOGIN_MAX_FAILURES and LOGIN_LOCKOUT_SECONDS must be at least 1,"
                " LOGIN_WINDOW_SECONDS at least 60"
            )
        if (
            min(
                self.login_address_max_usernames,
                self.login_account_lock_addresses,
                self.login_account_lock_failures,
            )
            < 2
        ):
            raise SettingsError(
                "LOGIN_ADDRESS_MAX_USERNAMES, LOGIN_ACCOUNT_LOCK_ADDRESSES and"
                " LOGIN_ACCOUNT_LOCK_FAILURES must be at least 2"
            )
        if not 0.0 < self.worker_poll_delay_s <= 5.0:
            raise SettingsError("WORKER_POLL_DELAY must be between 0 and 5 seconds")
        if not 1.0 <= self.travel_detour <= 3.0:
            raise SettingsError("TRAVEL_DETOUR must be between 1.0 and 3.0")
        for name, speed in (
            ("TRAVEL_WALK_KMH", self.travel_walk_kmh),
            ("TRAVEL_EBIKE_KMH", self.travel_ebike_kmh),
            ("TRAVEL_CAR_KMH", self.travel_car_kmh),
        ):
            if not 1.0 <= speed <= 120.0:
                raise SettingsError(f"{name} must be between 1 and 120 km/h")
        if self.window_claim_s < 1:
            raise SettingsError("WINDOW_CLAIM_SECONDS must be at least 1")
        if not 1 <= self.mandate_max_days <= 3660:
            raise SettingsError("MANDATE_MAX_DAYS must be between 1 and 3660")
        if not 0.0 <= self.mandate_spot_check_rate <= 1.0:
            raise SettingsError("MANDATE_SPOT_CHECK_RATE must be between 0 and 1")
        if not 1 <= self.handover_max_cases <= 1000:
            raise SettingsError("HANDOVER_MAX_CASES must be between 1 and 1000")
        if not 0.1 <= self.notify_send_rate <= 10000:
            raise SettingsError("NOTIFY_SEND_RATE must be between 0.1 and 10000 per second")
        if self.wecom_corp_id and not (self.wecom_secret and self.wecom_agent_id):
            raise SettingsError("WECOM_CORP_ID needs WECOM_SECRET and WECOM_AGENT_ID")
        if not 0 <= self.reminder_hour <= 23:
            raise SettingsError("REMINDER_HOUR must be an hour of the day, 0–23")
        if not 1 <= self.escalate_township_after_days < self.escalate_district_after_days <= 60:
            raise SettingsError(
                "ESCALATE_TOWNSHIP_AFTER_DAYS must be at least 1 and less than"
                " ESCALATE_DISTRICT_AFTER_DAYS, which is at most 60"
            )
        if not 0 <= self.overdue_soon_days <= 30:
            raise SettingsError("OVERDUE_SOON_DAYS must be between 0 and 30")
        if not 0 <= self.callback_sample_size <= 100:
            raise SettingsError("CALLBACK_SAMPLE_SIZE must be between 0 and 100")
        if self.wechat_push_aes_key and len(self.wechat_push_aes_key) != 43:
            raise SettingsError("WECHAT_PUSH_AES_KEY must be the 43-character EncodingAESKey")
        if self.storage_backend not in {"local", "s3"}:
            raise SettingsError("STORAGE must be local or s3")
        if self.storage_backend == "s3" and not (self.s3_endpoint and self.s3_bucket):
            raise SettingsError("STORAGE=s3 needs S3_ENDPOINT and S3_BUCKET")
        if not 1024 <= self.upload_max_bytes <= 100 * 1024 * 1024:
            raise SettingsError("UPLOAD_MAX_BYTES must be between 1 KiB and 100 MiB")
        if min(self.id_lookup_limit_per_account, self.id_lookup_limit_per_address) < 1:
            raise SettingsError("ID_LOOKUP_LIMIT_PER_ACCOUNT and _PER_ADDRESS must be at least 1")
        if not 1 <= self.terminal_session_ttl_s <= 600:
            raise SettingsError("TERMINAL_SESSION_TTL must be between 1 and 600 seconds")
        if self.terminal_token_ttl_s < 60 or self.terminal_login_max_failures < 1:
            raise SettingsError(
                "TERMINAL_TOKEN_TTL must be at least 60, TERMINAL_LOGIN_MAX_FAILURES at least 1"
            )
        if not 60 <= self.terminal_login_window_s <= 86400:
            raise SettingsError("TERMINAL_LOGIN_WINDOW_SECONDS must be between 60 and 86400")
        if not 1 <= self.id_lookup_window_s <= 86400:
            raise SettingsError("ID_LOOKUP_WINDOW_SECONDS must be between 1 and 86400")
        if min(self.sms_code_per_minute, self.sms_code_per_day, self.sms_code_max_tries) < 1:
            raise SettingsError("SMS_CODE_PER_MINUTE, _PER_DAY and _MAX_TRIES must be at least 1")
        if not 0 <= self.deletion_notice_s <= 30 * 86400:
            raise SettingsError("DELETION_NOTICE_SECONDS must be between 0 and 30 days")
        if not 0.5 <= self.wechat_timeout_s <= 60:
            raise SettingsError("WECHAT_TIMEOUT must be between 0.5 and 60 seconds")
        if not (
            0.1 <= self.platform_connect_timeout_s <= 60
            and 0.1 <= self.platform_read_timeout_s <= 120
        ):
            raise SettingsError(
                "PLATFORM_CONNECT_TIMEOUT must be between 0.1 and 60 seconds, "
                "PLATFORM_READ_TIMEOUT between 0.1 and 120"
            )
        if not 1 <= self.job_timeout_s <= 3600 or self.outbox_lease_s > 86400:
            raise SettingsError(
                "JOB_TIMEOUT_SECONDS must be between 1 and 3600, OUTBOX_LEASE_SECONDS at most 86400"
            )
        if self.outbox_lease_s <= self.job_timeout_s:
            raise SettingsError("OUTBOX_LEASE_SECONDS must exceed JOB_TIMEOUT_SECONDS")
        # A send is not started unless it can end within its job (backend/deadline.py): the job
        # must hold at least one WeChat call (WECHAT_TIMEOUT + 1 s) or one SMS gateway call,
        # with time to record the answer.
        if self.job_timeout_s < self.wechat_timeout_s + 3:
            raise SettingsError("JOB_TIMEOUT_SECONDS must be at least WECHAT_TIMEOUT + 3")
        if self.sms_url and self.job_timeout_s < SMS_SEND_WORST_S + 2:
            raise SettingsError(
                f"JOB_TIMEOUT_SECONDS must be at least {SMS_SEND_WORST_S + 2:g} when SMS_URL is set"
            )
        try:
            parse_secrets(self.platform_secrets)
        except PlatformConfigError as exc:
            raise SettingsError(str(exc)) from exc
        if self.metrics_token and len(self.metrics_token) < 32:
            raise SettingsError("METRICS_TOKEN must be at least 32 characters")
        try:
            parse_networks(self.outbound_allow_networks)
        except ValueError as exc:
            raise SettingsError(f"OUTBOUND_ALLOW_NETWORKS: {exc}") from exc
        if self.dev_mode:
            return self
        problems = []
        for name, value in (
            ("SECRET_KEY", self.secret_key),
            ("AUDIT_KEY", self.audit_key),
            ("WECHAT_SECRET", self.wechat_secret),
        ):
            if value == PLACEHOLDER or len(value) < 32:
                problems.append(f"{name} is a placeholder or shorter than 32 characters")
        if self.field_keys == DEV_FIELD_KEY:
            problems.append("FIELD_KEYS is the development key")
        if problems:
            raise SettingsError("refusing to start outside dev mode: " + "; ".join(problems))
        return self


_ENV: dict[str, tuple[str, str]] = {
    # env var: (field, kind)
    "JIUJINBAN_DEV": ("dev_mode", "bool"),
    "DATABASE_URL": ("database_url", "str"),
    "REDIS_URL": ("redis_url", "str"),
    "HOST": ("host", "str"),
    "PORT": ("port", "int"),
    "PUBLIC_URL": ("public_url", "str"),
    "SECRET_KEY": ("secret_key", "str"),
    "AUDIT_KEY": ("audit_key", "str"),
    "FIELD_KEYS": ("field_keys", "str"),
    "WECHAT_APPID": ("wechat_appid", "str"),
    "WECHAT_SECRET": ("wechat_secret", "str"),
    "WECHAT_API_BASE": ("wechat_api_base", "str"),
    "WECHAT_TIMEOUT": ("wechat_timeout_s", "float"),
    "WECHAT_MINIPROGRAM_STATE": ("wechat_miniprogram_state", "str"),
    "WECHAT_H5_APPID": ("wechat_h5_appid", "str"),
    "WECHAT_H5_SECRET": ("wechat_h5_secret", "str"),
    "FAKE_WECHAT_PORT": ("fake_wechat_port", "int"),
    "ACCESS_TOKEN_TTL": ("access_token_ttl_s", "int"),
    "STAFF_TOKEN_TTL": ("staff_token_ttl_s", "int"),
    "LOGIN_MAX_FAILURES": ("login_max_failures", "int"),
    "LOGIN_LOCKOUT_SECONDS": ("login_lockout_s", "int"),
    "DEMO_PASSWORD": ("demo_password", "str"),
    "LOG_LEVEL": ("log_level", "str"),
    "LOG_JSON": ("log_json", "bool"),
    "ARQ_QUEUE": ("arq_queue", "str"),
    "REDIS_PREFIX": ("redis_prefix", "str"),
    "WORKER_POLL_DELAY": ("worker_poll_delay_s", "float"),
    "WORKER_MAX_JOBS": ("worker_max_jobs", "int"),
    "JOB_TIMEOUT_SECONDS": ("job_timeout_s", "int"),
    "OUTBOX_LEASE_SECONDS": ("outbox_lease_s", "int"),
    "OUTBOX_MAX_ATTEMPTS": ("outbox_max_attempts", "int"),
    "OUTBOX_BACKOFF_SECONDS": ("outbox_backoff_s", "float"),
    "OUTBOX_SWEEP_SECONDS": ("outbox_sweep_every_s", "int"),
    "IDEMPOTENCY_TTL_SECONDS": ("idempotency_ttl_s", "int"),
    "DB_POOL_MIN": ("db_pool_min", "int"),
    "DB_POOL_MAX": ("db_pool_max", "int"),
    "WEB_WORKERS": ("web_workers", "int"),
    "COOKIE_SECURE": ("cookie_secure", "bool"),
    "DATA_DIR": ("data_dir", "str"),
    "CATALOGUE_CACHE_SECONDS": ("catalogue_cache_s", "float"),
    "WINDOW_CLAIM_SECONDS": ("window_claim_s", "int"),
    "MANDATE_MAX_DAYS": ("mandate_max_days", "int"),
    "MANDATE_SPOT_CHECK_RATE": ("mandate_spot_check_rate", "float"),
    "HANDOVER_MAX_CASES": ("handover_max_cases", "int"),
    "WECHAT_TEMPLATES": ("wechat_templates", "str"),
    "WECHAT_PUSH_TOKEN": ("wechat_push_token", "str"),
    "WECHAT_PUSH_AES_KEY": ("wechat_push_aes_key", "str"),
    "NOTIFY_SEND_RATE": ("notify_send_rate", "float"),
    "SMS_URL": ("sms_url", "str"),
    "SMS_SECRET": ("sms_secret", "str"),
    "SMS_CODE_PER_MINUTE": ("sms_code_per_minute", "int"),
    "SMS_CODE_PER_DAY": ("sms_code_per_day", "int"),
    "SMS_CODE_MAX_TRIES": ("sms_code_max_tries", "int"),
    "REMINDER_HOUR": ("reminder_hour", "int"),
    "WECOM_CORP_ID": ("wecom_corp_id", "str"),
    "WECOM_SECRET": ("wecom_secret", "str"),
    "WECOM_AGENT_ID": ("wecom_agent_id", "str"),
    "WECOM_API_BASE": ("wecom_api_base", "str"),
    "ESCALATE_TOWNSHIP_AFTER_DAYS": ("escalate_township_after_days", "int"),
    "ESCALATE_DISTRICT_AFTER_DAYS": ("escalate_district_after_days", "int"),
    "OVERDUE_SOON_DAYS": ("overdue_soon_days", "int"),
    "CALLBACK_SAMPLE_SIZE": ("callback_sample_size", "int"),
    "UPLOAD_MAX_BYTES": ("upload_max_bytes", "int"),
    "UPLOAD_MAX_PER_DAY": ("upload_max_per_day", "int"),
    "STORAGE": ("storage_backend", "str"),
    "STORAGE_DIR": ("storage_dir", "str"),
    "H5_DIR": ("h5_dir", "str"),
    "KIOSK_READER_URL": ("kiosk_reader_url", "str"),
    "S3_ENDPOINT": ("s3_endpoint", "str"),
    "S3_BUCKET": ("s3_bucket", "str"),
    "S3_ACCESS_KEY": ("s3_access_key", "str"),
    "S3_SECRET_KEY": ("s3_secret_key", "str"),
    "SIGNED_URL_TTL": ("signed_url_ttl_s", "int"),
    "IDENTITY_VERIFY_URL": ("identity_verify_url", "str"),
    "ELICENSE_URL": ("elicense_url", "str"),
    "PLATFORM_SECRETS": ("platform_secrets", "str"),
    "PLATFORM_CONNECT_TIMEOUT": ("platform_connect_timeout_s", "float"),
    "PLATFORM_READ_TIMEOUT": ("platform_read_timeout_s", "float"),
    "RETENTION_CASE_YEARS": ("retention_case_years", "int"),
    "RETENTION_AUDIT_YEARS": ("retention_audit_years", "int"),
    "RETENTION_UPLOAD_DAYS": ("retention_upload_days", "int"),
    "CALENDAR_CACHE_SECONDS": ("calendar_cache_s", "float"),
    "TRAVEL_DETOUR": ("travel_detour", "float"),
    "TRAVEL_WALK_KMH": ("travel_walk_kmh", "float"),
    "TRAVEL_EBIKE_KMH": ("travel_ebike_kmh", "float"),
    "TRAVEL_CAR_KMH": ("travel_car_kmh", "float"),
    "METRICS_TOKEN": ("metrics_token", "str"),
    "OUTBOUND_ALLOW_NETWORKS": ("outbound_allow_networks", "str"),
    "ID_LOOKUP_LIMIT_PER_ACCOUNT": ("id_lookup_limit_per_account", "int"),
    "ID_LOOKUP_LIMIT_PER_ADDRESS": ("id_lookup_limit_per_address", "int"),
    "ID_LOOKUP_WINDOW_SECONDS": ("id_lookup_window_s", "int"),
    "DELETION_NOTICE_SECONDS": ("deletion_notice_s", "int"),
    "TRUSTED_PROXIES": ("trusted_proxies", "str"),
    "LOGIN_WINDOW_SECONDS": ("login_window_s", "int"),
    "LOGIN_ADDRESS_MAX_USERNAMES": ("login_address_max_usernames", "int"),
    "LOGIN_ACCOUNT_LOCK_ADDRESSES": ("login_account_lock_addresses", "int"),
    "LOGIN_ACCOUNT_LOCK_FAILURES": ("login_account_lock_failures", "int"),
    "TERMINAL_TOKEN_TTL": ("terminal_token_ttl_s", "int"),
    "TERMINAL_SESSION_TTL": ("terminal_session_ttl_s", "int"),
    "TERMINAL_LOGIN_MAX_FAILURES": ("terminal_login_max_failures", "int"),
    "TERMINAL_LOGIN_WINDOW_SECONDS": ("terminal_login_window_s", "int"),
}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from the environment (``os.environ`` by default), then apply overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for var, (name, kind) in _ENV.items():
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        if kind == "int":
            values[name] = _int(var, raw)
        elif kind == "float":
            try:
                number = float(raw)
            except ValueError as exc:
                raise SettingsError(f"{var} must be a number, got {raw!r}") from exc
            if not math.isfinite(number):
                raise SettingsError(f"{var} must be a finite number, got {raw!r}")
            values[name] = number
        elif kind == "bool":
            try:
                values[name] = _bool(raw)
            except SettingsError as exc:
                raise SettingsError(f"{var}: {exc}") from exc
        else:
            values[name] = raw
    values.update(overrides)
    if not values.get("dev_mode", True):
        values.setdefault("cookie_secure", True)
    if "wechat_api_base" in values:
        values["wechat_api_base"] = str(values["wechat_api_base"]).rstrip("/") + "/"
    return Settings(**values).check()  # type: ignore[arg-type]


ENV_VARS = tuple(_ENV)
