"""Pluggable fetchers: where the text of a published post comes from when it is checked again by its link.

* the creator's submission (no fetcher: the submitted text is the evidence),
* platform API connectors (``register_connector``): a platform's official API, configured with credentials;
  the first connector whose ``handles(url)`` is true is used,
* the generic HTTP fetcher (``http.HttpMetadataFetcher``): OpenGraph / oEmbed metadata of any public page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.outbound.transport import FetchError

__all__ = ["FetchError", "FetchedPost", "Fetcher", "fetcher_for", "register_connector", "registered_connectors"]


@dataclass(frozen=True)
class FetchedPost:
    url: str  # the final URL, after redirects
    caption: str
    fields: dict[str, Any] = field(default_factory=dict)  # other §12 fields the source knows (e.g. transcript)


class Fetcher(Protocol):
    name: str

    def handles(self, url: str) -> bool: ...

    def fetch(self, url: str, config: Mapping[str, Any]) -> FetchedPost: ...


_connectors: list[Fetcher] = []


def register_connector(connector: Fetcher) -> None:
    """Add a platform API connector (built with its credentials from the config); it wins over the generic one."""
    _connectors.append(connector)


def registered_connectors() -> tuple[Fetcher, ...]:
    return tuple(_connectors)


def fetcher_for(url: str) -> Fetcher | None:
    from service.disclosure.fetchers.http import GENERIC_FETCHER

    for connector in _connectors:
        if connector.handles(url):
            return connector
    return GENERIC_FETCHER if GENERIC_FETCHER.handles(url) else None
