"""Run the benchmark modules, print a table, write JSON results."""

import argparse
import importlib
import json
import platform
import time
from pathlib import Path

BENCH_DIR = Path(__file__).parent
RESULTS_DIR = BENCH_DIR / "results"


def discover(names: list[str]) -> list[str]:
    found = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if not names:
        return found
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in names]
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(found)}")
    return wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    RESULTS_DIR.mkdir(exist_ok=True)
    rows = []
    for module_name in discover(args.names):
        module = importlib.import_module(f"bench.{module_name}")
        started = time.perf_counter()
        result = module.run(quick=args.quick)
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["machine"] = {"python": platform.python_version(), "cpus": _cpus()}
        (RESULTS_DIR / f"{result['name']}.json").write_text(json.dumps(result, indent=2))
        rows.extend((result["name"], k, v) for k, v in result["figures"].items())
        if result.get("notes"):
            print(f"[{result['name']}] {result['notes']}")
    width = max((len(f"{n}.{k}") for n, k, _ in rows), default=10)
    print(f"{'figure':<{width}}  value")
    for name, key, value in rows:
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"{name + '.' + key:<{width}}  {shown}")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
