"""Pluggable fetchers: where the text of a published post comes from when it is checked again by its link.

* the creator's submission (no fetcher: the submitted text is the evidence),
* platform API connectors (``register_connector``): a platform's official API, configured with credentials;
  the first connector that ``handles(url)`` (by the link's host) and is ``configured(config)`` (its
  credentials are set) is used. Built in: YouTube (``youtube.py``, ``YOUTUBE_API_KEY``),
* the generic HTTP fetcher (``http.HttpMetadataFetcher``): OpenGraph / oEmbed metadata of any public page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.outbound.transport import FetchError

__all__ = [
    "Connector",
    "FetchError",
    "FetchedPost",
    "Fetcher",
    "fetcher_for",
    "register_connector",
    "registered_connectors",
]


@dataclass(frozen=True)
class FetchedPost:
    url: str  # the final URL, after redirects
    caption: str
    fields: dict[str, Any] = field(default_factory=dict)  # other §12 fields the source knows (e.g. transcript)


class Fetcher(Protocol):
    name: str

    def handles(self, url: str) -> bool: ...

    def fetch(self, url: str, config: Mapping[str, Any]) -> FetchedPost: ...


class Connector(Fetcher, Protocol):
    def configured(self, config: Mapping[str, Any]) -> bool: ...


_connectors: list[Connector] = []


def register_connector(connector: Connector) -> None:
    """Add a platform API connector; for its links it wins over the generic fetcher once it is configured."""
    _connectors.append(connector)


def registered_connectors() -> tuple[Connector, ...]:
    if not _connectors:
        from service.disclosure.fetchers.youtube import YOUTUBE_CONNECTOR

        register_connector(YOUTUBE_CONNECTOR)
    return tuple(_connectors)


def fetcher_for(url: str, config: Mapping[str, Any] | None = None) -> Fetcher | None:
    """The connector for the link's platform when its credentials are set, else the generic fetcher."""
    from service.disclosure.fetchers.http import GENERIC_FETCHER

    for connector in registered_connectors():
        if connector.handles(url) and connector.configured(config or {}):
            return connector
    return GENERIC_FETCHER if GENERIC_FETCHER.handles(url) else None
