"""`report.html`: the evaluation figures and a spot-check sheet on one self-contained page.

Rendered from `templates/report.html` and `templates/spotcheck.html` (see `pages.py`: Jinja2
with autoescape on, so markup in a post, an article or a persona shows as text). This module
gathers the figures and the sample; the templates lay them out. Plots are matplotlib PNGs
and pictures are PNGs, all embedded as `data:` URLs; the page has no script and a
Content-Security-Policy that forbids loading anything else, so it opens offline.

The spot-check sheet is a seeded sample of threads: the post with its author's persona
card, its picture and labels next to the visual references that shaped it, its comments,
the chunks that grounded each, and the critic's score and reasons for each. A reference's
thumbnail is embedded only when it is synthetic or the user allowed it as an image input;
the others show as caption, labels, palette and license.
"""

import io
import random
import re
from pathlib import Path
from typing import Any

from scenariosim.agents.calibration import checks_measured, trust_table
from scenariosim.evaluation.evaluate import Evaluation
from scenariosim.files import atomic_write_text
from scenariosim.outputs.context_chunks import context_chunks
from scenariosim.outputs.critiques import critique_records
from scenariosim.outputs.naming import safe_name
from scenariosim.outputs.records import ContextChunkRecord, CritiqueRecord, ImageRecord
from scenariosim.outputs.run_folder import RunFolder
from scenariosim.reports.pages import data_url, fmt, render

REPORT_FILE = "report.html"
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
SPOTCHECK_THREADS = 12


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return data_url(buffer.getvalue(), "image/png")


def _legend(ax: Any, **options: Any) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


def _plots(evaluation: Evaluation) -> dict[str, str | None]:
    """The figures as PNG `data:` URLs; `stance` is None when no phase has stances."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots: dict[str, str | None] = {"stance": None}
    fig, ax = plt.subplots(figsize=(6, 3))
    for name in ("posts", "comments"):
        lengths = evaluation.text[name].word_lengths
        if lengths:
            ax.hist(lengths, bins=20, alpha=0.6, label=name)
    ax.set_xlabel("words per text")
    ax.set_ylabel("texts")
    _legend(ax)
    plots["lengths"] = _png(fig)

    g = evaluation.grounding
    fig, ax = plt.subplots(figsize=(6, 3))
    bins = [1 + 0.25 * i for i in range(17)]
    if g.all_critique_scores:
        ax.hist(g.all_critique_scores, bins=bins, alpha=0.5, label="every draft")
    if g.accepted_scores:
        ax.hist(g.accepted_scores, bins=bins, alpha=0.7, label="accepted")
    ax.set_xlabel("critic score (1-5)")
    ax.set_ylabel("drafts")
    _legend(ax)
    plots["scores"] = _png(fig)

    rows = evaluation.labels.attributes
    fig, ax = plt.subplots(figsize=(7, 3))
    xs = range(len(rows))
    ax.bar([x - 0.27 for x in xs], [r.rate or 0 for r in rows], width=0.27, label="this run")
    if evaluation.labels.references:
        ax.bar(
            list(xs),
            [r.reference_rate or 0 for r in rows],
            width=0.27,
            label="its references",
        )
    ax.bar([x + 0.27 for x in xs], [r.ucla_rate for r in rows], width=0.27, label="UCLA protest")
    ax.set_xticks(list(xs), [r.attribute for r in rows], rotation=40, ha="right")
    ax.set_ylabel("share of images")
    _legend(ax)
    plots["attributes"] = _png(fig)

    stance = evaluation.labels.stance_by_phase
    if stance:
        fig, ax = plt.subplots(figsize=(6, 3))
        phases = list(stance)
        bottom = [0] * len(phases)
        for label in ("support_protest", "neutral", "oppose_protest"):
            values = [stance[p].get(label, 0) for p in phases]
            ax.bar(phases, values, bottom=bottom, label=label)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel("posts + comments")
        _legend(ax, fontsize=8)
        plots["stance"] = _png(fig)
    return plots


def _group_rows(groups: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            k,
            g.artifacts,
            g.accepted,
            g.rejected,
            g.failed,
            g.acceptance_rate,
            g.mean_accepted_score,
            g.unsupported_before,
        ]
        for k, g in groups.items()
    ]


GROUP_HEAD = [
    "",
    "artifacts",
    "accepted",
    "rejected",
    "failed",
    "acceptance",
    "mean score",
    "unsupported, first round",
]


def critic_measured(scenario: dict[str, Any]) -> list[str]:
    """What is known of the run's critic: whether its rubric voted, and the held-out figures
    of that critic model's rubric from `data/calibration/rubric_trust.json` (docs/critic.md),
    or that it was never measured."""
    resolved = scenario.get("resolved") or {}
    spec = str(resolved.get("critic_model") or scenario.get("models", {}).get("critic", "?"))
    settings = resolved.get("critic") or {}
    table = trust_table()
    lines = [
        "The verdicts came from the deterministic checks and the rubric together."
        if settings.get("use_rubric")
        else "The verdicts came from the deterministic checks alone; the rubric did not vote."
    ]
    checks = checks_measured()
    precision, caught = checks["precision"]["value"], checks["bad_caught"]["value"]
    short = precision < checks["goals"]["precision"] or caught < checks["goals"]["bad_caught"]
    lines.append(
        f"The checks alone, measured {checks['date']} against blind readers on the held-out "
        f"third of calibration set {checks['set_version']} (n = {checks['n']}): precision "
        f"{precision:.2f} (accepted drafts that readers judged good), bad caught {caught:.2f}"
        + (
            f", short of the goals ({checks['goals']['precision']} and "
            f"{checks['goals']['bad_caught']}): expect about {round(10 * (1 - precision))} "
            "in 10 accepted records to read badly to a careful reader, and spot-check them."
            if short
            else "."
        )
    )
    measured = table["models"].get(spec)
    if measured is None:
        lines.append(
            f"The rubric of critic model {spec} was never measured against blind readers "
            "(`scenariosim critic eval --model SPEC`), so it cannot vote."
        )
        return lines
    low, high = measured["kappa_interval"]
    trusted = float(measured["cohen_kappa"]) >= float(table["bar"])
    lines.append(
        f"The rubric of critic model {spec}, measured {measured['date']} on the held-out "
        f"third of calibration set {measured['set_version']} (n = {measured['n']}): Cohen's "
        f"kappa {measured['cohen_kappa']:.2f} [{low:.2f}, {high:.2f}] against blind readers, "
        f"{'at or above' if trusted else 'below'} the bar of {table['bar']}"
        f"{'' if trusted else ', so it cannot vote'}. Figures of the checks alone and of the "
        "combined verdict: BENCHMARKS.md, section 'The critic against blind readers'; how they are "
        "measured: docs/critic.md."
    )
    return lines


def _figures(evaluation: Evaluation) -> dict[str, Any]:
    """The rows of every table of figures (values only: the template formats and escapes)."""
    g = evaluation.grounding
    p = evaluation.personas
    lab = evaluation.labels
    r = evaluation.review
    return {
        "text": [
            [
                name,
                t.count,
                t.words.mean if t.words else None,
                t.words.p50 if t.words else None,
                t.distinct_1,
                t.distinct_2,
                t.self_bleu,
                t.mean_pairwise_cosine_distance,
                t.vendi_score,
                t.near_duplicate_rate,
                t.exact_duplicate_rate,
            ]
            for name, t in evaluation.text.items()
        ],
        "grounding": [
            ["artifacts attempted", g.artifacts],
            ["accepted / rejected / failed", f"{g.accepted} / {g.rejected} / {g.failed}"],
            ["acceptance rate", g.acceptance_rate],
            ["revision rate (accepted after revising)", g.revision_rate],
            ["mean revisions of accepted", g.mean_revisions],
            ["mean critic score of accepted", g.mean_accepted_score],
            [
                "with unsupported names: first round / accepted",
                f"{fmt(g.unsupported_entities_before)} / {fmt(g.unsupported_entities_after)}",
            ],
            [
                "with unsupported numbers: first round / accepted",
                f"{fmt(g.unsupported_numbers_before)} / {fmt(g.unsupported_numbers_after)}",
            ],
            [
                "with real-world names: first round / accepted",
                f"{fmt(g.real_world_names_before)} / {fmt(g.real_world_names_after)}",
            ],
            ["mean weakest-sentence support of accepted", g.mean_min_sentence_support_accepted],
            *[[f"rubric mean: {k}", v] for k, v in g.rubric_means.items()],
        ],
        "per_phase": _group_rows(g.per_phase),
        "per_kind": _group_rows(g.per_kind),
        "per_outlet": _group_rows(g.per_outlet),
        "strata": [
            [s.name, s.where, s.personas, s.persona_share, s.census_share, s.design_weight]
            for s in p.strata
        ],
        "persona_rows": [
            [row.variable, row.category, row.sample_share, row.census_share, row.tvd]
            for row in p.rows
        ],
        "attributes": [
            [
                a.attribute,
                a.rate,
                a.reference_rate,
                a.reference_difference,
                a.ucla_rate,
                a.difference,
                a.prompt_agreement,
                a.post_agreement,
                a.label_without_mention,
                a.mention_without_label,
                a.drawn_matches_prompt,
            ]
            for a in lab.attributes
        ],
        "per_phase_labels": [
            _per_phase_table(title, data)
            for title, data in (
                ("Stance per phase", lab.stance_by_phase),
                ("Emotion per phase", lab.emotion_by_phase),
            )
        ],
        "label_baselines": _baseline_rows(evaluation),
        "review": None
        if r is None or not r.labelled
        else [
            ["rows labelled", r.labelled],
            ["agreement", r.agreement],
            ["Cohen's kappa", r.cohen_kappa],
            ["critic precision (accepted and human-good)", r.critic_precision],
            ["bad caught (human-bad the critic rejected)", r.bad_caught],
            *[[k.replace("_", " "), v] for k, v in r.confusion.items()],
        ],
    }


def _baseline_rows(evaluation: Evaluation) -> list[list[Any]]:
    """Per label: the classifier's and the baselines' macro-F1, sizes, or why there is none."""
    baselines = evaluation.label_baselines
    if baselines is None:
        return []
    return [
        [
            name,
            " + ".join(b.tables),
            b.macro_f1,
            b.majority_macro_f1,
            b.chance_macro_f1,
            b.n_train,
            b.n_test,
            b.classes_train,
            b.reason or "",
        ]
        for name, b in baselines.labels.items()
    ]


def _per_phase_table(
    title: str, data: dict[str, dict[str, int]]
) -> tuple[str, list[str], list[list[Any]]]:
    labels = sorted({k for counts in data.values() for k in counts})
    rows = [[phase, *[counts.get(k, 0) for k in labels]] for phase, counts in data.items()]
    return title, ["phase", *labels], rows


def _critique_view(critique: CritiqueRecord | None) -> dict[str, Any] | None:
    if critique is None:
        return None
    return {
        "score": critique.score,
        "rubric": ", ".join(f"{k} {v:g}" for k, v in critique.rubric.items()),
        "verdict": critique.verdict,
        "attempt": critique.attempt,
        "reasons": "; ".join(critique.reasons) or "no reasons given",
    }


def _image_view(image: ImageRecord, dataset_dir: Path) -> dict[str, Any]:
    path = dataset_dir / "images" / safe_name(image.id, ".png")
    return {
        "id": image.id,
        "picture": data_url(path.read_bytes(), "image/png") if path.exists() else None,
        "exact": image.labels_exact,
        "labels": ", ".join(k for k, v in image.labels.items() if v) or "none",
        "violence": image.violence,
        "scene": image.scene,
        "sign_text": image.sign_text,
    }


def _reference_view(ref: dict[str, Any]) -> dict[str, Any]:
    """A visual reference behind an image: its thumbnail only where it may be shown (synthetic,
    or allowed as an image input), caption, labels, palette swatches, license."""
    path = Path(ref.get("thumbnail_path") or "")
    showable = ref.get("synthetic") or ref.get("allowed_as_input")
    picture = None
    if showable and path.suffix.lower() in (".jpg", ".jpeg") and path.is_file():
        picture = data_url(path.read_bytes(), "image/jpeg")
    labels = ", ".join(ref.get("labels", [])) if ref.get("labelled", True) else "unlabelled"
    return {
        "id": ref["id"],
        "picture": picture,
        "score": ref.get("score"),
        "caption": ref.get("caption"),
        "labels": labels or "none",
        "palette": [c for c in ref.get("palette", []) if HEX.match(c)],
        "license": ref.get("license") or "n/a",
        "synthetic": bool(ref.get("synthetic")),
    }


def spotcheck_threads(
    run: RunFolder, images: list[ImageRecord], n: int = SPOTCHECK_THREADS, seed: int = 0
) -> list[dict[str, Any]]:
    """A seeded sample of `n` threads: each post with its persona, critique, picture, the
    references that shaped it and its comments, in phase order."""
    posts = run.records["posts"]
    if not posts:
        return []
    rng = random.Random(seed)
    chosen = rng.sample(posts, k=min(n, len(posts)))
    order = {p: i for i, p in enumerate(run.phase_ids)}
    chosen.sort(key=lambda p: (order.get(p["provenance"]["phase_id"], 99), p["id"]))
    personas = {str(p.get("id")): p for p in run.personas}
    critiques = {(c.artifact_id, c.attempt): c for c in critique_records(run)}
    by_post_image = {i.post_id: i for i in images}
    prompts = {r["post_id"]: r for r in run.records["image_prompts"]}
    comments: dict[str, list[dict[str, Any]]] = {}
    for c in run.records["comments"]:
        comments.setdefault(c["thread_root"], []).append(c)

    def final_critique(record: dict[str, Any]) -> dict[str, Any] | None:
        attempt = record["provenance"].get("revisions", 0)
        return _critique_view(critiques.get((record["id"], attempt)))

    threads = []
    for number, post in enumerate(chosen, start=1):
        image = by_post_image.get(post["id"])
        prompt = prompts.get(post["id"])
        threads.append(
            {
                "number": number,
                "post": post,
                "persona": personas.get(post["provenance"]["persona_id"]),
                "critique": final_critique(post),
                "image": None if image is None else _image_view(image, run.path / "dataset"),
                "prompt": prompt,
                "references": [_reference_view(r) for r in (prompt or {}).get("references", [])],
                "comments": [
                    {
                        "record": c,
                        "persona": personas.get(c["provenance"]["persona_id"]),
                        "critique": final_critique(c),
                    }
                    for c in sorted(comments.get(post["id"], []), key=lambda c: c["id"])
                ],
            }
        )
    return threads


def spotcheck_html(
    run: RunFolder,
    images: list[ImageRecord],
    chunks: dict[str, ContextChunkRecord],
    n: int = SPOTCHECK_THREADS,
    seed: int = 0,
) -> str:
    """The spot-check sheet alone, as an HTML fragment."""
    return render("spotcheck.html", threads=spotcheck_threads(run, images, n, seed), chunks=chunks)


def render_report(
    run: RunFolder,
    evaluation: Evaluation,
    images: list[ImageRecord] | None = None,
    spotcheck_n: int = SPOTCHECK_THREADS,
) -> str:
    chunks, chunk_notes = context_chunks(run)
    scenario = run.scenario
    warnings = [
        (title, items)
        for title, items in (
            ("This run is incomplete or partly unreadable:", run.missing),
            ("Notes on the context shown:", chunk_notes),
        )
        if items
    ]
    return render(
        "report.html",
        run_id=run.run_id,
        name=scenario.get("name", run.run_id),
        seed=scenario.get("seed", "?"),
        created=evaluation.created,
        description=scenario.get("description", ""),
        warnings=warnings,
        counts=[[k, v] for k, v in evaluation.counts.items()],
        figures=_figures(evaluation),
        plots=_plots(evaluation),
        group_head=GROUP_HEAD,
        personas=evaluation.personas,
        labels=evaluation.labels,
        label_baselines=evaluation.label_baselines,
        critic_measured=critic_measured(scenario),
        threads=spotcheck_threads(run, images or [], spotcheck_n, run.seed),
        spotcheck_seed=run.seed,
        chunks=chunks,
    )


def write_report(
    run: RunFolder,
    evaluation: Evaluation,
    images: list[ImageRecord] | None = None,
    spotcheck_n: int = SPOTCHECK_THREADS,
) -> Path:
    path = run.path / REPORT_FILE
    atomic_write_text(path, render_report(run, evaluation, images, spotcheck_n))
    return path
