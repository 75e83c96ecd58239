"""The llama.cpp probe: a build that cannot run here is one message and exit 2, not a crash.

Most tests put a stand-in `llama_cpp` package first on the import path: a real package with a
`lib/libggml-cpu.so` file and a `Llama` class whose `eval` kills its process with SIGSEGV (as
llama.cpp does on an instruction the machine refuses), raises, or works. The probe finds it,
fingerprints it and runs it in a real subprocess, exactly as it would the real library.
"""

import json
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.errors import ModelError
from scenariosim.models.chat_local import _load, default_gguf_path
from scenariosim.models.llama_probe import CACHE_FILE, build_key, locate_build, probe

runner = CliRunner()

SEGFAULT = "os.kill(os.getpid(), signal.SIGSEGV)"
WORKS = "return None"
RAISES = 'raise RuntimeError("the stand-in could not decode")'


def stand_in_llama(root: Path, eval_body: str) -> Path:
    """A `llama_cpp` package under `root` whose Llama.eval runs `eval_body`.

    Every load appends a line to `llama_cpp/loads.txt`, so a test can count probes."""
    package = root / "llama_cpp"
    (package / "lib").mkdir(parents=True)
    (package / "lib" / "libggml-cpu.so").write_bytes(b"\x7fELF stand-in library, build 1")
    (package / "__init__.py").write_text(
        textwrap.dedent(
            f"""
            import os
            import signal
            from pathlib import Path


            class Llama:
                def __init__(self, model_path, **kwargs):
                    with open(Path(__file__).parent / "loads.txt", "a") as f:
                        f.write(model_path + "\\n")

                def tokenize(self, text):
                    return [1, 2, 3]

                def eval(self, tokens):
                    {eval_body}

                def close(self):
                    pass
            """
        )
    )
    dist = root / "llama_cpp_python-0.0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: llama-cpp-python\nVersion: 0.0.1\n"
    )
    return package


def loads(package: Path) -> int:
    path = package / "loads.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def flat(text: str) -> str:
    """Rich wraps long lines; compare with the wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF stand-in")
    return path


def test_a_library_that_segfaults_makes_models_probe_exit_2_with_the_cause_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = stand_in_llama(tmp_path / "site", SEGFAULT)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    result = runner.invoke(app, ["models", "probe"])

    assert result.exit_code == 2, result.output
    output = flat(result.output)
    assert output.startswith("Error: llama.cpp crashed (SIGSEGV) in a tiny test decode")
    assert "was built with CPU instructions this machine refuses" in output
    assert "AVX-512 or AMX" in output
    assert "`make rebuild-llama`" in output
    assert str(package) in output
    assert "Traceback" not in result.output
    assert loads(package) == 1  # the stand-in really ran, in the child
    assert "llama_cpp" not in sys.modules or sys.modules["llama_cpp"].__file__ != str(
        package / "__init__.py"
    )  # and only there: this process never imported it


def test_models_check_reports_the_crash_before_loading_any_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in_llama(tmp_path / "site", SEGFAULT)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    result = runner.invoke(app, ["models", "check"])

    assert result.exit_code == 2, result.output
    assert flat(result.output).startswith("Error: llama.cpp crashed (SIGSEGV)")
    assert "tokens/s" not in result.output  # no model call was attempted


def test_loading_the_local_model_on_a_crashing_build_raises_the_message_instead_of_dying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_file: Path
) -> None:
    stand_in_llama(tmp_path / "site", SEGFAULT)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    with pytest.raises(ModelError, match=r"crashed \(SIGSEGV\).*make rebuild-llama"):
        _load(str(model_file), 512, 1)


def test_a_good_verdict_is_cached_and_the_next_probe_does_not_run_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_file: Path
) -> None:
    package = stand_in_llama(tmp_path / "site", WORKS)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    first = probe(model_file, tmp_path / "cache")
    second = probe(model_file, tmp_path / "cache")

    assert first.ok and not first.cached
    assert second.ok and second.cached
    assert second.key == first.key
    assert loads(package) == 1
    cached = json.loads((tmp_path / "cache" / CACHE_FILE).read_text())
    assert cached[first.key]["ok"] is True


def test_a_crash_verdict_is_cached_too_so_the_message_comes_without_crashing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_file: Path
) -> None:
    package = stand_in_llama(tmp_path / "site", SEGFAULT)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    first = probe(model_file, tmp_path / "cache")
    second = probe(model_file, tmp_path / "cache")

    assert not first.ok and not second.ok
    assert second.cached and second.message == first.message
    assert loads(package) == 1


def test_the_verdict_key_changes_when_a_library_file_changes_and_the_build_is_probed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_file: Path
) -> None:
    package = stand_in_llama(tmp_path / "site", WORKS)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    before = probe(model_file, tmp_path / "cache")
    assert before.key == build_key(locate_build(), model_file)

    (package / "lib" / "libggml-cpu.so").write_bytes(b"\x7fELF stand-in library, build 2")
    after = probe(model_file, tmp_path / "cache")

    assert after.key != before.key
    assert not after.cached
    assert loads(package) == 2


def test_a_python_error_in_the_probe_is_reported_with_its_last_line_and_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_file: Path
) -> None:
    package = stand_in_llama(tmp_path / "site", RAISES)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    first = probe(model_file, tmp_path / "cache")
    second = probe(model_file, tmp_path / "cache")

    assert not first.ok
    assert "(exit 1): RuntimeError: the stand-in could not decode" in first.message
    assert "CPU instructions" not in first.message
    assert not second.cached
    assert loads(package) == 2


def test_the_fix_steps_down_to_x86_64_v2_only_when_the_crashing_libraries_are_the_v3_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_file: Path
) -> None:
    stand_in_llama(tmp_path / "site", SEGFAULT)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    venv = tmp_path / "venv"
    venv.mkdir()
    monkeypatch.setattr("sys.prefix", str(venv))
    record = {"cpu": "x86-64-v3", "libraries": locate_build().libraries}
    (venv / ".llama-build.json").write_text(json.dumps(record))

    v3 = probe(model_file, tmp_path / "cache")
    (venv / ".llama-build.json").write_text(json.dumps(dict(record, libraries={"x.so": "0"})))
    other = probe(model_file, tmp_path / "cache", force=True)

    assert "built for x86-64-v3" in v3.message
    assert v3.message.endswith("`make rebuild-llama LLAMA_CPU=x86-64-v2`")
    assert "not built by tools/llama_build.py" in other.message
    assert other.message.endswith("`make rebuild-llama`")


def test_without_llama_cpp_installed_the_probe_says_to_run_make_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("importlib.machinery.PathFinder.find_spec", lambda name, path=None: None)
    with pytest.raises(ModelError, match=r"llama-cpp-python, which is not installed.*make install"):
        locate_build()


@pytest.mark.slow
def test_the_installed_llama_cpp_passes_the_probe_on_this_machine_and_models_probe_says_so(
    tmp_path: Path,
) -> None:
    verdict = probe(default_gguf_path(), tmp_path / "cache", force=True)
    assert verdict.ok, verdict.message
    assert any(Path(name).name.startswith("libggml-cpu") for name in locate_build().libraries)

    result = runner.invoke(app, ["models", "probe"])
    assert result.exit_code == 0, result.output
    assert "llama.cpp: ok" in result.output
