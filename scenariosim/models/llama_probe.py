"""Does the installed llama.cpp run on this CPU? Ask a subprocess once per build.

A llama.cpp compiled for CPU instructions the machine refuses (AVX-512 or AMX that a virtual
CPU advertises but its hypervisor does not enable, issue #14) does not raise: the process dies
with SIGSEGV or SIGILL on its first decode. So before the local backend first imports
`llama_cpp` in a process, `ensure_runs` has a fresh Python process import it, load the
model and decode a few tokens. A child killed by a signal becomes one `ModelError` naming the cause and the one command that rebuilds llama.cpp,
and the user sees that instead of a crash.

The verdict is cached in `<cache_dir>/llama-probe.json` under a key made of the build (the
sha256 of every shared library in the `llama_cpp` package and the llama-cpp-python version),
the model file and this machine's CPU flags, so a probe runs once per build and machine; a
rebuild or another CPU probes again. Only answers about the build are cached: a crash and a
pass, not a timeout or a Python error, which may be about something else.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.metadata
import json
import platform
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from scenariosim.errors import ModelError
from scenariosim.files import atomic_write_text

REBUILD_COMMAND = "make rebuild-llama"
CACHE_FILE = "llama-probe.json"
TIMEOUT_S = 300.0
PROBE_PROMPT = "The fuel price rose again, and people in the market said"
OK_LINE = "llama-probe: ok"
_LIBRARY = re.compile(r"\.(so|dylib|dll)(\.|$)")
_KEPT_VERDICTS = 32

# Passed in this process, keyed by (llama_cpp package dir, model path): `_load` asks once.
_PASSED: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Build:
    """One installed llama-cpp-python: where its package is, its version, its libraries."""

    package_dir: Path
    version: str
    # sha256 of each shared library, by path relative to the package.
    libraries: dict[str, str]
    # The CPU baseline tools/llama_build.py built these very libraries for, if it did.
    built_for: str | None = None


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    key: str
    cached: bool
    seconds: float


def locate_build() -> Build:
    """The llama-cpp-python that `import llama_cpp` would load, found without importing it.

    Importing it loads the libraries, and a library built for the wrong CPU may already fail
    there, so this only reads files.

    Raises:
        ModelError: when llama-cpp-python is not installed.
    """
    spec = importlib.machinery.PathFinder.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the local model needs llama-cpp-python, which is not installed: run `make install`"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations))).resolve()
    libraries = {
        str(p.relative_to(package_dir)): _sha256(p)
        for p in sorted(package_dir.rglob("*"))
        if p.is_file() and _LIBRARY.search(p.name)
    }
    return Build(
        package_dir=package_dir,
        version=_version(package_dir.parent),
        libraries=libraries,
        built_for=_built_for(libraries),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(site_dir: Path) -> str:
    for dist in importlib.metadata.distributions(path=[str(site_dir)]):
        if (dist.metadata["Name"] or "").lower().replace("_", "-") == "llama-cpp-python":
            return dist.version
    return "unknown"


def _built_for(libraries: dict[str, str]) -> str | None:
    """The CPU baseline in tools/llama_build.py's record of this venv's build, if the record
    is about these libraries (pip may have replaced them since)."""
    try:
        marker = json.loads((Path(sys.prefix) / ".llama-build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or not libraries or marker.get("libraries") != libraries:
        return None
    return marker.get("cpu")


def cpu_flags() -> str:
    """This machine's CPU feature flags (Linux), or the platform's name elsewhere."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    return " ".join(sorted(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return platform.platform()


def build_key(build: Build, model_path: str | Path) -> str:
    """sha256 of the build's libraries and version, the model file and the CPU flags."""
    digest = hashlib.sha256()
    digest.update(f"llama-cpp-python {build.version}\n".encode())
    for name, sha256 in sorted(build.libraries.items()):
        digest.update(f"{name} {sha256}\n".encode())
    model = Path(model_path).resolve()
    stat = model.stat()
    digest.update(f"{model} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    digest.update(f"{platform.machine()} {cpu_flags()}\n".encode())
    return digest.hexdigest()


def probe(
    model_path: str | Path,
    cache_dir: Path,
    *,
    build: Build | None = None,
    force: bool = False,
    timeout_s: float = TIMEOUT_S,
) -> Verdict:
    """The cached verdict for this build, model and CPU, or a fresh one from a subprocess."""
    build = build or locate_build()
    key = build_key(build, model_path)
    cache_path = Path(cache_dir) / CACHE_FILE
    verdicts = _read(cache_path)
    if not force and key in verdicts:
        entry = verdicts[key]
        return Verdict(entry["ok"], entry["message"], key, True, entry["seconds"])
    command = _child_command(build.package_dir.parent, model_path)
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return Verdict(
            False,
            f"llama.cpp's first tiny decode did not finish in {timeout_s:.0f} s; the machine "
            "may be overloaded. Try again, or run `scenariosim models probe` to see it alone.",
            key,
            False,
            time.monotonic() - started,
        )
    seconds = time.monotonic() - started
    ok = done.returncode == 0 and OK_LINE in done.stdout
    if ok:
        message = f"llama-cpp-python {build.version} decoded on this CPU ({_describe(build)})"
    elif done.returncode < 0:
        message = crash_message(build, -done.returncode)
    else:
        message = error_message(build, done.returncode, done.stderr)
    verdict = Verdict(ok, message, key, False, seconds)
    if ok or done.returncode < 0:
        _write(cache_path, verdicts, verdict)
    return verdict


def ensure_runs(model_path: str | Path, cache_dir: Path | None = None) -> None:
    """Raise one clear `ModelError` if llama.cpp cannot run here; probe once per process.

    Call it before importing `llama_cpp`. `cache_dir` defaults to the settings' cache dir.
    """
    build = locate_build()
    memo = (str(build.package_dir), str(model_path))
    if memo in _PASSED:
        return
    if cache_dir is None:
        from scenariosim.settings import load_settings

        cache_dir = load_settings().cache_dir
    verdict = probe(model_path, cache_dir, build=build)
    if not verdict.ok:
        raise ModelError(verdict.message)
    _PASSED.add(memo)


def _describe(build: Build) -> str:
    if build.built_for:
        return f"built for {build.built_for} by tools/llama_build.py"
    return "not built by tools/llama_build.py"


def rebuild_command(build: Build) -> str:
    """The one command to run; a portable x86-64-v3 build that crashed steps down to v2."""
    if build.built_for == "x86-64-v3":
        return f"{REBUILD_COMMAND} LLAMA_CPU=x86-64-v2"
    return REBUILD_COMMAND


def crash_message(build: Build, signum: int) -> str:
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    return (
        f"llama.cpp crashed ({name}) in a tiny test decode run in a separate process: "
        f"llama-cpp-python {build.version} in {build.package_dir} "
        f"({_describe(build)}) was built with CPU instructions this machine refuses, "
        "typically AVX-512 or AMX that the CPU advertises but the OS or hypervisor does not "
        f"enable. Rebuild it for a portable CPU baseline (about 6 minutes): "
        f"`{rebuild_command(build)}`"
    )


def error_message(build: Build, returncode: int, stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "no error output"
    return (
        f"llama.cpp could not run its first tiny decode (exit {returncode}): {last}. "
        f"If llama-cpp-python {build.version} is broken, rebuild it: `{rebuild_command(build)}`"
    )


def _read(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, verdicts: dict[str, dict], verdict: Verdict) -> None:
    verdicts = {k: v for k, v in verdicts.items() if k != verdict.key}
    verdicts[verdict.key] = {
        "ok": verdict.ok,
        "message": verdict.message,
        "seconds": round(verdict.seconds, 3),
        "probed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    kept = dict(list(verdicts.items())[-_KEPT_VERDICTS:])
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(kept, indent=1) + "\n")


def _child_command(site: Path, model_path: str | Path) -> list[str]:
    """A fresh interpreter that imports only llama_cpp (from `site`) and decodes."""
    return [sys.executable, "-c", _CHILD, str(site), str(model_path)]


# The child's work, self-contained so that it imports nothing but llama_cpp: load the model,
# evaluate a short prompt as one batch, then one more token. Both paths matter: a batch goes
# through the matrix-matrix kernels (where llama.cpp uses AMX), one token through the
# matrix-vector ones. One thread: the instructions are the same, and two threads spin-wait
# for each other on a busy machine (20 s instead of under 1).
_CHILD = f"""
import sys
sys.path.insert(0, sys.argv[1])
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[2], n_ctx=256, n_threads=1, verbose=False, seed=0)
tokens = llm.tokenize({PROBE_PROMPT.encode()!r})
llm.eval(tokens)
llm.eval(tokens[-1:])
llm.close()
print({OK_LINE!r}, flush=True)
"""
