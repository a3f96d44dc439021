"""The routes of the URL map, with their path parameters filled in from a World, for the security walkers.

Walking ``app.url_map`` rather than a list means a page or form added later (by any package) is walked too.
"""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.routing import Rule

from tests.security.world import World

# Served by libraries, not by our views (their headers come from the same after_request hook all the same).
LIBRARY_ENDPOINTS = {"static", "swagger_assets"}


def _rules(app: Flask, method: str) -> list[Rule]:
    rules = [r for r in app.url_map.iter_rules() if method in (r.methods or set())]
    return sorted(rules, key=lambda r: r.rule)


def fill(rule: Rule, world: World) -> str:
    url = rule.rule
    for name in rule.arguments:
        value = "app.css" if name == "filename" else world.value_for(name)
        url = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", value, url)
    return url


def get_routes(app: Flask, world: World) -> list[tuple[Rule, str]]:
    """Every GET route (pages, downloads, API reads) and its URL, with real ids where the world has them."""
    return [(rule, fill(rule, world)) for rule in _rules(app, "GET")]


def web_post_urls(app: Flask, world: World) -> list[str]:
    """Every form target of the web pages (the API authenticates by bearer key, so CSRF does not apply)."""
    return [fill(rule, world) for rule in _rules(app, "POST") if not rule.rule.startswith("/api/")]
