"""Data directories for embedded PostgreSQL live outside pytest's own temporary root.

Embedded PostgreSQL runs as its own system user, which needs to traverse every parent of its
data directory. pytest keeps ``/tmp/pytest-of-<user>`` at mode 0700 and resets it whenever a
pytest session starts, so a data directory under ``tmp_path`` can become unreachable mid-test
when another session starts on the same machine.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def fresh_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    path = fresh_dir("jjb-devservices-")
    yield path
    shutil.rmtree(path, ignore_errors=True)
