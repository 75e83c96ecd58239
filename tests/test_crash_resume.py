"""Crash safety: SIGKILL a run at several points, resume each, and get the uninterrupted dataset.

The run is a real `run_scenario` (census, corpus, Chroma, graph, checkpoints, finalize) with
a fixed-latency fake chat model and fake embeddings. One run is killed three times (in the
graph, in the resume of that, in finalize) and resumed after each; the processes to kill
run this file (`python tests/test_crash_resume.py run|resume OUT`). The uninterrupted run
and the last resume run in the test process.
"""

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_chat import SchemaAnsweringChatModel
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from langchain_core.language_models import BaseChatModel

from scenariosim.graph.run import resume_run, run_scenario
from scenariosim.models.registry import register_chat_backend, register_embedding_backend
from scenariosim.scenario import Scenario
from scenariosim.settings import Settings, load_settings

pytestmark = pytest.mark.faults

HERE = Path(__file__).resolve()
RUN_ID = "crash-s5"
TABLES = ("posts", "comments", "image_prompts", "personas")
STREAMS = ("records.jsonl", "rejected.jsonl", "traces.jsonl")
# Kill points: after this percentage of the uninterrupted run's model calls more (seeded, so
# every CI run kills at the same places); 100 means during finalize, after the graph ended.
_RNG = random.Random(20261125)
MODULE = "test_crash_resume"
KILL_AT = [_RNG.randint(5, 45), _RNG.randint(15, 45), 100]


@register_chat_backend("fake")
def _chat(spec: object, settings: object, options: object) -> BaseChatModel:
    return SchemaAnsweringChatModel(latency_s=0.02)


@register_embedding_backend("fake")
def _embeddings(spec: object, settings: object) -> Embeddings:
    return DeterministicFakeEmbedding(size=32)


def _settings(cache: Path) -> Settings:
    # This module's marked factories are the `fake` specs, here and in the killed children.
    return load_settings(cache_dir=cache, embedding_model="fake", backend_modules=[MODULE])


def _scenario(corpus: Path) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "crash",
            "seed": 5,
            "concurrency": 4,
            "world": {"corpus": str(corpus)},
            "personas": {"n": 6},
            "models": {"agent": "fake", "critic": "fake"},
            "phases": [
                {
                    "id": f"phase-{n}",
                    "date": f"2026-08-{15 + n}",
                    "title": "Prices rise",
                    "event": "Diesel rose from 0.90 to 1.30 ADH per litre.",
                    "posts": 4,
                    "comments": 4,
                    "images": 2,
                }
                for n in range(3)
            ],
        }
    )


def _child(mode: str, out: Path) -> None:
    """Run or resume the scenario in `out` (in a process the test kills)."""
    if mode == "resume":
        resume_run(RUN_ID, _settings(out / "cache"), out_dir=out, use_cache=False)
        return
    run_scenario(
        _scenario(out / "corpus"),
        _settings(out / "cache"),
        out_dir=out,
        run_id=RUN_ID,
        use_cache=False,
    )


def _write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, town in enumerate(("Karavan", "Lorenzo", "Ferna")):
        (folder / f"fuel-{i}.md").write_text(
            f"---\nid: fuel-{i}\ntitle: Diesel in {town}\noutlet: Ses Online\n"
            f"date: 2026-08-0{i + 1}\n---\nDiesel will rise from 0.90 to 1.30 ADH per litre. "
            f"Drivers in {town} say they cannot pay.\n",
            encoding="utf-8",
        )
    return folder


def _model_calls(run_dir: Path) -> int:
    try:
        return (run_dir / "traces.jsonl").read_bytes().count(b'"event": "model_call"')
    except FileNotFoundError:
        return 0


def _dataset(run_dir: Path) -> dict[str, list[dict]]:
    return {
        table: [
            json.loads(line)
            for line in (run_dir / "dataset" / f"{table}.jsonl").read_text().splitlines()
        ]
        for table in TABLES
    }


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The uninterrupted run: its folder and how many model calls it made."""
    out = tmp_path_factory.mktemp("whole")
    _write_corpus(out / "corpus")
    result = run_scenario(
        _scenario(out / "corpus"),
        _settings(out / "cache"),
        out_dir=out,
        run_id=RUN_ID,
        use_cache=False,
    )
    return {"run_dir": result.run_dir, "calls": _model_calls(result.run_dir)}


def _start(mode: str, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(HERE), mode, str(out)],
        cwd=HERE.parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_when(proc: subprocess.Popen, reached: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 300
    while not reached():
        assert time.monotonic() < deadline, f"no {what} within 300 s"
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _finished_lines(run_dir: Path) -> int:
    try:
        return (run_dir / "traces.jsonl").read_bytes().count(b'"status": "finished"')
    except FileNotFoundError:
        return 0


@pytest.fixture(scope="module")
def killed_run(whole: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One run killed three times: during the graph, again during the resume, then during
    finalize; resumed after each kill. Returns what each kill left and the final folder."""
    out = tmp_path_factory.mktemp("killed")
    _write_corpus(out / "corpus")
    run_dir = out / RUN_ID
    left: list[dict[str, bytes]] = []
    calls_at_kill: list[int] = []
    for i, percent in enumerate(KILL_AT):
        proc = _start("run" if i == 0 else "resume", out)
        if percent >= 100:
            before = _finished_lines(run_dir)
            _kill_when(proc, lambda n=before: _finished_lines(run_dir) > n, "finalize")
        else:
            target = _model_calls(run_dir) + max(1, whole["calls"] * percent // 100)
            _kill_when(proc, lambda n=target: _model_calls(run_dir) >= n, f"{target} model calls")
        calls_at_kill.append(_model_calls(run_dir))
        left.append(
            {
                name: (run_dir / name).read_bytes() if (run_dir / name).exists() else b""
                for name in STREAMS
            }
        )
    resume_run(RUN_ID, _settings(out / "cache"), out_dir=out, use_cache=False)
    return {"run_dir": run_dir, "left": left, "calls_at_kill": calls_at_kill}


def test_the_run_was_killed_before_its_graph_ended_and_again_in_finalize(
    whole: dict, killed_run: dict
) -> None:
    first, second, _ = killed_run["calls_at_kill"]
    assert 0 < first < whole["calls"]
    assert first < second
    assert b'"status": "finished"' not in killed_run["left"][1]["traces.jsonl"]
    assert b'"status": "finished"' in killed_run["left"][2]["traces.jsonl"]


def test_each_kill_leaves_streams_whose_lines_parse_but_perhaps_the_last(killed_run) -> None:
    for streams in killed_run["left"]:
        for data in streams.values():
            lines = data.decode("utf-8", errors="replace").split("\n")
            for line in lines[:-1]:  # every line that ended with a newline is whole JSON
                if line:
                    json.loads(line)


def test_the_resumed_run_has_exactly_the_dataset_of_an_uninterrupted_run(whole, killed_run) -> None:
    expected = _dataset(whole["run_dir"])
    assert expected["posts"] and expected["comments"] and expected["image_prompts"]
    assert _dataset(killed_run["run_dir"]) == expected


def test_the_resumed_run_writes_no_record_twice(killed_run) -> None:
    for name in ("records.jsonl", "rejected.jsonl"):
        path = killed_run["run_dir"] / name
        lines = path.read_text().splitlines() if path.exists() else []
        ids = [json.loads(line)["id"] for line in lines if line.strip()]
        assert len(ids) == len(set(ids)), name


def test_no_temporary_file_is_left_behind(killed_run) -> None:
    assert [p.name for p in killed_run["run_dir"].rglob(".*.tmp")] == []


if __name__ == "__main__":
    _child(sys.argv[1], Path(sys.argv[2]))
