"""The few-shot examples the writers imitate: the project's own writing, kept as text files.

A 135M model imitates short examples far better than it follows instructions, so every
prompt shows a few examples drawn from `examples/*.txt`. They are about invented events that
are not in the shipped corpus, varied in voice and labels, and the critic refuses a draft
that shares a run of six words with any of them, so the dataset cannot echo them.

File format (one example per block, blocks separated by a blank line, `#` lines are
comments): posts.txt blocks are `News:` / `Post by <author>, <age>, <job>, <emotion word>,
<stance words>:` / text; comments.txt blocks add a `Post by <name>: <text>` line and the
author line ends `<relation>, <emotion word>`; scenes.txt blocks are `Photo of:` /
`Scene:`, preceded by the `Post:` the photo goes with; signs.txt blocks are `About:` / `Sign:`;
openers.txt blocks are a `<label kind>: <value>` line and one opener per line.
"""

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

EXAMPLES_DIR = Path(__file__).parent / "examples"

# How the prompts say a label in words, and back.
EMOTION_WORD = {
    "anger": "angry",
    "fear": "afraid",
    "hope": "hopeful",
    "sadness": "sad",
    "pride": "proud",
    "calm": "calm",
}
STANCE_WORDS = {
    "support_protest": "with the protesters",
    "oppose_protest": "against the protesters",
    "neutral": "undecided",
}
_EMOTION_OF = {v: k for k, v in EMOTION_WORD.items()}
_STANCE_OF = {v: k for k, v in STANCE_WORDS.items()}


@dataclass(frozen=True)
class Example:
    """One example block: its lines as shown, its text and the labels its author line names."""

    lines: tuple[str, ...]
    text: str
    labels: tuple[str, ...]

    def render(self) -> str:
        return "\n".join(self.lines)


def _blocks(name: str) -> list[list[str]]:
    raw = (EXAMPLES_DIR / name).read_text(encoding="utf-8")
    lines = [line for line in raw.splitlines() if not line.startswith("#")]
    blocks, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    return blocks


def _author_labels(line: str) -> tuple[str, ...]:
    """The labels at the end of an author line: "..., sad, for the protest:" -> (sadness, support)."""
    parts = [p.strip() for p in line.rstrip(":").split(",")]
    found = []
    for part in parts[-2:]:
        found.append(_EMOTION_OF.get(part) or _STANCE_OF.get(part) or part)
    return tuple(found)


@cache
def post_examples() -> tuple[Example, ...]:
    """Blocks of posts.txt; labels are (emotion, stance)."""
    return tuple(Example(tuple(b), b[2], _author_labels(b[1])) for b in _blocks("posts.txt"))


@cache
def comment_examples() -> tuple[Example, ...]:
    """Blocks of comments.txt; labels are (relation, emotion)."""
    return tuple(Example(tuple(b), b[3], _author_labels(b[2])) for b in _blocks("comments.txt"))


@cache
def scene_examples() -> tuple[Example, ...]:
    """Blocks of scenes.txt; labels are the attribute phrases of the `Photo of:` line."""
    out = []
    for b in _blocks("scenes.txt"):
        attrs = tuple(a.strip() for a in b[1].removeprefix("Photo of:").split(","))
        out.append(Example(tuple(b), b[2].removeprefix("Scene:").strip(), attrs))
    return tuple(out)


@cache
def sign_examples() -> tuple[Example, ...]:
    """Blocks of signs.txt: `About:` and `Sign:`."""
    return tuple(
        Example(tuple(b), b[1].removeprefix("Sign:").strip(), ()) for b in _blocks("signs.txt")
    )


def all_example_text() -> str:
    """Every example's text, for the check that a draft did not copy one."""
    pools = (*post_examples(), *comment_examples(), *scene_examples(), *sign_examples())
    return "\n".join(e.text for e in pools)


def pick_examples(
    pool: tuple[Example, ...], k: int, rng: random.Random, want: tuple[str, ...] = ()
) -> list[Example]:
    """`k` examples in a seeded order. The last one, nearest the task where a small model
    imitates most, shares as many of the wanted labels as any example does (ties drawn at
    random); the others are drawn from the rest, so labels and voices vary."""
    if not want:
        return rng.sample(list(pool), k=min(k, len(pool)))
    overlap = [sum(label in e.labels for label in want) for e in pool]
    best = max(overlap)
    last = rng.choice([e for e, o in zip(pool, overlap, strict=True) if o == best])
    rest = [e for e in pool if e is not last]
    return [*rng.sample(rest, k=min(k - 1, len(rest))), last]


@cache
def _opener_blocks() -> dict[tuple[str, str], tuple[str, ...]]:
    found = {}
    for block in _blocks("openers.txt"):
        kind, value = (part.strip() for part in block[0].split(":", 1))
        found[kind, value] = tuple(line.strip() for line in block[1:])
    return found


def openers() -> dict[str, tuple[str, ...]]:
    """Label value -> the openers a sentence carrying it may start with (`openers.txt`):
    stance values (once a protest is under way), emotion values and reply relations, e.g.
    "anger" -> ("I'm angry", ...)."""
    kinds = ("stance", "emotion", "relation")
    return {v: lines for (kind, v), lines in _opener_blocks().items() if kind in kinds}


def stance_openers(stance: str, protest_underway: bool = True) -> tuple[str, ...]:
    """The openers of a post's stance: before any protest, those that take a side on the
    measure ("It's unfair,"; block "stance before a protest"), else `openers()[stance]`."""
    before = _opener_blocks().get(("stance before a protest", stance))
    return openers()[stance] if protest_underway or before is None else before


def emotion_openers(
    emotion: str, stance: str | None = None, protest_underway: bool = True
) -> tuple[str, ...]:
    """The openers of an emotion in a text of `stance`: an "emotion when <stance>" block
    (before any protest, "... before a protest" first) where the emotion's target depends
    on the side (anger at protesters, pride in the police), else `openers()[emotion]`."""
    blocks = _opener_blocks()
    kinds = [f"emotion when {stance}"]
    if not protest_underway:
        kinds.insert(0, f"emotion when {stance} before a protest")
    for kind in kinds:
        if (kind, emotion) in blocks:
            return blocks[kind, emotion]
    return openers()[emotion]


def reply_stance_openers(protest_underway: bool = True) -> dict[str, tuple[str, ...]]:
    """Stance value -> what an agreeing or disagreeing reply says right after its relation
    opener, lower case ("support_protest" -> ("keep going", ...)); before any protest, the
    "reply stance before a protest" blocks replace those of the same stance."""
    blocks = _opener_blocks()
    said = {v: lines for (kind, v), lines in blocks.items() if kind == "reply stance"}
    if not protest_underway:
        for (kind, v), lines in blocks.items():
            if kind == "reply stance before a protest":
                said[v] = lines
    return said


@cache
def prototypes(label: str) -> dict[str, tuple[str, ...]]:
    """`label` ("stance" or "emotion") -> {value: sentences that show it}, from
    `<label>_prototypes.txt`."""
    found = {}
    for block in _blocks(f"{label}_prototypes.txt"):
        found[block[0].removeprefix(f"{label}:").strip()] = tuple(block[1:])
    return found
