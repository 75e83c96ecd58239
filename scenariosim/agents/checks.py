"""The critic's deterministic checks: what a draft gets wrong that code can see.

Two families, one result (`CheckResults`):

- honesty: names and numbers that nothing the writer was given supports, real-world names,
  contradictions of the persona's own facts, image labels that disagree with the scene;
- craft, the failures a 135M model makes (issue #15's blind reading): meta-text about
  writing or answering, placeholders, the persona card read back, a news sentence or an
  example copied (a shared run of six words), text cut off mid-sentence, a phrase repeated,
  text about nothing it was given (off-topic; naming the protest or the government counts
  as on topic, `AUTHORITY_WORDS`), and labels the text does not carry.

Every rule about text lives in `scenariosim.text_rules`; this module applies them to a draft
and its context. All checks are pure functions except the grounding figure, which embeds.
"""

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from scenariosim.agents.schemas import CheckResults, DraftLabels, PersonaCard
from scenariosim.labels import STANCE_RELATIONS
from scenariosim.text_rules import (
    ORDINARY_CAPITALISED,
    cut_off,
    emotion_cues,
    mentions,
    meta_text,
    name_runs,
    names_protest_action,
    numbers,
    placeholders,
    relation_carried,
    repeated_phrases,
    says_any,
    shared_run,
    split_sentences,
    stance_cues,
    unreported_violence,
    words,
)

REAL_WORLD_NAMES_FILE = Path(__file__).parents[1] / "data" / "world" / "real_world_names.txt"
COPY_RUN = 6  # words in a row shared with a source that make a draft a copy
READBACK_RUN = 5  # words in a row shared with the persona card that make it a read-back
MIN_WORDS = 6
# A post or reply longer than this is refused: on calibration set v2's tune split, texts that
# passed every other check were good 5 times in 28 above 24 words and 60 in 93 at or below
# (precision of the checks 0.54 -> 0.63; 3 of the 65 good passing texts lost). A 135M model
# garbles as it goes on. Photo descriptions are not capped (19 of their 22 were good).
TEXT_MAX_WORDS = 24
# Words too common to show that a draft is about its news.
_STOP = frozenset(
    """about after again also because been before being could does doing down from have
    having here into just like more most much must need only other over same should some
    such than that their them then there these they this those through today under very
    want were what when where which while will with would your yours ours people""".split()
)
_AGE_CLAIM = r"\b(?:I am|I'm|I was)\s+(\d{1,3})\b|\b(\d{1,3})[- ]year[- ]old\b"
_FEMALE = ("as a mother", "as a woman", "as a wife", "i am a mother", "i'm a mother",
           "i am a woman", "i'm a woman", "as a grandmother")  # fmt: skip
_MALE = ("as a father", "as a man", "as a husband", "i am a father", "i'm a father",
         "i am a man", "i'm a man", "as a grandfather")  # fmt: skip
# Who says "my husband" speaks as a woman, "my wife" as a man (set-v4 tune: "I'm with my
# husband" from a 21-year-old man).
_SPOUSE = {"female": "my wife", "male": "my husband"}
_NOUN = {"female": "woman", "male": "man"}
# Occupations (`PersonaCard.occupation`) of people not in paid work, who have no job to lose:
# set-v4 tune, three texts of theirs spoke of "my job", all labelled bad.
SCENE_MAY_SHOW = ("weapon",)  # violence families a scene names without a report (`run_checks`)
NOT_IN_PAID_WORK = ("homemaker", "not in paid work", "retired", "looking for work")
_JOB = ("my job", "my boss", "my salary", "my wages", "my employer", "my shift")


@cache
def real_world_names(path: Path = REAL_WORLD_NAMES_FILE) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def unsupported_entities(text: str, support: str, known_names: Iterable[str]) -> list[str]:
    """Capitalised word runs whose words appear neither in `support` nor the gazetteer.

    A single capitalised word that opens a sentence is not checked (it may be any word);
    the stop list is `text_rules.ORDINARY_CAPITALISED`, shared with the corpus coverage check.
    """
    allowed = set(words(support))
    for name in known_names:
        allowed.update(words(name))
    missing = []
    for run in name_runs(text):
        keys = [t.key for t in run.tokens if t.key not in ORDINARY_CAPITALISED]
        keys = [k for k in keys if k not in ("of", "and", "for", "the")]
        if not keys or (run.sentence_initial and len(run.tokens) == 1):
            continue
        if any(k.replace("’", "'") not in allowed for k in keys):
            missing.append(run.text)
    return sorted(set(missing))


def unsupported_numbers(text: str, support: str) -> list[str]:
    """Numbers absent from the support text; source citations like [1] do not count."""
    available = set(numbers(support))
    return sorted({n for n in numbers(text) if n not in available})


def leaked_real_names(text: str, names: Iterable[str] | None = None) -> list[str]:
    found = []
    for name in names if names is not None else real_world_names():
        if re.search(rf"(?<![\w#]){re.escape(name)}(?!\w)", text):
            found.append(name)
    return sorted(found)


def persona_contradictions(text: str, persona: PersonaCard) -> list[str]:
    """What the text says of its author that the persona card rules out: an age more than two
    years off, speaking as the other sex ("as a mother", "my husband" from a man), a job
    lost or kept by someone not in paid work (`NOT_IN_PAID_WORK`)."""
    problems = []
    for match in re.finditer(_AGE_CLAIM, text, re.I):
        claimed = int(match.group(1) or match.group(2))
        if abs(claimed - persona.age) > 2 and 10 <= claimed <= 100:
            problems.append(f"says age {claimed} but the persona is {persona.age}")
    if persona.sex == "male" and says_any(text, _FEMALE):
        problems.append("speaks as a woman but the persona is a man")
    if persona.sex == "female" and says_any(text, _MALE):
        problems.append("speaks as a man but the persona is a woman")
    if says_any(text, [_SPOUSE[persona.sex]]):
        problems.append(
            f"speaks of {_SPOUSE[persona.sex]} but the persona is a {_NOUN[persona.sex]}"
        )
    if persona.occupation in NOT_IN_PAID_WORK and says_any(text, _JOB):
        problems.append(f"speaks of a job but the persona's occupation is {persona.occupation}")
    return problems


def persona_readback(text: str, persona: PersonaCard) -> str:
    """A run of words from the persona card, or the card's opening ("<name> is a")."""
    run = shared_run(text, persona.description, READBACK_RUN)
    if run:
        return run
    opening = f"{persona.name} is a".lower()
    return opening if opening in text.lower() else ""


def copied_run(text: str, sources: dict[str, str]) -> str:
    """`"<source>: <run>"` for the first source `text` shares `COPY_RUN` words with."""
    for name, source in sources.items():
        run = shared_run(text, source, COPY_RUN)
        if run:
            return f"{name}: {run}"
    return ""


# Words that name the side a protest is against: a text that says them, or names a protest
# action (`text_rules.names_protest_action`), is about the event even when it shares no word
# with its facts ("I'm against the protest. I'm angry."). In the tune split of set-v2, texts
# rejected only as off topic: 20 labelled good, 11 bad; with these words on topic, 10 good
# and 2 bad of them pass.
AUTHORITY_WORDS = ("government", "minist", "reform")


def on_topic(text: str, topic: str) -> bool:
    """Whether the draft shares a content word (four letters or more, not a stop word) with
    its topic, or names a protest action or the government (`AUTHORITY_WORDS`); words match
    on their first four letters, so "rises" matches "rise"."""

    def stems(t: str) -> set[str]:
        return {w[:4] for w in words(t) if len(w) >= 4 and w not in _STOP}

    if names_protest_action(text) or any(w.startswith(AUTHORITY_WORDS) for w in words(text)):
        return True
    return bool(stems(topic) & stems(text))


def labels_missing(text: str, labels: DraftLabels, fact: str = "") -> list[str]:
    """The assigned labels the text does not carry (see `text_rules` for the cue words).

    emotion: a cue of the assigned emotion, and no other emotion with more cues;
    stance: support/oppose need a cue of their side and none of the other ("I'm with the
    government" holds a support cue and an oppose cue, and carries no support); neutral needs
    no cue of either side. A reply that agrees or disagrees says its stance after its relation
    ("I agree, keep going"), so it is checked like a post; a reply that asks or adds is
    neutral and not checked for stance. relation: `text_rules.relation_carried`.
    """
    missing = []
    if labels.emotion:
        found = emotion_cues(text)
        if found[labels.emotion] == 0 or max(found.values()) > found[labels.emotion]:
            missing.append("emotion")
    if labels.stance and (not labels.relation or labels.relation in STANCE_RELATIONS):
        found = stance_cues(text)
        support, oppose = found["support_protest"], found["oppose_protest"]
        if (
            (labels.stance == "support_protest" and (not support or oppose))
            or (labels.stance == "oppose_protest" and (not oppose or support))
            or (labels.stance == "neutral" and (support or oppose))
        ):
            missing.append("stance")
    if labels.relation and not relation_carried(text, labels.relation, fact):
        missing.append("relation")
    return missing


def sentence_support(text: str, facts: list[str], embeddings: Embeddings) -> list[float]:
    """For each sentence of three words or more, its highest cosine similarity to a fact."""
    sentences = [s for s in split_sentences(text.strip()) if len(s.split()) >= 3]
    if not sentences or not facts:
        return [0.0] * len(sentences)
    vectors = np.array(embeddings.embed_documents(sentences + facts))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    sims = vectors[: len(sentences)] @ vectors[len(sentences) :].T
    return [round(float(s), 4) for s in sims.max(axis=1)]


def run_checks(
    text: str,
    persona: PersonaCard,
    support: str,
    known_names: Iterable[str],
    labels: DraftLabels,
    topic: str,
    copy_sources: dict[str, str],
    fact: str = "",
    label_mismatches: list[str] | None = None,
    max_words: int | None = TEXT_MAX_WORDS,
    tells_events: bool = True,
) -> CheckResults:
    """Every deterministic check except the embedding one, for one candidate text.

    `support` is every text the writer was given (facts, persona, event, thread); `topic`
    the texts it must be about (facts, event, the post it answers; "" for no topic check);
    `copy_sources` the
    texts it must not copy, by name (facts, examples, thread); `fact` the sentence a reply
    that "adds" must draw on; `max_words` the longest text kept (None: no cap);
    `tells_events`: a post or reply, whose killing, war or weapons must be reported in
    `support` (`text_rules.unreported_violence`); a scene may show weapons (riot police carry
    them: readers passed "police with guns") but no killing or war its post does not report
    ("people ... being carried off the roads to be killed"). Image label problems are
    computed by the image writer.
    """
    return CheckResults(
        unsupported_entities=unsupported_entities(text, support, known_names),
        unsupported_numbers=unsupported_numbers(text, support),
        unreported_violence=unreported_violence(
            text, support, allowed=() if tells_events else SCENE_MAY_SHOW
        ),
        real_world_names=leaked_real_names(text),
        persona_contradictions=persona_contradictions(text, persona),
        label_mismatches=label_mismatches or [],
        meta_text=meta_text(text),
        placeholders=placeholders(text),
        persona_readback=persona_readback(text, persona),
        copied=copied_run(text, copy_sources),
        cut_off=cut_off(text),
        repeated=repeated_phrases(text),
        too_short=len(words(text)) < MIN_WORDS,
        too_long=max_words is not None and len(text.split()) > max_words,
        off_topic=bool(topic.strip()) and not on_topic(text, topic),
        labels_missing=labels_missing(text, labels, fact),
    )


# Looser words that also show an attribute the picture has (never used to say a scene shows
# one it must not: "a group of people" fits a crowd but does not demand one).
SCENE_ALSO_SHOWS = {
    "group_20": ("group", "groups", "many people", "line of", "lines of", "drivers", "workers"),
    "group_100": ("huge", "thousands", "packed", "filled", "fills"),
    "sign": ("placard", "banner", "cardboard", "written"),
}
# Words that put an attribute in a scene's picture though a post saying them need not (a post
# whose tempers "flare" shows no fire): a torch carried is fire (calibration v4 tune).
SCENE_ALSO_SAYS = {"fire": ("torch", "torches", "flare", "flares")}


def scene_label_problems(scene: str, attributes: dict[str, bool]) -> list[str]:
    """Where a scene's words and the picture's assigned attributes disagree.

    Each attribute in the picture must be named in the scene (`text_rules.MENTIONS`; more
    than 100 people also counts as more than 20), and the scene must not name one the picture
    will not show, so the renderer's exact labels and the scene text tell the same story.
    """
    problems = []
    for attribute, wanted in attributes.items():
        said = mentions(scene, attribute) or says_any(scene, SCENE_ALSO_SAYS.get(attribute, ()))
        if attribute == "group_20":
            said = said or mentions(scene, "group_100")
        shown = said or says_any(scene, SCENE_ALSO_SHOWS.get(attribute, ()))
        if wanted and not shown:
            problems.append(f"the picture has {attribute} but the scene does not say so")
        elif said and not wanted and not (attribute == "group_20" and attributes.get("group_100")):
            problems.append(f"the scene shows {attribute} but the picture will not")
    return problems


# Words a protest sign may use beyond those of its post and news (and the example signs).
SLOGAN_WORDS = frozenset(
    """a all and are back before bring but by can cheap cut cuts do don't down end enough
    fair families for free from future give hands hear here homes is it jobs just keep let
    life lives listen live lower more must need no not now of off on or our out pay people
    price prices right rights save say so stand stop support take than the them this to
    together too up us we what will with without work workers yes you your against again
    never nothing high higher low lower afford living cost costs wage wages money bread food
    hungry justice fight shame voice voices dignity""".split()
)


def sign_problems(sign: str, support: str, examples: str) -> list[str]:
    """A sign must be two words or more in capitals, hold no number nothing supports and no
    real-world name, copy no example sign, say no word of four letters or more twice ("HOME
    AND THE HOME"), and use only words of its post and news, of the example signs or of
    `SLOGAN_WORDS` (plurals too): a 135M model's signs otherwise hold non-words ("WE NEARED
    NOTHING"). (In capitals every word looks like a name, so the
    invented-name check cannot apply; the sign writer's examples name nothing.)"""
    problems = []
    known = SLOGAN_WORDS | set(words(support)) | set(words(examples))
    strange = [w for w in words(sign) if w not in known and w.removesuffix("s") not in known]
    said = [w for w in words(sign) if len(w) > 3]
    if len(said) != len(set(said)):
        problems.append("a word said twice")
    if strange:
        problems.append(
            f"words that are not in its post, its news or a slogan: {', '.join(strange)}"
        )
    if len(sign.split()) < 2 or sign != sign.upper():
        problems.append("a sign is two words or more, in capitals")
    if leaked_real_names(sign.title()):
        problems.append("a real-world name")
    if unsupported_numbers(sign, support):
        problems.append("a number nothing supports")
    if sign.strip() in {line.strip() for line in examples.splitlines()}:
        problems.append("copies an example sign")
    return problems


def sign_rank(sign: str, about: str) -> tuple[bool, bool]:
    """How a passing sign ranks (smaller first): one that names its own event (a word of four
    letters or more from `about`, its post and news) before one that could hang anywhere
    ("NO MORE"); then one of three words or more. Ties keep the draw order."""
    own = {w for w in words(about) if len(w) >= 4 and w not in SLOGAN_WORDS}
    said = set(words(sign))
    return (not (own & said), len(sign.split()) < 3)


PROTOTYPE_MARGIN = 0.03  # cosine by which the own label's prototypes must beat the others'


class PrototypeVote:
    """A zero-shot vote for texts that carry a stance or an emotion without a cue word: the
    value whose prototype sentences are closest (mean cosine) wins, with its margin over the
    next. The prototypes are embedded once, on the first vote."""

    def __init__(self, prototypes: dict[str, tuple[str, ...]], embeddings: Embeddings) -> None:
        self.labels = sorted(prototypes)
        self.sizes = [len(prototypes[label]) for label in self.labels]
        self.sentences = [s for label in self.labels for s in prototypes[label]]
        self.embeddings = embeddings
        self.vectors: np.ndarray | None = None

    def __call__(self, text: str) -> tuple[str, float]:
        if self.vectors is None:
            self.vectors = _unit(np.array(self.embeddings.embed_documents(self.sentences)))
        sims = self.vectors @ _unit(np.array(self.embeddings.embed_documents([text])))[0]
        means, i = {}, 0
        for label, n in zip(self.labels, self.sizes, strict=True):
            means[label] = float(sims[i : i + n].mean())
            i += n
        ranked = sorted(means, key=lambda k: -means[k])
        return ranked[0], means[ranked[0]] - means[ranked[1]]


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)
