"""Which errors mean "PostgreSQL is out of reach for now" (a 503 with Retry-After) and which
are faults of a statement or of our code (a 500)."""

from __future__ import annotations

import asyncpg
import pytest

from backend import db
from backend.devservices import free_port

pytestmark = pytest.mark.unit


async def _refused() -> BaseException:
    """The error asyncpg raises connecting to a port nobody listens on."""
    try:
        await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/x", timeout=5)
    except Exception as exc:
        return exc
    raise AssertionError("a closed port accepted a connection")


async def test_a_refused_connection_means_away() -> None:
    refused = await _refused()
    assert isinstance(refused, OSError)
    assert db.unavailable(refused)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.CrashShutdownError("terminating connection because of crash of another process"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
        asyncpg.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        ),
    ],
    ids=lambda e: type(e).__name__,
)
def test_the_server_going_or_gone_means_away(error: Exception) -> None:
    assert db.unavailable(error)


def _rollback_after_shutdown() -> None:
    try:
        raise asyncpg.AdminShutdownError("terminating connection due to administrator command")
    except asyncpg.AdminShutdownError as exc:
        raise RuntimeError("rollback failed") from exc


def test_an_error_raised_from_a_lost_connection_means_away() -> None:
    with pytest.raises(RuntimeError) as raised:
        _rollback_after_shutdown()
    assert db.unavailable(raised.value)


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as exc:
        return exc


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
        asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        _raised(ConnectionRefusedError(111, "Connection refused")),  # not asyncpg's: an HTTP call
        _raised(TimeoutError()),
        ValueError("a bug"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_faults_of_a_statement_or_of_our_code_are_not_away(error: BaseException) -> None:
    assert not db.unavailable(error)
