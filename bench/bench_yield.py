"""Yield of the default offline run (issue #15): what a user gets per kind, per second, per token.

Runs a fixed scenario (`scenarios/demo.yaml` unless `SCENARIOSIM_YIELD_SCENARIO` names
another) on the offline models with no call cache, at the scenario's concurrency, and
reports from the run's own traces and records:

- per kind (post, comment, image_prompt): planned (tasks the planners sent), attempted
  (tasks that reached the writer's model), accepted, and accepted / attempted;
- wall time of the whole run (finalize included) and seconds per accepted artifact;
- prompt and output tokens per accepted artifact (every call of every task, over the
  accepted artifacts);
- the raw model limit: the output tokens of the accepted texts divided by llama.cpp's
  tokens/s measured in the same process after the run (one prompt, 8 candidates, 3 repeats,
  median), and wall time over that limit;
- diversity of accepted posts: distinct-2 and Vendi (evaluation/text.py), and the number
  of accepted texts that share a run of 6 words with a few-shot example or with another
  accepted text of the run (evaluation/text.py `copies_of`, `shared_run_pairs`).
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KINDS = ("post", "comment", "image_prompt")
PLAN_NODES = {"plan_posts": "post", "plan_comments": "comment", "plan_images": "image_prompt"}
NODE_KIND = {"write_post": "post", "write_comment": "comment", "write_image_prompt": "image_prompt"}


def _tokens_per_s(settings) -> tuple[float, object]:
    """Output tokens/s of the local model on a fixed few-shot prompt (median of 3), and a
    function that counts a text's tokens with the model's own tokenizer."""
    from scenariosim.agents.calls import AgentModel, draw_candidates
    from scenariosim.agents.persona_agent import LINE_GRAMMAR
    from scenariosim.models.registry import ChatOptions, make_chat_model

    chat = make_chat_model("local", settings, ChatOptions(seed=1, temperature=0.8))
    model = AgentModel(spec="local", chat=chat)
    prompt = (REPO / "scenariosim/agents/examples/posts.txt").read_text(encoding="utf-8")
    prompt = (
        prompt.split("\n\n", 2)[2][:1200]
        + "\n\nNews: Bread prices rose again.\nPost by Ali, 40, baker, angry, for the protest:\n"
    )
    rates = []
    for seed in (1, 2, 3):
        started = time.perf_counter()
        _, call = draw_candidates(model, prompt, 8, seed, 96, grammar=LINE_GRAMMAR)
        rates.append(call.output_tokens / (time.perf_counter() - started))
    from scenariosim.models.chat_local import _load

    llm = _load(chat.model_path, chat.n_ctx, chat.n_threads).llm
    return statistics.median(rates), lambda text: len(llm.tokenize(text.encode(), add_bos=False))


def run(quick: bool = False) -> dict:
    from scenariosim.agents.examples import all_example_text
    from scenariosim.evaluation.text import copies_of, distinct_n, shared_run_pairs, vendi_score
    from scenariosim.graph.run import run_scenario
    from scenariosim.jsonl import read_jsonl
    from scenariosim.models.registry import make_embeddings
    from scenariosim.scenario import load_scenario
    from scenariosim.settings import load_settings

    path = Path(os.environ.get("SCENARIOSIM_YIELD_SCENARIO", REPO / "scenarios" / "demo.yaml"))
    scenario = load_scenario(path)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(output_dir=Path(tmp) / "outputs", cache_dir=Path(tmp) / "cache")
        started = time.perf_counter()
        result = run_scenario(scenario, settings, use_cache=False)
        wall_s = time.perf_counter() - started
        traces, _ = read_jsonl(result.run_dir / "traces.jsonl")
        records, _ = read_jsonl(result.run_dir / "records.jsonl")
        images, _ = read_jsonl(result.dataset_dir / "images.jsonl")
        rate, count_tokens = _tokens_per_s(settings)
        embeddings = make_embeddings(settings.embedding_model, settings)
    calls = [t for t in traces if t["event"] == "model_call"]
    assert not any(t["cached"] for t in calls), "the benchmark must not read the call cache"
    planned = {k: 0 for k in KINDS}
    for t in traces:
        if t["event"] == "node" and t.get("node") in PLAN_NODES:
            kind = PLAN_NODES[t["node"]]
            planned[kind] += len(t.get("actors") or t.get("tasks") or [])
    attempted = {
        k: len({t["task_id"] for t in calls if NODE_KIND.get(t["node"]) == k}) for k in KINDS
    }
    accepted = {k: sum(r["kind"] == k for r in records) for k in KINDS}
    n_accepted = sum(accepted.values())
    texts = [r.get("text") or r.get("scene", "") for r in records]
    out_tokens = [t["output_tokens"] for t in calls]
    kept_tokens = sum(count_tokens(text) for text in texts)
    posts = [r["text"] for r in records if r["kind"] == "post"]
    examples = all_example_text()
    copies_example = copies_of(texts, examples)
    copies_other = len(shared_run_pairs(texts))
    import numpy as np

    vectors = np.array(embeddings.embed_documents(posts)) if len(posts) > 1 else None
    figures = {
        **{f"{k}_planned": planned[k] for k in KINDS},
        **{f"{k}_attempted": attempted[k] for k in KINDS},
        **{f"{k}_accepted": accepted[k] for k in KINDS},
        **{
            f"{k}_accepted_over_attempted": round(accepted[k] / attempted[k], 3)
            if attempted[k]
            else None
            for k in KINDS
        },
        "images_rendered": len(images),
        "comment_threads": len({r["thread_root"] for r in records if r["kind"] == "comment"}),
        "wall_s": round(wall_s, 1),
        "s_per_accepted": round(wall_s / n_accepted, 1) if n_accepted else None,
        "prompt_tokens_per_accepted": round(sum(t["input_tokens"] for t in calls) / n_accepted)
        if n_accepted
        else None,
        "output_tokens_per_accepted": round(sum(out_tokens) / n_accepted) if n_accepted else None,
        "model_tokens_per_s": round(rate, 1),
        "raw_model_limit_s": round(kept_tokens / rate, 1),
        "wall_over_raw_limit": round(wall_s / (kept_tokens / rate), 1) if kept_tokens else None,
        "posts_distinct_2": distinct_n(posts, 2),
        "posts_vendi": round(vendi_score(vectors), 3) if vectors is not None else None,
        "accepted_sharing_6_words_with_an_example": copies_example,
        "accepted_pairs_sharing_6_words": copies_other,
    }
    return {
        "name": "yield",
        "figures": figures,
        "notes": f"{path.name}, SmolLM2-135M and MiniLM on CPU, no cache; run {result.run_id}",
        "records": records,
    }


if __name__ == "__main__":
    import json

    result = run()
    print(json.dumps(result["figures"], indent=1))
