from typing import Literal

import pytest
from fake_chat import ScriptedChatModel
from pydantic import BaseModel


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
