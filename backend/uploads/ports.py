"""The one interface to where uploaded files live (a directory, or S3-compatible storage)."""

from __future__ import annotations

from typing import Protocol


class StoreError(Exception):
    """The store could not do what was asked (unreachable, refused, misconfigured)."""


class ObjectMissing(StoreError):
    """No object is stored under the key."""


class FileStore(Protocol):
    """Bytes by key. Keys are relative paths such as ``ab/cd/<sha256>``; writes are atomic."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """The stored bytes; raises :class:`ObjectMissing` when there are none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...
