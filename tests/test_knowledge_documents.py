"""Reading corpus files: every format, their metadata, and bad input reported by file."""

import datetime as dt
import json
from pathlib import Path

import pytest
from corpus_fixtures import article_text

from scenariosim.errors import InputFileError
from scenariosim.knowledge.documents import ReadOptions, read_corpus, read_documents


def _md(folder: Path, name: str, doc_id: str, body: str, **meta: str) -> Path:
    fields = {
        "outlet": "Ses Online",
        "date": "2026-09-01",
        "region": "Karavan Province",
        "topics": "[fuel prices, truckers]",
        "title": "Drivers angry",
    } | meta
    path = folder / name
    path.write_text(
        article_text(
            doc_id,
            fields["outlet"],
            fields["date"],
            fields["region"],
            fields["topics"],
            fields["title"],
            body,
        )
    )
    return path


def _pdf(text: str) -> bytes:
    """A one-page PDF with a text layer, written by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_markdown_front_matter_becomes_metadata_and_the_body_the_text(tmp_path: Path) -> None:
    _md(tmp_path, "a.md", "fuel-x", "Diesel rose to 1.30 ADH. Drivers are angry.")
    (doc,) = read_documents(tmp_path).documents
    assert doc.id == "fuel-x" and doc.outlet == "Ses Online" and doc.title == "Drivers angry"
    assert doc.date == dt.date(2026, 9, 1) and doc.region == "Karavan Province"
    assert doc.topics == ["fuel prices", "truckers"]
    assert doc.text == "Diesel rose to 1.30 ADH. Drivers are angry."
    assert doc.source == "a.md"


def test_markdown_without_front_matter_takes_id_and_title_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "day-one.md").write_text("# Day one in Karavan\n\nLorries everywhere.")
    (doc,) = read_documents(tmp_path).documents
    assert doc.id == "notes/day-one" and doc.title == "Day one in Karavan"
    assert doc.date is None and doc.outlet == ""


def test_plain_text_is_one_document_with_the_default_outlet(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text("Bread prices rose in Arzuli.\nFamilies worry.\n")
    result = read_documents(tmp_path, ReadOptions(default_outlet="Field notes"))
    (doc,) = result.documents
    assert doc.id == "report" and doc.outlet == "Field notes"
    assert doc.text == "Bread prices rose in Arzuli.\nFamilies worry."


def test_html_keeps_the_article_and_drops_scripts_styles_and_navigation(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        """<!doctype html><html lang="en-GB"><head><title>Ses Online | Blockade</title>
        <meta property="og:title" content="Drivers block the Karavan junction">
        <meta property="og:site_name" content="Ses Online">
        <meta property="article:published_time" content="2026-08-24T07:00:00Z">
        <meta name="keywords" content="truckers, blockade">
        <script>var tracking = "do not keep";</script><style>p {color: red}</style></head>
        <body><nav><a href="/">Home</a> <a href="/news">News menu</a></nav>
        <div class="cookie-banner">We use cookies</div>
        <article><h1>Drivers block the Karavan junction</h1>
        <p>Hundreds of lorry drivers parked across the junction on Monday morning.</p>
        <p>They demand the old diesel price of 0.90 dirhams a litre &amp; an apology.</p>
        <aside>Related: other stories</aside>
        <p>Police watched from a distance and did not intervene during the day.</p></article>
        <footer>Copyright Ses Online</footer></body></html>"""
    )
    (doc,) = read_documents(tmp_path).documents
    assert doc.title == "Drivers block the Karavan junction"
    assert doc.outlet == "Ses Online" and doc.date == dt.date(2026, 8, 24)
    assert doc.language == "en" and doc.topics == ["truckers", "blockade"]
    assert "0.90 dirhams a litre & an apology." in doc.text
    assert "Police watched" in doc.text
    for dropped in ("tracking", "color", "Home", "cookies", "Related", "Copyright"):
        assert dropped not in doc.text


def test_jsonl_rows_become_documents_and_bad_lines_are_reported_by_number(
    tmp_path: Path,
) -> None:
    rows = [
        {"id": "w1", "text": "Diesel rose.", "outlet": "CWS", "date": "2026-08-15", "url": "x"},
        {"text": "A row without an id.", "topics": "fuel; prices"},
        {"id": "w3", "body": "text under another key"},
    ]
    lines = [json.dumps(r) for r in rows[:2]] + ["{not json", json.dumps(rows[2])]
    (tmp_path / "wire.jsonl").write_text("\n".join(lines) + "\n")
    result = read_documents(tmp_path)
    assert [d.id for d in result.documents] == ["w1", "wire:2"]
    assert result.documents[0].extra == {"url": "x"}
    assert result.documents[1].topics == ["fuel", "prices"]
    problems = [(p.path, p.problem) for p in result.problems]
    assert problems[0][0] == "wire.jsonl" and problems[0][1].startswith("line 3: not valid JSON")
    assert problems[1][1].startswith("line 4: no text in 'text'")
    assert "--text-field" in problems[1][1]


def test_csv_reads_the_text_column_and_metadata_columns(tmp_path: Path) -> None:
    (tmp_path / "posts.csv").write_text(
        'id,outlet,date,region,body\np1,Arzuli Herald,2026-08-28,Arzuli Province,"Sit-in, day one."\n'
        "p2,Arzuli Herald,2026-08-29,Arzuli Province,\n"
    )
    result = read_documents(tmp_path, ReadOptions(text_field="body"))
    (doc,) = result.documents
    assert doc.id == "p1" and doc.text == "Sit-in, day one." and doc.region == "Arzuli Province"
    assert result.problems[0].problem.startswith("row 2: no text in 'body'")


def test_csv_without_the_text_column_names_the_columns_and_the_option(tmp_path: Path) -> None:
    (tmp_path / "posts.csv").write_text("id,content\np1,hello\n")
    (problem,) = read_documents(tmp_path).problems
    assert problem.path == "posts.csv"
    assert "no 'text' column (columns: id, content)" in problem.problem
    assert "--text-field" in problem.problem


def test_pdf_text_layer_is_read(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    (tmp_path / "statement.pdf").write_bytes(_pdf("The ministry announced a diesel rebate."))
    (doc,) = read_documents(tmp_path).documents
    assert doc.id == "statement" and "diesel rebate" in doc.text


def test_unreadable_files_are_reported_by_name_and_good_files_still_read(
    tmp_path: Path,
) -> None:
    _md(tmp_path, "good.md", "good", "Diesel rose to 1.30 ADH per litre.")
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\x00\x00\x01binary")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 prices rose.".encode("latin-1"))
    (tmp_path / "empty.md").write_text("  \n")
    (tmp_path / "fake.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    result = read_documents(tmp_path)
    assert [d.id for d in result.documents] == ["good"]
    problems = {p.path: p.problem for p in result.problems}
    assert problems["binary.md"].startswith("binary file")
    assert (
        problems["latin1.txt"].startswith("not UTF-8 text") and "re-save" in problems["latin1.txt"]
    )
    assert problems["empty.md"].startswith("empty file")
    assert "fake.pdf" in problems


def test_malformed_front_matter_is_reported_with_its_line_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "bad-yaml.md").write_text("---\nid: a\ntitle: [unclosed\n---\nText.")
    (tmp_path / "unclosed.md").write_text("---\nid: b\ntitle: x\nText without the end line.")
    (tmp_path / "list.md").write_text("---\n- a\n- b\n---\nText.")
    (tmp_path / "no-body.md").write_text("---\nid: c\n---\n\n")
    problems = {p.path: p.problem for p in read_documents(tmp_path).problems}
    assert problems["bad-yaml.md"].startswith("malformed front matter at line")
    assert "not closed" in problems["unclosed.md"]
    assert "key: value" in problems["list.md"]
    assert problems["no-body.md"] == "no text after the front matter"


def test_a_bad_date_names_the_key_and_the_format(tmp_path: Path) -> None:
    _md(tmp_path, "a.md", "a", "Text.", date="last Tuesday")
    (problem,) = read_documents(tmp_path).problems
    assert "metadata key 'date'" in problem.problem and "YYYY-MM-DD" in problem.problem


def test_a_duplicate_id_keeps_the_first_file_and_reports_the_second(tmp_path: Path) -> None:
    _md(tmp_path, "a.md", "same", "First.")
    _md(tmp_path, "b.md", "same", "Second.")
    result = read_documents(tmp_path)
    assert [d.text for d in result.documents] == ["First."]
    (problem,) = result.problems
    assert problem.path == "b.md" and "duplicate id 'same' (first in a.md)" in problem.problem


def test_other_file_types_are_skipped_and_hidden_files_ignored(tmp_path: Path) -> None:
    _md(tmp_path, "a.md", "a", "Text.")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.md").write_text("ref")
    result = read_documents(tmp_path)
    assert result.skipped == ["photo.png"] and result.problems == []


def test_an_empty_corpus_is_an_error_that_names_the_folder_and_the_problems(
    tmp_path: Path,
) -> None:
    with pytest.raises(InputFileError, match=r"no documents in .*add files of these types"):
        read_corpus(tmp_path)
    (tmp_path / "bad.md").write_bytes(b"\x00\x01")
    with pytest.raises(InputFileError, match=r"bad\.md: binary file"):
        read_corpus(tmp_path)
    with pytest.raises(InputFileError, match="not found"):
        read_corpus(tmp_path / "missing")


def test_content_hash_follows_text_and_metadata_not_the_file_location(tmp_path: Path) -> None:
    _md(tmp_path, "a.md", "a", "Text.")
    first = read_documents(tmp_path).documents[0]
    (tmp_path / "a.md").rename(tmp_path / "moved.md")
    moved = read_documents(tmp_path).documents[0]
    _md(tmp_path, "moved.md", "a", "Text.", outlet="Arzuli Herald")
    relabelled = read_documents(tmp_path).documents[0]
    assert moved.source == "moved.md" and moved.content_hash == first.content_hash
    assert relabelled.content_hash != first.content_hash
