"""Reading corpus documents: Markdown with YAML front matter (id, title, outlet, date, ...).

Document text is data: it is stored and retrieved as written and never interpreted.
"""

import datetime as dt
import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from scenariosim.errors import InputFileError


class Document(BaseModel):
    id: str = Field(min_length=1)
    title: str
    outlet: str
    date: dt.date
    region: str = "national"
    topics: list[str] = Field(default_factory=list)
    language: str = "en"
    movement: str = ""
    text: str = Field(min_length=1)
    path: str = ""

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.model_dump_json(exclude={"path"}).encode()).hexdigest()[:16]


class FileProblem(BaseModel):
    path: str
    problem: str


def read_markdown(path: Path) -> Document:
    """One Markdown file with front matter between `---` lines."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not UTF-8 text; re-save it as UTF-8") from None
    if not raw.startswith("---"):
        raise InputFileError(f"{path}: no front matter; start the file with a '---' block")
    try:
        _, header, body = raw.split("---", 2)
        meta = yaml.safe_load(header) or {}
    except (ValueError, yaml.YAMLError) as e:
        raise InputFileError(f"{path}: malformed front matter ({e}); fix the '---' block") from None
    if not isinstance(meta, dict):
        raise InputFileError(f"{path}: front matter must be a mapping of keys to values")
    try:
        return Document(**meta, text=body.strip(), path=str(path))
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(map(str, first["loc"]))
        raise InputFileError(f"{path}: front matter key '{key}': {first['msg']}") from None


def read_corpus(folder: Path) -> tuple[list[Document], list[FileProblem]]:
    """Every readable document under `folder`; bad files are reported, not fatal."""
    if not folder.exists():
        raise InputFileError(f"corpus folder not found: {folder}; point world.corpus at it")
    paths = [folder] if folder.is_file() else sorted(folder.rglob("*.md"))
    docs: list[Document] = []
    problems: list[FileProblem] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            doc = read_markdown(path)
        except InputFileError as e:
            problems.append(FileProblem(path=str(path), problem=str(e)))
            continue
        if doc.id in seen:
            problems.append(
                FileProblem(
                    path=str(path), problem=f"duplicate id '{doc.id}' (also in {seen[doc.id]})"
                )
            )
            continue
        seen[doc.id] = str(path)
        docs.append(doc)
    if not docs:
        raise InputFileError(
            f"no readable documents in {folder}; add Markdown files with front matter"
        )
    return docs, problems
