"""An Idempotency-Key is what the API description says: 1–200 visible ASCII characters."""

from __future__ import annotations

import pytest

from backend.errors import InvalidInput
from backend.idempotency.service import claim

pytestmark = pytest.mark.unit


def _claim(key: str) -> object:
    return claim(scope="citizen:1", key=key, method="POST", path="/x", body=b"{}", secret=b"s")


@pytest.mark.parametrize("key", ["8f14e45f-ceea-4f6a-9b5e-2d1c0a7e6b3d", "a", "~" * 200])
def test_a_visible_ascii_key_is_taken(key: str) -> None:
    assert _claim(key) is not None


@pytest.mark.parametrize("key", ["a b", "a\tb", "\xff\xfe", "键", "x" * 201, " "])
def test_anything_else_is_refused(key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _claim(key)
    assert refused.value.code == "idempotency_key_invalid"
