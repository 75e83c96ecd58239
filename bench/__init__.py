"""Benchmarks (`make bench`). They use the test doubles in tests/ (fake and faulty chat
models), which are not part of the shipped package, so that folder is put on the path."""

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1] / "tests")
if _TESTS not in sys.path:
    sys.path.append(_TESTS)
