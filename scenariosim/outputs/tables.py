"""The dataset's tables as flat rows with explicit Arrow schemas.

Records nest their provenance and labels; tables are flat so they load in pandas and in
`datasets` without custom code: provenance fields become columns, the critic's rubric
scores become `critic_<name>` columns, and image labels become one boolean column per UCLA
attribute (plus `prompt_<attribute>` for the labels the prompt asked for). Every column has
a type and a description here, so an empty table still has its columns and the dataset
card documents each one.
"""

from typing import Any

import pyarrow as pa

from scenariosim.agents.schemas import RubricScores
from scenariosim.labels import IMAGE_ATTRIBUTES

RUBRIC = tuple(name for name in RubricScores.model_fields if name != "reasons")
STR, INT, FLOAT, BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()
STRS, FLOATS = pa.list_(pa.string()), pa.list_(pa.float64())
FACTS = pa.list_(pa.struct([("chunk_id", STR), ("start", INT), ("end", INT)]))
IMAGE_STRUCT = pa.struct([("bytes", pa.binary()), ("path", pa.string())])

Column = tuple[str, pa.DataType, str]

PROVENANCE: list[Column] = [
    ("run_id", STR, "Run that produced the record."),
    ("scenario", STR, "Scenario name."),
    ("phase_id", STR, "Scenario phase the record belongs to."),
    ("persona_id", STR, "Author persona (see the personas table)."),
    ("hid", STR, "Census household id of the author."),
    ("idno", INT, "Census person number of the author within the household."),
    ("chunk_ids", STRS, "Corpus chunks retrieved as the author's context (see chunks)."),
    (
        "facts",
        FACTS,
        "The sentences the writer was given: characters [start, end) of a chunk's text.",
    ),
    ("model", STR, "Chat model spec that wrote the text."),
    ("critic_model", STR, "Chat model spec of the critic."),
    ("prompt_name", STR, "Prompt used (write_post, write_comment, write_image_prompt)."),
    ("prompt_hash", STR, "Hash of everything the model was sent (the few-shot prompt)."),
    ("seed", INT, "Sampling seed of the round the kept candidate came from."),
    ("critic_score", FLOAT, "Critic score of the kept candidate, 1-5."),
    *[
        (f"critic_{r}", FLOAT, f"Critic rubric score: {r}, 1-5 (null without a rubric).")
        for r in RUBRIC
    ],
    ("revisions", INT, "Further rounds of candidates drawn before one passed (0: the first)."),
    ("candidates", INT, "Candidates drawn in the round that was kept."),
    ("chosen", INT, "Which candidate of that round was kept (0-based)."),
    ("rubric_note", STR, "Whether an LLM rubric voted, and why (not)."),
    ("labels_assigned", BOOL, "True: the planner assigned the labels before the model wrote."),
    ("reference_ids", STRS, "Visual references that shaped an image prompt (else empty)."),
    ("synthetic", BOOL, "Always true: the record is machine-generated fiction."),
]
SPLIT: Column = ("split", STR, "train / validation / test (see Splits), or full.")
ATTRS: list[Column] = [(a, BOOL, f"UCLA protest-image attribute '{a}'.") for a in IMAGE_ATTRIBUTES]

SCHEMAS: dict[str, list[Column]] = {
    "posts": [
        ("id", STR, "Record id."),
        ("kind", STR, "Always 'post'."),
        ("phase_date", STR, "Date of the phase (ISO)."),
        ("author_name", STR, "Fictional author's name."),
        ("text", STR, "Post text."),
        ("hashtags", STRS, "Hashtags."),
        ("stance", STR, "support_protest / oppose_protest / neutral (the author's label)."),
        ("emotion", STR, "anger / fear / hope / sadness / pride / calm."),
        SPLIT,
        *PROVENANCE,
    ],
    "comments": [
        ("id", STR, "Record id."),
        ("kind", STR, "Always 'comment'."),
        ("phase_date", STR, "Date of the phase (ISO)."),
        ("author_name", STR, "Fictional author's name."),
        ("reply_to", STR, "Id of the post or comment replied to."),
        ("thread_root", STR, "Id of the thread's post."),
        ("text", STR, "Comment text."),
        (
            "relation",
            STR,
            "What the reply does to what it answers: agrees / disagrees / asks / adds.",
        ),
        ("stance", STR, "support_protest / oppose_protest / neutral (follows the relation)."),
        ("emotion", STR, "anger / fear / hope / sadness / pride / calm."),
        SPLIT,
        *PROVENANCE,
    ],
    "image_prompts": [
        ("id", STR, "Record id (the image has the same id)."),
        ("kind", STR, "Always 'image_prompt'."),
        ("phase_date", STR, "Date of the phase (ISO)."),
        ("post_id", STR, "Post the picture illustrates."),
        ("scene", STR, "Scene description written by the author persona."),
        ("sign_text", STR, "Text on the placards."),
        *ATTRS,
        ("violence", FLOAT, "Requested perceived violence, 0-1 (UCLA scale)."),
        SPLIT,
        *PROVENANCE,
    ],
    "images": [
        ("id", STR, "Record id (same as the image prompt)."),
        ("kind", STR, "Always 'image'."),
        ("post_id", STR, "Post the picture illustrates."),
        ("phase_date", STR, "Date of the phase (ISO)."),
        ("file_name", STR, "PNG path inside the dataset folder."),
        ("width", INT, "Pixels."),
        ("height", INT, "Pixels."),
        ("sha256", STR, "SHA-256 of the PNG file."),
        ("backend", STR, "Image backend spec (local:scene-N is the offline renderer)."),
        ("labels_exact", BOOL, "True when the labels are what was drawn, by construction."),
        *ATTRS,
        *[(f"prompt_{a}", BOOL, f"'{a}' as the image prompt asked.") for a in IMAGE_ATTRIBUTES],
        ("violence", FLOAT, "Requested perceived violence, 0-1 (not drawn by the renderer)."),
        ("scene", STR, "The prompt's scene."),
        ("sign_text", STR, "The prompt's placard text."),
        ("request_hash", STR, "Backend and hash of everything that decided the picture."),
        SPLIT,
        *PROVENANCE,
    ],
    "critiques": [
        ("id", STR, "artifact id + attempt."),
        ("kind", STR, "Always 'critique'."),
        ("artifact_id", STR, "Post/comment/image-prompt task id (a record id if accepted)."),
        ("artifact_kind", STR, "post / comment / image_prompt."),
        ("attempt", INT, "Round of candidates: 0 for the first, 1.. for the further rounds."),
        ("phase_id", STR, "Scenario phase."),
        ("persona_id", STR, "Author persona."),
        ("verdict", STR, "accept (a candidate was kept) / reject (none passed)."),
        ("score", FLOAT, "Critic score of the kept (or best) candidate, 1-5."),
        ("reasons", STRS, "Why, in words."),
        ("unsupported_entities", STRS, "Names found neither in the context nor the gazetteer."),
        ("unsupported_numbers", STRS, "Numbers absent from the context."),
        ("real_world_names", STRS, "Real-world names in a fictional world."),
        ("persona_contradictions", STRS, "Statements contradicting the persona."),
        ("label_mismatches", STRS, "Image labels disagreeing with the scene."),
        ("sentence_support", FLOATS, "Per sentence: max cosine similarity to a context chunk."),
        *[(f"rubric_{r}", FLOAT, f"LLM rubric: {r}, 1-5 (null without a rubric).") for r in RUBRIC],
        ("final_status", STR, "What became of the artifact: accepted / rejected / failed."),
        ("synthetic", BOOL, "Always true."),
        SPLIT,
    ],
    "chunks": [
        ("id", STR, "Chunk id (document id # chunk number)."),
        ("kind", STR, "Always 'chunk'."),
        ("doc_id", STR, "Corpus document id."),
        ("title", STR, "Article title."),
        ("outlet", STR, "Fictional news outlet."),
        ("date", STR, "Article date (ISO)."),
        ("text", STR, "Chunk text (fictional news)."),
        ("used_by", INT, "Accepted records that had this chunk in their context."),
        ("synthetic", BOOL, "Always true: the corpus is fiction written for Atropia."),
        SPLIT,
    ],
}


def schema(table: str, with_image: bool = False) -> pa.Schema:
    fields = [pa.field(name, kind) for name, kind, _ in SCHEMAS[table]]
    if with_image:
        fields.append(pa.field("image", IMAGE_STRUCT))
    return pa.schema(fields)


def flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """Provenance, rubric scores and labels as top-level columns. A visual reference's
    `thumbnail_path` (a path in this machine's library) stays out of the dataset."""
    flat = {k: v for k, v in record.items() if k not in ("provenance", "labels", "prompt_labels")}
    if "references" in flat:
        flat["references"] = [
            {k: v for k, v in ref.items() if k != "thumbnail_path"} for ref in flat["references"]
        ]
    prov = dict(record.get("provenance", {}))
    scores = prov.pop("critic_scores", {}) or {}
    flat.update(prov)
    for name in RUBRIC:
        flat[f"critic_{name}"] = scores.get(name)
    for name in IMAGE_ATTRIBUTES:
        if "labels" in record:
            flat[name] = bool(record["labels"].get(name, False))
        if "prompt_labels" in record:
            flat[f"prompt_{name}"] = bool(record["prompt_labels"].get(name, False))
    return flat


def flat_critique(row: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in row.items() if k != "rubric"}
    for name in RUBRIC:
        flat[f"rubric_{name}"] = (row.get("rubric") or {}).get(name)
    return flat


def arrow_table(table: str, rows: list[dict[str, Any]], with_image: bool = False) -> pa.Table:
    """Rows as an Arrow table of the table's schema (missing columns are null)."""
    target = schema(table, with_image)
    columns = {f.name: [row.get(f.name) for row in rows] for f in target}
    return pa.Table.from_pydict(columns, schema=target)
