"""Generate the shipped stand-in census sample (a maintenance script, not shipped).

`python tools/make_standin.py` rewrites `scenariosim/data/census/*.parquet` from
`calibration.json` with the fixed seed; `--check` prints the reference figures of a
generated sample and writes nothing. The generator is `scenariosim.personas.standin`.
"""

import argparse
import json
from pathlib import Path

from scenariosim.personas.standin import CENSUS_DIR, SEED, generate, reference_figures


def write(folder: Path = CENSUS_DIR, seed: int = SEED) -> tuple[Path, Path]:
    """Generate and write `households.parquet` and `individuals.parquet` (zstd)."""
    households, people = generate(seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / "households.parquet", folder / "individuals.parquet")
    households.to_parquet(paths[0], index=False, compression="zstd")
    people.to_parquet(paths[1], index=False, compression="zstd")
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the stand-in census sample.")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=CENSUS_DIR)
    parser.add_argument("--check", action="store_true", help="print figures, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        households, people = generate(seed=args.seed)
        print(json.dumps(reference_figures(households, people), indent=1))
        return
    for path in write(args.out, args.seed):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
