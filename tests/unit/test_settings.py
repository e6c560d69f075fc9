import pytest

from backend.settings import PLACEHOLDER, SettingsError, load_settings

pytestmark = pytest.mark.unit

STRONG = "x" * 40


def test_dev_defaults_work_without_any_environment():
    settings = load_settings(environ={})
    assert settings.dev_mode
    assert settings.port == 8000
    assert settings.base_url == "http://127.0.0.1:8000"


def test_environment_values_are_typed():
    settings = load_settings(
        environ={"PORT": "9001", "LOG_JSON": "true", "WORKER_POLL_DELAY": "0.1"}
    )
    assert settings.port == 9001
    assert settings.log_json is True
    assert settings.worker_poll_delay_s == 0.1


def test_bad_values_name_the_variable():
    with pytest.raises(SettingsError, match="PORT"):
        load_settings(environ={"PORT": "eighty"})
    with pytest.raises(SettingsError, match="LOG_JSON"):
        load_settings(environ={"LOG_JSON": "perhaps"})


def test_outside_dev_mode_placeholder_secrets_are_refused():
    with pytest.raises(SettingsError) as err:
        load_settings(environ={"JIUJINBAN_DEV": "0"})
    message = str(err.value)
    for name in ("SECRET_KEY", "AUDIT_KEY", "WECHAT_SECRET", "FIELD_KEYS"):
        assert name in message
    assert PLACEHOLDER not in message


def test_outside_dev_mode_real_secrets_start_with_secure_cookies():
    settings = load_settings(
        environ={
            "JIUJINBAN_DEV": "0",
            "SECRET_KEY": STRONG,
            "AUDIT_KEY": STRONG,
            "WECHAT_SECRET": STRONG,
            "FIELD_KEYS": "k2:AAAAAAAAAAAAAAAAAAAAAA==",
        }
    )
    assert not settings.dev_mode
    assert settings.cookie_secure


def test_field_keys_must_be_sm4_sized():
    with pytest.raises(SettingsError, match="16 bytes"):
        load_settings(environ={"FIELD_KEYS": "k1:AAAA"})


def test_lease_must_outlast_the_job_timeout():
    with pytest.raises(SettingsError, match="OUTBOX_LEASE_SECONDS"):
        load_settings(environ={"JOB_TIMEOUT_SECONDS": "60", "OUTBOX_LEASE_SECONDS": "30"})


def test_the_job_timeout_must_hold_a_whole_send():
    with pytest.raises(SettingsError, match="WECHAT_TIMEOUT"):
        load_settings(environ={"JOB_TIMEOUT_SECONDS": "7", "WECHAT_TIMEOUT": "5"})
    with pytest.raises(SettingsError, match="SMS_URL"):
        load_settings(
            environ={
                "JOB_TIMEOUT_SECONDS": "9",
                "OUTBOX_LEASE_SECONDS": "20",
                "SMS_URL": "http://x",
            }
        )
    assert load_settings(environ={"JOB_TIMEOUT_SECONDS": "8"}).job_timeout_s == 8


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WECHAT_TIMEOUT": "nan", "JOB_TIMEOUT_SECONDS": "1"}, "finite"),
        ({"WECHAT_TIMEOUT": "-inf"}, "finite"),
        ({"WECHAT_TIMEOUT": "0"}, "WECHAT_TIMEOUT"),
        ({"WECHAT_TIMEOUT": "-100"}, "WECHAT_TIMEOUT"),
        ({"PLATFORM_READ_TIMEOUT": "600"}, "PLATFORM_READ_TIMEOUT"),
        ({"PLATFORM_CONNECT_TIMEOUT": "0"}, "PLATFORM_CONNECT_TIMEOUT"),
        ({"OUTBOX_LEASE_SECONDS": str(10**12)}, "OUTBOX_LEASE_SECONDS"),
        ({"JOB_TIMEOUT_SECONDS": "0"}, "JOB_TIMEOUT_SECONDS"),
    ],
)
def test_timeouts_out_of_range_are_refused(environ: dict[str, str], message: str):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ=environ)
