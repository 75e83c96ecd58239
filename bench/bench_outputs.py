"""Outputs: offline image rendering, dataset build, evaluation and report build.

A synthetic run folder (records written directly: posts, comments, image prompts with
mixed labels; no model) of N posts is finalised step by step. Figures: renderer
images/s (drawing only), images/s written as PNG with metadata, seconds to build the
dataset, to evaluate (text metrics with a fixed random embedding, so MiniLM's own speed is
not in it; MiniLM per 100 texts is measured separately) and to build report.html.
"""

import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from scenariosim.evaluation.evaluate import evaluate_run
from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.models.image_local import LocalSceneRenderer, render_scene
from scenariosim.outputs.dataset import build_dataset
from scenariosim.outputs.images import image_request, render_images
from scenariosim.outputs.run_folder import open_run
from scenariosim.reports.report import write_report

WORDS = "diesel price rose junction drivers bread fares minister protest Karavan road night".split()


class RandomEmbeddings(Embeddings):
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        rng = np.random.default_rng(len(texts))
        return rng.normal(size=(len(texts), 384)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _provenance(i: int, phase: str) -> dict:
    return {
        "run_id": "bench",
        "scenario": "bench",
        "phase_id": phase,
        "persona_id": f"p{i % 40}",
        "hid": f"h{i % 25}",
        "idno": i % 3,
        "chunk_ids": ["fuel-001#0"],
        "model": "local",
        "critic_model": "local",
        "prompt_name": "x",
        "prompt_hash": "x",
        "seed": i,
        "critic_score": 3.5,
        "critic_scores": {},
        "revisions": 0,
        "synthetic": True,
    }


def make_run(folder: Path, posts: int) -> Path:
    rng = random.Random(0)
    folder.mkdir(parents=True)
    rows = []
    for i in range(posts):
        phase = f"phase-{i % 4}"
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
        base = {
            "phase_date": "2026-08-15",
            "author_name": "A",
            "stance": "neutral",
            "emotion": "calm",
        }
        rows.append(
            {
                "kind": "post",
                "id": f"{phase}-post-{i:05d}",
                "text": text,
                "hashtags": [],
                **base,
                "provenance": _provenance(i, phase),
            }
        )
        rows.append(
            {
                "kind": "comment",
                "id": f"{phase}-comment-{i:05d}",
                "text": text[::-1],
                "reply_to": f"{phase}-post-{i:05d}",
                "thread_root": f"{phase}-post-{i:05d}",
                **base,
                "provenance": _provenance(i + 1, phase),
            }
        )
        if i % 2 == 0:
            labels = {k: rng.random() < 0.3 for k in IMAGE_ATTRIBUTES}
            rows.append(
                {
                    "kind": "image_prompt",
                    "id": f"{phase}-image-{i:05d}",
                    "phase_date": "2026-08-15",
                    "post_id": f"{phase}-post-{i:05d}",
                    "scene": "a crowd at the junction",
                    "sign_text": "Old diesel price now",
                    "labels": labels,
                    "violence": 0.2,
                    "provenance": _provenance(i, phase),
                }
            )
    (folder / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "scenario.resolved.yaml").write_text(
        "run_id: bench\nscenario: {name: bench, seed: 1}\n"
    )
    return folder


def run(quick: bool = False) -> dict:
    posts = 100 if quick else 400
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = make_run(Path(tmp) / "bench", posts)
        folder = open_run(run_dir)
        requests = [image_request(r, 1) for r in folder.records["image_prompts"]]
        started = time.perf_counter()
        for request in requests:
            render_scene(request)
        figures["renderer_images_per_s"] = round(len(requests) / (time.perf_counter() - started), 1)
        started = time.perf_counter()
        images, _ = render_images(folder, LocalSceneRenderer(), run_dir / "dataset" / "images")
        figures["png_images_per_s"] = round(len(images) / (time.perf_counter() - started), 1)
        started = time.perf_counter()
        build_dataset(folder, images)
        figures["dataset_build_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        evaluation = evaluate_run(folder, images, RandomEmbeddings())
        figures["evaluate_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        write_report(folder, evaluation, images)
        figures["report_build_s"] = round(time.perf_counter() - started, 2)
        figures["report_mb"] = round((run_dir / "report.html").stat().st_size / 1e6, 2)
    from scenariosim.models import make_embeddings

    minilm = make_embeddings("local")
    minilm.embed_documents(["warm up"])
    texts = [" ".join(random.Random(i).choices(WORDS, k=20)) for i in range(100)]
    started = time.perf_counter()
    minilm.embed_documents(texts)
    figures["minilm_s_per_100_texts"] = round(time.perf_counter() - started, 2)
    return {
        "name": "outputs",
        "figures": figures,
        "notes": f"{posts} posts, {posts} comments, {len(requests)} images, 640x480",
    }
