"""Build the labelled calibration set from harvested drafts and blind labels (docs/critic.md).

    python tools/build_calibration_set.py drafts.jsonl labels.jsonl \
        --out scenariosim/data/calibration/set-v1.jsonl

`labels.jsonl` holds the labellers' lines in docs/quality.md's form (id, label, reason,
labeller, rubric_version, and optionally the four answers). Each labelled draft gets its
split from its id (`split_of`); unlabelled drafts are left out. The result is loaded back
with the same validation `scenariosim critic eval` uses. A maintenance script, not shipped.
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from scenariosim.errors import InputFileError, ScenarioSimError
from scenariosim.evaluation.calibration import (
    DEFAULT_SET,
    HarvestedDraft,
    assemble_set,
    load_set,
)
from scenariosim.files import atomic_write_text
from scenariosim.jsonl import jsonl_text, read_jsonl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drafts", type=Path, help="harvested rows (tools/harvest_drafts.py)")
    parser.add_argument("labels", type=Path, help="labellers' lines (docs/quality.md)")
    parser.add_argument("--out", type=Path, default=DEFAULT_SET)
    args = parser.parse_args(argv)
    try:
        for path in (args.drafts, args.labels):
            if not path.exists():
                raise InputFileError(f"{path}: file not found; check the path")
        raw, torn = read_jsonl(args.drafts)
        if torn:
            raise InputFileError(f"{args.drafts}: {torn} line(s) are not JSON; harvest again")
        drafts = []
        for n, row in enumerate(raw, start=1):
            try:
                drafts.append(HarvestedDraft.model_validate(row))
            except ValidationError as e:
                first = e.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise InputFileError(
                    f"{args.drafts}: row {n}, field '{where}': {first['msg']}; harvest again "
                    "with tools/harvest_drafts.py"
                ) from None
        labels, torn = read_jsonl(args.labels)
        if torn:
            raise InputFileError(f"{args.labels}: {torn} line(s) are not JSON; correct them")
        rows = assemble_set(drafts, labels)
        atomic_write_text(args.out, jsonl_text(rows))
        load_set(args.out)
    except ScenarioSimError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    splits = Counter(r.split for r in rows)
    labels_count = Counter(r.label for r in rows)
    print(
        f"{len(rows)} labelled rows -> {args.out}: tune {splits['tune']}, heldout "
        f"{splits['heldout']}; good {labels_count['good']}, bad {labels_count['bad']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
