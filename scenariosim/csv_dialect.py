"""Which separator and decimal mark a CSV file uses, from its first lines.

Spreadsheets export "CSV" with `;` (where the comma is the decimal mark) or tabs, and some
put a byte-order mark in front. `sniff_csv` reads the header line: the expected separator if
it is there, else whichever of `;`, tab, `|` or `,` splits it; with a separator other than
the comma, numbers written `0,188` mean a decimal comma. Every CSV reader in the project
asks it first, so a `;` file is read, not reported as one column. This module imports
nothing from scenariosim.
"""

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

CANDIDATES = (",", ";", "\t", "|")
_SAMPLE_BYTES = 64 * 1024
NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


@dataclass(frozen=True)
class CsvDialect:
    sep: str = ","
    decimal: str = "."

    @property
    def described(self) -> str:
        mark = "decimal comma" if self.decimal == "," else "decimal point"
        return f"{NAMES.get(self.sep, repr(self.sep))}-separated, {mark}"


def sniff_text(sample: str, expected: str = ",") -> CsvDialect:
    """The dialect of CSV text whose first line is its header."""
    lines = [line for line in sample.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        return CsvDialect(expected)
    header = lines[0]
    counts = {c: header.count(c) for c in CANDIDATES}
    if counts.get(expected, 0) > 0:
        sep = expected
    else:
        sep = max(CANDIDATES, key=lambda c: counts[c])
        if counts[sep] == 0:
            sep = expected
    decimal = "."
    if sep != ",":
        number = re.compile(rf"(?:^|{re.escape(sep)})-?\d+,\d+(?:{re.escape(sep)}|$)")
        if any(number.search(line) for line in lines[1:50]):
            decimal = ","
    return CsvDialect(sep, decimal)


def sniff_csv(path: Path, expected: str = ",") -> CsvDialect:
    """The dialect of a CSV file (see `sniff_text`); unreadable bytes are ignored here."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as f:
        head = f.read(_SAMPLE_BYTES)
    text = head.decode("utf-8", errors="replace")
    if len(head) == _SAMPLE_BYTES and "\n" in text:
        text = text[: text.rfind("\n")]  # no torn last line
    return sniff_text(text, expected)
