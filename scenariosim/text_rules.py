"""The text rules the critic, the evaluation and the knowledge checks share: one home each.

What is here, and who uses it:

- sentences: `sentence_spans` / `split_sentences` (abbreviation-aware; chunking, fact choice,
  the critic's support check);
- names: `name_runs` (runs of capitalised words) with one stop list, `ORDINARY_CAPITALISED`
  (the corpus coverage check and the critic's invented-name check), and `normalise_name`;
- numbers: `numbers` (the critic's invented-number check);
- image attributes in words: `MENTIONS` and `mentions` (the critic's label checks, the
  evaluation's text agreement);
- what a tiny model gets wrong when it writes a post: meta-text about writing or answering,
  placeholders, a cut-off ending, repeated phrases, long word runs copied from a source
  (`meta_text`, `placeholders`, `cut_off`, `repeated_phrases`, `shared_run`);
- labels in words: `STANCE_WORDS`, `EMOTION_WORDS`, `RELATION_CUES` and the functions that
  read them (`emotion_cues`, `stance_cues`, `relation_carried`).

Everything here is a pure function of text; nothing imports the rest of scenariosim.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

# --- sentences -----------------------------------------------------------------

# Words that end with a full stop without ending a sentence ("Mr. Aslanov", "No. 4").
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st gen col lt capt sgt rev jr sr no nos vs etc inc ltd co corp dept
    gov sen rep approx est fig jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
# A line that starts a Markdown heading, list item, quote or table row starts a new block.
_STRUCTURE = re.compile(r"\n(?=[ \t]*(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>|\|))")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_OPENERS = "\"'“‘([¡¿"

Span = tuple[int, int]


def trim_span(text: str, start: int, end: int) -> Span | None:
    """The span without its leading and trailing white space; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _blocks(text: str) -> list[Span]:
    """Paragraphs and Markdown structure lines: sentences never cross these."""
    cuts = sorted(
        {0, len(text)}
        | {m.start() for m in _PARAGRAPH.finditer(text)}
        | {m.end() for m in _PARAGRAPH.finditer(text)}
        | {m.start() for m in _STRUCTURE.finditer(text)}
    )
    spans = [trim_span(text, a, b) for a, b in pairwise(cuts)]
    return [s for s in spans if s]


def _ends_sentence(text: str, punct_start: int, punct: str, after: int, limit: int) -> bool:
    """A full stop after an abbreviation, an initial or an acronym does not end a sentence."""
    if "." in punct and not any(c in punct for c in "!?…"):
        word = _WORD_BEFORE.search(text, max(0, punct_start - 40), punct_start)
        if word:
            token = word.group(1)
            if token.lower() in ABBREVIATIONS or "." in token:
                return False
            if len(token) == 1 and token.isalpha() and token.isupper():
                return False
    j = after
    while j < limit and text[j].isspace():
        j += 1
    while j < limit and text[j] in _OPENERS:
        j += 1
    return j < limit and (text[j].isupper() or text[j].isdigit())


def sentence_spans(text: str) -> list[Span]:
    """(start, end) of each sentence; paragraph and list boundaries always end one."""
    spans: list[Span] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for m in _SENTENCE_END.finditer(text, block_start, block_end):
            if _ends_sentence(text, m.start(), m.group(0), m.end(), block_end):
                span = trim_span(text, start, m.end())
                if span:
                    spans.append(span)
                start = m.end()
        span = trim_span(text, start, block_end)
        if span:
            spans.append(span)
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


# --- names -------------------------------------------------------------------------

_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def normalise_name(name: str) -> str:
    """Case-, space- and possessive-insensitive key: "Carriers’ Association's" -> same key."""
    words = " ".join(name.replace("’", "'").split()).lower()
    return _POSSESSIVE.sub("", words)


# Capitalised words that are not entities of the world: articles and pronouns, titles and
# honorifics, ranks, calendar words, portfolio words in job titles ("Energy Minister"),
# generic institutions, religion and culture words from the public fact sheet, and common
# acronyms.
ORDINARY_CAPITALISED = frozenset(
    """
    a an the this that these those it its he she we they you his her our their my your
    i i'm i'll i've i'd mr mrs ms dr sir madam president presidential prime minister ministers deputy governor
    chairman chairwoman chair chief head director spokesman spokeswoman spokesperson general
    colonel major captain sergeant lieutenant officer judge prosecutor mayor akhund imam
    sheikh haji professor ambassador envoy speaker mp mps
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    energy interior labour education health defence foreign finance economy agriculture
    justice communications transport emergency social protection affairs
    parliament government cabinet ministry ministries police court supreme constitution
    presidency republic state national army
    shia sunni muslim muslims islam islamic mosque quran god allah ramadan muharram ashura
    eid friday prayers
    vpn tv sms internet facebook x-ray
    """.split()
)
CONNECTORS = frozenset({"of", "and", "for", "the"})
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*")
# What may precede a sentence's first word: a sentence end, a line start, a dash (as in
# datelines) or an opening quote, then spaces, quotes, brackets or list/heading markers.
_BOUNDARY_BEFORE = re.compile(r"(?:^|[.!?…:;—–\n]|\s-|\s'|[\"“‘(\[])[\"'“‘(\[\s*#>-]*$")


@dataclass(frozen=True)
class Token:
    text: str
    key: str
    start: int
    end: int


def name_key(word: str) -> str:
    return normalise_name(word)


def tokens(text: str) -> list[Token]:
    """Words (letters first) with their normalised key and offsets."""
    return [
        Token(m.group(0), name_key(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text)
    ]


def _capitalised(token: Token) -> bool:
    return token.text[0].isupper()


def _sentence_initial(text: str, token: Token) -> bool:
    before = text[max(0, token.start - 12) : token.start]
    return bool(_BOUNDARY_BEFORE.search(before)) if token.start > 12 else True


@dataclass(frozen=True)
class NameRun:
    """A run of capitalised words in a text, and whether it opens a sentence."""

    tokens: tuple[Token, ...]
    sentence_initial: bool

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


def name_runs(text: str) -> list[NameRun]:
    """Capitalised word runs; connectors join two capitalised words across a space."""
    found = tokens(text)
    runs: list[NameRun] = []
    i = 0
    while i < len(found):
        if not _capitalised(found[i]):
            i += 1
            continue
        j = i + 1
        while j < len(found):
            gap = text[found[j - 1].end : found[j].start]
            if gap.strip() or gap.count("\n") > 1:  # punctuation or a blank line ends it
                break
            if _capitalised(found[j]):
                j += 1
                continue
            if (
                found[j].key in CONNECTORS
                and j + 1 < len(found)
                and _capitalised(found[j + 1])
                and not text[found[j].end : found[j + 1].start].strip()
            ):
                j += 2
                continue
            break
        runs.append(NameRun(tuple(found[i:j]), _sentence_initial(text, found[i])))
        i = j
    return runs


# --- numbers -----------------------------------------------------------------------

_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*%?")
_CITATION = re.compile(r"\[\d+(?:,\s*\d+)*\]")


def numbers(text: str) -> list[str]:
    """Numbers as written ("1.30", "40%"), source citations like [1] left out."""
    return _NUMBER.findall(_CITATION.sub(" ", text))


# --- image attributes in words -------------------------------------------------------

# When a text "mentions" a protest-image attribute (UCLA names, scenariosim.labels).
MENTIONS: dict[str, tuple[str, ...]] = {
    "sign": ("sign", "signs", "placard", "placards", "banner", "banners", "poster", "posters"),
    "photo": ("photo", "photograph", "photographs", "portrait", "picture of"),
    "fire": ("fire", "fires", "burning", "burn", "flames", "blaze", "smoke"),
    "police": ("police", "officer", "officers", "riot"),
    "children": ("child", "children", "kids", "kid", "boy", "girl"),
    "group_20": ("crowd", "crowds", "dozens", "hundreds", "thousands", "rally", "march"),
    # Blind readers read "a large crowd" as more than 100 people (calibration tune rows).
    "group_100": (
        "hundreds",
        "thousands",
        *("huge crowd", "huge crowds", "large crowd", "large crowds", "big crowd", "big crowds"),
        "massive",
        "mass",
    ),
    "flag": ("flag", "flags"),
    "night": ("night", "dark", "evening", "midnight"),
    "shouting": (
        *("shout", "shouts", "shouting", "shouted", "chant", "chants", "chanting", "chanted"),
        *("yell", "yells", "yelling", "yelled", "scream", "screams", "screaming", "screamed"),
    ),
}


# Killing, war and weapons, by word family. A post or reply that speaks of them when nothing its
# writer was given does tells of an event that did not happen: on the calibration sets' tune
# splits (v1-v4), 10 posts and replies did, all labelled bad ("So brave, they're killing
# someone"; "Is it true that the war is about peace?"); two more, both bad, spoke of deaths
# as "lost their lives" or of rocks thrown at a building (v4).
VIOLENCE_WORDS: dict[str, tuple[str, ...]] = {
    "kill": ("kill", "kills", "killed", "killing", "killer", "killers"),
    "war": ("war", "wars"),
    "death": (
        *("dead", "death", "deaths", "die", "dies", "died", "dying"),
        *("lost their lives", "lost his life", "lost her life", "lost lives"),
    ),
    "bomb": ("bomb", "bombs", "bombed", "bombing"),
    "shoot": ("shoot", "shoots", "shooting", "shot", "shots"),
    "murder": ("murder", "murders", "murdered", "murderer"),
    "fascist": ("fascist", "fascists", "fascism"),
    "terror": ("terror", "terrorist", "terrorists", "terrorism"),
    "weapon": ("weapon", "weapons", "gun", "guns", "rifle", "rifles"),
    "stones": ("rocks", "stones"),
}


def unreported_violence(text: str, support: str, allowed: Iterable[str] = ()) -> list[str]:
    """The `VIOLENCE_WORDS` families `text` speaks of and `support` does not, sorted;
    families in `allowed` are not looked for."""
    return sorted(
        family
        for family, said in VIOLENCE_WORDS.items()
        if family not in allowed and says_any(text, said) and not says_any(support, said)
    )


def says_any(text: str, words: Iterable[str]) -> bool:
    """Whether `text` holds any of `words` as whole words, case-insensitive."""
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words)


def mentions(text: str, attribute: str) -> bool:
    """Whether `text` names the image attribute in words (`MENTIONS`)."""
    return says_any(text, MENTIONS[attribute])


# --- what a tiny model gets wrong ----------------------------------------------------

# Text about the act of writing or answering, or addressed to the reader of a prompt.
_META = re.compile(
    r"\b(?:as an? (?:ai|assistant|language model)|i (?:will|would|am going to|'ll) "
    r"(?:respond|reply|write|post|answer|tweet)|here(?:'s| is) (?:my|a|the) "
    r"(?:post|reply|tweet|comment|response)|this (?:tweet|post|reply|comment) (?:is|was)|"
    r"(?:in|with) (?:this|my) (?:tweet|post|reply|response)|hashtags?:|dear\b|"
    r"i am writing to|respond to this|the (?:persona|prompt|instructions?)|write a post|"
    r"sincerely|best regards|#\w+)",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]*>|\b(?:xx+|tbd|lorem|insert)\b", re.I)
_WORD = re.compile(r"[\w'’-]+")


def meta_text(text: str) -> list[str]:
    """Phrases that talk about writing, answering or the prompt instead of the news."""
    return sorted({m.group(0).lower() for m in _META.finditer(text)})


def placeholders(text: str) -> list[str]:
    """Bracketed holes and filler a model left instead of words ("[date]", "{name}")."""
    return sorted({m.group(0) for m in _PLACEHOLDER.finditer(text)})


def cut_off(text: str) -> bool:
    """True when the text stops mid-sentence (no closing punctuation)."""
    stripped = text.rstrip().rstrip("\"'”’)")
    return not stripped or stripped[-1] not in ".!?…"


def words(text: str) -> list[str]:
    """Lower-case words, apostrophes kept ("don't")."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def word_runs(text: str, n: int) -> set[tuple[str, ...]]:
    """Every run of `n` words in a row of `text` (`words`)."""
    said = words(text)
    return {tuple(said[i : i + n]) for i in range(len(said) - n + 1)}


def shared_run(text: str, source: str, n: int = 6) -> str:
    """The first run of `n` words that `text` shares with `source` ("" when none)."""
    mine, grams = words(text), word_runs(source, n)
    for i in range(len(mine) - n + 1):
        if tuple(mine[i : i + n]) in grams:
            return " ".join(mine[i : i + n])
    return ""


# Common words of four letters or more that a short text may say three times (with "right"
# and "enough", which openers say twice: "You're right, they're right", "Enough is enough,").
FREQUENT_WORDS = frozenset(
    "that this with they them their there these those what when where which about have will "
    "from were been would could should your just like very more some only than then right "
    "enough".split()
)


def is_content_word(word: str) -> bool:
    """A lower-case word that says something of its own: four letters or more, letters only,
    not a common function word (`FREQUENT_WORDS`)."""
    return len(word) >= 4 and word.isalpha() and word not in FREQUENT_WORDS


# Words in a row that, said twice in one short text, make it a loop.
LOOP_RUN = 4


def repeated_phrases(text: str, n: int = LOOP_RUN, times: int = 3) -> list[str]:
    """What a model stuck in a loop says again, sorted ([] when nothing):

    - a run of `n` words said twice ("I'm not sure how to do it. I'm hopeful, I'm not sure
      how to do it."): in the tune splits of calibration sets v2 and v3, 35 texts passed every
      other rule and did so, 25 of them labelled bad; dropping them raised the checks'
      precision on v3's tune split from 0.76 to 0.80 and bad caught from 0.63 to 0.72, for
      3 good texts lost. (Set v1's readers had accepted a clause said twice as emphasis; the
      current writer's repeats read as loops.)
    - a short clause said `times` times ("I'm afraid, I'm afraid, I'm afraid.");
    - a word of four letters or more said `times` times, unless it is a common function word
      or a contraction ("angry, angry, angry"; "the police ... police ... police"): in the
      tune split of the calibration sets, 26 texts did so, 23 of them labelled bad.
    """
    found: set[str] = set()
    tokens_ = words(text)
    grams = Counter(tuple(tokens_[i : i + n]) for i in range(len(tokens_) - n + 1))
    found |= {" ".join(g) for g, count in grams.items() if count >= 2}
    clauses = Counter(tuple(words(c)) for c in re.split(r"[,.;:!?]+", text))
    found |= {" ".join(c) for c, count in clauses.items() if len(c) >= 2 and count >= times}
    long_words = Counter(w for w in tokens_ if is_content_word(w))
    found |= {w for w, count in long_words.items() if count >= times}
    return sorted(found)


# Words that name a protest action (matched as word beginnings: "blockade", "blocked",
# "strikes"; "marched" but not "March").
PROTEST_ACTIONS = (
    "protest", "block", "strike", "sit-in", "sit in", "marched", "marchers", "marching",
    "rally", "rallies", "demonstrat", "walkout", "walked out", "occupy", "occupied",
)  # fmt: skip


def names_protest_action(text: str) -> bool:
    """Whether `text` names a protest action (`PROTEST_ACTIONS`): "Truckers block the
    junction" does, "Diesel prices rise" does not."""
    lowered = " " + " ".join(words(text)) + " "
    return any(re.search(rf"(?<![\w']){re.escape(a)}", lowered) for a in PROTEST_ACTIONS)


# --- labels in words -----------------------------------------------------------------

# Words that express an emotion (Ekman-style categories the dataset uses). Whole words,
# matched after lower-casing; a phrase matches as written.
EMOTION_WORDS: dict[str, tuple[str, ...]] = {
    "anger": (
        "angry", "anger", "furious", "outrage", "outrageous", "outraged", "fed up", "enough",
        "shame", "shameful", "disgrace", "disgraceful", "sick of", "how dare", "ridiculous",
        "unacceptable", "mad", "insult", "robbery", "scandal", "tired of", "stupid", "hate",
        "to blame", "not fair", "unfair", "not happy",
    ),
    "fear": (
        "afraid", "scared", "fear", "worried", "worry", "worries", "frightened", "nervous",
        "anxious", "terrified", "dangerous", "what if", "how will", "how do i", "panic",
        "can't afford", "cannot afford", "scares",
    ),
    "hope": (
        "hope", "hopeful", "maybe", "finally", "better days", "one day", "will listen",
        "change", "together", "looking forward", "believe", "wish",
    ),
    "sadness": (
        "sad", "sadly", "heartbroken", "hard to watch", "tears", "cry", "crying", "miss",
        "lost", "sorry", "grief", "painful", "hurts", "breaks my heart", "lonely",
    ),
    "pride": (
        "proud", "pride", "honour", "honor", "brave", "stood up", "standing up", "dignity",
        "heroes", "respect", "courage",
    ),
    "calm": (
        "calm", "calmly", "patience", "patient", "both sides", "let's see", "let us see",
        "wait and see", "quietly", "step by step", "reasonable", "peaceful", "no need to",
        "we'll see", "take it easy", "talk to", "need to talk", "let's talk", "talk it",
    ),
}  # fmt: skip

# Cues of a stance toward the protest in a post or reply.
STANCE_WORDS: dict[str, tuple[str, ...]] = {
    # Sides with the protesters, or against the measure they protest.
    "support_protest": (
        "stand with", "standing with", "i'm with the people", "i'm with them", "i am with them",
        "i'm with the drivers", "i'm with the workers", "i'm with the farmers", "support them",
        "support the people", "support the drivers", "support the protest", "i support them",
        "join", "joining", "right to", "they are right", "they're right", "against the government",
        "good for them", "keep going", "don't give up", "do not give up", "solidarity",
        "on their side", "fight", "stand up", "speak out", "not fair", "unfair",
        "to blame", "can't afford", "cannot afford", "give us back", "pay us back",
        "bring back", "old price", "we need", "listen to us", "should listen", "too much",
        "we deserve", "i'm with the", "i am with the", "i support the", "on the side of",
        "at the government",
    ),
    # Sides with the government or the measure, or against the protest's methods.
    "oppose_protest": (
        "go home", "go back to", "not the way", "helps nobody", "hurts us", "hurting us",
        "blocking", "block the", "stop the", "end the", "enough of the", "clear the road",
        "clear the roads", "against the protest", "against the strike", "should stop",
        "must stop", "disrupt", "selfish", "holding us hostage", "talk instead", "no right",
        "don't support", "do not support", "necessary", "had to", "responsible", "let it be",
        "move the lorries", "open the road", "open the roads", "get back to work",
        "with the government", "support the government", "government is right",
        "government is doing the right", "reform is good", "good thing",
        "side of the government", "against the protesters", "protesters should",
        "with the council", "with the ministry", "with the police", "with the authorities",
        "with the minister", "with the president", "with the mayor", "with the officials",
        "with the state", "i'm not with them", "i am not with them",
    ),
    # Takes no side, or is unsure.
    "neutral": (
        "both sides", "not sure", "don't know", "do not know", "wait and see", "let's see",
        "we'll see", "who is right", "nobody is telling", "any news", "is it true",
        "i wonder", "no idea", "hard to say",
    ),
}  # fmt: skip

RELATION_CUES: dict[str, tuple[str, ...]] = {
    "agrees": (
        "agree", "same here", "exactly", "so true", "that's true", "it's true", "very true",
        "you're right", "you are right", "yes", "me too", "same", "well said", "with you",
    ),
    "disagrees": (
        "disagree", "no,", "not true", "wrong", "but", "try ", "nonsense", "you don't",
        "you do not", "that's not", "that is not", "easy for you", "i don't think",
    ),
}  # fmt: skip


def cues(text: str, vocabulary: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """How many distinct cue phrases of each label the text holds. A phrase that ends in a
    letter also matches its plural ("against the protest" in "against the protests")."""
    lowered = " " + " ".join(words(text)) + " "
    raw = " " + text.lower().replace("’", "'") + " "
    counts = {}
    for label, phrases in vocabulary.items():
        found = 0
        for phrase in phrases:
            pattern = rf"(?<![\w']){re.escape(phrase.strip())}(?:e?s)?(?![\w'])"
            # A phrase ending in punctuation or a space ("no,", "try ") is matched as
            # written, from a word start ("try " is not in "ministry for").
            literal = rf"(?<![\w']){re.escape(phrase)}"
            if re.search(pattern, lowered) or (
                not phrase[-1].isalnum() and re.search(literal, raw)
            ):
                found += 1
        counts[label] = found
    return counts


def emotion_cues(text: str) -> dict[str, int]:
    return cues(text, EMOTION_WORDS)


def stance_cues(text: str) -> dict[str, int]:
    return cues(text, STANCE_WORDS)


def relation_carried(text: str, relation: str, fact: str = "") -> bool:
    """Whether a reply does what its relation says.

    asks: it asks a question; adds: it states something from `fact` (two or more of the fact's
    content words, `is_content_word`); agrees / disagrees: a cue of that relation and
    none of the other.
    """
    if relation == "asks":
        return "?" in text
    if relation == "adds":
        content = {w for w in words(fact) if is_content_word(w)}
        return len(content & set(words(text))) >= 2
    found = cues(text, RELATION_CUES)
    other = "disagrees" if relation == "agrees" else "agrees"
    return found.get(relation, 0) > 0 and found.get(other, 0) == 0
