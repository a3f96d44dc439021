"""Disclosure rules engine: is a post labelled as advertising the way the law of its audience requires?

Rules live in versioned rule packs (``packs/*.yaml``: one per jurisdiction plus cross-jurisdiction rules),
separate from the engine that applies them. Entry points:

* ``check_post(parse_post(data), lang="en")`` -> ``CheckResult`` (verdict, rule ids, findings)
* ``labelling_obligation(relationship, jurisdictions, platform, media_type, lang=...)`` -> what to write, where
* ``load_rule_book(directory)`` / ``default_rule_book()`` -> the validated, compiled packs
"""

from service.disclosure.engine import check_data, check_post
from service.disclosure.model import CheckResult, Finding, Verdict
from service.disclosure.posts import Post, PostError, parse_post
from service.disclosure.rulebook import RuleBook, RulePackError, default_rule_book, load_rule_book

__all__ = [
    "CheckResult",
    "Finding",
    "Post",
    "PostError",
    "RuleBook",
    "RulePackError",
    "Verdict",
    "check_data",
    "check_post",
    "default_rule_book",
    "load_rule_book",
    "parse_post",
]
