"""Fixtures of the fault tests: pause points and a log folder for the worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.billing.conftest import billing_app, fake_stripe
from tests.faults.support import PausePoints

__all__ = ["billing_app", "fake_stripe"]


@pytest.fixture
def pauses(tmp_path: Path) -> PausePoints:
    folder = tmp_path / "pauses"
    folder.mkdir()
    return PausePoints(folder)
