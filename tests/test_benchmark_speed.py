"""The speed benchmark's quick mode end to end, so the harness itself cannot rot. Timings are
not asserted here: they belong to `make bench-speed` on a quiet machine."""

from __future__ import annotations

import json

import pytest

from benchmarks import speed

SYSTEMS = {"briefing", "naive-langchain"}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("speed") / "speed.json"
    speed.main(["--quick", "--out", str(out)])
    return json.loads(out.read_text(encoding="utf-8"))


def test_every_size_has_ingest_and_query_rows(written: dict) -> None:
    first, grown = speed.QUICK_SIZES
    ingested = {(row["system"], row["size"]) for row in written["ingest"]}
    assert ingested == {("briefing", first), ("briefing, quotes off", first // 2),
                        ("naive-langchain", first), ("briefing", grown),
                        ("briefing, transcripts", speed.QUICK_TRANSCRIPTS),
                        ("naive-langchain, transcripts", speed.QUICK_TRANSCRIPTS)}
    assert {(row["system"], row["size"]) for row in written["query"]} == {
        (system, size) for system in SYSTEMS for size in speed.QUICK_SIZES}


def test_ingest_rows_count_what_went_in(written: dict) -> None:
    first, grown = speed.QUICK_SIZES
    for row in written["ingest"]:
        assert row["kchars_per_s"] > 0, row
        from_scratch = row["store_articles_before"] == 0
        assert row["articles"] == (row["size"] if from_scratch else first // 2), row
        assert row["chunks"] > 0 and row["articles_per_s"] > 0 and row["peak_rss_mb"] > 0, row
        assert row["disk_mb_per_1k_articles"] > 0, row
    into_grown = next(r for r in written["ingest"] if r["size"] == grown)
    assert into_grown["store_articles_before"] == grown - first // 2
    assert {r["articles_added"] for r in written["grow"]} == {grown - first - first // 2,
                                                               grown - first}


def test_latencies_are_ordered(written: dict) -> None:
    for row in written["query"]:
        assert row["questions"] == speed.QUICK_QUESTIONS
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], row


def test_startup_and_steps_are_recorded(written: dict) -> None:
    startup, stages = written["startup"], written["stages"]
    assert startup["cold_start_s"] and startup["help_s"] and startup["import_qa_s"]
    assert {"spacy_full_parse", "embed_onnx", "embed_torch", "chroma_write",
            "keyword_index"} <= set(stages["cpu_ms_per_article"])
    assert stages["onnx_torch_cosine"]["mean"] > 0.99 and stages["onnx_torch_cosine"]["min"] > 0.97
    assert written["config"]["load_average_at_end"]


def test_the_web_page_is_timed_on_the_largest_store(written: dict) -> None:
    page = written["page"]
    assert page["size"] == page["articles"] == max(speed.QUICK_SIZES)
    for moment in ("cold", "warm"):
        assert page[moment]["build_app_s"] > 0 and page[moment]["corpus_s"] > 0, page
    assert page["catalog_fresh_s"] > 0 and page["page_ms"] > 0 and page["search_ms"] > 0


def test_copies_keep_the_text_under_a_new_hash() -> None:
    original = speed.real_articles()[0]
    copy = speed.copy_of(original, 3)
    assert copy.text == original.text and copy.id == f"{original.id}~3"
    assert copy.content_hash != original.content_hash


def test_questions_are_real_and_enough() -> None:
    asked = speed.questions(speed.QUESTIONS)
    assert len(asked) == speed.QUESTIONS and len(set(asked)) > speed.QUESTIONS * 0.9


def test_bigger_sizes_hold_the_first_and_the_fresh_batch() -> None:
    assert speed.check_sizes([10000, 1000], 5000) == [1000, 10000]
    assert speed.check_sizes([1000, 1500], 5000) == [1000, 1500]
    with pytest.raises(SystemExit):
        speed.check_sizes([1000, 1400], 5000)
    with pytest.raises(SystemExit):
        speed.check_sizes([4000, 8000], 5000)


def test_copies_go_round_the_originals() -> None:
    assert speed.copy_plan(3, 7) == [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2), (3, 0)]
