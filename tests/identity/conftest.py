"""Fixtures of the identity tests: the fake identity-verification server, citizens over HTTP.

The app under test (``api``) reaches the fake only when ``tests/conftest.py`` puts its URL in
``test_env`` (``IDENTITY_VERIFY_URL``). Until then this file starts its own, for the tests that
drive verification through the service layer; once the root conftest has ``fake_idverify``, that
one is used everywhere, so the app and these tests script the same server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tests.conftest as root
from backend.fakes.idverify_server import FakeIdVerify

if not hasattr(root, "fake_idverify"):

    @pytest.fixture(scope="session")
    def fake_idverify() -> Iterator[FakeIdVerify]:
        fake = FakeIdVerify()
        fake.start()
        yield fake
        fake.stop()


@pytest.fixture
def idverify(fake_idverify: FakeIdVerify) -> Iterator[FakeIdVerify]:
    """The session's fake verification server, reset before and after each test."""
    fake_idverify.reset()
    yield fake_idverify
    fake_idverify.reset()
