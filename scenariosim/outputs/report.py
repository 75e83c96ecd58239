"""`report.html`: the evaluation figures and a spot-check sheet on one self-contained page.

Plots are matplotlib PNGs and pictures are PNGs, all embedded as `data:` URLs; the page has
no script and a Content-Security-Policy that forbids loading anything (`default-src 'none';
img-src data:`), so it opens offline and a stray URL in generated text cannot fetch. All
generated and corpus text goes through `html.escape`: markup in a post or an article shows
as text.

The spot-check sheet is a seeded sample of threads: the post with its author's persona
card, its picture and labels next to the visual references that shaped it, its comments,
the chunks that grounded each, and the critic's score and reasons for each. A reference's
thumbnail is embedded only when it is synthetic or the user allowed it as an image input;
the others show as caption, labels, palette and license.
"""

import base64
import html
import io
import random
import re
from pathlib import Path
from typing import Any

from scenariosim.evaluation.evaluate import Evaluation
from scenariosim.files import atomic_write_text
from scenariosim.outputs.context import context_chunks
from scenariosim.outputs.critiques import critique_records
from scenariosim.outputs.naming import safe_name
from scenariosim.outputs.records import ContextChunkRecord, CritiqueRecord, ImageRecord
from scenariosim.outputs.run_folder import RunFolder

REPORT_FILE = "report.html"
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
SPOTCHECK_THREADS = 12
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222;background:#fff}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff6d6;border:1px solid #e6c65c;padding:.6em 1em}
.synthetic{background:#e8f1ff;border:1px solid #8fb3e8;padding:.6em 1em}
.thread{border:1px solid #bbb;border-radius:6px;padding:.8em 1em;margin:1.2em 0}
.persona{background:#f7f7f7;padding:.4em .8em;font-size:.9em}
.post{font-size:1.05em;margin:.5em 0}.comment{margin:.4em 0 .4em 1.5em;border-left:3px solid #ccc;padding-left:.8em}
.critic{font-size:.85em;color:#555}.chunk{font-size:.85em;color:#333;background:#fafafa;border:1px dashed #ccc;padding:.3em .6em;margin:.3em 0}
.pic img{max-width:480px;border:1px solid #999}.figs img{max-width:100%}
.shaped{display:flex;gap:1em;align-items:flex-start}.refs{font-size:.85em;max-width:420px}
.ref{border:1px dashed #bbb;padding:.3em .5em;margin:0 0 .4em 0}.ref img{max-width:160px;display:block}
.swatch{display:inline-block;width:1.1em;height:1.1em;border:1px solid #888;vertical-align:middle}
"""


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{e(_fmt(c))}</td>'
            if isinstance(c, int | float)
            else f"<td>{e(_fmt(c))}</td>"
            for c in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<img alt="plot" src="data:image/png;base64,{data}">'


def _legend(ax: Any, **options: Any) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


def _plots(evaluation: Evaluation) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots: dict[str, str] = {}
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
    "unsupported first drafts",
]


def _figures_html(evaluation: Evaluation) -> str:
    plots = _plots(evaluation)
    parts = ["<h2>Text</h2>"]
    rows = []
    for name, t in evaluation.text.items():
        rows.append(
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
        )
    parts.append(
        table(
            [
                "",
                "texts",
                "mean words",
                "median words",
                "distinct-1",
                "distinct-2",
                "Self-BLEU",
                "mean cos. distance",
                "Vendi",
                "near-dup.",
                "exact dup.",
            ],
            rows,
        )
    )
    parts.append(f'<div class="figs">{plots["lengths"]}</div>')
    g = evaluation.grounding
    parts.append("<h2>Grounding and the critic</h2>")
    parts.append(
        table(
            ["figure", "value"],
            [
                ["artifacts attempted", g.artifacts],
                ["accepted / rejected / failed", f"{g.accepted} / {g.rejected} / {g.failed}"],
                ["acceptance rate", g.acceptance_rate],
                ["revision rate (accepted after revising)", g.revision_rate],
                ["mean revisions of accepted", g.mean_revisions],
                ["mean critic score of accepted", g.mean_accepted_score],
                [
                    "drafts with unsupported names: first drafts / accepted",
                    f"{_fmt(g.unsupported_entities_before)} / {_fmt(g.unsupported_entities_after)}",
                ],
                [
                    "drafts with unsupported numbers: first drafts / accepted",
                    f"{_fmt(g.unsupported_numbers_before)} / {_fmt(g.unsupported_numbers_after)}",
                ],
                [
                    "drafts with real-world names: first drafts / accepted",
                    f"{_fmt(g.real_world_names_before)} / {_fmt(g.real_world_names_after)}",
                ],
                ["mean weakest-sentence support of accepted", g.mean_min_sentence_support_accepted],
                *[[f"rubric mean: {k}", v] for k, v in g.rubric_means.items()],
            ],
        )
    )
    parts.append(f'<div class="figs">{plots["scores"]}</div>')
    parts.append("<h3>Per phase</h3>" + table(GROUP_HEAD, _group_rows(g.per_phase)))
    parts.append("<h3>Per kind</h3>" + table(GROUP_HEAD, _group_rows(g.per_kind)))
    parts.append(
        "<h3>Per outlet (artifacts whose context held the outlet)</h3>"
        + table(GROUP_HEAD, _group_rows(g.per_outlet))
    )
    p = evaluation.personas
    parts.append("<h2>Personas</h2>")
    parts.append(
        f"<p>{p.personas} personas from {p.households} households. Source: {e(p.source)}.</p>"
    )
    parts += [f'<p class="note">{e(n)}</p>' for n in p.notes]
    if p.strata:
        parts.append("<h3>Strata and the design weights used</h3>")
        parts.append(
            table(
                ["stratum", "selection", "personas", "persona share", "census share", "weight"],
                [
                    [s.name, s.where, s.personas, s.persona_share, s.census_share, s.design_weight]
                    for s in p.strata
                ],
            )
        )
    parts.append(
        table(
            ["variable", "category", "sample share", "census share", "TVD"],
            [[r.variable, r.category, r.sample_share, r.census_share, r.tvd] for r in p.rows],
        )
    )
    lab = evaluation.labels
    parts.append("<h2>Labels</h2>")
    parts.append(
        f"<p>{lab.images} images; rates from the {e(lab.source)}. Reference rates are over the "
        f"{lab.references} distinct labelled visual references the image prompts were "
        "grounded in.</p>"
    )
    parts.append(
        table(
            [
                "attribute",
                "rate",
                "reference rate",
                "run - references",
                "UCLA rate",
                "run - UCLA",
                "agrees with prompt",
                "agrees with post",
                "label, no mention",
                "mention, no label",
                "drawn = asked",
            ],
            [
                [
                    r.attribute,
                    r.rate,
                    r.reference_rate,
                    r.reference_difference,
                    r.ucla_rate,
                    r.difference,
                    r.prompt_agreement,
                    r.post_agreement,
                    r.label_without_mention,
                    r.mention_without_label,
                    r.drawn_matches_prompt,
                ]
                for r in lab.attributes
            ],
        )
    )
    parts.append(
        f"<p>Mean requested violence: {e(_fmt(lab.mean_violence))} (UCLA protest images: "
        f"{lab.ucla_mean_violence}).</p>"
    )
    parts.append(f'<div class="figs">{plots["attributes"]}{plots.get("stance", "")}</div>')
    for title, data in (
        ("Stance per phase", lab.stance_by_phase),
        ("Emotion per phase", lab.emotion_by_phase),
    ):
        labels = sorted({k for counts in data.values() for k in counts})
        parts.append(f"<h3>{e(title)}</h3>")
        parts.append(
            table(
                ["phase", *labels], [[ph, *[c.get(k, 0) for k in labels]] for ph, c in data.items()]
            )
        )
    parts.append("<h2>Human review</h2>")
    r = evaluation.review
    if r is None or not r.labelled:
        parts.append(
            "<p>No reviewed rows yet: <code>scenariosim review RUN</code> writes "
            "<code>review.csv</code>; mark rows good or bad and run <code>scenariosim eval RUN</code>.</p>"
        )
    else:
        parts.append(
            table(
                ["figure", "value"],
                [
                    ["rows labelled", r.labelled],
                    ["agreement", r.agreement],
                    ["Cohen's kappa", r.cohen_kappa],
                    ["critic precision (accepted and human-good)", r.critic_precision],
                    ["bad caught (human-bad the critic rejected)", r.bad_caught],
                    *[[k.replace("_", " "), v] for k, v in r.confusion.items()],
                ],
            )
        )
    return "\n".join(parts)


def _critic_line(critique: CritiqueRecord | None, score: float | None) -> str:
    if critique is None:
        return f'<div class="critic">critic score {e(_fmt(score))}</div>'
    rubric = ", ".join(f"{k} {v:g}" for k, v in critique.rubric.items())
    reasons = "; ".join(critique.reasons) or "no reasons given"
    return (
        f'<div class="critic">critic score {e(_fmt(critique.score))}'
        f"{' (rubric: ' + e(rubric) + ')' if rubric else ''}; verdict {e(critique.verdict)} "
        f"at attempt {critique.attempt}; reasons: {e(reasons)}</div>"
    )


def _chunks_html(ids: list[str], chunks: dict[str, ContextChunkRecord]) -> str:
    out = []
    for cid in ids:
        c = chunks.get(cid)
        if c is None:
            out.append(f'<div class="chunk">[{e(cid)}] (text not available)</div>')
            continue
        out.append(
            f'<div class="chunk"><b>[{e(cid)}] {e(c.title)}</b>, {e(c.outlet)}, {e(c.date)}<br>{e(c.text)}</div>'
        )
    return f"<details><summary>context ({len(ids)} chunks)</summary>{''.join(out)}</details>"


def _persona_html(persona: dict[str, Any] | None, persona_id: str) -> str:
    if persona is None:
        return f'<div class="persona">persona {e(persona_id)} (card not available)</div>'
    return (
        f'<div class="persona"><b>{e(persona.get("name"))}</b> ({e(persona_id)}; household '
        f"{e(persona.get('hid'))}, person {e(persona.get('idno'))}): {e(persona.get('description'))}</div>"
    )


def _image_html(image: ImageRecord | None, dataset_dir: Path) -> str:
    if image is None:
        return ""
    path = dataset_dir / "images" / safe_name(image.id, ".png")
    shown = ", ".join(k for k, v in image.labels.items() if v) or "none"
    picture = (
        f'<img alt="image {e(image.id)}" src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}">'
        if path.exists()
        else "(image file missing)"
    )
    return (
        f'<div class="pic">{picture}<div class="critic">labels ({"exact" if image.labels_exact else "requested"}): '
        f"{e(shown)}; violence {e(_fmt(image.violence))}; scene: {e(image.scene)}; sign: {e(image.sign_text)}</div></div>"
    )


def _references_html(references: list[dict[str, Any]]) -> str:
    """The visual references behind an image: thumbnail where it may be shown, caption,
    labels, palette swatches, license."""
    if not references:
        return '<div class="refs critic">no visual references</div>'
    items = []
    for ref in references:
        path = Path(ref.get("thumbnail_path") or "")
        showable = ref.get("synthetic") or ref.get("allowed_as_input")
        picture = ""
        if showable and path.suffix.lower() in (".jpg", ".jpeg") and path.is_file():
            data = base64.b64encode(path.read_bytes()).decode()
            picture = f'<img alt="reference {e(ref["id"])}" src="data:image/jpeg;base64,{data}">'
        swatches = "".join(
            f'<span class="swatch" style="background:{e(c)}" title="{e(c)}"></span>'
            for c in ref.get("palette", [])
            if HEX.match(c)
        )
        labels = ", ".join(ref.get("labels", [])) if ref.get("labelled", True) else "unlabelled"
        score = ref.get("score")
        items.append(
            f'<div class="ref">{picture}<b>{e(ref["id"])}</b>'
            f"{'' if score is None else f' (similarity {score:.2f})'}: {e(ref.get('caption'))}"
            f"<br>shows: {e(labels or 'none')} {swatches}<br>license: {e(ref.get('license') or 'n/a')}"
            f"{'; synthetic' if ref.get('synthetic') else ''}</div>"
        )
    return '<div class="refs"><b>Shaped by</b>' + "".join(items) + "</div>"


def spotcheck_html(
    run: RunFolder,
    images: list[ImageRecord],
    chunks: dict[str, ContextChunkRecord],
    n: int = SPOTCHECK_THREADS,
    seed: int = 0,
) -> str:
    posts = run.records["posts"]
    if not posts:
        return "<p>No posts to sample.</p>"
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
    out = []
    for number, post in enumerate(chosen, start=1):
        prov = post["provenance"]
        crit = critiques.get((post["id"], prov.get("revisions", 0)))
        parts = [
            f'<div class="thread"><h3>Thread {number}: {e(post["id"])} '
            f"({e(prov['phase_id'])}, {e(post['phase_date'])})</h3>",
            _persona_html(personas.get(prov["persona_id"]), prov["persona_id"]),
            f'<div class="post"><b>{e(post["author_name"])}</b>: {e(post["text"])} '
            f"{e(' '.join(post.get('hashtags', [])))}</div>",
            f'<div class="critic">stance {e(post["stance"])}, emotion {e(post["emotion"])}</div>',
            _critic_line(crit, prov.get("critic_score")),
            _chunks_html(prov.get("chunk_ids", []), chunks),
        ]
        image = by_post_image.get(post["id"])
        prompt = prompts.get(post["id"])
        refs = _references_html(prompt.get("references", [])) if prompt is not None else ""
        if image is not None:
            parts.append(
                f'<div class="shaped">{_image_html(image, run.path / "dataset")}{refs}</div>'
            )
        elif prompt is not None:
            parts.append(
                f'<div class="shaped"><div class="critic">image prompt (not rendered): '
                f"{e(prompt['scene'])}</div>{refs}</div>"
            )
        for c in sorted(comments.get(post["id"], []), key=lambda c: c["id"]):
            cprov = c["provenance"]
            ccrit = critiques.get((c["id"], cprov.get("revisions", 0)))
            parts.append(
                f'<div class="comment"><b>{e(c["author_name"])}</b> ({e(c["id"])}, reply to '
                f"{e(c['reply_to'])}): {e(c['text'])}"
                f'<div class="critic">stance {e(c["stance"])}, emotion {e(c["emotion"])}</div>'
                f"{_persona_html(personas.get(cprov['persona_id']), cprov['persona_id'])}"
                f"{_critic_line(ccrit, cprov.get('critic_score'))}"
                f"{_chunks_html(cprov.get('chunk_ids', []), chunks)}</div>"
            )
        parts.append("</div>")
        out.append("\n".join(parts))
    return "\n".join(out)


def render_report(
    run: RunFolder,
    evaluation: Evaluation,
    images: list[ImageRecord] | None = None,
    spotcheck_n: int = SPOTCHECK_THREADS,
) -> str:
    chunks, chunk_notes = context_chunks(run)
    scenario = run.scenario
    warn = "".join(
        f'<div class="note"><b>{title}</b><ul>'
        + "".join(f"<li>{e(m)}</li>" for m in items)
        + "</ul></div>"
        for title, items in (
            ("This run is incomplete or partly unreadable:", run.missing),
            ("Notes on the context shown:", chunk_notes),
        )
        if items
    )
    counts = evaluation.counts
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scenariosim report: {e(run.run_id)}</title>
<style>{STYLE}</style></head>
<body>
<h1>Run report: {e(scenario.get("name", run.run_id))}</h1>
<p class="synthetic">All content below is synthetic and fictional: Atropia, its people, outlets
and events are invented, and every text and picture was generated.</p>
<p>Run <code>{e(run.run_id)}</code>, seed {e(scenario.get("seed", "?"))}, evaluated {e(evaluation.created)}.
{e(scenario.get("description", ""))}</p>
{warn}
{table(["table", "rows"], [[k, v] for k, v in counts.items()])}
{_figures_html(evaluation)}
<h2>Spot-check sheet</h2>
<p>A seeded sample of {min(spotcheck_n, len(run.records["posts"]))} threads (seed {run.seed}). Mark what
you find in <code>review.csv</code> (<code>scenariosim review RUN</code>).</p>
{spotcheck_html(run, images or [], chunks, spotcheck_n, run.seed)}
<p class="critic">Definitions of every figure: docs/outputs.md. Generated by scenariosim.</p>
</body></html>
"""


def write_report(
    run: RunFolder,
    evaluation: Evaluation,
    images: list[ImageRecord] | None = None,
    spotcheck_n: int = SPOTCHECK_THREADS,
) -> Path:
    path = run.path / REPORT_FILE
    atomic_write_text(path, render_report(run, evaluation, images, spotcheck_n))
    return path
