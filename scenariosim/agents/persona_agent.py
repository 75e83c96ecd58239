"""The persona agent: a post, a reply in a thread, an image prompt and its sign.

Every writer is a few-shot completion prompt, not a list of instructions: a 135M model
imitates short examples far better than it follows rules. Code has already decided what
the text is about (one or two fact sentences, `facts.py`) and which labels it carries
(`DraftLabels`, assigned by the planner); the prompt shows three of the project's own
examples (`examples/*.txt`) and ends with the author line the model completes, e.g.

    News: <fact>
    Post by Kanan, 45, farmer, angry, for the protest:

The model writes one line of two sentences under a grammar (`steered_grammar`): one opens
with an opener of the assigned stance and the other with an opener of the assigned emotion
(`examples/openers.txt`), in the order the model likes; it writes the rest. A reply opens with
its relation first, and one that agrees or disagrees with the words of its stance too ("I
agree, go home."; `reply_openers`). Before any protest (`scenario.protest_underway`) a side is
taken on the measure ("It's unfair,"), and an oppose text's anger or pride has the protest as
its target (`examples.emotion_openers`). Figures: BENCHMARKS.md, `bench/bench_candidates.py`.
`draw_candidates` draws several at once from the one evaluated prompt, and the critic keeps
the best that passes its checks. Chat backends get the same prompt without the grammar.
Untrusted text (news, other people's posts) is passed through `as_data` and sits on its own
labelled line.
"""

import hashlib
import itertools
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from scenariosim.agents.calls import CONTINUE_SYSTEM, AgentModel, CallRecord, draw_candidates
from scenariosim.agents.checks import COPY_RUN
from scenariosim.agents.examples import (
    EMOTION_WORD,
    STANCE_WORDS,
    comment_examples,
    emotion_openers,
    openers,
    pick_examples,
    post_examples,
    reply_stance_openers,
    scene_examples,
    sign_examples,
    stance_openers,
)
from scenariosim.agents.prompting import as_data
from scenariosim.agents.schemas import DraftLabels, Fact, PersonaCard
from scenariosim.labels import STANCE_RELATIONS
from scenariosim.text_rules import is_content_word, repeated_phrases, word_runs, words

SHOTS = 3
# One line of plain text: starts with a letter or a quote, no brackets, markup, hashtags or
# handles, ended by a newline (also the stop string). Length is bounded by max_tokens and the
# critic's two-sentence cut: a bounded repetition ({m,n}) in the grammar made llama.cpp's
# grammar sampler many times slower.
LINE_GRAMMAR = 'root ::= [A-Za-z"\'] [^\\n\\[\\]{}<>#@*_|\\\\]+ "\\n"'
# A sign is written in lower case and set in capitals by code (`sign_prompt`): written in
# capitals, SmolLM2-135M's signs were mostly non-words ("FUEL REPLEMBLY", "TUFFY DUFFERS"),
# and half the pictures of a run got none that passed `checks.sign_problems`.
SIGN_GRAMMAR = 'root ::= [a-z] [a-z \']+ "\\n"'
# The rest of a sentence after its opener: nothing, or a space or comma and then no newline,
# brackets, markup, hashtags or handles, no sentence end but a decimal point. (Without the
# space an opener's last word ran on: "holding signs" became "holding signstion".)
_BODY = 'body ::= ([^\\n.!?\\[\\]{}<>#@*_|\\\\] | "." [0-9])*'
_REST = "rest ::= ([ ,] body)?"
ATTRIBUTE_WORDS = {
    "sign": "a sign",
    "photo": "a photo held up",
    "fire": "fire",
    "police": "police",
    "children": "children",
    # Words, not "more than 20 people": the model copied the number into its scene.
    "group_20": "a crowd",
    "group_100": "a huge crowd",
    "flag": "a flag",
    "night": "night",
    "shouting": "shouting",
}


@dataclass(frozen=True)
class Prompt:
    """A rendered completion prompt, its grammar and the hash of everything that shaped it."""

    name: str
    text: str
    grammar: str

    @property
    def hash(self) -> str:
        """sha256 of what the model is sent: the prompt (examples included), the grammar
        and the system line chat backends get, so equal hashes mean equal instructions."""
        digest = hashlib.sha256("\n\0".join([CONTINUE_SYSTEM, self.grammar, self.text]).encode())
        return digest.hexdigest()[:12]


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def steered_grammar(
    first: tuple[str, ...],
    second: tuple[str, ...],
    first_ends: str = "[.!?]",
    either_order: bool = True,
    first_is_clause: bool = False,
) -> str:
    """GBNF for one line of two sentences, in either order (or `first` first): one opens
    with an opener from `first` and ends with `first_ends` (a grammar term, '"?"' for a
    question), the other opens with one from `second`. An empty `first` lets that sentence
    open as it likes. `first_is_clause`: a `first` opener is a whole clause ("I agree, go
    home"), which a comma and a clause of the model's follow (without the comma the model ran
    the words on, "they should stop the cars"; ended there, two replies shared every word the
    grammar chose, relation, stance and emotion openers, six or more in a row)."""
    head = f"({' | '.join(map(_literal, first))})" if first else "[A-Z]"
    after = '", " [A-Za-z"\'] body' if first_is_clause else "rest"
    root = 'root ::= a " " b "\\n"' + (' | b " " a "\\n"' if either_order else "")
    return "\n".join(
        [
            root,
            f"a ::= {head} {after} {first_ends}",
            f"b ::= ({' | '.join(map(_literal, second))}) rest [.!?]",
            _REST,
            _BODY,
        ]
    )


def post_grammar(labels: DraftLabels, protest_underway: bool = True) -> str:
    """A post opens one sentence with its stance and the other with its emotion (before any
    protest, a stance opener takes a side on the measure: `stance_openers`)."""
    assert labels.stance and labels.emotion
    return steered_grammar(
        stance_openers(labels.stance, protest_underway),
        emotion_openers(labels.emotion, labels.stance, protest_underway),
    )


def reply_openers(
    labels: DraftLabels, protest_underway: bool = True, adds_word: str | None = None
) -> tuple[str, ...]:
    """How a reply's first sentence may open: its relation opener, and for an agreeing or
    disagreeing reply the relation opener followed by words of its stance ("I agree, keep
    going", "No, go home"): blind readers could not tell the stance of 20 of 44 replies that
    said only "I agree," or "I don't think so,". A reply that adds a fact names `adds_word`,
    a word of its news the post lacks (`adds_word_of`), after its opener: "In fact, the
    rebate"."""
    relation = openers()[labels.relation]
    if labels.relation == "adds" and adds_word:
        return tuple(f"{opener} the {adds_word}" for opener in relation)
    if labels.relation not in STANCE_RELATIONS or not labels.stance:
        return relation
    said = reply_stance_openers(protest_underway)[labels.stance]
    return tuple(f"{opener} {words}" for opener in relation for words in said)


def adds_word_of(facts: list[str], post_text: str) -> str | None:
    """The word a reply that adds a fact opens on: in its news, the first content word
    (`text_rules.is_content_word`) right after "the" that the post does not say, as the news
    writes it when it is a name, else in lower case; None when there is none (the reply then
    opens with its relation alone). Left to open as it liked, SmolLM2-135M's "adds" replies
    named nothing of the news: on 23 such tasks (8 candidates each), 2 had a candidate that
    passed the checks; opening on this word, 14 had (BENCHMARKS.md, "Yield")."""
    text = " ".join(facts)
    tokens = re.findall(r"[^\W\d_][^\W\d_'’-]*", text)
    said = set(words(post_text))
    for before, token in itertools.pairwise(tokens):
        word = token.lower()
        if before.lower() == "the" and is_content_word(word) and word not in said:
            named = token[0].isupper() and re.search(rf"[\w,;]\s+{re.escape(token)}\b", text)
            return token if named else word
    return None


def comment_grammar(
    labels: DraftLabels, protest_underway: bool = True, adds_word: str | None = None
) -> str:
    """A reply opens with its relation (an "asks" reply's first sentence ends in "?"), as
    people answer ("I agree, ..."), and its second sentence opens with its emotion. (In either
    order, blind readers found replies that open with the feeling hard to follow: 15 of 47
    accepted replies were good.) An agreeing or disagreeing reply's opener is a clause of its
    own that the model continues: "I agree, go home, ..."; one that adds a fact opens on a
    word of its news, `adds_word` (`reply_openers`)."""
    ends = '"?"' if labels.relation == "asks" else "[.!?]"
    return steered_grammar(
        reply_openers(labels, protest_underway, adds_word),
        emotion_openers(labels.emotion, labels.stance, protest_underway),
        ends,
        either_order=False,
        first_is_clause=labels.relation in STANCE_RELATIONS and bool(labels.stance),
    )


def short_job(occupation: str) -> str:
    """ "farmer or fisher" -> "farmer"; the author line keeps to one or two words."""
    return occupation.split(" or ")[0].strip() or "resident"


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def author_line(persona: PersonaCard, *labels: str) -> str:
    return ", ".join(
        [first_name(persona.name), str(persona.age), short_job(persona.occupation), *labels]
    )


def _facts_line(facts: list[Fact]) -> str:
    return " ".join(as_data(" ".join(f.text.split())) for f in facts)


def post_prompt(
    persona: PersonaCard,
    facts: list[Fact],
    labels: DraftLabels,
    seed: int,
    protest_underway: bool = True,
) -> Prompt:
    assert labels.stance and labels.emotion
    rng = random.Random(seed)
    shots = pick_examples(post_examples(), SHOTS, rng, want=(labels.emotion, labels.stance))
    head = "Posts people wrote about the news, each in their own words.\n\n"
    task = (
        f"News: {_facts_line(facts)}\n"
        f"Post by {author_line(persona, EMOTION_WORD[labels.emotion], STANCE_WORDS[labels.stance])}:\n"
    )
    text = head + "\n\n".join(e.render() for e in shots) + "\n\n" + task
    return Prompt("write_post", text, post_grammar(labels, protest_underway))


def comment_prompt(
    persona: PersonaCard,
    facts: list[Fact],
    post_author: str,
    post_text: str,
    labels: DraftLabels,
    seed: int,
    protest_underway: bool = True,
) -> Prompt:
    assert labels.relation and labels.emotion
    rng = random.Random(seed)
    shots = pick_examples(comment_examples(), SHOTS, rng, want=(labels.relation,))
    head = "Replies people wrote under posts about the news.\n\n"
    said = [STANCE_WORDS[labels.stance]] if labels.stance else []
    post = as_data(" ".join(post_text.split()))
    task = (
        f"News: {_facts_line(facts)}\n"
        f"Post by {as_data(first_name(post_author))}: {post}\n"
        f"Reply by {author_line(persona, *said, labels.relation, EMOTION_WORD[labels.emotion])}:\n"
    )
    text = head + "\n\n".join(e.render() for e in shots) + "\n\n" + task
    adds_word = (
        adds_word_of([f.text for f in facts], post_text) if labels.relation == "adds" else None
    )
    return Prompt("write_comment", text, comment_grammar(labels, protest_underway, adds_word))


def attribute_words(attributes: dict[str, bool]) -> str:
    """ "a sign, a crowd" for the true attributes; "nothing else" for none."""
    named = [ATTRIBUTE_WORDS[a] for a, on in attributes.items() if on and a in ATTRIBUTE_WORDS]
    return ", ".join(named) or "nothing else"


# How a scene's opening names each attribute the picture has (words `checks.scene_label_problems`
# reads as that attribute and as no other), `SCENE_WAYS` ways each. With one way, twelve scenes
# of one run shared "a crowd of dozens of people"; with three ways the model picked from, 14
# pairs of them still shared six words in a row, so the planner now picks the phrasing
# (`pick_scene_opening`).
_CROWD = {
    "group_100": (
        "hundreds of people",
        "a huge crowd",
        "a crowd of hundreds",
        "hundreds of protesters",
    ),
    "group_20": ("dozens of people", "a crowd", "a crowd of dozens", "dozens of protesters"),
    "few": ("a few people", "a small group", "some people", "a handful of people"),
}
_CHILDREN = ("with children", "with their children", "with kids", "with young children")
_DOING = {
    "sign": ("holding signs", "carrying placards", "holding banners", "with handmade signs"),
    "photo": (
        "holding up a photo",
        "holding up a photograph",
        "raising a portrait",
        "carrying a portrait",
    ),
    "flag": ("waving a flag", "carrying a flag", "with a flag", "waving flags"),
    "shouting": ("shouting", "chanting", "shouting slogans", "chanting slogans"),
    "police": (
        "facing a police line",
        "facing riot police",
        "in front of police",
        "watched by police",
    ),
    "fire": ("beside a burning barricade", "near a burning tyre", "by a fire", "near a fire"),
}
SCENE_WAYS = 4  # phrasings per attribute
OPENING_CHOICES = 256  # openings `pick_scene_opening` considers, at most


def _scene_slots(attributes: dict[str, bool]) -> list[tuple[str, tuple[str, ...]]]:
    """The opening's parts in order, each (the separator before it, its interchangeable
    phrasings): who, with children, then what they do ("holding signs, shouting and facing
    riot police")."""
    on = {a for a, wanted in attributes.items() if wanted}
    group = next((g for g in ("group_100", "group_20") if g in on), "few")
    slots: list[tuple[str, tuple[str, ...]]] = [("", _CROWD[group])]
    if "children" in on:
        slots.append((" ", _CHILDREN))
    doing = [_DOING[a] for a in _DOING if a in on]
    for i, ways in enumerate(doing):
        before = " " if i == 0 else (" and " if i == len(doing) - 1 else ", ")
        slots.append((before, ways))
    return slots


def scene_opening(
    attributes: dict[str, bool], ways: Sequence[int] | int = 0, when_first: bool = False
) -> str:
    """A scene's opening that names exactly the picture's attributes, each part in its phrasing
    (`ways`: one index per part, 0 to `SCENE_WAYS` - 1, or one index for every part), with the
    time of day last or first: "A crowd of dozens with children holding signs at night",
    "At night, dozens of people with kids carrying placards", "In daylight, a few people"."""
    slots = _scene_slots(attributes)
    picked = [ways] * len(slots) if isinstance(ways, int) else list(ways)
    body = "".join(
        before + phrasings[w] for (before, phrasings), w in zip(slots, picked, strict=True)
    )
    if when_first:
        return ("At night, " if attributes.get("night") else "In daylight, ") + body
    first = body[0].upper() + body[1:]
    return first + " at night" if attributes.get("night") else first


def scene_openings(attributes: dict[str, bool], rng: random.Random) -> list[str]:
    """The openings `pick_scene_opening` considers: every one of the picture (`scene_opening`:
    each part in each of its phrasings, the time of day last or first) in an order `rng`
    shuffles, or `OPENING_CHOICES` drawn with `rng` when there are more (a picture with six
    things going on has 131,072)."""
    parts = [len(phrasings) for _, phrasings in _scene_slots(attributes)]
    if 2 * math.prod(parts) > OPENING_CHOICES:
        return [
            scene_opening(attributes, [rng.randrange(n) for n in parts], rng.random() < 0.5)
            for _ in range(OPENING_CHOICES)
        ]
    every = [
        scene_opening(attributes, ways, when_first)
        for when_first in (False, True)
        for ways in itertools.product(*map(range, parts))
    ]
    return rng.sample(every, len(every))


def pick_scene_opening(
    attributes: dict[str, bool], must_not_copy: list[str], avoid: list[str], rng: random.Random
) -> str:
    """The opening the planner gives a scene's writer, from `scene_openings` (deterministic
    for a seeded `rng`):

    - never one the critic would refuse whatever the model wrote after it: six words
      (`COPY_RUN`) shared with a text of `must_not_copy` (the critic's copy sources: the
      post, the examples, earlier phases' scenes), or a word said again (`repeated_phrases`:
      "carrying placards and carrying a flag");
    - the first that shares no five words with any text of `must_not_copy` or `avoid` (this
      phase's openings already planned), so the model's first word cannot complete a copy;
    - else the one that shares five words with the fewest of them.

    Only when every opening would be refused (no picture does that with the shipped phrasings
    and examples: tested) is one returned anyway; the critic then refuses the scene, and the
    run's rejected.jsonl says why."""
    openings = scene_openings(attributes, rng)
    copy_runs = set().union(*(word_runs(t, COPY_RUN) for t in must_not_copy))
    near = [word_runs(t, COPY_RUN - 1) for t in [*must_not_copy, *avoid]]

    def cost(opening: str) -> tuple[bool, int]:
        refused = bool(repeated_phrases(opening)) or bool(word_runs(opening, COPY_RUN) & copy_runs)
        own = word_runs(opening, COPY_RUN - 1)
        return refused, sum(bool(own & t) for t in near)

    return min(openings, key=cost)


def scene_grammar(opening: str) -> str:
    """A scene starts with the opening the planner picked (`pick_scene_opening`); the model
    writes the rest of its one sentence (where it is, what it looks like), as the example
    scenes do."""
    return "\n".join(
        [
            f'root ::= " " {_literal(opening)} tail "\\n"',
            'tail ::= ([ ,] ([^\\n.!?\\[\\]{}<>#@*_|\\\\] | "." [0-9])*)? "."',
        ]
    )


def scene_prompt(post_text: str, attributes: dict[str, bool], opening: str, seed: int) -> Prompt:
    """The completion prompt for a scene that starts with `opening` (the grammar holds it;
    a chat backend is told the picture's attributes in words)."""
    rng = random.Random(seed)
    wanted = tuple(ATTRIBUTE_WORDS[a] for a, on in attributes.items() if on)
    shots = pick_examples(scene_examples(), SHOTS, rng, want=wanted)
    head = "Photos people posted with their posts, described so they can be drawn.\n\n"
    task = (
        f"Post: {as_data(' '.join(post_text.split()))}\n"
        f"Photo of: {attribute_words(attributes)}\nScene:"
    )
    text = head + "\n\n".join(e.render() for e in shots) + "\n\n" + task
    return Prompt("write_image_prompt", text, scene_grammar(opening))


def sign_prompt(about: str, seed: int) -> Prompt:
    """Four example signs and the event; the model writes the sign in lower case (the
    examples are shown so) and the critic sets it in capitals (`critic.choose_sign`)."""
    rng = random.Random(seed)
    shots = pick_examples(sign_examples(), 4, rng)
    head = "Signs people carried, and what they were about.\n\n"
    blocks = [f"{e.lines[0]}\nSign: {e.text.lower()}" for e in shots]
    text = head + "\n\n".join(blocks) + f"\n\nAbout: {as_data(about)}\nSign:"
    return Prompt("write_sign", text, SIGN_GRAMMAR.replace("root ::= ", 'root ::= " " '))


def draw(
    prompt: Prompt, model: AgentModel, n: int, seed: int, max_tokens: int
) -> tuple[list[str], CallRecord]:
    """`n` candidate texts for `prompt` (see `calls.draw_candidates`)."""
    return draw_candidates(model, prompt.text, n, seed, max_tokens, grammar=prompt.grammar)
