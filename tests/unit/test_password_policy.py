"""The staff password policy (zxcvbn's dictionaries, not a hand-kept list)."""

import pytest

from backend.identity.password_policy import PasswordRules, password_problems
from backend.identity.staff_admin import temporary_password

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "password",
    ["password1234", "qwertyuiop123", "iloveyou2024!", "admin1234567", "Password@123"],
)
def test_common_passwords_are_refused(password: str):
    assert any("常见" in p for p in password_problems(password, username="window-1"))


def test_short_username_and_demo_passwords_are_refused_with_reasons():
    assert password_problems("Tq7-xk", username="window-1") == ["密码至少 12 位"]
    assert "密码不能与用户名相同" in password_problems(
        "Window-330109-x", username="window-330109-x"
    )
    demo = "jiujinban-demo"
    assert "不能使用演示账号的公开密码" in password_problems(demo, username="a")
    assert "不能使用演示账号的公开密码" not in password_problems(
        demo, username="a", rules=PasswordRules(dev_mode=True, demo_password=demo)
    )


def test_a_strong_password_and_every_temporary_password_pass():
    assert password_problems("violet-harbour-lantern-93", username="window-1") == []
    assert all(not password_problems(temporary_password(), username="x") for _ in range(20))


def test_a_long_password_is_judged_by_its_first_characters() -> None:
    """The strength checker refuses inputs over 72 characters; a long passphrase is still fine."""
    assert password_problems("Xk9#mQ2v-" * 20, username="window-1") == []
    assert password_problems("123456" * 20, username="window-1") != []
