"""The browser fixtures of tests/browser (Debian's chromium, the live server) for the creator's journey here,
and the local S3 server of tests/documents for screenshots in a bucket."""

from __future__ import annotations

from tests.browser.conftest import browser_context_args, browser_type_launch_args, german_catalogue, live_server
from tests.documents.conftest import s3_endpoint

__all__ = ["browser_context_args", "browser_type_launch_args", "german_catalogue", "live_server", "s3_endpoint"]
