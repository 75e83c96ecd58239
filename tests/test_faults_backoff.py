"""Retries back off: doubling waits, a server's retry-after honoured, every wait bounded."""

import pytest
from fake_chat import ScriptedChatModel
from fault_injection import InjectedRateLimit
from pydantic import BaseModel

from scenariosim.agents.calls import AgentModel, call_structured
from scenariosim.models.backoff import retry_after_s

pytestmark = pytest.mark.faults


class Reply(BaseModel):
    text: str


def _call(*replies: str | Exception, **model: float) -> tuple[list[float], object]:
    chat = ScriptedChatModel()
    chat.enqueue(*replies)
    waits: list[float] = []
    agent = AgentModel("scripted", chat, **{"backoff_s": 0.5, **model})  # type: ignore[arg-type]
    _, record = call_structured(agent, [("human", "x")], Reply, 1, sleep=waits.append)
    return waits, record


class _Headers429(Exception):
    """Shaped like an HTTP client's error: the wait is in the response headers."""

    def __init__(self, value: str) -> None:
        super().__init__("429 Too Many Requests")
        self.response = type("Response", (), {"headers": {"retry-after": value}})()


def test_connection_errors_wait_twice_as_long_each_time() -> None:
    waits, record = _call(ConnectionError("reset"), ConnectionError("reset"), '{"text": "ok"}')
    assert waits == [0.5, 1.0]
    assert record.waits_s == [0.5, 1.0]


def test_a_rate_limit_waits_as_long_as_the_server_asked() -> None:
    waits, _ = _call(InjectedRateLimit(7.0), '{"text": "ok"}')
    assert waits == [7.0]


def test_a_short_retry_after_does_not_shorten_the_backoff() -> None:
    waits, _ = _call(InjectedRateLimit(0.1), '{"text": "ok"}')
    assert waits == [0.5]


def test_no_wait_is_longer_than_the_bound_whatever_the_server_asks() -> None:
    waits, _ = _call(InjectedRateLimit(3600.0), '{"text": "ok"}', max_wait_s=30.0)
    assert waits == [30.0]


def test_exponential_backoff_is_bounded_too() -> None:
    waits, _ = _call(
        TimeoutError("slow"), TimeoutError("slow"), '{"text": "ok"}', backoff_s=20, max_wait_s=30
    )
    assert waits == [20.0, 30.0]


def test_invalid_output_is_retried_at_once_without_waiting() -> None:
    waits, record = _call("{not json", "", '{"text": "ok"}')
    assert waits == []
    assert record.attempts == 3  # type: ignore[attr-defined]


def test_the_last_failed_attempt_does_not_wait() -> None:
    waits, record = _call(TimeoutError("a"), TimeoutError("b"), TimeoutError("c"))
    assert waits == [0.5, 1.0]
    assert record.error == "TimeoutError: c"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("error", "seconds"),
    [
        (InjectedRateLimit(2.5), 2.5),
        (_Headers429("12"), 12.0),
        (_Headers429("Wed, 21 Oct 2026 07:28:00 GMT"), None),
        (RuntimeError("429 RESOURCE_EXHAUSTED. Please retry in 37.56s."), 37.56),
        (RuntimeError("{'@type': 'RetryInfo', 'retryDelay': '41s'}"), 41.0),
        (RuntimeError("quota exceeded"), None),
    ],
)
def test_retry_after_is_read_from_attribute_header_or_message(
    error: Exception, seconds: float | None
) -> None:
    assert retry_after_s(error) == seconds
