"""A pack's phrases, merged into one scanner: its own term groups plus every common signal.

The same phrase may be listed more than once (a pack term that is also a signal, "#ad" and "ad"); its
meanings are merged per relationship, and two different meanings for one relationship are an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from service.disclosure.lexicon import Lexicon, Phrase, PhraseError, parse_phrase
from service.disclosure.model import IGNORE, RELATIONSHIPS, DateRange, Term, TermChoice
from service.disclosure.text import fold, without_accents

if TYPE_CHECKING:
    from service.disclosure.packbuilder import PackBuilder


def build_lexicon(builder: PackBuilder) -> Lexicon[TermChoice]:
    """One scanner for the pack's own phrases plus every common signal, merged phrase by phrase."""
    meanings: dict[tuple[bool, tuple[str, ...]], list[Term]] = {}
    phrases: dict[tuple[bool, tuple[str, ...]], Phrase] = {}
    for index, group in enumerate(builder.raw["terms"]):
        where = f"terms[{index}] ({group['name']})"
        term, texts = _term_of_group(builder, group, where)
        _add_meanings(builder, meanings, phrases, texts, term, where)
    for name, texts in builder.common.signals.items():
        term = Term(f"signal {name}", frozenset(), dict.fromkeys(RELATIONSHIPS, IGNORE), frozenset({name}), DateRange())
        _add_meanings(builder, meanings, phrases, texts, term, f"signals.{name}")
    _fold_optional_hash_into_hashed(builder, meanings)
    lexicon: Lexicon[TermChoice] = Lexicon((phrases[key], tuple(terms)) for key, terms in meanings.items())
    _self_check(builder, lexicon, phrases)
    return lexicon


def _fold_optional_hash_into_hashed(
    builder: PackBuilder, meanings: dict[tuple[bool, tuple[str, ...]], list[Term]]
) -> None:
    """ "#ad" in a post matches both the phrase "#ad" and the phrase "ad": its entry must carry both meanings."""
    for (hash_required, atoms), terms in meanings.items():
        plain = meanings.get((False, atoms))
        if not hash_required or plain is None:
            continue
        for term in plain:
            for position, other in enumerate(terms):
                if other.valid.overlaps(term.valid):
                    terms[position] = _merge_terms(builder, other, term, f"phrase '#{''.join(atoms)}'")
                    break
            else:
                terms.append(term)


def _term_of_group(builder: PackBuilder, group: dict[str, Any], where: str) -> tuple[Term, tuple[str, ...]]:
    signal = group.get("signal")
    builder.signal(signal, f"{where}.signal")
    texts = tuple(group["phrases"]) if "phrases" in group else builder.common.signals.get(signal or "", ())
    term = Term(
        name=group["name"],
        langs=frozenset(group["langs"]),
        outcomes=builder.outcomes(group["outcome"], f"{where}.outcome"),
        signals=frozenset({signal}) if signal else frozenset(),
        valid=DateRange(group["effective_from"], group["effective_until"]),
    )
    return term, texts


def _add_meanings(
    builder: PackBuilder,
    meanings: dict[tuple[bool, tuple[str, ...]], list[Term]],
    phrases: dict[tuple[bool, tuple[str, ...]], Phrase],
    texts: Iterable[str],
    term: Term,
    where: str,
) -> None:
    for text in _with_accent_free_variants(texts):
        try:
            phrase = parse_phrase(text)
        except PhraseError as exc:
            builder.problems.append(f"{where}: {exc}")
            continue
        key = (phrase.hash_required, phrase.atoms)
        phrases.setdefault(key, phrase)
        existing = meanings.setdefault(key, [])
        for position, other in enumerate(existing):
            if other.valid.overlaps(term.valid):
                existing[position] = _merge_terms(builder, other, term, f"{where}: phrase {text!r}")
                break
        else:
            existing.append(term)


def _with_accent_free_variants(texts: Iterable[str]) -> list[str]:
    """Each phrase as written, plus its accent-free spelling when it has accents ("Publicité", "Publicite")."""
    variants: list[str] = []
    for text in texts:
        for variant in (fold(text), without_accents(fold(text))):
            if variant not in variants:
                variants.append(variant)
    return variants


def _merge_terms(builder: PackBuilder, first: Term, second: Term, where: str) -> Term:
    """One phrase listed twice: meanings combine per relationship; two different meanings are an error."""
    outcomes = {}
    for rel in RELATIONSHIPS:
        a, b = first.outcomes[rel], second.outcomes[rel]
        if a != b and IGNORE not in (a, b):
            builder.problems.append(f"{where} means both {a.kind.value} and {b.kind.value} for {rel} ({first.name})")
        outcomes[rel] = b if a == IGNORE else a
    if first.valid != second.valid and IGNORE not in (*first.outcomes.values(), *second.outcomes.values()):
        builder.problems.append(f"{where} is listed with two different date ranges that overlap")
    named = first if not first.name.startswith("signal ") else second
    return replace(
        named,
        outcomes=outcomes,
        signals=first.signals | second.signals,
        langs=first.langs | second.langs,
    )


def _self_check(
    builder: PackBuilder, lexicon: Lexicon[TermChoice], phrases: Mapping[tuple[bool, tuple[str, ...]], Phrase]
) -> None:
    """Every phrase must find itself; a phrase the scanner cannot see would silently never apply."""
    for phrase in phrases.values():
        sample = phrase.text.replace("{brand}", "brandname").replace("{mention}", "@brandname").replace("*", "")
        found = lexicon.scan(sample)
        if not found or found[0].start != 0 or found[0].end != len(sample):
            builder.problems.append(f"phrase {phrase.text!r} is not found by the scanner as written")
