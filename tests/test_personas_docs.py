"""The Python examples in docs/personas.md run as written."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "personas.md"


def test_the_python_examples_in_the_personas_docs_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
