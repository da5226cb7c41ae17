"""Article-body extraction on real saved news pages: how much of what briefing indexes from a
page is the article, and how often it finds the page's date.

The pages are `../shared/data/webpages` (91 pages of the Scrapinghub article-extraction
benchmark, with hand-marked article bodies), scored the way its README says: the text is cut
into `\\w+` tokens, every run of four tokens is a shingle, and precision, recall and F1 of the
extracted shingles (counted with repeats) against the marked body's are computed per page and
averaged over the pages.

Options were tuned (`--tune`) on one half of the pages, the even positions in file-name order;
the other half is reported apart, as held out, beside the whole set. Published F1 on the whole
benchmark, for comparison: whole-page text 0.665, readability 0.922, newspaper4k 0.949,
trafilatura 2.0 0.958.

Run: .venv/bin/python -m benchmarks.extraction [--tune] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.corpora import DATA
from index.read.files import decode_text
from index.read.html import EXTENSIVE_DATE_SEARCH, EXTRACTION_OPTIONS, extract_html, visible_text

PAGES = DATA / "webpages"
RESULTS = Path(__file__).resolve().parent / "results" / "extraction.json"
SHINGLE = 4
TOKEN = re.compile(r"\w+")
PUBLISHED = {"whole-page text (html-text)": 0.665, "readability": 0.922, "newspaper4k": 0.949,
             "trafilatura 2.0": 0.958}
TUNING_GRID = {"favor_precision": (False, True), "favor_recall": (False, True),
               "include_tables": (True, False), "include_comments": (False, True)}
TARGET_F1 = 0.95
TARGET_DATES = 0.90


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    body: str
    markup: str


@dataclass(frozen=True)
class Extracted:
    text: str
    date: str = ""


@dataclass(frozen=True)
class PageResult:
    precision: float
    recall: float
    f1: float
    dated: bool
    seconds: float


@dataclass(frozen=True)
class Score:
    """Means over the pages of a split."""

    system: str
    split: str
    pages: int
    precision: float
    recall: float
    f1: float
    date_share: float
    ms_per_page: float


def load_pages(folder: Path = PAGES) -> list[Page]:
    """Decoded as briefing decodes a saved page, in file-name order."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [Page(name, item["url"], item["articleBody"],
                 decode_text(gzip.decompress((folder / "html" / f"{name}.html.gz").read_bytes())))
            for name, item in sorted(truth.items())]


def halves(pages: Sequence[Page]) -> dict[str, list[Page]]:
    """Tuning pages (even positions), held-out pages (odd positions), and all of them."""
    return {"tune": list(pages[0::2]), "held-out": list(pages[1::2]), "all": list(pages)}


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    return Counter(tuple(tokens[i:i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))
                   if tokens[i:i + SHINGLE])


def precision_recall_f1(truth: str, found: str) -> tuple[float, float, float]:
    expected, got = shingles(truth), shingles(found)
    hits = sum((expected & got).values())
    precision = hits / sum(got.values()) if got else 0.0
    recall = hits / sum(expected.values()) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run_system(pages: Sequence[Page],
               extract: Callable[[Page], Extracted]) -> dict[str, PageResult]:
    results = {}
    for page in pages:
        started = time.perf_counter()
        found = extract(page)
        seconds = time.perf_counter() - started
        results[page.name] = PageResult(*precision_recall_f1(page.body, found.text),
                                        dated=bool(found.date), seconds=seconds)
    return results


def score(system: str, split: str, pages: Sequence[Page],
          results: dict[str, PageResult]) -> Score:
    rows = [results[page.name] for page in pages]
    return Score(system, split, len(rows), _mean(r.precision for r in rows),
                 _mean(r.recall for r in rows), _mean(r.f1 for r in rows),
                 _mean(r.dated for r in rows), round(_mean(r.seconds for r in rows) * 1000, 1))


def _mean(values: Iterable[float]) -> float:
    return round(statistics.fmean(values), 4)


def briefing(options: dict[str, bool] | None = None) -> Callable[[Page], Extracted]:
    def extract(page: Page) -> Extracted:
        found = extract_html(page.markup, page.url, options=options)
        return Extracted(found.text, found.date)
    return extract


def whole_page(page: Page) -> Extracted:
    """What briefing indexed of a page before trafilatura: every visible block."""
    return Extracted(visible_text(page.markup))


def trafilatura_defaults(page: Page) -> Extracted:
    import trafilatura

    found = trafilatura.bare_extraction(page.markup, url=page.url, with_metadata=True)
    return Extracted(found.text or "", found.date or "") if found is not None else Extracted("")


SYSTEMS: dict[str, Callable[[Page], Extracted]] = {
    "briefing before (every visible block)": whole_page,
    "trafilatura 2.3, default options": trafilatura_defaults,
    "briefing (trafilatura, tuned)": briefing(),
}


def tune(pages: Sequence[Page]) -> list[dict[str, Any]]:
    """Every combination of the grid on the tuning half, best F1 first."""
    tried = []
    names = list(TUNING_GRID)
    for values in itertools.product(*TUNING_GRID.values()):
        options = dict(zip(names, values))
        if options["favor_precision"] and options["favor_recall"]:
            continue
        result = score("grid", "tune", pages, run_system(pages, briefing(options)))
        tried.append({"options": options, "f1": result.f1, "precision": result.precision,
                      "recall": result.recall})
    return sorted(tried, key=lambda row: -row["f1"])


def table(scores: Sequence[Score]) -> str:
    lines = ["| system | pages | precision | recall | F1 | date found | ms/page |",
             "|---|---|---|---|---|---|---|"]
    for s in scores:
        lines.append(f"| {s.system} — {s.split} | {s.pages} | {s.precision:.3f} | "
                     f"{s.recall:.3f} | **{s.f1:.3f}** | {s.date_share:.0%} | {s.ms_per_page} |")
    for name, f1 in PUBLISHED.items():
        lines.append(f"| {name} (published, whole benchmark) | 181 | | | {f1:.3f} | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tune", action="store_true",
                        help="also try every option combination on the tuning half")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    splits = halves(load_pages())
    scores = []
    for system, extract in SYSTEMS.items():
        results = run_system(splits["all"], extract)
        scores += [score(system, split, pages, results) for split, pages in splits.items()]
    print(table(scores))
    result: dict[str, Any] = {
        "run": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "pages": {split: [page.name for page in pages] for split, pages in splits.items()
                  if split != "all"},
        "options": EXTRACTION_OPTIONS,
        "extensive_date_search": EXTENSIVE_DATE_SEARCH,
        "scores": [asdict(s) for s in scores],
        "published_f1": PUBLISHED,
    }
    if args.tune:
        result["tuning"] = tune(splits["tune"])
        for row in result["tuning"]:
            print(f"tune  F1 {row['f1']:.4f}  P {row['precision']:.4f}  R {row['recall']:.4f}  "
                  f"{row['options']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
