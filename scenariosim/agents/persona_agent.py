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
import random
from dataclasses import dataclass

from scenariosim.agents.calls import CONTINUE_SYSTEM, AgentModel, CallRecord, draw_candidates
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

SHOTS = 3
# One line of plain text: starts with a letter or a quote, no brackets, markup, hashtags or
# handles, ended by a newline (also the stop string). Length is bounded by max_tokens and the
# critic's two-sentence cut: a bounded repetition ({m,n}) in the grammar made llama.cpp's
# grammar sampler many times slower.
LINE_GRAMMAR = 'root ::= [A-Za-z"\'] [^\\n\\[\\]{}<>#@*_|\\\\]+ "\\n"'
SIGN_GRAMMAR = 'root ::= [A-Z] [A-Z \']+ "\\n"'
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
    "group_20": "more than 20 people",
    "group_100": "more than 100 people",
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


def reply_openers(labels: DraftLabels, protest_underway: bool = True) -> tuple[str, ...]:
    """How a reply's first sentence may open: its relation opener, and for an agreeing or
    disagreeing reply the relation opener followed by words of its stance ("I agree, keep
    going", "No, go home"): blind readers could not tell the stance of 20 of 44 replies that
    said only "I agree," or "I don't think so,"."""
    relation = openers()[labels.relation]
    if labels.relation not in STANCE_RELATIONS or not labels.stance:
        return relation
    said = reply_stance_openers(protest_underway)[labels.stance]
    return tuple(f"{opener} {words}" for opener in relation for words in said)


def comment_grammar(labels: DraftLabels, protest_underway: bool = True) -> str:
    """A reply opens with its relation (an "asks" reply's first sentence ends in "?"), as
    people answer ("I agree, ..."), and its second sentence opens with its emotion. (In either
    order, blind readers found replies that open with the feeling hard to follow: 15 of 47
    accepted replies were good.) An agreeing or disagreeing reply's opener is a clause of its
    own that the model continues: "I agree, go home, ..." (`reply_openers`)."""
    ends = '"?"' if labels.relation == "asks" else "[.!?]"
    return steered_grammar(
        reply_openers(labels, protest_underway),
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
    return Prompt("write_comment", text, comment_grammar(labels, protest_underway))


def attribute_words(attributes: dict[str, bool]) -> str:
    """ "a sign, more than 20 people" for the true attributes; "nothing else" for none."""
    named = [ATTRIBUTE_WORDS[a] for a, on in attributes.items() if on and a in ATTRIBUTE_WORDS]
    return ", ".join(named) or "nothing else"


# How a scene's opening names each attribute the picture has (words `checks.scene_label_problems`
# reads as that attribute and as no other), three ways each: two pictures with the same
# attributes opened alike, and twelve scenes of one run shared "a crowd of dozens of people"
# (six words in a row) when there was one way.
_CROWD = {
    "group_100": ("a huge crowd of hundreds", "hundreds of people", "a crowd of hundreds"),
    "group_20": ("a crowd of dozens of people", "dozens of people", "a crowd of dozens"),
    "few": ("a few people", "a small group of people", "some people"),
}
_CHILDREN = ("with children", "with their children", "with kids")
_DOING = {
    "sign": ("holding signs", "carrying placards", "holding banners"),
    "photo": ("holding up a photo", "holding up a photograph", "raising a portrait"),
    "flag": ("waving a flag", "carrying a flag", "with a flag"),
    "shouting": ("shouting", "chanting", "shouting slogans"),
    "police": ("facing a line of police", "facing riot police", "in front of police officers"),
    "fire": ("beside a burning barricade", "near a burning tyre", "by a fire"),
}
SCENE_WAYS = 3  # phrasings per attribute


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


def scene_opening(attributes: dict[str, bool], way: int = 0) -> tuple[str, str]:
    """Two orderings of a scene's opening in phrasing `way` (0 to `SCENE_WAYS` - 1) that name
    exactly the picture's attributes, e.g. ("A crowd of dozens of people with children holding
    signs at night", "At night, a crowd of dozens of people with children holding signs")."""
    body = "".join(before + ways[way] for before, ways in _scene_slots(attributes))
    first = body[0].upper() + body[1:]
    if attributes.get("night"):
        return first + " at night", "At night, " + body
    return first, "In daylight, " + body


def scene_grammar(attributes: dict[str, bool]) -> str:
    """A scene opens naming its picture's attributes, each in one of `SCENE_WAYS` phrasings
    the model picks (`scene_opening`), at night or in daylight in one of two orders; the model
    writes the rest of its one sentence (where it is, what it looks like), as the example
    scenes do."""
    slots = _scene_slots(attributes)
    rules = [f"s{i} ::= ({' | '.join(map(_literal, ways))})" for i, (_, ways) in enumerate(slots)]
    capitals = " | ".join(_literal(w[0].upper() + w[1:]) for w in slots[0][1])
    rules.append(f"w0 ::= ({capitals})")
    rest = "".join(f" {_literal(before)} s{i}" for i, (before, _) in enumerate(slots) if i)
    when = ('w0{r} " at night" | "At night, " s0{r}' if attributes.get("night")
            else 'w0{r} | "In daylight, " s0{r}').format(r=rest)  # fmt: skip
    return "\n".join(
        [
            f'root ::= " " ({when}) tail "\\n"',
            *rules,
            'tail ::= ([ ,] ([^\\n.!?\\[\\]{}<>#@*_|\\\\] | "." [0-9])*)? "."',
        ]
    )


def scene_prompt(post_text: str, attributes: dict[str, bool], seed: int) -> Prompt:
    rng = random.Random(seed)
    wanted = tuple(ATTRIBUTE_WORDS[a] for a, on in attributes.items() if on)
    shots = pick_examples(scene_examples(), SHOTS, rng, want=wanted)
    head = "Photos people posted with their posts, described so they can be drawn.\n\n"
    task = (
        f"Post: {as_data(' '.join(post_text.split()))}\n"
        f"Photo of: {attribute_words(attributes)}\nScene:"
    )
    text = head + "\n\n".join(e.render() for e in shots) + "\n\n" + task
    return Prompt("write_image_prompt", text, scene_grammar(attributes))


def sign_prompt(about: str, seed: int) -> Prompt:
    rng = random.Random(seed)
    shots = pick_examples(sign_examples(), 4, rng)
    head = "Signs people carried, and what they were about.\n\n"
    text = head + "\n\n".join(e.render() for e in shots) + f"\n\nAbout: {as_data(about)}\nSign:"
    return Prompt("write_sign", text, SIGN_GRAMMAR.replace("root ::= ", 'root ::= " " '))


def draw(
    prompt: Prompt, model: AgentModel, n: int, seed: int, max_tokens: int
) -> tuple[list[str], CallRecord]:
    """`n` candidate texts for `prompt` (see `calls.draw_candidates`)."""
    return draw_candidates(model, prompt.text, n, seed, max_tokens, grammar=prompt.grammar)
