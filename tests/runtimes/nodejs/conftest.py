"""Fixtures: a Runtime API double and the Node.js bootstrap run against it as a subprocess."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from node_harness import Bootstrap  # noqa: E402
from node_runtime_api import RuntimeApi  # noqa: E402


@pytest.fixture
def api():
    a = RuntimeApi()
    yield a
    a.close()


@pytest.fixture
def runtime(api):
    """runtime(files, handler=..., env=...) starts a bootstrap; all are stopped at teardown."""
    started = []

    def start(files, handler="index.handler", env=None, flags=None, read_delay=0.0):
        b = Bootstrap(api, files, handler, env, flags, read_delay).start()
        started.append(b)
        return b

    yield start
    for b in started:
        b.stop()
