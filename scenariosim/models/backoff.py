"""How long to wait before retrying a remote call: our backoff, or what the server asked.

Shared by the agents' structured calls and the Gemini embeddings and images, so all honour a
429's retry delay the same way.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# "Please retry in 37.5s" (Gemini), "retryDelay': '37s'" (Google RetryInfo), "retry after 2s".
_RETRY_IN_TEXT = re.compile(
    r"retry(?:[ _-]?after|[ _-]?delay|[ _-]?in)\W{0,4}(\d+(?:\.\d+)?)\s*s", re.IGNORECASE
)


def retry_after_s(error: BaseException) -> float | None:
    """Seconds a rate-limited server asked us to wait, if it said (attribute, header or text)."""
    value = getattr(error, "retry_after", None)
    if value is None:
        response = getattr(error, "response", None)
        headers = getattr(response, "headers", None)
        value = headers.get("retry-after") if headers is not None else None
    if value is None:
        found = _RETRY_IN_TEXT.search(str(error))
        value = found.group(1) if found else None
    try:
        seconds = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # an HTTP date: fall back to our own backoff
    return seconds if seconds is not None and seconds >= 0 else None


def backoff_wait_s(
    backoff_s: float, max_wait_s: float, attempt: int, error: BaseException
) -> float:
    """Exponential backoff from `backoff_s`, at least what the server asked, at most `max_wait_s`."""
    wait = backoff_s * 2**attempt
    asked = retry_after_s(error)
    if asked is not None:
        wait = max(wait, asked)
    return min(wait, max_wait_s)


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` tries, waiting `backoff_wait_s` between them."""

    max_attempts: int = 3
    backoff_s: float = 0.5
    max_wait_s: float = 60.0  # no single wait is longer, whatever a server asks for
    sleep: Callable[[float], None] = time.sleep

    def run(self, call: Callable[[], T], worth_retrying: Callable[[BaseException], bool]) -> T:
        """`call()`, tried again after errors `worth_retrying` says so of; the last error or
        one not worth retrying is raised as it is."""
        for attempt in range(self.max_attempts):
            try:
                return call()
            except Exception as e:
                if attempt + 1 == self.max_attempts or not worth_retrying(e):
                    raise
                self.sleep(backoff_wait_s(self.backoff_s, self.max_wait_s, attempt, e))
        raise AssertionError("unreachable: max_attempts is at least 1")
