"""Property tests of corpus reading: a JSONL corpus written by any JSON writer reads back
with every document's text, whatever characters the text holds."""

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scenariosim.knowledge.documents import read_documents

# Printable text plus the separators str.splitlines() would cut a JSON line at.
separators = st.sampled_from(["\u2028", "\u2029", "\x85", "\x1c", "\n", "\r\n", "\x0b"])
texts = (
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12) | separators,
        max_size=8,
    )
    .map("".join)
    .filter(lambda t: t.strip())
)


@settings(max_examples=80, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4), st.booleans())
def test_a_jsonl_corpus_reads_back_every_document(bodies: list[str], ascii_only: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "news.jsonl"
        path.write_text(
            "".join(
                json.dumps({"id": f"d{i}", "text": body}, ensure_ascii=ascii_only) + "\n"
                for i, body in enumerate(bodies)
            ),
            encoding="utf-8",
        )
        result = read_documents(path)
    assert result.problems == []
    assert [d.id for d in result.documents] == [f"d{i}" for i in range(len(bodies))]
