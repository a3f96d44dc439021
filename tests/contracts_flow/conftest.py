"""The browser fixtures of tests/browser (Debian's chromium, the app on a local port) for the contract journey."""

from tests.browser.conftest import browser_context_args, browser_type_launch_args, live_server

__all__ = ["browser_context_args", "browser_type_launch_args", "live_server"]
