"""The consumer portal tests' server: only the consumer portal (the other APIs' seeding would only
slow these tests down)."""

from __future__ import annotations

import pytest

from mockserver.web.app import MockServer
from tests.consumerportal.helpers import settings


@pytest.fixture
def server() -> MockServer:
    return MockServer(settings())
