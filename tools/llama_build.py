"""Build and install llama-cpp-python for a portable CPU baseline, once per flag set.

Usage: ``python tools/llama_build.py [--rebuild] [--cpu LEVEL]`` with the venv's Python (run
by ``make install``; ``make rebuild-llama [LLAMA_CPU=LEVEL]`` runs it with ``--rebuild``).

Why: llama.cpp's default build (``GGML_NATIVE=ON``) compiles for whatever the build
machine's CPU *advertises*. Virtual machines often advertise AVX-512 and AMX that the
hypervisor does not enable, and such a build dies with SIGSEGV on its first decode
(issue #14). This script builds for a fixed baseline instead:

- x86-64: the x86-64-v3 level (AVX, AVX2, FMA, F16C, BMI2), with AVX-512 and AMX off; on a
  CPU that does not advertise all of those, x86-64-v2 (SSE4.2); ``--cpu x86-64-v2`` forces it;
- arm64 and others: llama.cpp's defaults with ``GGML_NATIVE=OFF`` (its portable baseline).

pip keys its wheel cache on the source archive, not on ``CMAKE_ARGS``, so a cached native
wheel of the same version could come back. The wheel is therefore built with
``--no-cache-dir`` into ``.wheels/<version>-<flags hash>/`` inside the project, and installed
from there: the build is reproducible from this file and the pin in pyproject.toml, and a
second call finds the wheel (or the installed build) and does nothing.

Exit status: 0 when the portable build is installed; pip's status when a step fails.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.machinery
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "llama-cpp-python"

X86_64_V3 = [
    "-DGGML_NATIVE=OFF",
    "-DGGML_AVX=ON",
    "-DGGML_AVX2=ON",
    "-DGGML_FMA=ON",
    "-DGGML_F16C=ON",
    "-DGGML_BMI2=ON",
    "-DGGML_AVX512=OFF",
    "-DGGML_AVX512_VBMI=OFF",
    "-DGGML_AVX512_VNNI=OFF",
    "-DGGML_AVX512_BF16=OFF",
    "-DGGML_AVX_VNNI=OFF",
    "-DGGML_AMX_TILE=OFF",
    "-DGGML_AMX_INT8=OFF",
    "-DGGML_AMX_BF16=OFF",
]
PORTABLE_DEFAULT = ["-DGGML_NATIVE=OFF"]
# Tests and examples are not needed and add minutes to the compile.
COMMON = ["-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF"]
X86_64_V2 = [
    "-DGGML_NATIVE=OFF",
    "-DGGML_SSE42=ON",
    "-DGGML_AVX=OFF",
    "-DGGML_AVX2=OFF",
    "-DGGML_FMA=OFF",
    "-DGGML_F16C=OFF",
    "-DGGML_BMI2=OFF",
    "-DGGML_AVX512=OFF",
    "-DGGML_AVX_VNNI=OFF",
    "-DGGML_AMX_TILE=OFF",
    "-DGGML_AMX_INT8=OFF",
    "-DGGML_AMX_BF16=OFF",
]
LEVELS = {"x86-64-v3": X86_64_V3, "x86-64-v2": X86_64_V2, "portable": PORTABLE_DEFAULT}
DESCRIPTIONS = {
    "x86-64-v3": "x86-64-v3: AVX2, FMA, F16C, BMI2; no AVX-512, no AMX",
    "x86-64-v2": "x86-64-v2: SSE4.2, no AVX",
    "portable": "llama.cpp's portable defaults, not this CPU's",
}
V3_FLAGS = {"avx", "avx2", "fma", "f16c", "bmi2"}


def pinned_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The exact ``llama-cpp-python==X`` pin in pyproject.toml.

    Raises:
        SystemExit: when the dependency is not pinned with ``==`` (a range would let two
            machines build different code under the same wheel directory).
    """
    text = pyproject.read_text(encoding="utf-8")
    match = re.search(r'"llama-cpp-python==([0-9][0-9A-Za-z.]*)"', text)
    if not match:
        raise SystemExit(f'{pyproject}: pin llama-cpp-python with "llama-cpp-python==X.Y.Z"')
    return match.group(1)


def is_x86_64(machine: str | None = None) -> bool:
    return (machine or platform.machine()).lower() in {"x86_64", "amd64"}


def cpu_flags() -> set[str]:
    """The CPU's advertised flags from /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return set()
    match = re.search(r"^flags\s*:(.*)$", text, re.MULTILINE)
    return set(match.group(1).split()) if match else set()


def default_level(machine: str | None = None, flags: set[str] | None = None) -> str:
    """x86-64-v3 on an x86-64 CPU that advertises it (v2 on older ones); elsewhere portable."""
    if not is_x86_64(machine):
        return "portable"
    flags = cpu_flags() if flags is None else flags
    # Without /proc/cpuinfo (not Linux) assume v3, which every x86-64 CPU since 2015 has.
    return "x86-64-v3" if not flags or V3_FLAGS.issubset(flags) else "x86-64-v2"


def cmake_args(level: str) -> list[str]:
    """The CMake flags of the portable build at ``level`` (a key of ``LEVELS``)."""
    return LEVELS[level] + COMMON


def build_key(version: str, args: list[str]) -> str:
    """Directory name of a build: version, Python tag and a hash of the flags."""
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    digest = hashlib.sha256(" ".join(args).encode()).hexdigest()[:12]
    return f"{version}-{tag}-{platform.machine().lower()}-{digest}"


def marker_path() -> Path:
    return Path(sys.prefix) / ".llama-build.json"


def read_marker() -> dict:
    try:
        marker = json.loads(marker_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marker if isinstance(marker, dict) else {}


def installed_key() -> str | None:
    return read_marker().get("key")


def chosen_level() -> str | None:
    """A level given with --cpu earlier stays until another --cpu replaces it."""
    marker = read_marker()
    level = marker.get("cpu")
    return level if marker.get("cpu_chosen") and level in LEVELS else None


def pip(*args: str, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "pip", *args]
    result = subprocess.run(command, env=env, check=False)
    if result.returncode:
        sys.exit(result.returncode)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="compile again even if this flag set was built or installed before",
    )
    parser.add_argument(
        "--cpu",
        choices=sorted(LEVELS),
        help="CPU baseline, kept for later calls (default: the one chosen before, else "
        "x86-64-v3 on x86-64 CPUs that have it, else the portable defaults); x86-64-v2 for a "
        "CPU or VM that refuses AVX2",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    version = pinned_version()
    chosen = options.cpu or chosen_level()
    level = chosen or default_level()
    args = cmake_args(level)
    key = build_key(version, args)
    marker = {"key": key, "cpu": level, "cpu_chosen": bool(chosen), "cmake_args": args}
    wheel_dir = ROOT / ".wheels" / key
    if options.rebuild:
        shutil.rmtree(wheel_dir, ignore_errors=True)
        marker_path().unlink(missing_ok=True)
    if installed_key() == key:
        write_marker(marker)  # markers from before "cpu" was recorded gain it
        return
    wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
    if not wheels:
        print(
            f"      Compiling {PACKAGE} {version} from source for a portable CPU baseline "
            f"({DESCRIPTIONS[level]}), not for whatever this CPU advertises, so it runs on "
            "machines that refuse AVX-512 or AMX. About 6 minutes on 2 cores, once; the wheel "
            f"is kept in {wheel_dir.relative_to(ROOT)}/.",
            flush=True,
        )
        env = dict(
            os.environ,
            CMAKE_ARGS=" ".join(args),
            CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 2),
        )
        started = time.monotonic()
        pip(
            "wheel", "--no-deps", "--no-cache-dir", "--no-binary", PACKAGE,
            "--progress-bar", "off", "--quiet", "-w", str(wheel_dir), f"{PACKAGE}=={version}",
            env=env,
        )  # fmt: skip
        print(f"      Compiled {PACKAGE} in {time.monotonic() - started:.0f} s.", flush=True)
        wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
    quiet = ("--quiet", "--progress-bar", "off")
    pip("install", *quiet, "--force-reinstall", "--no-deps", str(wheels[-1]))
    pip("install", *quiet, str(wheels[-1]))
    write_marker(marker)


def write_marker(marker: dict) -> None:
    """Record the build, with its libraries' hashes: `scenariosim`'s probe trusts the record
    only while the installed libraries are these (pip may replace them later)."""
    marker = dict(marker, libraries=library_hashes())
    marker_path().write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")


def library_hashes() -> dict[str, str]:
    """sha256 of each shared library in the installed llama_cpp package, by relative path
    (computed as scenariosim/models/llama_probe.py does, without importing llama_cpp)."""
    spec = importlib.machinery.PathFinder.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return {}
    package = Path(next(iter(spec.submodule_search_locations))).resolve()
    return {
        str(path.relative_to(package)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(package.rglob("*"))
        if path.is_file() and re.search(r"\.(so|dylib|dll)(\.|$)", path.name)
    }


if __name__ == "__main__":
    main()
