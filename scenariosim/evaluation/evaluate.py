"""`evaluate_run`: every figure for one run folder, as one JSON-able object (`eval.json`).

Embedding diversity always uses the offline MiniLM (`make_embeddings("local")`), whatever
the run retrieved with, so figures compare across runs; tests pass their own embeddings.
"""

import datetime as dt
import json
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel

from scenariosim.evaluation.agreement import AgreementFigures, agreement_figures
from scenariosim.evaluation.grounding import GroundingFigures, grounding_figures
from scenariosim.evaluation.label_baselines import LabelBaselines, label_baselines
from scenariosim.evaluation.label_figures import LabelFigures, label_figures
from scenariosim.evaluation.personas import PersonaFigures, persona_figures
from scenariosim.evaluation.text import TextFigures, text_figures
from scenariosim.files import atomic_write_text
from scenariosim.outputs.critiques import critique_records
from scenariosim.outputs.records import ImageRecord
from scenariosim.outputs.review import REVIEW_FILE, read_review
from scenariosim.outputs.run_folder import RunFolder

EVAL_FILE = "eval.json"


class Evaluation(BaseModel):
    run_id: str
    created: str
    finished: bool
    missing: list[str]
    counts: dict[str, int]
    text: dict[str, TextFigures]
    grounding: GroundingFigures
    labels: LabelFigures
    label_baselines: LabelBaselines | None = None
    personas: PersonaFigures
    review: AgreementFigures | None


def _vectors(texts: list[str], embeddings: Embeddings | None) -> np.ndarray | None:
    if embeddings is None or not texts:
        return None
    return np.asarray(embeddings.embed_documents(texts), dtype=np.float64)


def evaluate_run(
    run: RunFolder,
    images: list[ImageRecord] | None = None,
    embeddings: Embeddings | None = None,
) -> Evaluation:
    """All figures; `embeddings=None` loads the local MiniLM (pass one to skip loading)."""
    if embeddings is None:
        from scenariosim.models import make_embeddings

        embeddings = make_embeddings("local")
    posts = [r["text"] for r in run.records["posts"]]
    comments = [r["text"] for r in run.records["comments"]]
    vectors = _vectors(posts + comments, embeddings)
    text = {
        "posts": text_figures(posts, None if vectors is None else vectors[: len(posts)], run.seed),
        "comments": text_figures(
            comments, None if vectors is None else vectors[len(posts) :], run.seed
        ),
        "all": text_figures(posts + comments, vectors, run.seed),
    }
    review_path = run.path / REVIEW_FILE
    review = agreement_figures(read_review(review_path)) if review_path.exists() else None
    return Evaluation(
        run_id=run.run_id,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        finished=run.finished,
        missing=run.missing,
        counts={
            **{name: len(rows) for name, rows in run.records.items()},
            "images": len(images or []),
            "rejected": sum(f.get("status") == "rejected" for f in run.rejected),
            "failed": sum(f.get("status") == "failed" for f in run.rejected),
            "personas": len(run.personas),
        },
        text=text,
        grounding=grounding_figures(run, critique_records(run)),
        labels=label_figures(run, images),
        label_baselines=label_baselines(run),
        personas=persona_figures(run.personas, run.scenario),
        review=review,
    )


def write_evaluation(run_dir: Path, evaluation: Evaluation) -> Path:
    path = run_dir / EVAL_FILE
    atomic_write_text(path, json.dumps(evaluation.model_dump(mode="json"), indent=1) + "\n")
    return path
