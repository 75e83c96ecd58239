"""Diversity of an existing run's accepted records (issue #15: "no accepted text shares a run of
6 or more words with a few-shot example or with another accepted text of the run"):

- pairs of accepted posts and replies, and pairs of accepted scenes, that share six words
  in a row, with the five runs shared most often (a phrase the writer's grammar or examples
  force shows up here first);
- accepted texts (posts, replies, scenes) that share six words with a few-shot example;
- distinct-2 of posts, of replies and of scenes, and the Vendi score of posts (MiniLM).

    .venv/bin/python -m bench.bench_diversity outputs/<run_id>   # or a run id under outputs/
    .venv/bin/python -m bench.bench_diversity                    # the newest run under outputs/

Nothing is generated: it reads the run folder's records (definitions: evaluation/text.py).
Under `make bench` it picks its run as `bench_labels` does (`bench/existing_run.py`). Run it on a larger shipped
scenario's run (scenarios/fuel-protest.yaml) for a figure worth recording.
"""

import sys
from collections import Counter
from pathlib import Path

from bench.existing_run import main, measure_run
from scenariosim.outputs.run_folder import RECORDS_FILE
from scenariosim.settings import load_settings


def measure(run_dir: Path) -> dict:
    import numpy as np

    from scenariosim.agents.examples import all_example_text
    from scenariosim.evaluation.text import copies_of, distinct_n, shared_run_pairs, vendi_score
    from scenariosim.jsonl import read_jsonl
    from scenariosim.models.registry import make_embeddings

    settings = load_settings()
    records, _ = read_jsonl(run_dir / RECORDS_FILE)
    posts = [r["text"] for r in records if r.get("kind") == "post"]
    replies = [r["text"] for r in records if r.get("kind") == "comment"]
    scenes = [r["scene"] for r in records if r.get("kind") == "image_prompt"]
    text_pairs = shared_run_pairs(posts + replies)
    scene_pairs = shared_run_pairs(scenes)
    common = Counter(run for _, _, run in text_pairs + scene_pairs).most_common(5)
    embeddings = make_embeddings(settings.embedding_model, settings)
    vectors = np.array(embeddings.embed_documents(posts)) if len(posts) > 1 else None
    figures = {
        "posts": len(posts),
        "replies": len(replies),
        "scenes": len(scenes),
        "post_and_reply_pairs_sharing_6_words": len(text_pairs),
        "scene_pairs_sharing_6_words": len(scene_pairs),
        "texts_sharing_6_words_with_an_example": copies_of(
            posts + replies + scenes, all_example_text()
        ),
        "posts_distinct_2": round(distinct_n(posts, 2) or 0.0, 3),
        "replies_distinct_2": round(distinct_n(replies, 2) or 0.0, 3),
        "scenes_distinct_2": round(distinct_n(scenes, 2) or 0.0, 3),
        "posts_vendi": round(vendi_score(vectors), 2) if vectors is not None else 0.0,
    }
    shared = "; ".join(f'"{run}" x{n}' for run, n in common) or "none"
    return {
        "name": "diversity",
        "figures": figures,
        "notes": f"run {run_dir.name} ({run_dir}); most shared six-word runs: {shared}",
    }


def run(quick: bool = False, run_dir: Path | None = None) -> dict:
    """`make bench` entry: the given run, `SCENARIOSIM_BENCH_RUN`, or the newest run."""
    return measure_run("diversity", measure, run_dir)


if __name__ == "__main__":
    main("diversity", measure, sys.argv[1:])
