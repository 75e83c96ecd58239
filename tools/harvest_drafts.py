"""Harvest unlabelled calibration rows from run folders (docs/critic.md).

    python tools/harvest_drafts.py outputs/RUN_A outputs/RUN_B --out drafts.jsonl

writes `drafts.jsonl`, one row per distinct candidate text (accepted and rejected; posts,
comments, image prompts) with what its writer was given, for blind labellers; and
`drafts.verdicts.jsonl` (or `--verdicts FILE`), the critic's verdict on each row at draw
time keyed by the same id, which labellers must never see. A maintenance script, not shipped.
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

from scenariosim.errors import ScenarioSimError
from scenariosim.evaluation.calibration import harvest_runs
from scenariosim.files import atomic_write_text
from scenariosim.jsonl import jsonl_text


def verdicts_path(out: Path) -> Path:
    """`drafts.jsonl` -> `drafts.verdicts.jsonl` beside it."""
    return out.with_name(f"{out.name.removesuffix('.jsonl')}.verdicts.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=Path, nargs="+", help="run folders (with traces.jsonl)")
    parser.add_argument("--out", type=Path, required=True, help="rows for labellers (JSONL)")
    parser.add_argument("--verdicts", type=Path, help="the critic's verdicts (JSONL)")
    args = parser.parse_args(argv)
    verdicts_file = args.verdicts or verdicts_path(args.out)
    if verdicts_file.resolve() == args.out.resolve():
        print("error: --verdicts must differ from --out", file=sys.stderr)
        return 2
    try:
        drafts, verdicts = harvest_runs(args.runs)
    except ScenarioSimError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not drafts:
        print(
            "error: no critique events in these run folders' traces.jsonl; harvest runs made "
            "by this version (they trace critic_inputs and critique events)",
            file=sys.stderr,
        )
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, jsonl_text(drafts))
    atomic_write_text(verdicts_file, jsonl_text(verdicts))
    kinds = Counter(d.kind for d in drafts)
    chosen = sum(v.chosen for v in verdicts)
    print(
        f"{len(drafts)} distinct drafts ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}"
        f"; {chosen} kept by the critic) -> {args.out}; verdicts -> {verdicts_file}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
