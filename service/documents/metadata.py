"""A template's metadata file (``metadata.yaml``), validated by marshmallow into a ``TemplateMeta``.

Example::

    key: influencer_collaboration
    version: 1                          # built-in only; a tenant's uploads are numbered by Fairpact
    contract_type: influencer           # selects the shared clause library and headings
    title: {de: Kooperationsvertrag Influencer-Marketing, en: Influencer collaboration agreement}
    languages: [de, en]
    clauses: [parties, subject, deliverables, ...]   # numbered 1..n in this order
    annexes: [disclosure_guide, pricing_schedule]    # numbered A1..An after the clauses
    headings: {}                        # headings for clause ids the shared table does not know
    terms:
      required: [parties.brand.legal_name, deliverables, ...]   # dotted paths the clauses read
      optional: [parties.brand.vat_id, deliverables[].draft_due]  # filled with null when absent
    legal_constants: [DE_KSK_RATE]      # dated values the caller passes; never literals in the HTML
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from service.documents.paths import SHARED_DIR

LANGUAGES = ("de", "en")
CONTRACT_TYPES = ("influencer", "corporate_influencer")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TERM_PATH = re.compile(r"^[a-z][a-z0-9_]*(\[\])?(\.[a-z][a-z0-9_]*(\[\])?)*$")
_CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")


@dataclass(frozen=True)
class Heading:
    de: str
    en: str

    def in_language(self, lang: str) -> str:
        return self.de if lang == "de" else self.en


@dataclass(frozen=True)
class TemplateMeta:
    key: str
    version: int
    contract_type: str
    title: Heading
    languages: tuple[str, ...]
    clauses: tuple[str, ...]
    annexes: tuple[str, ...]
    headings: dict[str, Heading]
    required_terms: tuple[str, ...]
    optional_terms: tuple[str, ...]
    legal_constants: tuple[str, ...]
    description: Heading | None = None

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    def heading(self, clause_id: str) -> Heading:
        return self.headings[clause_id]


class _BilingualSchema(Schema):
    class Meta:
        unknown = RAISE

    de = fields.String(required=True, validate=validate.Length(min=1, max=200))
    en = fields.String(required=True, validate=validate.Length(min=1, max=200))


class _TermsSchema(Schema):
    class Meta:
        unknown = RAISE

    required = fields.List(fields.String(validate=validate.Regexp(_TERM_PATH)), load_default=list)
    optional = fields.List(fields.String(validate=validate.Regexp(_TERM_PATH)), load_default=list)


_identifier = fields.String(validate=validate.Regexp(_IDENTIFIER, error="use lower_snake_case letters and digits"))


class TemplateMetaSchema(Schema):
    class Meta:
        unknown = RAISE

    key = fields.String(required=True, validate=validate.Regexp(_IDENTIFIER))
    # Required for built-in templates (it must match their folder); Fairpact numbers a tenant's uploads itself.
    version = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1))
    contract_type = fields.String(required=True, validate=validate.OneOf(CONTRACT_TYPES))
    title = fields.Nested(_BilingualSchema, required=True)
    description = fields.Nested(_BilingualSchema, load_default=None)
    languages = fields.List(fields.String(validate=validate.OneOf(LANGUAGES)), required=True)
    clauses = fields.List(_identifier, required=True, validate=validate.Length(min=1, max=60))
    annexes = fields.List(_identifier, load_default=list, validate=validate.Length(max=10))
    headings = fields.Dict(keys=_identifier, values=fields.Nested(_BilingualSchema), load_default=dict)
    terms = fields.Nested(_TermsSchema, required=True)
    legal_constants = fields.List(fields.String(validate=validate.Regexp(_CONSTANT)), load_default=list)

    @validates_schema
    def _check_lists(self, data: dict[str, Any], **_: Any) -> None:
        problems: dict[str, list[str]] = {}
        if not data["languages"] or len(set(data["languages"])) != len(data["languages"]):
            problems["languages"] = ["list each of de and en at most once, at least one"]
        ids = data["clauses"] + data["annexes"]
        if len(set(ids)) != len(ids):
            problems["clauses"] = ["every clause and annex id may appear only once"]
        known = shared_headings(data["contract_type"]) | data["headings"].keys()
        unknown = [clause_id for clause_id in ids if clause_id not in known]
        if unknown:
            problems["headings"] = [f"no heading for {', '.join(unknown)}; add them under headings"]
        if problems:
            raise ValidationError(problems)


@cache
def _heading_table() -> dict[str, dict[str, dict[str, str]]]:
    return yaml.safe_load((SHARED_DIR / "headings.yaml").read_text(encoding="utf-8"))


def shared_headings(contract_type: str) -> set[str]:
    return set(_heading_table().get(contract_type, {}))


def parse_metadata(text: str) -> TemplateMeta:
    """Parse and validate a metadata.yaml text.

    :raises ValidationError: with marshmallow's per-field messages (also for YAML syntax errors).
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError({"_yaml": [f"not valid YAML: {exc}"]}) from exc
    if not isinstance(raw, dict):
        raise ValidationError({"_yaml": ["the metadata must be a mapping of settings"]})
    data = TemplateMetaSchema().load(raw)
    return _to_meta(data)


def _to_meta(data: dict[str, Any]) -> TemplateMeta:
    table = _heading_table().get(data["contract_type"], {})
    headings = {clause_id: Heading(**texts) for clause_id, texts in table.items()}
    headings.update({clause_id: Heading(**texts) for clause_id, texts in data["headings"].items()})
    description = data["description"]
    return TemplateMeta(
        key=data["key"],
        version=data["version"] or 0,
        contract_type=data["contract_type"],
        title=Heading(**data["title"]),
        description=Heading(**description) if description else None,
        languages=tuple(data["languages"]),
        clauses=tuple(data["clauses"]),
        annexes=tuple(data["annexes"]),
        headings=headings,
        required_terms=tuple(data["terms"]["required"]),
        optional_terms=tuple(data["terms"]["optional"]),
        legal_constants=tuple(data["legal_constants"]),
    )
