import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from orgtwin_server import OrgtwinServer  # noqa: E402


@pytest.fixture(scope="module")
def server():
    srv = OrgtwinServer().start()
    yield srv
    srv.cleanup()
