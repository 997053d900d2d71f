import pytest

from tests.cast import build_cast


@pytest.fixture
def cast_transactional(transactional_db):
    """The cast in committed rows, for tests whose work happens in another process."""
    return build_cast()
