"""The critic's deterministic checks, one behaviour each (issue #15's failure kinds)."""

from langchain_core.embeddings import Embeddings

from scenariosim.agents.checks import (
    copied_run,
    labels_missing,
    leaked_real_names,
    on_topic,
    persona_contradictions,
    persona_readback,
    scene_label_problems,
    sign_problems,
    unsupported_entities,
    unsupported_numbers,
)
from scenariosim.agents.critic import clean_candidate
from scenariosim.agents.schemas import DraftLabels, PersonaCard
from scenariosim.text_rules import cut_off, meta_text, placeholders, repeated_phrases

PERSONA = PersonaCard(
    id="p1",
    name="Aysel Karimova",
    age=34,
    sex="female",
    province="Arzuli Province",
    occupation="nurse",
    description="Aysel Karimova is a 34-year-old married woman living in a town in Arzuli "
    "Province. She works as a nurse.",
)
SUPPORT = "Diesel rose from 0.90 to 1.30 ADH per litre, said Vugar Aslanov in Karavan."


def test_a_sentence_opening_word_is_not_taken_for_a_name() -> None:
    assert unsupported_entities("Prices rose. Everyone is angry.", SUPPORT, []) == []


def test_critic_flags_a_name_that_nothing_supports() -> None:
    text = "Vugar Aslanov spoke, and Rashad Novruzov agreed."
    assert unsupported_entities(text, SUPPORT, []) == ["Rashad Novruzov"]


def test_contractions_of_i_are_not_names() -> None:
    assert unsupported_entities("If they stop, I'll walk and I'm fine.", SUPPORT, []) == []


def test_gazetteer_names_count_as_supported() -> None:
    assert unsupported_entities("I marched in Gulbahar.", SUPPORT, ["Gulbahar"]) == []


def test_critic_flags_unsupported_number() -> None:
    assert unsupported_numbers("Diesel is 1.30 now, up 45%.", SUPPORT) == ["45%"]


def test_real_world_names_are_caught_but_not_inside_other_words() -> None:
    assert leaked_real_names("Like in Russia, prices rose.") == ["Russia"]
    assert leaked_real_names("Russian-speaking?") == ["Russian"]
    assert leaked_real_names("The Ukrainianness of it") == []


def test_age_and_sex_contradictions_are_found() -> None:
    problems = persona_contradictions("As a father and a 60-year-old, I worry.", PERSONA)
    assert any("age 60" in p for p in problems)
    assert any("speaks as a man" in p for p in problems)
    assert persona_contradictions("I am 34 and tired.", PERSONA) == []


def test_meta_text_about_writing_or_answering_is_found() -> None:
    assert meta_text("To support the government, I will respond to this tweet tomorrow.")
    assert meta_text("Dear Kanan, I am writing to express my concern.")
    assert meta_text("Bread costs more and my kids notice it.") == []


def test_placeholders_are_found() -> None:
    assert placeholders("See you at [time] on the [date].") == ["[date]", "[time]"]
    assert placeholders("See you at the square on Friday.") == []


def test_reading_the_persona_card_back_is_found() -> None:
    assert persona_readback("Aysel Karimova is a 34-year-old nurse.", PERSONA)
    assert persona_readback("I live in a town in Arzuli Province and work nights.", PERSONA)
    assert persona_readback("My shift ended late and the bus was full.", PERSONA) == ""


def test_a_news_sentence_copied_word_for_word_is_found() -> None:
    news = "Truck drivers parked their lorries across the Karavan junction on Monday."
    found = copied_run(
        "Look: drivers parked their lorries across the Karavan junction!", {"the news": news}
    )
    assert found == "the news: drivers parked their lorries across the"
    assert copied_run("The lorries are still at the junction.", {"the news": news}) == ""


def test_text_that_stops_mid_sentence_is_cut_off() -> None:
    assert cut_off("Prices keep going up and we")
    assert not cut_off("Prices keep going up.")
    assert not cut_off('He said "enough!"')


def test_a_phrase_the_model_loops_on_is_found() -> None:
    assert repeated_phrases("I'm going to die, I'm going to die, I'm going to die.")
    assert repeated_phrases("The old diesel was cheap and the new diesel is not.") == []


def test_four_words_said_twice_are_a_loop() -> None:
    text = (
        "I agree, it's too much, I'm not sure how to do it. I'm hopeful, I'm not sure how to do it."
    )
    assert "i'm not sure how" in repeated_phrases(text)
    assert repeated_phrases("I'm with the road crew. I hope we don't pay for the road.") == []


def test_a_word_said_three_times_is_a_loop() -> None:
    assert repeated_phrases("You're right, I'm angry with you. I'm angry, angry, angry.") == [
        "angry"
    ]
    assert repeated_phrases("Police, more police, and police at the gate.") == ["police"]


def test_a_common_word_or_contraction_said_three_times_is_not_a_loop() -> None:
    text = "I don't know, they don't say, I don't care what they want."
    assert repeated_phrases(text) == []


def test_a_draft_must_share_a_content_word_with_its_topic() -> None:
    topic = "Diesel rose after the government cut fuel subsidies."
    assert on_topic("The diesel price will ruin us.", topic)
    assert not on_topic("How to make a simple chocolate chip cookie.", topic)


def test_a_draft_without_its_emotion_or_stance_does_not_carry_its_labels() -> None:
    labels = DraftLabels(stance="support_protest", emotion="anger")
    assert labels_missing("I'm angry. I stand with the drivers.", labels) == []
    assert labels_missing("The drivers met at noon.", labels) == ["emotion", "stance"]


def test_a_neutral_draft_must_take_no_side() -> None:
    labels = DraftLabels(stance="neutral", emotion="calm")
    assert labels_missing("Let's see, I'm not sure who is right.", labels) == []
    assert "stance" in labels_missing("Let's see. I stand with the drivers.", labels)


def test_an_agreeing_reply_must_say_its_stance() -> None:
    labels = DraftLabels(relation="agrees", stance="oppose_protest", emotion="anger")
    assert labels_missing("I agree, go home now. I'm angry.", labels) == []
    assert labels_missing("I agree, it is late. I'm angry.", labels) == ["stance"]
    assert labels_missing("I agree, keep going. I'm angry.", labels) == ["stance"]


def test_a_reply_must_do_what_its_relation_says() -> None:
    asks = DraftLabels(relation="asks")
    assert labels_missing("Is the bus still running tomorrow?", asks) == []
    assert labels_missing("The bus is running tomorrow.", asks) == ["relation"]
    adds = DraftLabels(relation="adds")
    fact = "The carriers' rebate applies to licensed lorries only."
    assert labels_missing("Only licensed lorries get the rebate, remember.", adds, fact) == []


def test_a_scene_must_show_exactly_the_pictures_attributes() -> None:
    attrs = {"sign": True, "police": False, "group_20": True, "group_100": False, "night": False}
    assert scene_label_problems("A crowd holds signs in the square.", attrs) == []
    problems = scene_label_problems("Police face a crowd at night.", attrs)
    assert "the scene shows police but the picture will not" in problems
    assert "the picture has sign but the scene does not say so" in problems


def test_more_than_a_hundred_people_also_counts_as_more_than_twenty() -> None:
    attrs = {"group_20": True, "group_100": True}
    assert scene_label_problems("Thousands fill the avenue.", attrs) == []


def test_a_sign_is_capitals_with_no_unsupported_number_and_copies_no_example() -> None:
    assert sign_problems("FAIR PRICES NOW", SUPPORT, "") == []
    assert sign_problems("fair prices", SUPPORT, "")
    assert sign_problems("DIESEL AT 2.50", SUPPORT, "")
    assert sign_problems("FAIR PRICES NOW", SUPPORT, "FAIR PRICES NOW")


def test_cleaning_keeps_two_sentences_and_drops_a_cut_off_tail() -> None:
    assert clean_candidate('"Prices rose."') == "Prices rose."
    text = "Prices rose again today. We cannot pay for bread. Tomorrow is worse. And the"
    assert clean_candidate(text) == "Prices rose again today. We cannot pay for bread."


def test_a_sign_uses_only_words_of_its_post_news_or_a_slogan() -> None:
    support = "Diesel rose after the government cut fuel subsidies. I can't pay for diesel."
    assert sign_problems("GIVE US BACK OUR DIESEL", support, "") == []
    assert sign_problems("NO MORE FUEL PRICES", support, "") == []
    (problem,) = sign_problems("WE NEARED NOTHING TODAYX", support, "")  # a run's sign
    assert problem.endswith("neared, todayx")


def test_a_sign_that_names_its_own_event_ranks_before_one_that_could_hang_anywhere() -> None:
    from scenariosim.agents.checks import sign_rank

    about = "Police clear the blockade at the Karavan junction."
    signs = ["NO MORE", "WE ARE NOT LEAVING", "CLEAR THE BLOCKADE"]
    assert min(signs, key=lambda sign: sign_rank(sign, about)) == "CLEAR THE BLOCKADE"
    assert sign_rank("WE ARE NOT LEAVING", about) < sign_rank("NO MORE", about)


def test_a_sign_that_says_a_word_twice_is_refused() -> None:
    assert sign_problems("HOME AND THE HOME", "home", "") == ["a word said twice"]
    assert sign_problems("OUR HARBOUR OUR LIVES", "harbour", "") == []


def test_a_post_or_reply_over_the_word_cap_is_too_long_but_a_scene_is_not() -> None:
    from scenariosim.agents.checks import TEXT_MAX_WORDS, run_checks

    text = " ".join(["The diesel price rose again today and I am angry."] * 3)
    assert len(text.split()) > TEXT_MAX_WORDS
    args = (text, PERSONA, SUPPORT, [], DraftLabels(), "", {})
    assert run_checks(*args).too_long
    assert not run_checks(*args, max_words=None).too_long


class _KaravanEmbeddings(Embeddings):
    """A text that names Karavan is close to a fact that does, any other is not: both
    candidates below are equally grounded, so only the length preference tells them apart."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] if "Karavan" in t else [0.0, 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


LONG_REPLY = (
    "I agree, keep going, the drivers stayed on the Karavan road for three days now. "
    "I'm angry for the Karavan drivers."
)
SHORT_REPLY = "I agree, keep going in Karavan. I'm angry for the Karavan drivers."


def _chosen(kind: str) -> str:
    from scenariosim.agents.critic import CriticPolicy, CritiqueInputs, critique_candidates

    post = "The drivers parked their lorries on the Karavan road."
    inputs = CritiqueInputs(
        persona=PERSONA,
        labels=DraftLabels(relation="agrees", stance="support_protest", emotion="anger"),
        facts=[post],
        support=post,
        topic=post,
        copy_sources={},
        kind=kind,
    )
    critique, _ = critique_candidates(
        [LONG_REPLY, SHORT_REPLY], inputs, _KaravanEmbeddings(), None, 1, CriticPolicy()
    )
    assert [v.reasons for v in critique.candidates] == [[], []]
    return [LONG_REPLY, SHORT_REPLY][critique.chosen]


def test_a_short_reply_ranks_before_an_equally_good_long_one_drawn_first() -> None:
    from scenariosim.agents.critic import REPLY_KIND, REPLY_PREFERRED_WORDS

    assert len(LONG_REPLY.split()) > REPLY_PREFERRED_WORDS >= len(SHORT_REPLY.split())
    assert _chosen(REPLY_KIND) == SHORT_REPLY


def test_among_equally_good_posts_the_first_drawn_is_kept_whatever_its_length() -> None:
    assert _chosen("post") == LONG_REPLY


def test_a_cue_that_ends_in_a_space_matches_only_from_a_word_start() -> None:
    from scenariosim.text_rules import RELATION_CUES, cues

    assert cues("The ministry said so.", RELATION_CUES)["disagrees"] == 0
    assert cues("Try living on this wage.", RELATION_CUES)["disagrees"] == 1


def test_a_text_that_names_the_protest_is_on_topic_without_a_word_of_its_facts() -> None:
    topic = "Diesel rose after the government cut fuel subsidies."
    assert on_topic("I'm against the protests. I'm angry.", "Truck drivers parked lorries.")
    assert on_topic("The ministry should listen.", "Truck drivers parked lorries.")
    assert not on_topic("I love my garden in spring.", topic)


def test_a_large_crowd_is_more_than_a_hundred_people() -> None:
    twenty = {"group_20": True, "group_100": False}
    problems = scene_label_problems("A large crowd blocks the road.", twenty)
    assert problems == ["the scene shows group_100 but the picture will not"]


def test_screaming_and_yelling_are_shouting() -> None:
    quiet = {"group_20": True, "shouting": False}
    for scene in ("A crowd screaming at the gate.", "A crowd yelled at the gate."):
        assert scene_label_problems(scene, quiet) == [
            "the scene shows shouting but the picture will not"
        ]


def test_a_post_whose_tempers_flare_puts_no_fire_in_its_picture() -> None:
    import random

    from scenariosim.graph.assign_labels import image_attributes

    drawn = image_attributes("Tempers flare at the pumps.", random.Random(1), {"fire": 0.0})
    assert drawn["fire"] is False


def test_a_torch_or_a_flare_is_fire_in_a_picture() -> None:
    no_fire = {"group_20": True, "fire": False}
    problems = scene_label_problems("A crowd at the gate, one of them carrying a torch.", no_fire)
    assert problems == ["the scene shows fire but the picture will not"]
    assert scene_label_problems("A crowd lighting flares.", {"fire": True}) == []


def test_a_side_taken_back_in_one_text_carries_no_stance() -> None:
    from scenariosim.agents.checks import labels_missing

    support = DraftLabels(stance="support_protest", emotion="hope")
    undone = "I'm with them, I'm not with them. I'm hopeful."
    assert labels_missing(undone, support) == ["stance"]
    assert labels_missing("I'm with them. I'm hopeful.", support) == []


def test_deaths_and_thrown_rocks_nothing_reported_are_invented_events() -> None:
    from scenariosim.text_rules import unreported_violence

    assert unreported_violence("I'm sorry for those who lost their lives.", SUPPORT) == ["death"]
    assert unreported_violence("A crowd throwing rocks at the building.", SUPPORT) == ["stones"]
    reported = "Witnesses said youths threw stones at the depot."
    assert unreported_violence("They threw stones, it's a disgrace.", reported) == []


def test_killing_or_war_nothing_reported_is_an_invented_event() -> None:
    from scenariosim.text_rules import unreported_violence

    assert unreported_violence("So brave, they're killing someone.", SUPPORT) == ["kill"]
    assert unreported_violence("Is it true that the war is about peace?", SUPPORT) == ["war"]
    reported = "Police said one driver died after the convoy was shot at."
    assert unreported_violence("I'm sad that a driver died.", reported) == []
    assert unreported_violence("They shot at the convoy, it's a disgrace.", reported) == []


def test_a_scene_may_show_weapons_but_no_killing_nothing_reported() -> None:
    from scenariosim.agents.checks import run_checks

    def violence(text: str, tells_events: bool) -> list[str]:
        checks = run_checks(text, PERSONA, SUPPORT, [], DraftLabels(), "", {}, max_words=None,
                            tells_events=tells_events)  # fmt: skip
        return checks.unreported_violence

    guns = "A crowd of dozens facing riot police with guns, by the depot."
    assert violence(guns, tells_events=False) == [] and violence(guns, True) == ["weapon"]
    killed = "Some people with handmade signs are being carried off the roads to be killed."
    assert violence(killed, tells_events=False) == ["kill"]


def test_someone_not_in_paid_work_has_no_job_to_lose() -> None:
    looking = PERSONA.model_copy(update={"occupation": "looking for work"})
    (problem,) = persona_contradictions("I'm afraid I'll lose my job.", looking)
    assert problem == "speaks of a job but the persona's occupation is looking for work"
    assert persona_contradictions("I'm afraid I'll lose my job.", PERSONA) == []  # a nurse


def test_a_man_who_says_my_husband_speaks_as_a_woman() -> None:
    man = PERSONA.model_copy(update={"sex": "male"})
    assert persona_contradictions("I'm with my husband on this.", man) == [
        "speaks of my husband but the persona is a man"
    ]
    assert persona_contradictions("I'm with my husband on this.", PERSONA) == []


def test_the_sign_writer_is_shown_its_examples_in_lower_case_and_may_write_only_so() -> None:
    from scenariosim.agents.persona_agent import sign_prompt

    prompt = sign_prompt("Police clear the blockade", seed=3)
    lines = prompt.text.splitlines()
    signs = [line.removeprefix("Sign: ") for line in lines if line.startswith("Sign: ")]
    assert len(signs) == 4 and all(sign == sign.lower() for sign in signs)
    assert "[a-z]" in prompt.grammar and "[A-Z]" not in prompt.grammar


def test_a_chosen_sign_is_set_in_capitals_and_the_best_passing_one() -> None:
    from scenariosim.agents.critic import choose_sign

    support = "Police clear the blockade at the Karavan junction. A sign, police."
    drawn = [" no more", " tuffy duffers", " clear the blockade ", " we are not leaving"]
    assert choose_sign(drawn, support) == "CLEAR THE BLOCKADE"
    assert choose_sign([" tuffy duffers", " fuel replembly"], support) == ""
