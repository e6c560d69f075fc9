from pathlib import Path

import pytest

from backend.clock import today
from backend.imports.service import import_batch, read_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue"


@pytest.fixture
async def small_catalogue() -> Path:
    """The small test catalogue (2 townships, 7 items, 2 bundles, 5 service points) imported."""
    await import_batch(read_file(FIXTURES), effective_from=today())
    return FIXTURES
