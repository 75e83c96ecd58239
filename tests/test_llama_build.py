"""The installed llama.cpp is the portable build: proved from the artifact, not the flags.

The machine running the tests may well execute AVX-512 (or even AMX), so a native build would
pass every other test here; only its instructions give it away.
"""

import importlib.util
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scenariosim.models.llama_probe import locate_build

ROOT = Path(__file__).resolve().parents[1]
X86_64 = platform.machine().lower() in {"x86_64", "amd64"}

# AMX: tile configuration, loads, stores and the dot-product instructions. AVX-512: any use
# of a 512-bit zmm register or of an opmask register (%k0-%k7), which AVX-512 code on 128- and
# 256-bit registers needs too.
AMX = re.compile(
    r"\b(ldtilecfg|sttilecfg|tileloaddt?1?|tilestored|tilezero|tilerelease"
    r"|tdpb[su][su]d|tdpbf16ps|tdpfp16ps)\b"
)
AVX512 = re.compile(r"%zmm\d+|\bzmm\d+|%k[0-7]\b")


def _llama_build_module():
    spec = importlib.util.spec_from_file_location("llama_build", ROOT / "tools/llama_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _offending(library: Path) -> list[str]:
    listing = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(library)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        line.strip() for line in listing.splitlines() if AMX.search(line) or AVX512.search(line)
    ]


@pytest.mark.skipif(not X86_64, reason="AVX-512 and AMX exist only on x86-64")
def test_the_installed_libggml_cpu_has_no_avx512_or_amx_instructions() -> None:
    assert shutil.which("objdump"), "objdump (binutils, installed with the C compiler) is missing"
    build = locate_build()
    libraries = [
        build.package_dir / name
        for name in build.libraries
        if Path(name).name.startswith("libggml-cpu")
    ]
    assert libraries, "no libggml-cpu library in the installed llama_cpp package"
    for library in libraries:
        found = _offending(library)
        assert not found, (
            f"{library} contains {len(found)} AVX-512/AMX instructions, e.g. {found[:3]}: "
            "this is not the portable build; run `make rebuild-llama`"
        )


@pytest.mark.skipif(not X86_64, reason="AVX-512 and AMX exist only on x86-64")
def test_the_disassembly_check_recognises_avx512_and_amx_instructions() -> None:
    assert AVX512.search("vfmadd231ps (%rax),%zmm1,%zmm0")
    assert AMX.search("ldtilecfg (%rsp)")
    assert AMX.search("tdpbssd %tmm2,%tmm1,%tmm0")
    assert AMX.search("tileloadd (%rax,%rcx,1),%tmm1")
    assert AVX512.search("vpcmpeqd %ymm1,%ymm0,%k1")
    assert not AVX512.search("vfmadd231ps (%rax),%ymm1,%ymm0")
    assert not AMX.search("call 1234 <ggml_tile_loader@plt>")


def test_a_cpu_without_avx2_gets_the_x86_64_v2_build_and_others_the_portable_defaults() -> None:
    build = _llama_build_module()
    v3 = {"sse4_2", "avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "amx_tile"}
    assert build.default_level("x86_64", v3) == "x86-64-v3"
    assert build.default_level("x86_64", v3 - {"avx2"}) == "x86-64-v2"
    assert build.default_level("aarch64", set()) == "portable"
    assert "-DGGML_AVX2=OFF" in build.cmake_args("x86-64-v2")


def test_every_avx512_and_amx_option_is_off_and_each_level_has_its_own_wheel_directory() -> None:
    build = _llama_build_module()
    args = build.cmake_args("x86-64-v3")
    assert "-DGGML_NATIVE=OFF" in args
    for option in ("AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AMX_TILE", "AMX_INT8"):
        assert f"-DGGML_{option}=OFF" in args
    keys = {build.build_key("0.3.36", build.cmake_args(level)) for level in build.LEVELS}
    assert len(keys) == len(build.LEVELS)
