from __future__ import annotations

import pytest

from leadgate.rules.loader import load
from leadgate.rules.model import Rulebooks


@pytest.fixture(scope="session")
def books() -> Rulebooks:
    """The bundled rulebooks, without any organisation file."""
    return load(None)
