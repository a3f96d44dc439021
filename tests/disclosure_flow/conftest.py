"""The browser fixtures of tests/browser (Debian's chromium, the live server) for the creator's journey here."""

from __future__ import annotations

from tests.browser.conftest import browser_context_args, browser_type_launch_args, german_catalogue, live_server

__all__ = ["browser_context_args", "browser_type_launch_args", "german_catalogue", "live_server"]
