"""Fixtures of the WeChat-accounts tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.fakes.idverify_server import FakeIdVerify


@pytest.fixture
def idverify(fake_idverify: FakeIdVerify) -> Iterator[FakeIdVerify]:
    """The session's fake verification server, reset before and after each test."""
    fake_idverify.reset()
    yield fake_idverify
    fake_idverify.reset()
