from typing import Literal

import pytest
from fake_chat import CANNED, ScriptedChatModel, continuation
from pydantic import BaseModel

from scenariosim.agents import schemas
from scenariosim.agents.examples import STANCE_WORDS


class Verdict(BaseModel):
    label: Literal["accept", "reject"]


def test_scripted_model_replies_in_order_and_records_history() -> None:
    model = ScriptedChatModel()
    model.enqueue("first", "second")
    assert model.invoke("a").content == "first"
    assert model.invoke("b").content == "second"
    assert [m[0].content for m in model.history] == ["a", "b"]


def test_scripted_model_parses_structured_output() -> None:
    model = ScriptedChatModel()
    model.enqueue('{"label": "accept"}')
    assert model.with_structured_output(Verdict).invoke("x") == Verdict(label="accept")


def test_invalid_structured_output_is_reported_not_raised_with_include_raw() -> None:
    model = ScriptedChatModel()
    model.enqueue('{"label": "maybe"}')
    result = model.with_structured_output(Verdict, include_raw=True).invoke("x")
    assert result["parsed"] is None
    assert result["parsing_error"] is not None
    assert result["raw"].content == '{"label": "maybe"}'


def test_queued_exception_is_raised() -> None:
    model = ScriptedChatModel()
    model.enqueue(TimeoutError("slow"))
    with pytest.raises(TimeoutError):
        model.invoke("x")


@pytest.mark.parametrize("name", sorted(CANNED))
def test_every_canned_reply_is_valid_for_its_schema(name: str) -> None:
    schema = getattr(schemas, name)
    assert schema.model_validate(CANNED[name]).model_dump(exclude_unset=True) == CANNED[name]


def test_continuation_carries_the_labels_the_prompt_names() -> None:
    support = STANCE_WORDS["support_protest"]
    post = f"News: Diesel will rise from 0.90 to 1.30 ADH per litre.\nPost by Ayla, 33, driver, angry, {support}:\n"
    text = continuation(post)
    assert text.startswith("I am angry ") and text.endswith(". I stand with them.\n")
    assert "about the diesel news" in text
    reply = "Post: Diesel is up again.\nReply by Ayla, 33, driver, asks, afraid:\n"
    text = continuation(reply, seed=1)
    assert text.startswith("What happens ") and "to the diesel now?" in text
    assert text.rstrip().endswith("i am afraid.")
    scene = "Post: Diesel is up.\nPhoto of: a sign, police\nScene:"
    assert continuation(scene) == " A street truly about the diesel so with signs, police today."


def test_continuations_with_other_seeds_share_no_six_words_of_their_first_sentence() -> None:
    from scenariosim.text_rules import shared_run

    post = "News: Diesel rose.\nPost by Ayla, 33, driver, angry, undecided:\n"
    first = [continuation(post, seed).split(". ")[0] for seed in range(4)]
    assert len(set(first)) == 4
    assert not shared_run(continuation(post, 0), continuation(post, 1), 6)
