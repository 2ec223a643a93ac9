"""Forgiving matching, the same for every backend: what a query's words may mean, checked against the
index's own vocabulary (each backend supplies a `known(words) -> set` lookup).

- an adjacent transposition is one edit ("berakh" -> "berkah");
- words run together are split ("tahuberkah" -> "tahu" + "berkah") and words split apart are joined
  ("ber kah" -> "berkah"), but only into words the index holds;
- kecamatan and kelurahan names are matched exactly (never fuzzed into another place), so a place
  in a query selects that place;
- a word matched exactly (or as the prefix being typed) ranks above one matched with a typo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice, product

from services.search.analysis import max_typos

MIN_PART = 3  # the shortest piece a run-together word is split into
MAX_SPLITS = 3  # split alternatives kept per word (the most balanced first)
SUGGESTIONS = 3  # corrections tried per unknown word
MAX_COMBINATIONS = 9  # corrected queries checked for co-occurrence
EXACT_BONUS = 1000.0  # per query word matched exactly: more than any sum of BM25 scores

Known = Callable[[set[str]], set[str]]
# A query as units: each unit is one or more alternatives, each alternative a tuple of words that
# must all match. ("tahuberkah",) | ("tahu", "berkah") is one unit.
Unit = list[tuple[str, ...]]


def transpositions(word: str) -> list[str]:
    """The word with two adjacent letters swapped, each way it can be (no digits: numbers are exact)."""
    if word.isdigit():
        return []
    return list(
        dict.fromkeys(
            word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1) if word[i] != word[i + 1]
        )
    )


def fuzzy_allowed(word: str, places: frozenset[str]) -> bool:
    """Typos and swaps are tolerated in a word unless it is short, a number or a place name."""
    return bool(max_typos(word)) and word not in places


def _splits(word: str) -> list[tuple[str, str]]:
    pieces = [(word[:i], word[i:]) for i in range(MIN_PART, len(word) - MIN_PART + 1)]
    return sorted(pieces, key=lambda pair: -min(len(pair[0]), len(pair[1])))


def plan(words: list[str], known: Known) -> list[Unit]:
    """The units of a query: each word alone, or joined with the next, or split in two.

    Joining and splitting only produce words `known` confirms, so they never invent a match."""
    candidates: set[str] = set(words)
    for first, second in zip(words, words[1:], strict=False):
        candidates.add(first + second)
    for word in words:
        for left, right in _splits(word):
            candidates.update((left, right))
    vocabulary = known(candidates)
    units: list[Unit] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else None
        if following is not None and word + following in vocabulary and not word.isdigit():
            units.append([(word, following), (word + following,)])
            index += 2
            continue
        unit: Unit = [(word,)]
        if word not in vocabulary and not word.isdigit():
            splits = [(left, right) for left, right in _splits(word) if left in vocabulary and right in vocabulary]
            unit.extend(splits[:MAX_SPLITS])
        units.append(unit)
        index += 1
    return units


def unit_words(units: Iterable[Unit]) -> list[str]:
    """Every distinct word any alternative of any unit uses."""
    return list(dict.fromkeys(word for unit in units for alternative in unit for word in alternative))


def is_last(units: list[Unit], unit_index: int, alternative: tuple[str, ...], position: int) -> bool:
    """Whether a word is the query's last (the one still being typed: it may match as a prefix)."""
    return unit_index == len(units) - 1 and position == len(alternative) - 1


def suggest(
    words: list[str],
    known: Callable[[str, bool], bool],
    candidates: Callable[[str], list[str]],
    together: Callable[[tuple[str, ...]], bool],
) -> str | None:
    """The "maksud Anda" text: unknown words replaced by candidates, only in a combination whose words
    occur together in some document (never a correction that would find nothing)."""
    options: list[list[str]] = []
    changed = False
    for index, word in enumerate(words):
        if word.isdigit() or known(word, index == len(words) - 1):
            options.append([word])
            continue
        found = [c for c in dict.fromkeys(candidates(word)) if c != word][:SUGGESTIONS]
        if not found:
            return None
        options.append(found)
        changed = True
    if not changed:
        return None
    for combination in islice(product(*options), MAX_COMBINATIONS):
        if together(combination):
            return " ".join(combination)
    return None
