"""The critic's deterministic checks: what a draft states that nothing it was given supports.

A 135M model invents freely; these checks catch the inventions that matter for a dataset
about a fictional world: names and numbers from nowhere, real-world names, contradictions
of the persona's own facts, image labels that disagree with the scene, with the post the
picture illustrates, or with what the reference photos it was shown make likely.
"""

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from scenariosim.agents.schemas import CheckResults, ImagePromptDraft, PersonaCard, ReferenceCard
from scenariosim.labels import IMAGE_ATTRIBUTES

REAL_WORLD_NAMES_FILE = Path(__file__).parents[1] / "data" / "world" / "real_world_names.txt"

_NAME = re.compile(r"\b[A-Z][\w'-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'-]*)*")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*%?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Capitalised words that are not names: sentence openers, pronouns, titles, calendar words.
_ORDINARY = frozenset(
    """i i'm i've i'll we our my the a an this that these those it its they their he she his
    her you your what why how when where who if but and or so yes no not today tomorrow
    yesterday now here there please thank thanks president minister prime governor police
    government city province people news breaking update monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september
    october november december god allah let stop enough just even still all every many
    some one two three first last new old good bad more less""".split()
)
_AGE_CLAIM = re.compile(r"\b(?:I am|I'm|I was)\s+(\d{1,3})\b|\b(\d{1,3})[- ]year[- ]old\b", re.I)
_FEMALE = re.compile(r"\b(?:as a|I am a|I'm a)\s+(?:mother|woman|wife|grandmother|girl)\b", re.I)
_MALE = re.compile(r"\b(?:as a|I am a|I'm a)\s+(?:father|man|husband|grandfather|boy)\b", re.I)
_IMAGE_WORDS = {
    "fire": ("fire", "burning", "flames", "blaze"),
    "police": ("police", "officer", "riot"),
    "children": ("child", "children", "kids", "boy", "girl"),
    "flag": ("flag",),
    "night": ("night", "dark", "evening"),
    "shouting": ("shout", "chant", "yell", "scream"),
}


# What a post says that a picture of it should show; only concrete, literal things.
_POST_SHOWS = {
    "fire": ("fire", "fires", "burning", "flames", "blaze"),
    "police": ("police", "officer", "officers", "riot police"),
    "children": ("child", "children", "kids"),
    "flag": ("flag", "flags"),
}
# Words in a post that make an attribute plausible in its picture.
_POST_SUPPORTS = {
    **_POST_SHOWS,
    "sign": ("sign", "signs", "placard", "placards", "banner", "banners", "poster", "posters"),
    "photo": ("photo", "photograph", "portrait", "picture"),
    "group_20": ("crowd", "crowds", "dozens", "hundreds", "thousands", "rally", "march", "protest"),
    "group_100": ("hundreds", "thousands", "huge", "massive", "everyone"),
    "night": ("night", "tonight", "evening", "midnight"),
    "shouting": ("shout", "shouting", "chant", "chanting", "yell", "scream"),
}


def _says(text: str, words: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words)


def image_reference_mismatches(
    draft: ImagePromptDraft, post_text: str, references: list[ReferenceCard]
) -> list[str]:
    """Labels that disagree with the post, or that neither the post nor a reference supports.

    A post naming police, fire, children or a flag wants them in its picture. A label the
    post does not suggest needs at least one labelled reference photo that shows it; with
    no labelled references only the post is checked.
    """
    problems = []
    labelled = [r for r in references if r.labelled]
    for label in IMAGE_ATTRIBUTES:
        value = bool(getattr(draft, label))
        if label in _POST_SHOWS and not value and _says(post_text, _POST_SHOWS[label]):
            problems.append(f"the post mentions {label} but the photo's label is false")
        suggested = _says(post_text, _POST_SUPPORTS[label])
        if value and labelled and not suggested and not any(label in r.labels for r in labelled):
            problems.append(
                f"{label} is true but neither the post nor the reference photos show it"
            )
    return problems


@cache
def real_world_names(path: Path = REAL_WORLD_NAMES_FILE) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w'-]+", text)}


def name_candidates(text: str) -> list[str]:
    """Capitalised phrases, minus single ordinary words (sentence openers and the like)."""
    found = []
    for match in _NAME.finditer(text):
        phrase = match.group(0)
        words = [w for w in phrase.split() if w.lower() not in ("of", "the")]
        if all(w.lower().strip("'") in _ORDINARY for w in words):
            continue
        found.append(phrase)
    return found


def unsupported_entities(text: str, support: str, known_names: Iterable[str]) -> list[str]:
    """Name-like phrases whose words appear neither in the support text nor the gazetteer."""
    allowed = _words(support)
    for name in known_names:
        allowed |= _words(name)
    missing = []
    for phrase in name_candidates(text):
        words = [w for w in _words(phrase) if w not in _ORDINARY and w not in ("of", "the")]
        if any(w not in allowed for w in words):
            missing.append(phrase)
    return sorted(set(missing))


_CITATION = re.compile(r"\[\d+(?:,\s*\d+)*\]")


def unsupported_numbers(text: str, support: str) -> list[str]:
    """Numbers absent from the support text; source citations like [1] do not count."""
    available = set(_NUMBER.findall(support))
    return sorted({n for n in _NUMBER.findall(_CITATION.sub(" ", text)) if n not in available})


def leaked_real_names(text: str, names: Iterable[str] | None = None) -> list[str]:
    found = []
    for name in names if names is not None else real_world_names():
        if re.search(rf"(?<![\w#]){re.escape(name)}(?!\w)", text):
            found.append(name)
    return sorted(found)


def persona_contradictions(text: str, persona: PersonaCard) -> list[str]:
    problems = []
    for match in _AGE_CLAIM.finditer(text):
        claimed = int(match.group(1) or match.group(2))
        if abs(claimed - persona.age) > 2 and 10 <= claimed <= 100:
            problems.append(f"says age {claimed} but the persona is {persona.age}")
    if persona.sex == "male" and _FEMALE.search(text):
        problems.append("speaks as a woman but the persona is a man")
    if persona.sex == "female" and _MALE.search(text):
        problems.append("speaks as a man but the persona is a woman")
    return problems


def image_label_mismatches(draft: ImagePromptDraft) -> list[str]:
    """Labels that disagree with the scene text or with each other."""
    scene = draft.scene.lower()
    problems = []
    if draft.group_100 and not draft.group_20:
        problems.append("group_100 is true but group_20 is false")
    if bool(draft.sign_text.strip()) != draft.sign:
        problems.append("sign must be true exactly when there is sign_text")
    for label, words in _IMAGE_WORDS.items():
        mentioned = any(w in scene for w in words)
        if mentioned and not getattr(draft, label):
            problems.append(f"the scene mentions {label} but the label is false")
        if getattr(draft, label) and not mentioned:
            problems.append(f"{label} is true but the scene does not show it")
    return problems


def sentence_support(text: str, chunks: list[str], embeddings: Embeddings) -> list[float]:
    """For each sentence, its highest cosine similarity to any chunk."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if len(s.split()) >= 3]
    if not sentences or not chunks:
        return [0.0] * len(sentences)
    vectors = np.array(embeddings.embed_documents(sentences + chunks))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    sims = vectors[: len(sentences)] @ vectors[len(sentences) :].T
    return [round(float(s), 4) for s in sims.max(axis=1)]


def run_checks(
    text: str,
    persona: PersonaCard,
    support: str,
    chunks: list[str],
    known_names: Iterable[str],
    embeddings: Embeddings,
    image: ImagePromptDraft | None = None,
    post_text: str = "",
    references: list[ReferenceCard] | None = None,
) -> CheckResults:
    """All deterministic checks for one draft. `support` is every text the agent was given;
    an image prompt is also checked against its post and the reference photos it saw."""
    label_problems: list[str] = []
    if image is not None:
        label_problems = image_label_mismatches(image)
        label_problems += image_reference_mismatches(image, post_text, references or [])
    return CheckResults(
        unsupported_entities=unsupported_entities(text, support, known_names),
        unsupported_numbers=unsupported_numbers(text, support),
        real_world_names=leaked_real_names(text),
        persona_contradictions=persona_contradictions(text, persona),
        label_mismatches=label_problems,
        sentence_support=sentence_support(text, chunks, embeddings),
    )
