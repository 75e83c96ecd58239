"""llama.cpp: what the portable build costs against a native one, on this machine.

`make install` builds llama-cpp-python for the x86-64-v3 baseline (no AVX-512, no AMX; see
tools/llama_build.py and issue #14). This compares it, in the same run, with a build for
whatever this CPU advertises (`GGML_NATIVE=ON`, llama.cpp's default). Each build runs in its
own long-lived worker process, in its own venv, with the same model (the shipped SmolLM2
GGUF), threads, prompts, seeds and sampling options; calls alternate between the two so
machine noise hits both alike, and the figures are medians.

Two figures per build: generation tokens/s (a short chat prompt, up to 96 new tokens, the
way `bench_models` measures it) and prompt tokens/s (evaluating a prompt of about 900 tokens,
the size of a post-drafting prompt, where the matrix-matrix kernels that AVX-512 and AMX speed
up do the work).

The native build lives outside the project so `.venv` is never touched. Make it once
(about 6 minutes on 2 cores):

    python3.11 -m venv /tmp/native-venv
    CMAKE_ARGS="-DGGML_NATIVE=ON" /tmp/native-venv/bin/pip wheel --no-cache-dir --no-deps \\
        --no-binary llama-cpp-python llama-cpp-python==0.3.36 -w /tmp/native-wheel
    /tmp/native-venv/bin/pip install /tmp/native-wheel/llama_cpp_python-*.whl

`SCENARIOSIM_BENCH_NATIVE_PYTHON` points at another interpreter. Without one the benchmark
reports no figures and says why. If the native worker dies (a signal: the CPU advertises
instructions the OS does not enable), that is the finding, and it is reported.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from scenariosim.models.chat_local import default_gguf_path

NATIVE_PYTHON = os.environ.get("SCENARIOSIM_BENCH_NATIVE_PYTHON", "/tmp/native-venv/bin/python")
THREADS = int(os.environ.get("SCENARIOSIM_BENCH_THREADS", "2"))
MAX_TOKENS = 96

PROMPTS = [
    "Write two sentences about a fuel price rise in a small town.",
    "Describe a crowded market on a hot afternoon in three sentences.",
    "Explain in two sentences why truck drivers might protest.",
    "Write a short note to a neighbour about a water outage.",
]
LONG_PROMPT = " ".join(
    [
        "The ministry announced that diesel would rise from 0.90 to 1.30 dinars per litre on",
        "Monday, and truckers in the northern province said they would park their lorries on",
        "the ring road until the subsidy was restored. Market traders reported that bread,",
        "vegetables and cooking gas had already become more expensive, and teachers asked how",
        "families would pay for the bus to school.",
    ]
    * 9
)

# Runs in each build's own interpreter: imports only llama_cpp. One JSON request per line
# on stdin, one JSON answer per line on stdout.
WORKER = """
import json, sys, time
from llama_cpp import Llama, llama_print_system_info
llm = Llama(model_path=sys.argv[1], n_ctx=2048, n_threads=int(sys.argv[2]),
            n_threads_batch=int(sys.argv[2]), verbose=False, seed=0)
print(json.dumps({"system_info": llama_print_system_info().decode()}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    llm.reset()
    if request["kind"] == "prompt":
        tokens = llm.tokenize(request["text"].encode())
        started = time.perf_counter()
        llm.eval(tokens)
        elapsed = time.perf_counter() - started
        answer = {"tokens": len(tokens), "seconds": elapsed, "text": ""}
    else:
        started = time.perf_counter()
        out = llm.create_chat_completion(
            messages=[{"role": "user", "content": request["text"]}],
            temperature=0.7, top_p=0.95, max_tokens=request["max_tokens"],
            seed=request["seed"],
        )
        elapsed = time.perf_counter() - started
        answer = {"tokens": out["usage"]["completion_tokens"], "seconds": elapsed,
                  "text": out["choices"][0]["message"]["content"]}
    print(json.dumps(answer), flush=True)
"""


class WorkerDied(RuntimeError):
    pass


class Worker:
    """One build's interpreter with the model loaded, answering requests in turn."""

    def __init__(self, name: str, python: str, model: Path) -> None:
        self.name = name
        # stderr to a file, not a pipe: nobody reads a pipe while the worker runs, and a
        # full one would block it.
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            [python, "-c", WORKER, str(model), str(THREADS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.system_info = self._answer()["system_info"]

    def ask(self, **request: object) -> dict:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass
        return self._answer()

    def _answer(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.stderr.seek(0)
            stderr = self.stderr.read()
            raise WorkerDied(f"{self.name} worker exited with {code}: {stderr.strip()[-300:]}")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)
        self.stderr.close()


def cpu_summary() -> dict:
    """CPU model and the flags that decide which build can run: AVX2, AVX-512*, AMX*."""
    model, flags = "", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    model = model or platform.processor() or platform.machine()
    relevant = sorted(f for f in flags if f in {"avx2", "fma"} or f.startswith(("avx512", "amx")))
    return {"model": model, "flags": relevant}


def run(quick: bool = False) -> dict:
    cpu = cpu_summary()
    if not Path(NATIVE_PYTHON).exists():
        return {
            "name": "llama_build",
            "figures": {},
            "notes": f"skipped: no native build at {NATIVE_PYTHON} (see this module's docstring)",
            "cpu": cpu,
        }
    model = default_gguf_path()
    workers = {"portable": Worker("portable", sys.executable, model)}
    try:
        workers["native"] = Worker("native", NATIVE_PYTHON, model)
    except WorkerDied as e:
        return {
            "name": "llama_build",
            "figures": {"native_crashed": 1},
            "notes": f"the native build cannot run on this machine: {e}",
            "cpu": cpu,
        }
    repeats = 1 if quick else 3
    gen = {name: [] for name in workers}
    prompt = {name: [] for name in workers}
    same_text = 0
    calls = 0
    try:
        for name in workers:  # warm up: first calls page in weights and build caches
            workers[name].ask(kind="chat", text="warm up", seed=0, max_tokens=8)
        for repeat in range(repeats):
            for i, text in enumerate(PROMPTS):
                # Alternate who goes first, so neither build always runs on a warmer machine.
                order = list(workers) if (repeat + i) % 2 == 0 else list(workers)[::-1]
                texts = {}
                for name in order:
                    out = workers[name].ask(kind="chat", text=text, seed=i, max_tokens=MAX_TOKENS)
                    gen[name].append(out["tokens"] / out["seconds"])
                    texts[name] = out["text"]
                same_text += texts["portable"] == texts["native"]
                calls += 1
                for name in order:
                    out = workers[name].ask(kind="prompt", text=LONG_PROMPT)
                    prompt[name].append(out["tokens"] / out["seconds"])
                    prompt_tokens = out["tokens"]
    except WorkerDied as e:
        return {
            "name": "llama_build",
            "figures": {"native_crashed": 1},
            "notes": f"a build died while decoding on this machine: {e}",
            "cpu": cpu,
        }
    finally:
        for worker in workers.values():
            if worker.process.poll() is None:
                worker.close()
    medians = {
        f"{k}_{n}": statistics.median(v)
        for k, d in (("gen", gen), ("prompt", prompt))
        for n, v in d.items()
    }
    return {
        "name": "llama_build",
        "figures": {
            "portable_generation_tokens_per_s": round(medians["gen_portable"], 1),
            "native_generation_tokens_per_s": round(medians["gen_native"], 1),
            "generation_portable_over_native": round(
                medians["gen_portable"] / medians["gen_native"], 3
            ),
            "portable_prompt_tokens_per_s": round(medians["prompt_portable"], 1),
            "native_prompt_tokens_per_s": round(medians["prompt_native"], 1),
            "prompt_portable_over_native": round(
                medians["prompt_portable"] / medians["prompt_native"], 3
            ),
        },
        "notes": (
            f"medians of {len(gen['portable'])} alternating calls per build, {THREADS} threads; "
            f"prompt eval of {prompt_tokens} tokens; same text from both builds in "
            f"{same_text} of {calls} calls; CPU {cpu['model']} ({' '.join(cpu['flags'])})"
        ),
        "cpu": cpu,
        "system_info": {name: w.system_info for name, w in workers.items()},
    }
