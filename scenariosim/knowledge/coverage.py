"""Does the gazetteer cover every proper noun a corpus names?

The check finds name candidates (runs of capitalised words, joined by "of", "and", "for",
"the" when a capitalised word follows; never across punctuation or a blank line),
then covers each run with what the gazetteer knows:

- full names and aliases, and the capitalised part of a name ("Trans-Caucasus" in
  "Trans-Caucasus petroleum pipeline");
- a multi-word name without its head noun ("Kurovan Valley" for Kurovan Valley Province,
  "Ipek" for Ipek Hostel) and the head noun alone ("the Council", "the Herald");
- people's surnames and given names ("Aslanov", "Leyla"), and plurals ("the Ismailovs");
- hyphenated words whose capitalised parts are covered ("Baku-based");
- `ORDINARY_CAPITALISED`: titles, calendar words, generic institutions and the like.

A capitalised word that opens a sentence, a quotation, a title or a wire-story dateline
("BAKU, Aug 12 (CWS) - Revenue ...") is ambiguous. It is treated as a name only if the
corpus never writes it in lower case and either capitalises it mid-sentence somewhere or
it starts a run of several capitalised words. So a name that only ever opens sentences
is not checked; every other leftover is reported with the documents that use it.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from scenariosim.knowledge.documents import Document
from scenariosim.knowledge.gazetteer import Gazetteer
from scenariosim.text_rules import (
    CONNECTORS,
    ORDINARY_CAPITALISED,
    NameRun,
    Token,
    name_key,
    name_runs,
    tokens,
)

_HEADED_KINDS = ("organisation", "province", "place", "outlet")


class _KnownNames:
    """Token sequences the gazetteer names, and the single words it allows on their own."""

    def __init__(self, gazetteer: Gazetteer, ordinary: frozenset[str]) -> None:
        self.sequences: set[tuple[str, ...]] = set()
        self.heads: set[str] = set()
        for entity in gazetteer:
            given = [n.split()[0] for n in entity.all_names if entity.kind == "person" and " " in n]
            for name in (*entity.all_names, *entity.short_names, *given):
                words = tuple(t.key for t in tokens(name))
                if not words:
                    continue
                self.sequences.add(words)
                for run in name_runs(name):
                    self.sequences.add(tuple(t.key for t in run.tokens))
                if len(words) > 1 and entity.kind in _HEADED_KINDS:
                    self.heads.add(words[-1])
                    self.sequences.add(words[:-1])
        self.longest = max((len(s) for s in self.sequences), default=1)
        self.ordinary = ordinary

    def match(self, tokens: Sequence[Token], i: int) -> int:
        """How many words from tokens[i] one gazetteer name covers; 0 if none."""
        keys = [t.key for t in tokens]
        for n in range(min(self.longest, len(keys) - i), 0, -1):
            if tuple(keys[i : i + n]) in self.sequences:
                return n
        return 1 if self.covers_word(tokens[i]) else 0

    def covers_word(self, token: Token) -> bool:
        """A plural of a name ("Ismailovs"), or a compound of names ("Baku-based")."""
        if token.key.endswith("s") and (token.key[:-1],) in self.sequences:
            return True
        parts = [p for p in token.text.split("-") if p]
        capitalised = [name_key(p) for p in parts if p[0].isupper()]
        return len(parts) > 1 and all(
            (k,) in self.sequences or k in self.ordinary for k in capitalised
        )

    def generic(self, key: str) -> bool:
        return key in self.ordinary or key in self.heads or key in CONNECTORS


@dataclass(frozen=True)
class _Usage:
    """How the corpus writes each word: in lower case somewhere, capitalised mid-sentence."""

    lowercase: frozenset[str]
    capitalised_inside: frozenset[str]

    @classmethod
    def of(cls, texts: Iterable[str]) -> "_Usage":
        lowercase: set[str] = set()
        inside: set[str] = set()
        for text in texts:
            lowercase.update(t.key for t in tokens(text) if t.text[0].islower())
            for run in name_runs(text):
                first = 1 if run.sentence_initial else 0
                inside.update(t.key for t in run.tokens[first:])
        return cls(frozenset(lowercase), frozenset(inside))

    def ordinary_opener(self, run: NameRun) -> bool:
        """The run's first word opens a sentence and is likely an ordinary word."""
        if not run.sentence_initial:
            return False
        key = run.tokens[0].key
        return key in self.lowercase or (
            len(run.tokens) == 1 and key not in self.capitalised_inside
        )


def uncovered(run: NameRun, known: _KnownNames, usage: _Usage) -> list[str]:
    """The parts of a run no gazetteer name covers, as they are written."""
    found: list[str] = []
    group: list[Token] = []
    has_unknown = False

    def close() -> None:
        nonlocal group, has_unknown
        while group and group[0].key in CONNECTORS | known.ordinary:
            group = group[1:]
        while group and group[-1].key in CONNECTORS:
            group = group[:-1]
        if has_unknown and group:
            found.append(" ".join(t.text for t in group))
        group, has_unknown = [], False

    i = 1 if usage.ordinary_opener(run) else 0
    while i < len(run.tokens):
        matched = known.match(run.tokens, i)
        if matched:
            close()
            i += matched
            continue
        token = run.tokens[i]
        if not known.generic(token.key):
            has_unknown = True
        group.append(token)
        i += 1
    close()
    return found


class MissingName(BaseModel):
    """A name the gazetteer lacks, where it occurs, and one line of context."""

    name: str
    documents: list[str]
    example: str


class CoverageReport(BaseModel):
    """Names the corpus uses that the gazetteer does not know."""

    documents: int
    names_checked: int
    missing: list[MissingName] = Field(default_factory=list)
    metadata_missing: list[MissingName] = Field(
        default_factory=list, description="Outlets and regions in front matter not in it."
    )

    @property
    def ok(self) -> bool:
        return not self.missing and not self.metadata_missing


def check_coverage(
    documents: Sequence[Document],
    gazetteer: Gazetteer,
    ordinary: frozenset[str] = ORDINARY_CAPITALISED,
) -> CoverageReport:
    """Every proper noun in the documents' titles and text, checked against the gazetteer."""
    known = _KnownNames(gazetteer, ordinary)
    texts = [f"{d.title}\n\n{d.text}" for d in documents]
    usage = _Usage.of(texts)
    where: dict[str, list[str]] = defaultdict(list)
    examples: dict[str, str] = {}
    checked: set[str] = set()
    for doc, text in zip(documents, texts, strict=True):
        for run in name_runs(text):
            checked.add(run.text)
            for name in uncovered(run, known, usage):
                if doc.id not in where[name]:
                    where[name].append(doc.id)
                if name not in examples:
                    start = max(0, run.tokens[0].start - 60)
                    examples[name] = " ".join(text[start : run.tokens[-1].end + 60].split())
    metadata: dict[str, list[str]] = defaultdict(list)
    for doc in documents:
        for value in (doc.outlet, doc.region):
            if value and value != "national" and gazetteer.lookup(value) is None:
                metadata[value].append(doc.id)
    return CoverageReport(
        documents=len(documents),
        names_checked=len(checked),
        missing=[
            MissingName(name=n, documents=ids, example=examples[n])
            for n, ids in sorted(where.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        metadata_missing=[
            MissingName(name=n, documents=ids, example="front matter")
            for n, ids in sorted(metadata.items())
        ],
    )
