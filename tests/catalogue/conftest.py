from tests.conftest import FIXTURES

__all__ = ["FIXTURES"]
