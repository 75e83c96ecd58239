"""The openers the writers' grammar steers with (agents/examples/openers.txt): each carries
its own label as the critic reads labels, and no other; the grammar built from them parses.
"""

import itertools

import pytest

from scenariosim.agents.checks import COPY_RUN, labels_missing
from scenariosim.agents.examples import (
    emotion_openers,
    openers,
    reply_stance_openers,
    stance_openers,
)
from scenariosim.agents.persona_agent import comment_grammar, post_grammar, reply_openers
from scenariosim.agents.schemas import DraftLabels
from scenariosim.labels import STANCE_RELATIONS
from scenariosim.text_rules import EMOTION_WORDS, STANCE_WORDS, emotion_cues, stance_cues

STANCES = sorted(STANCE_WORDS)
EMOTIONS = sorted(EMOTION_WORDS)
RELATIONS = ["adds", "agrees", "asks", "disagrees"]
# What a model writes after an opener, neutral in stance and emotion.
REST = " the drivers at the junction"


def test_every_label_value_has_openers() -> None:
    table = openers()
    for value in [*STANCES, *EMOTIONS, *RELATIONS]:
        assert len(table[value]) >= 4, value


def test_openers_leave_two_words_before_a_copied_run() -> None:
    for value, phrases in openers().items():
        for phrase in phrases:
            assert len(phrase.split()) <= COPY_RUN - 2, (value, phrase)


@pytest.mark.parametrize("stance", STANCES)
def test_a_stance_opener_is_read_as_its_stance_and_no_other(stance: str) -> None:
    for phrase in openers()[stance]:
        text = phrase + REST + "."
        assert labels_missing(text, DraftLabels(stance=stance)) == [], phrase
        for other in STANCES:
            if other != stance:
                assert labels_missing(text, DraftLabels(stance=other)) == ["stance"], (
                    phrase,
                    other,
                )


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_an_emotion_opener_is_read_as_its_emotion_and_no_other(emotion: str) -> None:
    for phrase in openers()[emotion]:
        found = emotion_cues(phrase + REST + ".")
        assert found[emotion] >= 1, phrase
        assert max(v for k, v in found.items() if k != emotion) == 0, (phrase, found)


@pytest.mark.parametrize("underway", [True, False])
@pytest.mark.parametrize("emotion", ["anger", "pride"])
def test_an_oppose_texts_anger_or_pride_is_aimed_at_the_protest_not_the_government(
    emotion: str, underway: bool
) -> None:
    phrases = emotion_openers(emotion, "oppose_protest", underway)
    assert phrases != openers()[emotion] and len(phrases) >= 4
    for phrase in phrases:
        assert len(phrase.split()) <= COPY_RUN - 2, phrase
        found = emotion_cues(phrase + REST + ".")
        assert found[emotion] >= 1, phrase
        assert max(v for k, v in found.items() if k != emotion) == 0, (phrase, found)
        assert stance_cues(phrase + REST + ".")["support_protest"] == 0, phrase


def test_an_emotion_without_a_side_keeps_its_openers() -> None:
    assert emotion_openers("fear", "oppose_protest") == openers()["fear"]
    assert emotion_openers("anger", "support_protest", False) == openers()["anger"]


def test_a_relation_opener_does_what_its_relation_says() -> None:
    fact = "Truck drivers parked their lorries across the Karavan junction."
    for relation in RELATIONS:
        for phrase in openers()[relation]:
            text = phrase + " truck drivers parked lorries at the junction"
            text += "?" if relation == "asks" else "."
            labels = DraftLabels(relation=relation)
            assert labels_missing(text, labels, fact) == [], (relation, phrase)


@pytest.mark.parametrize("stance", ["support_protest", "oppose_protest"])
def test_a_stance_opener_before_any_protest_is_read_as_its_stance_and_names_no_protest(
    stance: str,
) -> None:
    from scenariosim.text_rules import names_protest_action

    before = stance_openers(stance, protest_underway=False)
    assert before != openers()[stance] and len(before) >= 4
    for phrase in before:
        text = phrase + REST + "."
        assert not names_protest_action(phrase), phrase
        assert labels_missing(text, DraftLabels(stance=stance)) == [], phrase
        for other in STANCES:
            if other != stance:
                assert labels_missing(text, DraftLabels(stance=other)) == ["stance"], phrase


@pytest.mark.parametrize("relation", STANCE_RELATIONS)
@pytest.mark.parametrize("stance", STANCES)
def test_a_reply_opener_before_any_protest_carries_its_stance_and_names_no_protest(
    relation: str, stance: str
) -> None:
    from scenariosim.text_rules import names_protest_action

    fact = "Truck drivers parked their lorries across the Karavan junction."
    labels = DraftLabels(relation=relation, stance=stance)
    for head in reply_openers(labels, protest_underway=False):
        assert len(head.split()) <= COPY_RUN - 1, head
        assert not names_protest_action(head), head
        assert labels_missing(head + REST + ".", labels, fact) == [], head


def test_a_post_before_any_protest_is_steered_by_the_openers_for_the_measure() -> None:
    labels = DraftLabels(stance="support_protest", emotion="anger")
    assert "It's unfair," in post_grammar(labels, protest_underway=False)
    assert "Keep going," not in post_grammar(labels, protest_underway=False)
    assert "Keep going," in post_grammar(labels)


def test_every_stance_has_words_for_a_reply() -> None:
    assert sorted(reply_stance_openers()) == STANCES
    assert all(len(phrases) >= 4 for phrases in reply_stance_openers().values())


@pytest.mark.parametrize("relation", STANCE_RELATIONS)
@pytest.mark.parametrize("stance", STANCES)
def test_a_reply_opener_carries_its_relation_and_its_stance_and_no_other(
    relation: str, stance: str
) -> None:
    fact = "Truck drivers parked their lorries across the Karavan junction."
    heads = reply_openers(DraftLabels(relation=relation, stance=stance))
    assert len(heads) == len(openers()[relation]) * len(reply_stance_openers()[stance])
    for head in heads:
        text = head + REST + "."
        assert labels_missing(text, DraftLabels(relation=relation, stance=stance), fact) == []
        for other in STANCES:
            if other != stance:
                wrong = DraftLabels(relation=relation, stance=other)
                assert labels_missing(text, wrong, fact) == ["stance"], (head, other)


def test_a_reply_opener_leaves_a_word_before_a_copied_run() -> None:
    for relation, stance in itertools.product(STANCE_RELATIONS, STANCES):
        for head in reply_openers(DraftLabels(relation=relation, stance=stance)):
            assert len(head.split()) <= COPY_RUN - 1, head


def test_a_replys_stance_words_are_followed_by_the_models_own_clause() -> None:
    # Ended right after its stance words, a reply would be all grammar up to its emotion
    # opener ("I agree, go home. I'm angry at protesters"), and two replies would share six
    # words or more by construction.
    from llama_cpp import LlamaGrammar

    labels = DraftLabels(relation="agrees", stance="oppose_protest", emotion="anger")
    grammar = comment_grammar(labels)
    assert "a ::= (" in grammar and ') ", " [A-Za-z' in grammar
    assert LlamaGrammar.from_string(grammar, verbose=False) is not None


def test_a_reply_that_asks_or_adds_opens_with_its_relation_alone() -> None:
    for relation in ("asks", "adds"):
        labels = DraftLabels(relation=relation, stance="neutral")
        assert reply_openers(labels) == openers()[relation]


@pytest.mark.parametrize(
    "text",
    [
        "I'm with the government on this.",
        "I support the government, the drivers are wrong.",
        "I'm on the side of the government.",
        "I stand with the council.",
        "I'm with the ministers, they know best.",
        "I stand with the president on this.",
    ],
)
def test_a_support_opener_turned_to_the_other_side_does_not_carry_support(text: str) -> None:
    assert labels_missing(text, DraftLabels(stance="support_protest")) == ["stance"]


def test_an_opener_phrase_also_matches_its_plural() -> None:
    assert stance_cues("I'm against the protests.")["oppose_protest"] == 1


def test_every_post_and_reply_grammar_parses() -> None:
    from llama_cpp import LlamaGrammar

    grammars = [
        post_grammar(DraftLabels(stance=s, emotion=e))
        for s, e in itertools.product(STANCES, EMOTIONS)
    ]
    grammars += [
        comment_grammar(DraftLabels(relation=r, stance=s, emotion=e))
        for r, s, e in itertools.product(RELATIONS, STANCES, EMOTIONS)
    ]
    assert len(grammars) == 3 * 6 + 4 * 3 * 6
    for text in grammars:
        assert LlamaGrammar.from_string(text, verbose=False) is not None


def _pictures() -> list[dict[str, bool]]:
    from scenariosim.labels import IMAGE_ATTRIBUTES

    out = []
    for bits in itertools.product([False, True], repeat=len(IMAGE_ATTRIBUTES)):
        attributes = dict(zip(IMAGE_ATTRIBUTES, bits, strict=True))
        if not (attributes["group_100"] and not attributes["group_20"]):
            out.append(attributes)
    return out


def test_a_scene_opening_names_exactly_the_pictures_attributes() -> None:
    from scenariosim.agents.checks import scene_label_problems
    from scenariosim.agents.persona_agent import SCENE_WAYS, scene_opening

    pictures = _pictures()
    assert len(pictures) == 768  # every consistent picture (more than 100 implies more than 20)
    for attributes in pictures:
        for way, when_first in itertools.product(range(SCENE_WAYS), [False, True]):
            opening = scene_opening(attributes, way, when_first)
            problems = scene_label_problems(opening + ", on a wide road.", attributes)
            assert problems == [], opening


def test_each_part_of_a_scene_opening_has_its_own_phrasing() -> None:
    from scenariosim.agents.persona_agent import scene_opening

    picture = {"sign": True, "group_20": True, "police": True, "night": True}
    assert scene_opening(picture, [0, 1, 2]) == (
        "Dozens of people carrying placards and in front of police at night"
    )
    assert scene_opening(picture, [1, 0, 3], when_first=True) == (
        "At night, a crowd holding signs and watched by police"
    )


def _five_word_overlaps(opening: str, texts: list[str]) -> int:
    from scenariosim.text_rules import shared_run

    return sum(bool(shared_run(opening, t, COPY_RUN - 1)) for t in texts)


def test_planned_openings_share_no_five_words_with_earlier_scenes_or_each_other() -> None:
    import random

    from scenariosim.agents.persona_agent import pick_scene_opening

    picture = {"sign": True, "group_20": True, "police": True}
    earlier = [
        "Dozens of people holding signs facing riot police, on the ring road.",
        "In daylight, a crowd carrying placards in front of police by the depot.",
    ]
    planned: list[str] = []
    rng = random.Random(3)
    for _ in range(6):  # six photos of one picture in a phase, as a long run may plan them
        opening = pick_scene_opening(picture, earlier, planned, rng)
        assert _five_word_overlaps(opening, earlier + planned) == 0, opening
        planned.append(opening)
    assert len(set(planned)) == len(planned)


def test_a_planned_opening_is_the_same_for_the_same_seed() -> None:
    import random

    from scenariosim.agents.persona_agent import pick_scene_opening

    picture = {"fire": True, "group_100": True, "group_20": True, "night": True}
    earlier = ["At night, hundreds of people by a fire on the bridge."]
    first = pick_scene_opening(
        picture, earlier, ["A huge crowd near a fire at night"], random.Random(11)
    )
    again = pick_scene_opening(
        picture, earlier, ["A huge crowd near a fire at night"], random.Random(11)
    )
    assert first == again


def test_when_every_opening_overlaps_the_one_overlapping_fewest_texts_is_planned() -> None:
    import random

    from scenariosim.agents.persona_agent import pick_scene_opening, scene_openings

    picture = {"sign": True, "group_20": True, "police": True, "night": True}
    every = scene_openings(picture, random.Random(0))
    planned = every[:40]  # a phase that already used forty of its 64 openings
    opening = pick_scene_opening(picture, [], planned, random.Random(5))
    fewest = min(_five_word_overlaps(o, planned) for o in every)
    assert _five_word_overlaps(opening, planned) == fewest


def test_a_planned_opening_never_copies_six_words_of_what_the_critic_checks() -> None:
    import random

    from scenariosim.agents.persona_agent import pick_scene_opening, scene_openings
    from scenariosim.text_rules import shared_run

    picture = {"sign": True, "group_20": True, "fire": True}
    every = scene_openings(picture, random.Random(0))
    earlier = every[:24]  # earlier phases' scenes that used 24 of the 128 openings

    def copies(opening: str) -> bool:
        return any(shared_run(opening, t, COPY_RUN) for t in earlier)

    assert 0 < sum(not copies(o) for o in every) < 10  # ... and left a few free
    for seed in range(10):  # this phase's openings (the rest) overlap every free one too
        opening = pick_scene_opening(picture, earlier, every[24:], random.Random(seed))
        assert not copies(opening), opening


def test_a_planned_opening_never_says_a_word_again() -> None:
    import random

    from scenariosim.agents.persona_agent import pick_scene_opening
    from scenariosim.text_rules import repeated_phrases

    picture = {"sign": True, "photo": True, "flag": True, "group_20": True}
    for seed in range(20):  # "carrying placards, carrying a portrait and carrying a flag"
        opening = pick_scene_opening(picture, [], [], random.Random(seed))
        assert repeated_phrases(opening) == [], opening


def test_every_picture_has_an_opening_the_critic_would_not_refuse() -> None:
    import random

    from scenariosim.agents.examples import all_example_text
    from scenariosim.agents.persona_agent import pick_scene_opening
    from scenariosim.text_rules import repeated_phrases, shared_run

    examples = all_example_text()
    for attributes in _pictures()[::5]:
        opening = pick_scene_opening(attributes, [examples], [], random.Random(1))
        assert not repeated_phrases(opening) and not shared_run(opening, examples), opening


def test_a_picture_with_many_things_going_on_is_offered_a_sample_of_its_openings() -> None:
    import random

    from scenariosim.agents.persona_agent import OPENING_CHOICES, scene_openings

    few = scene_openings({"group_20": False}, random.Random(0))
    assert len(few) == len(set(few)) == 8  # four phrasings, time of day first or last
    everything = dict.fromkeys(["sign", "photo", "flag", "shouting", "police", "fire"], True)
    assert (
        len(scene_openings({**everything, "group_20": True}, random.Random(0))) == OPENING_CHOICES
    )


def test_a_scene_grammar_starts_with_its_opening() -> None:
    from scenariosim.agents.persona_agent import scene_grammar

    grammar = scene_grammar("At night, a crowd holding signs")
    assert grammar.splitlines()[0] == 'root ::= " " "At night, a crowd holding signs" tail "\\n"'


def test_every_scene_grammar_parses() -> None:
    from llama_cpp import LlamaGrammar

    from scenariosim.agents.persona_agent import scene_grammar, scene_opening

    for attributes in _pictures()[::37]:
        grammar = scene_grammar(scene_opening(attributes, 3, when_first=True))
        assert LlamaGrammar.from_string(grammar, verbose=False) is not None


def test_a_text_with_cues_of_both_sides_carries_neither_stance() -> None:
    text = "I'm with the government, I'm with them. I'm angry."  # a run's draft
    assert labels_missing(text, DraftLabels(stance="support_protest")) == ["stance"]
    assert labels_missing(text, DraftLabels(stance="oppose_protest")) == ["stance"]


def test_a_reply_must_not_argue_the_other_side_of_its_stance() -> None:
    agrees_with_oppose = DraftLabels(stance="oppose_protest", relation="agrees", emotion="anger")
    text = "I agree, we will make a protest against the government. I'm angry."  # a run's reply
    assert labels_missing(text, agrees_with_oppose) == ["stance"]
    assert labels_missing("I agree, go home. I'm angry.", agrees_with_oppose) == []
    # No side named at all: blind readers could not tell the stance, so it is not carried.
    assert labels_missing("I agree, what a mess. I'm angry.", agrees_with_oppose) == ["stance"]


def test_a_neutral_reply_is_not_checked_for_stance() -> None:
    asks = DraftLabels(stance="neutral", relation="asks", emotion="fear")
    assert labels_missing("Is it true they can't afford it? I'm worried.", asks) == []


def test_a_scene_is_one_sentence_after_its_opening() -> None:
    from scenariosim.agents.persona_agent import scene_grammar

    grammar = scene_grammar("At night, some people holding signs")
    assert grammar.splitlines()[0].endswith('tail "\\n"')
    tail = next(line for line in grammar.splitlines() if line.startswith("tail ::="))
    assert tail.endswith('"."')  # one full stop, then the line ends


def test_a_reply_opens_with_its_relation_and_a_post_in_either_order() -> None:
    reply = comment_grammar(DraftLabels(relation="agrees", emotion="anger"))
    post = post_grammar(DraftLabels(stance="neutral", emotion="anger"))
    assert reply.splitlines()[0] == 'root ::= a " " b "\\n"'
    assert post.splitlines()[0] == 'root ::= a " " b "\\n" | b " " a "\\n"'


def test_a_reply_that_adds_opens_on_a_word_of_its_news_the_post_lacks() -> None:
    from scenariosim.agents.persona_agent import adds_word_of

    news = ["Police cleared the blockade at night with tear gas."]
    assert adds_word_of(news, "I am angry.") == "blockade"
    assert adds_word_of(news, "The blockade is over.") is None  # nothing else after "the"
    labels = DraftLabels(relation="adds", stance="neutral", emotion="anger")
    heads = reply_openers(labels, adds_word="police")
    assert heads == tuple(f"{opener} the police" for opener in openers()["adds"])
    assert all(len(head.split()) <= COPY_RUN - 1 for head in heads)


def test_a_name_the_reply_adds_keeps_its_capital() -> None:
    from scenariosim.agents.persona_agent import adds_word_of

    news = ["The National Oil Company said deliveries to the capital were not affected."]
    assert adds_word_of(news, "Prices are up.") == "National"
    assert adds_word_of(["Drivers waited at the pumps."], "Prices are up.") == "pumps"
    assert adds_word_of(["Families wait at the Gülbahar flats."], "So sad.") == "Gülbahar"
    assert adds_word_of(["Leyla Orujova remains in custody."], "Free them.") is None


def test_an_adds_grammar_with_its_word_is_valid_gbnf() -> None:
    from llama_cpp import LlamaGrammar

    labels = DraftLabels(relation="adds", stance="neutral", emotion="fear")
    grammar = comment_grammar(labels, adds_word="Ismailovs")
    assert '"In fact, the Ismailovs"' in grammar
    assert LlamaGrammar.from_string(grammar, verbose=False) is not None
