import pytest


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Unit tests are pure: no database at all."""
