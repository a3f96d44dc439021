"""Phrase lists compiled into one scanner per rule pack.

A pack holds a few hundred phrases. Trying them one by one, or as one flat alternation, costs tens of
microseconds per caption; merged into a character trie the regular expression engine dispatches on the
first character and one scan finds every phrase. Which phrase matched is then looked up from the matched
text (a dictionary for plain phrases, a short list for phrases with wildcards).

Phrase syntax (see packs/common.yaml): words match with any spacing, "-", "_" or nothing between them; a
leading "#" makes the hash required, otherwise it is optional; "*" at a word edge stands for more letters;
``{brand}`` is one word or @mention, ``{mention}`` an @mention only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from service.disclosure.text import fold

_SEP = "sep"
_STAR = "star"
_BRAND = "brand"
_MENTION = "mention"
_ATOM_PATTERNS = {
    _SEP: r"[\s\-_.:|/+]*",
    _STAR: r"\w*",
    _BRAND: r"[\s:]*@?\w[\w.&'-]*",
    _MENTION: r"[\s:]*@\w[\w.]*",
}
_SEPARATORS = re.compile(r"[\s\-_.:|/+]+")
_PLACEHOLDERS = {"{brand}": _BRAND, "{mention}": _MENTION}

_RESOLVED_CACHE_SIZE = 20_000
Atom = str  # one literal character, or one of the special atom names above (longer than one character)

T = TypeVar("T")


class PhraseError(ValueError):
    """A phrase that cannot be compiled (empty, or a placeholder in a position that makes no sense)."""


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str  # as folded
    hash_required: bool
    atoms: tuple[Atom, ...]

    @property
    def is_literal(self) -> bool:
        return not any(len(atom) > 1 for atom in self.atoms if atom != _SEP)

    @property
    def key(self) -> str:
        """The lookup key of a literal phrase: its characters without separators (as ``resolve`` sees them)."""
        return _SEPARATORS.sub("", "".join(atom for atom in self.atoms if len(atom) == 1))


def parse_phrase(raw: str) -> Phrase:
    text = fold(raw).strip()
    hash_required = text.startswith("#")
    body = text[1:] if hash_required else text
    words = body.split()
    if not words:
        raise PhraseError(f"empty phrase {raw!r}")
    atoms: list[Atom] = []
    for position, word in enumerate(words):
        if position:
            atoms.append(_SEP)
        atoms.extend(_word_atoms(word, raw))
    if atoms[0] in (_BRAND, _MENTION):
        raise PhraseError(f"phrase {raw!r} cannot start with a placeholder")
    return Phrase(text, hash_required, tuple(atoms))


def _word_atoms(word: str, raw: str) -> list[Atom]:
    if word in _PLACEHOLDERS:
        return [_PLACEHOLDERS[word]]
    if "{" in word or "}" in word:
        raise PhraseError(f"phrase {raw!r}: unknown placeholder in {word!r} (use {{brand}} or {{mention}})")
    atoms: list[Atom] = []
    core = word
    if core.startswith("*"):
        atoms.append(_STAR)
        core = core[1:]
    trailing_star = core.endswith("*")
    core = core.rstrip("*")
    if not core or "*" in core:
        raise PhraseError(f"phrase {raw!r}: '*' only stands at a word edge next to letters")
    atoms.extend(_SEP if char == "-" else char for char in core)
    if trailing_star:
        atoms.append(_STAR)
    return atoms


def _bare_stem(phrase: Phrase) -> str | None:
    """The key of a phrase whose only wildcard is a trailing "*", read with the "*" matching nothing."""
    if phrase.atoms[-1] != _STAR or any(len(atom) > 1 and atom != _SEP for atom in phrase.atoms[:-1]):
        return None
    return _SEPARATORS.sub("", "".join(atom for atom in phrase.atoms[:-1] if len(atom) == 1))


def _atoms_regex(atoms: Sequence[Atom]) -> str:
    return "".join(_ATOM_PATTERNS[atom] if len(atom) > 1 else re.escape(atom) for atom in atoms)


class _Trie:
    """Atom sequences merged by common prefix, rendered as one nested alternation."""

    def __init__(self) -> None:
        self.children: dict[Atom, _Trie] = {}
        self.terminal = False

    def add(self, atoms: Sequence[Atom]) -> None:
        node = self
        for atom in atoms:
            node = node.children.setdefault(atom, _Trie())
        node.terminal = True

    def regex(self) -> str:
        # Literal continuations first, special atoms after: the first alternative that leads to a match
        # wins, and a literal one is the more specific reading.
        ordered = sorted(self.children.items(), key=lambda item: (len(item[0]) > 1, item[0]))
        branches = [_atoms_regex([atom]) + child.regex() for atom, child in ordered]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy "?": the longer phrase is tried before stopping at a shorter one.
        return f"(?:{body})?" if self.terminal else body


def words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regular expression matching any of ``words`` as a whole word (a trie, for speed)."""
    trie = _Trie()
    for word in words:
        trie.add(tuple(word))
    return re.compile(r"(?<!\w)(?:" + (trie.regex() or "(?!)") + r")(?![\w'])")


class Match(NamedTuple, Generic[T]):
    """A phrase found in a text (a tuple: made for every phrase in every post, so it must be cheap)."""

    start: int
    end: int
    entry: T


class Lexicon(Generic[T]):
    """Finds every phrase of a pack in a folded text with one regular-expression scan."""

    def __init__(self, entries: Iterable[tuple[Phrase, T]]):
        self._plain: dict[str, T] = {}
        self._hashed: dict[str, T] = {}
        self._wildcards: list[tuple[re.Pattern[str], T]] = []
        # The same few label words recur in most posts; remember what each matched text resolved to.
        self._resolved: dict[str, T | None] = {}
        trie = _Trie()
        for phrase, entry in entries:
            trie.add((("#",) if phrase.hash_required else ()) + phrase.atoms)
            self._register(phrase, entry)
        # Longer wildcard phrases first, so "sponsored by {brand}" is preferred over "sponsored*".
        self._wildcards.sort(key=lambda item: len(item[0].pattern), reverse=True)
        body = trie.regex() or "(?!)"
        self._pattern = re.compile(r"(?<![\w@#])#?" + body + r"(?!\w)")

    def _register(self, phrase: Phrase, entry: T) -> None:
        stem = _bare_stem(phrase)
        if stem is not None:
            # "werbung*" also matches plain "werbung": look that up directly instead of by pattern.
            table = self._hashed if phrase.hash_required else self._plain
            table.setdefault(stem, entry)
        if phrase.is_literal:
            table = self._hashed if phrase.hash_required else self._plain
            table[phrase.key] = entry
            return
        prefix = "#" if phrase.hash_required else "#?"
        self._wildcards.append((re.compile(prefix + _atoms_regex(phrase.atoms)), entry))

    def resolve(self, matched: str) -> T | None:
        """The entry of the phrase that produced ``matched`` (None only if the phrase syntax is inconsistent)."""
        try:
            return self._resolved[matched]
        except KeyError:
            entry = self._lookup(matched)
        if len(self._resolved) < _RESOLVED_CACHE_SIZE:
            self._resolved[matched] = entry
        return entry

    def _lookup(self, matched: str) -> T | None:
        hashed = matched.startswith("#")
        key = _SEPARATORS.sub("", matched.lstrip("#"))
        if hashed and key in self._hashed:
            return self._hashed[key]
        if key in self._plain:
            return self._plain[key]
        for pattern, entry in self._wildcards:
            if pattern.fullmatch(matched):
                return entry
        return None

    def scan(self, folded: str) -> list[Match[T]]:
        matches = []
        for found in self._pattern.finditer(folded):
            entry = self.resolve(found.group())
            if entry is not None:
                matches.append(Match(found.start(), found.end(), entry))
        return matches
