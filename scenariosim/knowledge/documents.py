"""Reading corpus documents from files: Markdown or text (optional YAML front matter), HTML,
JSONL, CSV/TSV and PDF.

Each reader turns one file into `Document`s. A bad file (binary, not UTF-8, empty, malformed
front matter) or a bad row becomes a `FileProblem` naming the file and the fix, and reading
carries on, so good files still ingest. Document text is data: it is kept as written and
never interpreted.
"""

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from scenariosim.clean_text import clean_text
from scenariosim.csv_dialect import sniff_text
from scenariosim.errors import InputFileError
from scenariosim.jsonl import numbered_lines
from scenariosim.knowledge.html_text import extract_html
from scenariosim.yaml_io import YamlError, load_yaml

Scalar = str | int | float | bool

# Keys a document's metadata may set; any other scalar key is kept in `Document.extra`.
KNOWN_KEYS = ("id", "title", "outlet", "date", "region", "topics", "language", "movement")
SUFFIXES: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".pdf": "pdf",
}
_SNIFF_BYTES = 8192


class Document(BaseModel):
    """One article or record: text plus the metadata retrieval filters on."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=300)
    title: str = ""
    outlet: str = ""
    date: dt.date | None = None
    region: str = "national"
    topics: list[str] = Field(default_factory=list)
    language: str = "en"
    movement: str = ""
    text: str = Field(min_length=1)
    source: str = Field("", description="File it came from, relative to the corpus root.")
    extra: dict[str, Scalar] = Field(default_factory=dict)
    # What reading repaired (e.g. a lone surrogate replaced), for the reader to warn; not data.
    _repairs: list[str] = PrivateAttr(default_factory=list)

    @property
    def repairs(self) -> list[str]:
        return self._repairs

    @field_validator("id", "title", "outlet", "region", "language", "movement", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        """YAML reads `id: 2024` as a number and `title: Yes` as a bool; keep them as text."""
        if value is None:
            return ""
        return str(value).strip() if isinstance(value, str | int | float | bool) else value

    @field_validator("date", mode="before")
    @classmethod
    def _as_date(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            return parse_date(value)
        return value

    @field_validator("topics", mode="before")
    @classmethod
    def _as_topics(cls, value: Any) -> Any:
        """Topics may be a YAML list or one string separated by commas or semicolons."""
        if value is None:
            return []
        if isinstance(value, str):
            value = re.split(r"[;,]", value)
        if isinstance(value, list | tuple):
            return [str(t).strip() for t in value if str(t).strip()]
        return value

    @property
    def content_hash(self) -> str:
        """Changes when the text or any metadata changes; not when the file is only moved."""
        payload = self.model_dump_json(exclude={"source"})
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


class FileProblem(BaseModel):
    """A file (or one row of it) that could not be read, and what to do about it."""

    path: str
    problem: str


class ReadOptions(BaseModel):
    """How to read tables and defaults for files that carry no metadata of their own."""

    model_config = ConfigDict(frozen=True)

    text_field: str = Field("text", description="JSONL key / CSV column holding the text.")
    default_outlet: str = Field("", description="Outlet for documents that name none.")
    default_language: str = Field("en", description="Language for documents that name none.")


class ReadResult(BaseModel):
    """What reading a corpus found: documents, problems by file, files of other types."""

    documents: list[Document] = Field(default_factory=list)
    problems: list[FileProblem] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="Files of unsupported types.")
    repaired: list[FileProblem] = Field(
        default_factory=list,
        description="Text that was not clean Unicode, repaired and read (see clean_text).",
    )

    @property
    def problem_sources(self) -> set[str]:
        """Sources with any problem: their already-ingested documents must be kept."""
        return {p.path for p in self.problems}


class _BadFile(Exception):
    """Internal: the whole file is unusable; the message says why and how to fix it."""


Reader = Callable[[Path, str, ReadOptions], tuple[list[Document], list[str]]]


def parse_date(value: str) -> dt.date:
    """ISO dates and date-times (`2026-08-04`, `2026-08-04T09:30:00Z`)."""
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"'{value}' is not a date; write it as YYYY-MM-DD") from None


def _clean(value: Any, key: str, notes: list[str]) -> Any:
    """`value` with its text repaired to clean Unicode (see clean_text); notes name the key."""
    if isinstance(value, str):
        text, found = clean_text(value)
        notes.extend(f"key '{key}': {note}" for note in found)
        return text
    if isinstance(value, list):
        return [_clean(item, key, notes) for item in value]
    return value


def build_document(meta: dict[str, Any], text: str, source: str, default_id: str) -> Document:
    """A `Document` from metadata of any origin; raises `_BadFile` naming the bad key.

    Text that is not clean Unicode (lone surrogates, control characters) in any key is
    repaired; `Document.repairs` says where, for the reader to warn."""
    notes: list[str] = []
    meta = {
        _clean(str(k), "(a key name)", notes): _clean(v, str(k), notes) for k, v in meta.items()
    }
    text = _clean(text, "text", notes)
    fields = {k: meta[k] for k in KNOWN_KEYS if meta.get(k) not in (None, "")}
    extra: dict[str, Scalar] = {}
    for key, value in meta.items():
        if key in KNOWN_KEYS or key == "text":
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        if isinstance(value, Scalar):
            extra[str(key)] = value
    fields.setdefault("id", default_id)
    try:
        document = Document(**fields, text=text, source=source, extra=extra)
    except ValueError as e:  # pydantic's ValidationError is a ValueError
        errors = getattr(e, "errors", None)
        if errors is None:
            raise _BadFile(str(e)) from None
        first = errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "document"
        message = first["msg"].removeprefix("Value error, ")
        if key == "text" and first["type"] in ("string_too_short", "missing"):
            raise _BadFile("no text; the document is empty") from None
        raise _BadFile(f"metadata key '{key}': {message}") from None
    document.repairs.extend(notes)
    return document


def _decode(path: Path) -> str:
    """The file's text, or `_BadFile` for binary, non-UTF-8 and empty files."""
    data = path.read_bytes()
    if not data.strip():
        raise _BadFile("empty file; add text or remove it")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise _BadFile("binary file, not text; remove it or convert it to text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _BadFile(
            f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); re-save it as UTF-8"
        ) from None


_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_front_matter(raw: str) -> tuple[dict[str, Any], str]:
    """YAML between a first `---` line and the next `---` line, and the body after it."""
    if not raw.startswith("---"):
        return {}, raw
    first_newline = raw.find("\n")
    if first_newline < 0 or raw[:first_newline].strip() != "---":
        return {}, raw
    end = _FRONT_MATTER_END.search(raw, first_newline + 1)
    if end is None:
        raise _BadFile("front matter is not closed; add a '---' line after its last key")
    header = raw[first_newline + 1 : end.start()]
    try:
        loaded = load_yaml(header, "front matter", line_offset=1)
    except YamlError as e:
        line = f" at line {e.line}" if e.line is not None else ""
        raise _BadFile(f"malformed front matter{line}: {e.problem}; fix the YAML") from None
    meta = loaded.data
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _BadFile("front matter must be 'key: value' lines, not a list or a bare value")
    return _as_written(meta, loaded.authored), raw[end.end() :]


def _as_written(meta: dict[Any, Any], authored: dict[tuple[Any, ...], str]) -> dict[str, Any]:
    """Front matter with every value YAML read as a number or boolean back as the text
    written (`id: 0123` is '0123', `topics: [strike, 2026]` is ['strike', '2026']); keys are
    text too. A document's metadata is text; only `date` is parsed, by the Document."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        name = str(key)
        if isinstance(value, list):
            value = [authored.get((name, i), item) for i, item in enumerate(value)]
        out[name] = authored.get((name,), value)
    return out


def _first_heading_or_line(body: str) -> str:
    for line in body.splitlines():
        stripped = line.strip()
        if stripped:
            return stripped.lstrip("#").strip()[:120]
    return ""


def markdown_documents(
    path: Path, source: str, options: ReadOptions
) -> tuple[list[Document], list[str]]:
    """Markdown or plain text; front matter optional; title falls back to the first line."""
    meta, body = split_front_matter(_decode(path))
    body = body.strip()
    if not body:
        raise _BadFile("no text after the front matter")
    meta.setdefault("title", _first_heading_or_line(body) or path.stem)
    meta.setdefault("outlet", options.default_outlet)
    meta.setdefault("language", options.default_language)
    return [build_document(meta, body, source, default_id(source))], []


def html_documents(
    path: Path, source: str, options: ReadOptions
) -> tuple[list[Document], list[str]]:
    """The page's main text (article/main if marked), without scripts, styles or navigation."""
    page = extract_html(_decode(path))
    if not page.text.strip():
        raise _BadFile("no readable text in the page (only scripts, navigation or markup)")
    meta: dict[str, Any] = {
        "title": page.title or path.stem,
        "outlet": page.site_name or options.default_outlet,
        "language": (page.language or options.default_language).split("-")[0],
        "topics": page.keywords,
    }
    if page.published:
        # An unparseable publication date in a page is not worth dropping the page for.
        with contextlib.suppress(ValueError):
            meta["date"] = parse_date(page.published)
    return [build_document(meta, page.text, source, default_id(source))], []


def _row_document(
    row: dict[str, Any], where: str, source: str, row_id: str, options: ReadOptions
) -> Document:
    text = row.get(options.text_field)
    if not isinstance(text, str) or not text.strip():
        keys = ", ".join(sorted(map(str, row))) or "none"
        raise _BadFile(
            f"{where}: no text in '{options.text_field}' (keys: {keys}); "
            "fill it in or pass --text-field"
        )
    meta = {k: v for k, v in row.items() if k != options.text_field}
    meta.setdefault("outlet", options.default_outlet)
    meta.setdefault("language", options.default_language)
    try:
        document = build_document(meta, text.strip(), source, row_id)
    except _BadFile as e:
        raise _BadFile(f"{where}: {e}") from None
    document.repairs[:] = [f"{where}: {note}" for note in document.repairs]
    return document


def jsonl_documents(
    path: Path, source: str, options: ReadOptions
) -> tuple[list[Document], list[str]]:
    """One JSON object per line; its text under `options.text_field`, other keys metadata."""
    docs: list[Document] = []
    problems: list[str] = []
    for number, line in numbered_lines(_decode(path)):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {number}: not valid JSON ({e.msg}); fix or remove the line")
            continue
        if not isinstance(row, dict):
            problems.append(f"line {number}: not a JSON object; write one {{...}} per line")
            continue
        try:
            docs.append(
                _row_document(
                    row, f"line {number}", source, f"{default_id(source)}:{number}", options
                )
            )
        except _BadFile as e:
            problems.append(str(e))
    return docs, problems


def csv_documents(
    path: Path, source: str, options: ReadOptions
) -> tuple[list[Document], list[str]]:
    """A table with a header row; the text column is `options.text_field`."""
    csv.field_size_limit(2**31 - 1)
    expected = "\t" if path.suffix.lower() == ".tsv" else ","
    text = _decode(path)
    delimiter = sniff_text(text[:65536], expected).sep  # spreadsheets export ';' or tabs too
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = reader.fieldnames or []
    near = [c for c in columns if c.strip().lower() == options.text_field.lower()]
    if options.text_field not in columns and near:
        raise _BadFile(
            f"the text column is written '{near[0]}', not '{options.text_field}'; pass "
            f"--text-field '{near[0]}' or rename the column"
        )
    if options.text_field not in columns:
        raise _BadFile(
            f"no '{options.text_field}' column (columns: {', '.join(columns) or 'none'}); "
            "rename the column or pass --text-field"
        )
    docs: list[Document] = []
    problems: list[str] = []
    for number, row in enumerate(reader, start=1):
        clean = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
        try:
            docs.append(
                _row_document(
                    clean, f"row {number}", source, f"{default_id(source)}:{number}", options
                )
            )
        except _BadFile as e:
            problems.append(str(e))
    return docs, problems


def pdf_documents(
    path: Path, source: str, options: ReadOptions
) -> tuple[list[Document], list[str]]:
    """Text of every page (pypdf); scanned PDFs without a text layer are reported."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ModuleNotFoundError:
        raise _BadFile("reading PDF needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise _BadFile("encrypted PDF; save an unencrypted copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except PdfReadError as e:
        raise _BadFile(f"not a readable PDF ({e})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise _BadFile("no text layer (a scanned PDF?); run OCR first or convert it to text")
    meta: dict[str, Any] = {
        "title": (info.title if info and info.title else "") or path.stem,
        "outlet": options.default_outlet,
        "language": options.default_language,
    }
    created = info.creation_date if info else None
    if isinstance(created, dt.datetime):
        meta["date"] = created.date()
    return [build_document(meta, text, source, default_id(source))], []


READERS: dict[str, Reader] = {
    "markdown": markdown_documents,
    "text": markdown_documents,
    "html": html_documents,
    "jsonl": jsonl_documents,
    "csv": csv_documents,
    "pdf": pdf_documents,
}


def default_id(source: str) -> str:
    """A document id from its file: the relative path without its suffix."""
    return str(Path(source).with_suffix("")).replace("\\", "/")


def iter_files(sources: Iterable[Path]) -> Iterable[tuple[Path, str]]:
    """Each file under the sources with its name relative to its source; hidden files skipped."""
    for source in sources:
        if source.is_file():
            yield source, source.name
            continue
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                yield path, rel.as_posix()


def read_documents(
    sources: Path | Sequence[Path], options: ReadOptions | None = None
) -> ReadResult:
    """Every document in the given files and folders; problems are collected, not raised.

    Duplicate ids keep the first file (in path order) and report the others.
    """
    options = options or ReadOptions()
    paths = [sources] if isinstance(sources, Path) else list(sources)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputFileError(f"not found: {', '.join(missing)}; check the corpus path")
    result = ReadResult()
    seen: dict[str, str] = {}
    for path, source in iter_files(paths):
        kind = SUFFIXES.get(path.suffix.lower())
        if kind is None:
            result.skipped.append(source)
            continue
        try:
            docs, row_problems = READERS[kind](path, source, options)
        except _BadFile as e:
            result.problems.append(FileProblem(path=source, problem=str(e)))
            continue
        except OSError as e:
            result.problems.append(FileProblem(path=source, problem=f"cannot read: {e.strerror}"))
            continue
        result.problems.extend(FileProblem(path=source, problem=p) for p in row_problems)
        for doc in docs:
            if doc.id in seen:
                result.problems.append(
                    FileProblem(
                        path=source,
                        problem=f"duplicate id '{doc.id}' (first in {seen[doc.id]}); "
                        "give each document its own id",
                    )
                )
                continue
            seen[doc.id] = source
            result.documents.append(doc)
            result.repaired.extend(FileProblem(path=source, problem=r) for r in doc.repairs)
    return result


def read_corpus(folder: Path) -> tuple[list[Document], list[FileProblem]]:
    """Documents and problems of a corpus folder or file; an empty corpus is an error."""
    result = read_documents(folder)
    if not result.documents:
        raise InputFileError(empty_corpus_message(folder, result))
    return result.documents, result.problems


def empty_corpus_message(where: Path | Sequence[Path], result: ReadResult) -> str:
    """Why nothing could be read, naming the files and their problems."""
    shown = where if isinstance(where, Path) else ", ".join(map(str, where))
    if result.problems:
        details = "; ".join(f"{p.path}: {p.problem}" for p in result.problems[:5])
        more = f" (and {len(result.problems) - 5} more)" if len(result.problems) > 5 else ""
        return f"no readable documents in {shown}: {details}{more}"
    kinds = ", ".join(sorted(SUFFIXES))
    return f"no documents in {shown}; add files of these types: {kinds}"
