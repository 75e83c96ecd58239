"""Property tests of the record schemas: any valid record survives JSON and the JSONL
stream unchanged, and invalid JSON is refused with a validation error, never a crash."""

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from scenariosim.jsonl import JsonlWriter, read_jsonl
from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.outputs.records import (
    CommentRecord,
    FailedArtifact,
    ImagePromptRecord,
    PostRecord,
    Provenance,
)

FAST = settings(max_examples=100, deadline=None)
# Any text a model or a census could hand us, line and paragraph separators included.
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80) | st.sampled_from(
    ["\u2028", "line\nbreak", "\r\n", "\x00", '"}\n{"id": "x"}', "<script>", "\x85"]
)
numbers = st.floats(allow_nan=False, allow_infinity=False, width=64)
stances = st.sampled_from(["support_protest", "oppose_protest", "neutral"])
emotions = st.sampled_from(["anger", "fear", "hope", "sadness", "pride", "calm"])

provenances = st.builds(
    Provenance,
    run_id=texts,
    scenario=texts,
    phase_id=texts,
    persona_id=texts,
    hid=texts,
    idno=st.integers(),
    chunk_ids=st.lists(texts, max_size=3),
    model=texts,
    critic_model=texts,
    prompt_name=texts,
    prompt_hash=texts,
    seed=st.integers(),
    critic_score=numbers,
    critic_scores=st.dictionaries(texts, numbers, max_size=3),
    revisions=st.integers(0, 5),
    reference_ids=st.lists(texts, max_size=2),
)
posts = st.builds(
    PostRecord,
    id=texts,
    phase_date=texts,
    author_name=texts,
    text=texts,
    hashtags=st.lists(texts, max_size=3),
    stance=stances,
    emotion=emotions,
    provenance=provenances,
)
comments = st.builds(
    CommentRecord,
    id=texts,
    phase_date=texts,
    author_name=texts,
    reply_to=texts,
    thread_root=texts,
    text=texts,
    stance=stances,
    emotion=emotions,
    provenance=provenances,
)
image_prompts = st.builds(
    ImagePromptRecord,
    id=texts,
    phase_date=texts,
    post_id=texts,
    scene=texts,
    sign_text=texts,
    labels=st.fixed_dictionaries({name: st.booleans() for name in IMAGE_ATTRIBUTES}),
    violence=numbers,
    provenance=provenances,
)
failed = st.builds(
    FailedArtifact,
    id=texts,
    kind=st.sampled_from(["post", "comment", "image_prompt"]),
    phase_id=texts,
    persona_id=texts,
    status=st.sampled_from(["rejected", "failed"]),
    reasons=st.lists(texts, max_size=3),
    drafts=st.just([]),
    critiques=st.just([]),
)
records = posts | comments | image_prompts | failed


@FAST
@given(records)
def test_a_record_survives_a_trip_through_json(record: BaseModel) -> None:
    assert type(record).model_validate_json(record.model_dump_json()) == record


@FAST
@given(st.lists(records, max_size=6))
def test_records_survive_the_jsonl_stream_whatever_their_text(rows: list[BaseModel]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.jsonl"
        writer = JsonlWriter(path, unique_key=None)
        for row in rows:
            writer.write(row)
        read, torn = read_jsonl(path)
    assert torn == 0
    assert [type(r).model_validate(d) for r, d in zip(rows, read, strict=True)] == rows


@FAST
@given(st.dictionaries(st.sampled_from([*PostRecord.model_fields, "extra"]), texts | st.integers()))
def test_malformed_records_are_refused_with_a_validation_error(data: dict) -> None:
    with pytest.raises(ValidationError):
        PostRecord.model_validate_json(json.dumps(data))


def test_every_record_says_it_is_synthetic() -> None:
    with pytest.raises(ValidationError):
        Provenance.model_validate({**_minimal_provenance(), "synthetic": False})


def _minimal_provenance() -> dict:
    return {
        "run_id": "r",
        "scenario": "s",
        "phase_id": "p",
        "persona_id": "x",
        "hid": "h",
        "idno": 1,
        "chunk_ids": [],
        "model": "m",
        "critic_model": "m",
        "prompt_name": "n",
        "prompt_hash": "h",
        "seed": 1,
        "critic_score": 3.0,
    }
