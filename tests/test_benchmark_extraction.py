"""The extraction benchmark end to end on the real saved pages: its table, its JSON, and the
issue's targets (F1 ≥ 0.95, a date on ≥ 90% of pages) on the held-out half and the whole set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import extraction

OURS = "briefing (trafilatura, tuned)"
BEFORE = "briefing before (every visible block)"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("extraction") / "extraction.json"
    returned = extraction.main(["--out", str(out)])
    assert json.loads(Path(out).read_text(encoding="utf-8")) == json.loads(json.dumps(returned))
    return returned


def scores(result: dict) -> dict[tuple[str, str], dict]:
    return {(row["system"], row["split"]): row for row in result["scores"]}


def test_the_halves_split_the_pages(result: dict) -> None:
    tune, held_out = (set(result["pages"][half]) for half in ("tune", "held-out"))
    assert len(tune) + len(held_out) == 91 and not tune & held_out


@pytest.mark.parametrize("split", ["held-out", "all"])
def test_extraction_meets_the_targets(result: dict, split: str) -> None:
    ours = scores(result)[(OURS, split)]
    assert ours["f1"] >= extraction.TARGET_F1, ours
    assert ours["date_share"] >= extraction.TARGET_DATES, ours
    assert ours["f1"] > scores(result)[(BEFORE, split)]["f1"] + 0.15


def test_scoring_counts_four_token_shingles() -> None:
    assert extraction.precision_recall_f1("one two three four five", "one two three four") == (
        1.0, 0.5, pytest.approx(2 / 3))
    assert extraction.precision_recall_f1("a b c", "") == (0.0, 0.0, 0.0)
