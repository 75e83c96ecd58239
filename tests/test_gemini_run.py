"""Scenarios run on `gemini:` models end to end through `run_scenario`, with the real client
libraries pointed at the local stand-in of the Gemini API: posts, comments, the critic and
images flow through, requests carry the schemas, the rate limit spaces them, 429s wait as
asked, safety blocks become failed artifacts with their reason, and the key stays out of
every file the run writes."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gemini_standin import Fault, GeminiStandIn, RecordedRequest

from scenariosim.agents.calls import CONTINUE_SYSTEM
from scenariosim.agents.schemas import RubricScores
from scenariosim.graph.run import RunResult, run_scenario
from scenariosim.jsonl import read_jsonl
from scenariosim.scenario import ModelsConfig, Phase, Scenario, load_scenario
from scenariosim.settings import Settings, load_settings

pytestmark = pytest.mark.slow  # scenarios end to end (no real model: about a minute in all)

REPO = Path(__file__).resolve().parents[1]
KEY = "AIzaSyStandInRunKey-9876543210zyxwvut"
CHAT = "gemini:gemini-2.5-flash"
IMAGES = "gemini:gemini-2.5-flash-image"
RATE = 8.0  # requests per second per model


@dataclass
class GeminiRun:
    result: RunResult
    requests: list[RecordedRequest]
    cache_dir: Path


def on_gemini(scenario: Scenario) -> Scenario:
    models = ModelsConfig(
        agent=CHAT,
        critic=CHAT,
        images=IMAGES,
        max_tokens=scenario.models.max_tokens,
        temperature=scenario.models.temperature,
    )
    return scenario.model_copy(update={"models": models})


def settings_for(server: GeminiStandIn, base: Path, rate: float = RATE) -> Settings:
    return load_settings(
        google_api_key=KEY,
        gemini_base_url=server.url,
        gemini_requests_per_second=rate,
        gemini_embedding_requests_per_second=50.0,
        embedding_model="gemini:gemini-embedding-001",
        cache_dir=base / "cache",
        output_dir=base / "outputs",
        request_timeout_s=10.0,
    )


def small_scenario(images: int = 0) -> Scenario:
    """One phase of the fuel story: two posts, two comments, `images` image prompts."""
    return on_gemini(
        Scenario(
            name="Gemini faults",
            seed=5,
            personas={"n": 2, "where": "age >= 18"},
            critic={"max_revisions": 0},
            phases=[
                Phase(
                    id="hike",
                    date=dt.date(2026, 8, 15),
                    title="Diesel and petrol prices rise",
                    event="Diesel rose from 0.90 to 1.30 ADH per litre after the subsidy cut.",
                    query="fuel subsidy cut diesel price rise",
                    posts=2,
                    comments=2,
                    images=images,
                )
            ],
        )
    )


def run_on_stand_in(server: GeminiStandIn, scenario: Scenario, base: Path) -> GeminiRun:
    result = run_scenario(scenario, settings_for(server, base), use_cache=False)
    return GeminiRun(result, list(server.requests), base / "cache")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GeminiRun]:
    base = tmp_path_factory.mktemp("gemini-demo")
    with GeminiStandIn(KEY) as server:
        # The rubric votes only for a measured critic model; asked here so its calls are seen.
        scenario = on_gemini(load_scenario(REPO / "scenarios/demo.yaml"))
        critic = scenario.critic.model_copy(update={"rubric": "always"})
        yield run_on_stand_in(server, scenario.model_copy(update={"critic": critic}), base)


def chat_requests(run: GeminiRun, model: str = "gemini-2.5-flash") -> list[RecordedRequest]:
    return [r for r in run.requests if r.operation == "generateContent" and r.model == model]


def traces(run: GeminiRun) -> list[dict]:
    rows, _ = read_jsonl(run.result.run_dir / "traces.jsonl")
    return rows


def test_the_demo_on_gemini_publishes_posts_comments_and_images(demo: GeminiRun) -> None:
    assert demo.result.counts == {
        "post:accepted": 4,
        "comment:accepted": 4,
        "image_prompt:accepted": 2,
    }
    records, _ = read_jsonl(demo.result.run_dir / "records.jsonl")
    assert {r["provenance"]["model"] for r in records} == {CHAT}
    assert {r["provenance"]["critic_model"] for r in records} == {CHAT}
    images, _ = read_jsonl(demo.result.dataset_dir / "images.jsonl")
    assert len(images) == 2
    assert all((demo.result.dataset_dir / row["file_name"]).is_file() for row in images)
    assert len(chat_requests(demo, "gemini-2.5-flash-image")) == 2


def test_every_kept_candidate_got_one_gemini_rubric_call(demo: GeminiRun) -> None:
    calls = [t for t in traces(demo) if t["event"] == "model_call"]
    critiques = [t for t in calls if t["step"] == "critique"]
    kept = [t for t in traces(demo) if t["event"] == "critique" and t["chosen"] is not None]
    assert len(critiques) == len(kept) == 10
    assert {t["schema"] for t in critiques} == {"RubricScores"}
    assert all(t["spec"] == CHAT and t["error"] is None for t in calls)


def test_writers_ask_for_plain_text_and_the_judge_for_its_schema(demo: GeminiRun) -> None:
    requests = chat_requests(demo)
    judged = [r for r in requests if r.schema_title is not None]
    written = [r for r in requests if r.schema_title is None]
    assert judged and written
    for request in judged:
        config = request.generation_config
        assert config["responseMimeType"] == "application/json"
        assert config["responseJsonSchema"] == RubricScores.model_json_schema()
    for request in written:
        assert request.prompt_text.startswith(CONTINUE_SYSTEM)
    assert {r.generation_config["maxOutputTokens"] for r in requests} == {200}, (
        "the scenario's models.max_tokens"
    )


def test_requests_to_one_model_keep_to_the_rate_limit(demo: GeminiRun) -> None:
    arrivals = sorted(r.arrived for r in chat_requests(demo))
    assert len(arrivals) >= 20
    # Agent and critic share one limiter, which hands out one request per 1/RATE seconds.
    # A request leaves the client a little after its turn (threads, a loaded machine), so
    # single gaps jitter; the span and any one-second window cannot beat the rate.
    assert arrivals[-1] - arrivals[0] >= (len(arrivals) - 1) / RATE - 0.25
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert busiest <= RATE + 2


def test_traces_count_every_request_and_the_tokens_gemini_reported(demo: GeminiRun) -> None:
    calls = [t for t in traces(demo) if t["event"] == "model_call"]
    requests = chat_requests(demo)
    assert sum(t["requests"] for t in calls) == len(requests)
    answered = [r.usage for r in requests if r.usage is not None]
    assert sum(t["input_tokens"] for t in calls) == sum(u["promptTokenCount"] for u in answered)
    assert sum(t["output_tokens"] for t in calls) == sum(
        u["candidatesTokenCount"] for u in answered
    )


def test_the_api_key_went_in_a_header_and_into_no_file_of_the_run(demo: GeminiRun) -> None:
    assert demo.requests and all(r.headers.get("x-goog-api-key") == KEY for r in demo.requests)
    assert all("key" not in r.query for r in demo.requests)
    files = [p for p in demo.result.run_dir.rglob("*") if p.is_file()]
    files += [p for p in demo.cache_dir.rglob("*") if p.is_file()]
    assert len(files) > 20
    leaking = [p for p in files if KEY.encode() in p.read_bytes()]
    assert leaking == []


def test_rate_limited_calls_wait_the_delay_gemini_asks_for(tmp_path: Path) -> None:
    with GeminiStandIn(KEY) as server:
        server.add_fault(Fault("rate_limit", times=2, retry_delay_s=1.0))
        run = run_on_stand_in(server, small_scenario(), tmp_path)
    assert run.result.counts.get("post:accepted") == 2
    limited = [r for r in run.requests if r.status == 429]
    assert len(limited) == 2
    waits = [w for t in traces(run) if t["event"] == "model_call" for w in t["waits_s"]]
    assert sorted(waits) == [1.0, 1.0]
    for request in limited:
        retry = next(
            r
            for r in chat_requests(run)
            if r.arrived > request.arrived
            and r.status == 200
            and r.body["contents"] == request.body["contents"]
        )
        assert retry.arrived - request.arrived >= 1.0


def test_safety_blocks_are_failed_artifacts_with_the_reason(tmp_path: Path) -> None:
    def comment_or_picture(request: RecordedRequest) -> bool:
        wants_image = "IMAGE" in request.generation_config.get("responseModalities", [])
        return "\nReply by " in request.prompt_text or wants_image

    with GeminiStandIn(KEY) as server:
        server.add_fault(Fault("safety", times=None, when=comment_or_picture))
        run = run_on_stand_in(server, small_scenario(images=1), tmp_path)
    assert run.result.counts["post:accepted"] == 2
    assert run.result.counts["comment:failed"] == 2
    rejected, _ = read_jsonl(run.result.run_dir / "rejected.jsonl")
    assert {r["kind"] for r in rejected} == {"comment"}
    for row in rejected:
        assert row["status"] == "failed"
        (reason,) = row["reasons"]
        assert "blocked the answer: finish reason SAFETY" in reason
        assert "HARM_CATEGORY_DANGEROUS_CONTENT" in reason
    assert any("SAFETY" in note and "not made by" in note for note in run.result.missing)


def test_retrieval_queries_are_embedded_as_queries_and_the_corpus_as_documents(
    demo: GeminiRun,
) -> None:
    asked = [
        (r["taskType"], r["content"]["parts"][0]["text"])
        for request in demo.requests
        if request.operation == "batchEmbedContents"
        for r in request.body["requests"]
    ]
    queries = [text for kind, text in asked if kind == "RETRIEVAL_QUERY"]
    phase_queries = [p.retrieval_query for p in load_scenario(REPO / "scenarios/demo.yaml").phases]
    assert all(any(q.startswith(p) for q in queries) for p in phase_queries)
    assert sum(kind == "RETRIEVAL_DOCUMENT" for kind, _ in asked) > len(queries)


def test_retrieval_that_keeps_failing_fails_the_artifact_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    def query_embedding(request: RecordedRequest) -> bool:
        """Retrieval queries (the corpus ingest before them goes through)."""
        asks = request.body.get("requests", []) if isinstance(request.body, dict) else []
        return any(r.get("taskType") == "RETRIEVAL_QUERY" for r in asks)

    with GeminiStandIn(KEY) as server:
        server.add_fault(Fault("unavailable", times=None, operation=None, when=query_embedding))
        run = run_on_stand_in(server, small_scenario(), tmp_path)
    assert run.result.counts == {"post:failed": 2}
    rejected, _ = read_jsonl(run.result.run_dir / "rejected.jsonl")
    for row in rejected:
        (reason,) = row["reasons"]
        assert "Gemini embeddings gemini-embedding-001 failed 3 times" in reason and "503" in reason
    assert (run.result.dataset_dir / "README.md").exists()


def test_image_prompts_of_a_run_are_grounded_in_visual_references(demo: GeminiRun) -> None:
    records, _ = read_jsonl(demo.result.run_dir / "records.jsonl")
    images = [r for r in records if r["kind"] == "image_prompt"]
    assert images and all(r["provenance"]["reference_ids"] for r in images)
    import yaml

    resolved = yaml.safe_load((demo.result.run_dir / "scenario.resolved.yaml").read_text())
    assert resolved["resolved"]["references_fingerprint"]
