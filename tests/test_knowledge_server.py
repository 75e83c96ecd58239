"""A team shares one corpus on a Chroma server: the `chroma` CLI from the chromadb wheel,
started on 127.0.0.1 on a free port."""

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest
from corpus_fixtures import write_fixture_corpus

from scenariosim.errors import ConfigError
from scenariosim.knowledge import open_store
from scenariosim.knowledge.chroma import connect
from scenariosim.models.embeddings_local import MiniLMEmbeddings

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    executable = CHROMA if CHROMA.exists() else shutil.which("chroma")
    if executable is None:
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("w")
    process = subprocess.Popen(
        [
            str(executable),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(
                        f"chroma server did not start: {(tmp_path / 'chroma.log').read_text()}"
                    )
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_two_users_share_one_corpus_collection_on_a_chroma_server(
    server: str, tmp_path: Path
) -> None:
    corpus = write_fixture_corpus(tmp_path / "alice")
    alice = open_store(corpus.folder, embeddings=MiniLMEmbeddings(), server=server, name="team")
    first = alice.ingest()
    assert first.embedded_chunks > 0

    # Bob has his own copy of the same files, elsewhere on disk.
    bobs = write_fixture_corpus(tmp_path / "bob")
    bob = open_store(bobs.folder, embeddings=MiniLMEmbeddings(), server=server, name="team")
    assert bob.name == alice.name
    again = bob.ingest()
    assert again.embedded_chunks == 0 and again.fingerprint == first.fingerprint
    found = bob.retrieve(corpus.event_query, k=3)
    assert len(found) == 3 and found[0].doc_id in corpus.ids
    assert [c.name for c in connect(server).list_collections()] == [alice.name]


def test_an_unreachable_server_is_a_config_error_saying_how_to_start_one() -> None:
    with pytest.raises(ConfigError, match="chroma run --path"):
        connect(f"http://127.0.0.1:{_free_port()}")
