"""(being written) The delivery loop that runs beside the API server."""

from __future__ import annotations

from collections.abc import Callable

from leadgate.kit.settings import Settings


def start(settings: Settings) -> Callable[[], None]:
    """Start delivering in the background; returns the function that stops it."""
    return lambda: None
