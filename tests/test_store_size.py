"""The store on disk: small (chunks keep no text, articles one compressed record, no sentence
vectors), read back by a new process, and a full device said plainly, resumed once freed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.store.chroma import Store
from index.store.format import STORE_FORMAT
from tests.conftest import SEED, SHARED, news_rows
from tests.test_ingest import run_cli

TRANSCRIPTS = sorted((SHARED / "data" / "transcripts").glob("*.md"))[:6]
# The old format took 55-67 bytes a character of text. A store this small is still mostly
# Chroma's fixed costs and write queue (kept until 1,000 chunks are indexed); the comparison
# with the naive pipeline at scale is benchmarks/speed.py's.
SMALL_STORE_BYTES_PER_CHARACTER = 30
BBC = SHARED / "data" / "bbc.jsonl"


def test_a_new_process_answers_from_what_another_wrote(tmp_path: Path) -> None:
    home = tmp_path / "store"
    done = run_cli("ingest", str(SEED), str(news_rows(12, tmp_path)), *map(str, TRANSCRIPTS),
                   "--store", str(home))
    assert done.returncode == 0 and done.stdout.startswith("19 articles"), done.stderr
    asked = run_cli("ask", "--json", "--store", str(home), "What did Dunford say about revenue?")
    answer = json.loads(asked.stdout)
    assert answer["citations"][0]["speaker"] == "Joseph Dunford"
    assert "lowest revenue" in answer["citations"][0]["passage"]
    asked = run_cli("ask", "--json", "--store", str(home), "What did Psaki say about vaccines?")
    assert json.loads(asked.stdout)["citations"][0]["speaker"] == "Jen Psaki"
    stats = json.loads(run_cli("stats", "--json", "--store", str(home)).stdout)
    assert stats["characters"] > 100_000
    assert stats["bytes_per_character"] <= SMALL_STORE_BYTES_PER_CHARACTER, stats
    checked = run_cli("check", "--store", str(home))
    assert checked.returncode == 0 and checked.stdout.rstrip().endswith("consistent")


def test_an_old_store_is_refused_with_how_to_rebuild_it(seed_store: Store,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "old"
    shutil.copytree(seed_store.path, path)
    Store(path).chunks.modify(metadata={"format": STORE_FORMAT - 1,
                                        "model": "all-MiniLM-L6-v2"})
    for command in (["ask", "What did Dunford say about revenue?"], ["stats"], ["check"]):
        done = run_cli(*command, "--store", str(path))
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "rebuild it: `briefing ingest` your files again" in done.stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 40 MB ext4 file system, loop-mounted: needs root and a loop device."""
    image, mount = tmp_path / "disk.img", tmp_path / "disk"
    mount.mkdir()
    try:
        with image.open("wb") as blank:
            blank.truncate(40 * 2**20)
        subprocess.run(["mkfs.ext4", "-q", str(image)], check=True, capture_output=True)
        subprocess.run(["mount", "-o", "loop", str(image), str(mount)], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot make a small file system here ({error})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_full_disk_is_one_line_and_the_same_ingest_resumes(small_disk: Path,
                                                             tmp_path: Path) -> None:
    corpus = tmp_path / "bbc.jsonl"
    with BBC.open(encoding="utf-8") as lines, corpus.open("w", encoding="utf-8") as out:
        out.writelines(line for _, line in zip(range(500), lines))
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    subprocess.run(["fallocate", "-l", str(free - 6 * 2**20), str(filler)], check=True)
    store = small_disk / "store"
    full = run_cli("ingest", str(corpus), "--store", str(store))
    assert full.returncode == 2 and full.stderr.count("\n") == 1, full.stderr
    assert "no space left on the device holding the store" in full.stderr
    assert "run the same command again" in full.stderr
    assert "damaged" not in full.stderr
    later = run_cli("stats", "--store", str(store))
    assert later.returncode in (0, 2) and "damaged" not in later.stderr
    os.unlink(filler)
    checked = run_cli("check", "--store", str(store))
    problems = [line for line in checked.stdout.splitlines() if line.startswith("problem: ")]
    assert all(line.startswith("problem: orphan chunk") for line in problems), \
        "only the chunks of the batch the device could not take, which are never cited"
    written = int(checked.stdout.split(": ", 1)[1].split()[0])
    assert written > 0
    resumed = run_cli("ingest", str(corpus), "--store", str(store))
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(f"{500 - written} articles"), resumed.stdout
    assert f"{written} unchanged" in resumed.stdout
    after = run_cli("check", "--store", str(store))
    assert after.returncode == 0 and after.stdout.rstrip().endswith("consistent"), after.stdout
