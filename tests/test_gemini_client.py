"""The Gemini backends with the real client libraries (langchain-google-genai on the
google-genai SDK) pointed at a local stand-in of the Gemini REST API through the documented
`base_url` option: what they send, and how each way Gemini fails comes back."""

import itertools
from collections.abc import Iterator

import pytest
from gemini_standin import Fault, GeminiStandIn
from typer.testing import CliRunner

from scenariosim.agents.calls import AgentModel, call_structured
from scenariosim.cli import app
from scenariosim.errors import ModelError
from scenariosim.models import ChatOptions, make_chat_model, make_embeddings, make_image_backend
from scenariosim.models.check import CheckReply
from scenariosim.models.image_backend import ImageRequest
from scenariosim.settings import Settings, load_settings

KEY = "AIzaSyStandInTestKey-0123456789abcdefgh"
CHAT = "gemini:gemini-2.5-flash"
PROMPT = [("human", "In one sentence, how do people in a small town feel about fuel prices?")]


@pytest.fixture
def stand_in() -> Iterator[GeminiStandIn]:
    with GeminiStandIn(KEY) as server:
        yield server


def settings_for(server: GeminiStandIn, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "google_api_key": KEY,
        "gemini_base_url": server.url,
        "gemini_requests_per_second": 50.0,
        "gemini_embedding_requests_per_second": 50.0,
        "request_timeout_s": 5.0,
    }
    return load_settings(**{**values, **overrides})


def agent(server: GeminiStandIn, **overrides: object) -> AgentModel:
    chat = make_chat_model(CHAT, settings_for(server, **overrides), ChatOptions(seed=11))
    return AgentModel(spec=CHAT, chat=chat, backoff_s=0.05)


def image_request() -> ImageRequest:
    return ImageRequest(
        id="img-1",
        scene="Drivers stand by their lorries at the junction.",
        sign_text="Diesel 0.90",
        labels={"sign": True, "group_20": True},
        violence=0.0,
        seed=3,
    )


def test_requests_go_to_the_configured_endpoint_with_the_key_in_a_header(
    stand_in: GeminiStandIn,
) -> None:
    parsed, _ = call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    assert parsed is not None
    (request,) = stand_in.requests
    assert request.path.endswith("/models/gemini-2.5-flash:generateContent")
    assert request.headers["x-goog-api-key"] == KEY
    assert "key" not in request.query, "the key never travels in the URL"


def test_a_structured_call_sends_the_json_schema_and_mime_type(stand_in: GeminiStandIn) -> None:
    parsed, record = call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    config = stand_in.requests[0].generation_config
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == CheckReply.model_json_schema()
    assert parsed == CheckReply.model_validate_json(record.raw)


def test_sampling_options_and_the_call_seed_reach_the_request(stand_in: GeminiStandIn) -> None:
    call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    config = stand_in.requests[0].generation_config
    assert config["seed"] == 5, "the per-call seed, not the model's default of 11"
    assert config["maxOutputTokens"] == 512
    assert config["temperature"] == 0.7


def test_an_unparseable_answer_is_asked_again_with_a_new_seed(stand_in: GeminiStandIn) -> None:
    stand_in.add_fault(Fault("malformed_json"))
    parsed, record = call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    assert parsed is not None and record.attempts == 2
    assert record.retries[0].startswith("invalid output")
    seeds = [r.generation_config["seed"] for r in stand_in.requests]
    assert seeds == [5, 5 + 7919]


def test_usage_is_counted_as_gemini_reports_it(stand_in: GeminiStandIn) -> None:
    _, record = call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    usage = stand_in.requests[0].usage
    assert usage is not None
    assert record.input_tokens == usage["promptTokenCount"]
    assert record.output_tokens == usage["candidatesTokenCount"]


def test_thinking_tokens_are_counted_as_output_tokens() -> None:
    with GeminiStandIn(KEY, thinking_tokens=300) as server:
        _, record = call_structured(agent(server), PROMPT, CheckReply, seed=5)
        usage = server.requests[0].usage
    assert usage is not None and usage["thoughtsTokenCount"] == 300
    assert record.output_tokens == usage["candidatesTokenCount"] + 300


def test_thinking_that_spends_the_whole_budget_fails_saying_so() -> None:
    with GeminiStandIn(KEY, thinking_tokens=600) as server:
        parsed, record = call_structured(agent(server), PROMPT, CheckReply, seed=5)
    assert parsed is None
    assert record.error is not None
    assert "whole output budget of 512 tokens before answering (512 of them thinking)" in (
        record.error
    )


def test_a_429_is_retried_after_the_delay_gemini_asks_for(stand_in: GeminiStandIn) -> None:
    stand_in.add_fault(Fault("rate_limit", retry_delay_s=1.0))
    parsed, record = call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    assert parsed is not None and record.attempts == 2
    assert "RESOURCE_EXHAUSTED" in record.retries[0]
    assert record.waits_s == [1.0], "Gemini's RetryInfo delay, not the 0.05 s backoff"
    first, second = stand_in.requests
    assert (first.status, second.status) == (429, 200)
    assert second.arrived - first.arrived >= 1.0


def test_the_sdk_does_not_retry_behind_the_call_loop(stand_in: GeminiStandIn) -> None:
    stand_in.add_fault(Fault("rate_limit", times=None, retry_delay_s=0.0))
    parsed, record = call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    assert parsed is None and record.attempts == 3
    assert len(stand_in.requests) == 3, "one request per attempt, each through the rate limiter"


@pytest.mark.parametrize("kind", ["server_error", "unavailable", "broken_body"])
def test_server_failures_are_retried(stand_in: GeminiStandIn, kind: str) -> None:
    stand_in.add_fault(Fault(kind))  # type: ignore[arg-type]
    parsed, record = call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    assert parsed is not None and record.attempts == 2
    assert record.retries[0].startswith("ModelError: Gemini gemini-2.5-flash")


def test_a_slow_answer_times_out_and_is_retried(stand_in: GeminiStandIn) -> None:
    stand_in.add_fault(Fault("slow", delay_s=3.0))
    parsed, record = call_structured(
        agent(stand_in, request_timeout_s=0.5), PROMPT, CheckReply, seed=5
    )
    assert parsed is not None and record.attempts == 2
    assert "could not be reached" in record.retries[0] and "Timeout" in record.retries[0]


def test_a_safety_block_is_an_error_naming_the_reason(stand_in: GeminiStandIn) -> None:
    stand_in.add_fault(Fault("safety", times=None))
    parsed, record = call_structured(agent(stand_in), PROMPT, CheckReply, seed=5)
    assert parsed is None and record.attempts == 3
    assert record.error is not None
    assert "blocked the answer: finish reason SAFETY" in record.error
    assert "HARM_CATEGORY_DANGEROUS_CONTENT" in record.error


def test_a_blocked_prompt_is_an_error_naming_the_reason(stand_in: GeminiStandIn) -> None:
    stand_in.add_fault(Fault("prompt_blocked"))
    chat = make_chat_model(CHAT, settings_for(stand_in))
    with pytest.raises(ModelError, match=r"prompt blocked: SAFETY \(HARM_CATEGORY_HARASSMENT\)"):
        chat.invoke("hello")


def test_a_wrong_key_is_refused_with_gemini_s_message(stand_in: GeminiStandIn) -> None:
    chat = make_chat_model(CHAT, settings_for(stand_in, google_api_key="AIza-wrong"))
    with pytest.raises(ModelError, match="API key not valid"):
        chat.invoke("hello")


def test_agent_and_critic_of_one_model_share_one_rate_limiter(stand_in: GeminiStandIn) -> None:
    settings = settings_for(stand_in, gemini_requests_per_second=0.5)
    agent_chat = make_chat_model(CHAT, settings, ChatOptions(seed=1))
    critic_chat = make_chat_model(CHAT, settings, ChatOptions(seed=2, temperature=0.1))
    other = make_chat_model("gemini:gemini-2.5-flash-lite", settings)
    assert agent_chat.rate_limiter is critic_chat.rate_limiter
    assert other.rate_limiter is not agent_chat.rate_limiter, "quotas are per model"


def test_embeddings_go_to_batch_embed_contents_and_share_words(stand_in: GeminiStandIn) -> None:
    embeddings = make_embeddings("gemini:gemini-embedding-001", settings_for(stand_in))
    fuel, diesel, bread = embeddings.embed_documents(
        ["diesel price rise at the pump", "the diesel price went up", "fresh bread in the bakery"]
    )
    query = embeddings.embed_query("diesel price")
    (docs, asked) = stand_in.requests_for("batchEmbedContents")
    assert docs.path.endswith("/models/gemini-embedding-001:batchEmbedContents")
    assert [r["taskType"] for r in docs.body["requests"]] == ["RETRIEVAL_DOCUMENT"] * 3
    assert asked.body["requests"][0]["taskType"] == "RETRIEVAL_QUERY"
    assert asked.headers["x-goog-api-key"] == KEY
    assert len(fuel) == stand_in.embedding_dims

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cosine(query, fuel) > cosine(query, bread)
    assert cosine(query, diesel) > cosine(query, bread)


def test_embedding_requests_keep_to_their_own_rate_limit(stand_in: GeminiStandIn) -> None:
    settings = settings_for(stand_in, gemini_embedding_requests_per_second=5.0)
    embeddings = make_embeddings("gemini:gemini-embedding-001", settings)
    for word in ("diesel", "bread", "blockade", "junction"):
        embeddings.embed_query(word)
    arrivals = [r.arrived for r in stand_in.requests]
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert len(arrivals) == 4 and min(gaps) >= 0.15, gaps  # one per 0.2 s, less thread jitter


def test_a_rate_limited_embedding_request_waits_the_delay_gemini_asks_for(
    stand_in: GeminiStandIn,
) -> None:
    stand_in.add_fault(Fault("rate_limit", operation=None, retry_delay_s=1.0))
    embeddings = make_embeddings("gemini:gemini-embedding-001", settings_for(stand_in))
    vectors = embeddings.embed_documents(["diesel price", "bread price"])
    assert len(vectors) == 2 and len(vectors[0]) == stand_in.embedding_dims
    first, second = stand_in.requests
    assert (first.status, second.status) == (429, 200)
    assert second.arrived - first.arrived >= 1.0


def test_embedding_server_errors_give_up_after_three_attempts(stand_in: GeminiStandIn) -> None:
    stand_in.add_fault(Fault("unavailable", times=None, operation=None))
    embeddings = make_embeddings("gemini:gemini-embedding-001", settings_for(stand_in))
    with pytest.raises(ModelError, match=r"failed 3 times: .*503"):
        embeddings.embed_query("diesel")
    assert len(stand_in.requests) == 3


def test_an_embedding_request_with_a_wrong_key_is_not_retried(stand_in: GeminiStandIn) -> None:
    settings = settings_for(stand_in, google_api_key="AIza-wrong")
    embeddings = make_embeddings("gemini:gemini-embedding-001", settings)
    with pytest.raises(ModelError, match="API key not valid"):
        embeddings.embed_query("diesel")
    assert len(stand_in.requests) == 1


def test_the_image_backend_asks_for_an_image_and_reads_the_png(stand_in: GeminiStandIn) -> None:
    backend = make_image_backend("gemini:gemini-2.5-flash-image", settings_for(stand_in))
    generated = backend.generate(image_request())
    (request,) = stand_in.requests
    assert request.path.endswith("/models/gemini-2.5-flash-image:generateContent")
    assert request.generation_config["responseModalities"] == ["TEXT", "IMAGE"]
    assert request.generation_config["imageConfig"] == {"aspectRatio": "4:3"}
    assert "Diesel 0.90" in request.prompt_text
    assert request.headers["x-goog-api-key"] == KEY
    assert generated.image.size == (256, 192)
    assert generated.labels["sign"] is True and generated.labels_exact is False


def test_a_safety_blocked_image_is_a_model_error_naming_the_reason_and_not_retried(
    stand_in: GeminiStandIn,
) -> None:
    stand_in.add_fault(Fault("safety"))
    backend = make_image_backend("gemini:gemini-2.5-flash-image", settings_for(stand_in))
    with pytest.raises(ModelError, match="finish reason SAFETY"):
        backend.generate(image_request())
    assert len(stand_in.requests) == 1


def test_the_image_backend_waits_the_delay_gemini_asks_for_after_a_429(
    stand_in: GeminiStandIn,
) -> None:
    stand_in.add_fault(Fault("rate_limit", retry_delay_s=1.0))
    backend = make_image_backend("gemini:gemini-2.5-flash-image", settings_for(stand_in))
    generated = backend.generate(image_request())
    assert generated.image.size == (256, 192)
    first, second = stand_in.requests
    assert (first.status, second.status) == (429, 200)
    assert second.arrived - first.arrived >= 1.0


def test_the_image_backend_gives_up_after_three_server_errors(stand_in: GeminiStandIn) -> None:
    stand_in.add_fault(Fault("unavailable", times=None))
    backend = make_image_backend("gemini:gemini-2.5-flash-image", settings_for(stand_in))
    with pytest.raises(ModelError, match="503"):
        backend.generate(image_request())
    assert len(stand_in.requests) == 3


def test_models_check_works_against_the_stand_in(
    stand_in: GeminiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", KEY)
    monkeypatch.setenv("SCENARIOSIM_GEMINI_BASE_URL", stand_in.url)
    monkeypatch.setenv("SCENARIOSIM_GEMINI_REQUESTS_PER_SECOND", "50")
    monkeypatch.setenv("SCENARIOSIM_EMBEDDING_MODEL", "gemini:gemini-embedding-001")
    monkeypatch.setenv("COLUMNS", "200")  # the table on one line per model
    result = CliRunner().invoke(app, ["models", "check", "--model", CHAT])
    assert result.exit_code == 0, result.output
    assert CHAT in result.output
    assert "embeddings gemini:gemini-embedding-001: 768 dimensions" in result.output
    assert KEY not in result.output
    assert {r.operation for r in stand_in.requests} == {"generateContent", "batchEmbedContents"}


def test_models_check_leaves_room_for_thinking(monkeypatch: pytest.MonkeyPatch) -> None:
    with GeminiStandIn(KEY, thinking_tokens=400) as server:
        monkeypatch.setenv("GOOGLE_API_KEY", KEY)
        monkeypatch.setenv("SCENARIOSIM_GEMINI_BASE_URL", server.url)
        monkeypatch.setenv("SCENARIOSIM_GEMINI_REQUESTS_PER_SECOND", "50")
        monkeypatch.setenv("SCENARIOSIM_EMBEDDING_MODEL", "gemini:gemini-embedding-001")
        result = CliRunner().invoke(app, ["models", "check", "--model", CHAT])
    assert result.exit_code == 0, result.output
    assert "[calm]" in result.output


def test_models_check_with_a_wrong_key_exits_2_without_printing_it(
    stand_in: GeminiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-wrong-key-4242")
    monkeypatch.setenv("SCENARIOSIM_GEMINI_BASE_URL", stand_in.url)
    monkeypatch.setenv("SCENARIOSIM_GEMINI_REQUESTS_PER_SECOND", "50")
    result = CliRunner().invoke(app, ["models", "check", "--model", CHAT])
    assert result.exit_code == 2
    assert "API key not valid" in result.output
    assert "AIza-wrong-key-4242" not in result.output
