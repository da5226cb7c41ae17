"""Who-said-what quality on PolNeAR: do our quotes find the named speakers' statements?

Scored against the gold speech attributions whose source is a name (`source_is_named`), since a
pronoun source ("he") does not say who the person is. A prediction *finds* a gold attribution
when their content spans overlap by at least half of the shorter one; it is *right* when the
predicted speaker contains the gold source's surname.

    precision = right / predictions with a named speaker that find a gold named attribution
    recall    = gold named attributions found by a prediction with the right speaker

PolNeAR's `source_is_named` also marks capitalised common nouns ("Police", "Critics"), which we
rightly leave nameless; `recall_proper_noun_sources` is recall on the golds whose source the
tagger calls a proper noun. `named_predictions_on_no_gold` counts named predictions that overlap
no gold attribution at all (the gold keeps only speech cues, so not all of them are errors).

Run: .venv/bin/python -m benchmarks.attribution [--split dev|train]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.ingest import index_articles
from index.records import Article, LoadError, Quote
from index.speech.quotes import load_nlp, name_words

if TYPE_CHECKING:
    from spacy.tokens import Doc

POLNEAR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear"
RESULTS = Path(__file__).resolve().parent / "results" / "attribution.json"
MIN_OVERLAP = 0.5
NLP_BATCH = 32


@dataclass(frozen=True)
class GoldAttribution:
    article: str
    spans: tuple[tuple[int, int], ...]
    surname: str
    source: str
    source_span: tuple[int, int]

    @property
    def length(self) -> int:
        return sum(end - start for start, end in self.spans)


@dataclass
class Tally:
    gold: int = 0
    found: int = 0
    found_right: int = 0
    gold_proper: int = 0
    found_right_proper: int = 0
    predicted: int = 0
    predicted_named: int = 0
    named_on_gold: int = 0
    named_on_gold_right: int = 0
    named_on_nothing: int = 0
    index_seconds: float = 0.0
    articles: int = 0

    def report(self) -> dict[str, float | int]:
        return {
            "articles": self.articles,
            "gold_named_attributions": self.gold,
            "predicted_quotes": self.predicted,
            "predicted_with_named_speaker": self.predicted_named,
            "precision": _ratio(self.named_on_gold_right, self.named_on_gold),
            "recall": _ratio(self.found_right, self.gold),
            "recall_any_speaker": _ratio(self.found, self.gold),
            "gold_with_proper_noun_source": self.gold_proper,
            "recall_proper_noun_sources": _ratio(self.found_right_proper, self.gold_proper),
            "named_predictions_on_no_gold": self.named_on_nothing,
            "index_ms_per_article": 1000 * self.index_seconds / max(1, self.articles),
        }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def load_split(split: str) -> tuple[list[Article], dict[str, list[GoldAttribution]],
                                    dict[str, list[tuple[int, int]]]]:
    """Articles, their named gold attributions, and every gold content span (named or not)."""
    articles = [Article(id=r["id"], text=r["text"], title=r["title"])
                for r in _read_jsonl(POLNEAR / f"{split}_articles.jsonl")]
    named: dict[str, list[GoldAttribution]] = {a.id: [] for a in articles}
    every: dict[str, list[tuple[int, int]]] = {a.id: [] for a in articles}
    for record in _read_jsonl(POLNEAR / f"{split}_attributions.jsonl"):
        spans = tuple((start, end) for start, end in record["content_spans"])
        every[record["article"]].extend(spans)
        surname = name_words(record["source"])
        if record["source_is_named"] and surname:
            named[record["article"]].append(
                GoldAttribution(record["article"], spans, surname[-1].lower(), record["source"],
                                tuple(record["source_spans"][0])))
    return articles, named, every


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def overlap(quote: Quote, spans: Sequence[tuple[int, int]]) -> float:
    """Shared characters as a share of the shorter side."""
    shared = sum(max(0, min(quote.end, end) - max(quote.start, start)) for start, end in spans)
    shorter = min(quote.end - quote.start, sum(end - start for start, end in spans))
    return shared / shorter if shorter > 0 else 0.0


def is_right(quote: Quote, gold: GoldAttribution) -> bool:
    return quote.speaker is not None and gold.surname in quote.speaker.lower().split()


def is_proper_noun(doc: Doc, gold: GoldAttribution) -> bool:
    """PolNeAR's `source_is_named` also flags "Police" or "Critics"; the tagger tells names."""
    span = doc.char_span(*gold.source_span, alignment_mode="expand")
    return span is not None and span.root.pos_ == "PROPN"


def score_article(doc: Doc, quotes: Sequence[Quote], golds: Sequence[GoldAttribution],
                  every: Sequence[tuple[int, int]], tally: Tally) -> None:
    tally.gold += len(golds)
    tally.predicted += len(quotes)
    for gold in golds:
        finders = [q for q in quotes if overlap(q, gold.spans) >= MIN_OVERLAP]
        right = any(is_right(q, gold) for q in finders)
        proper = is_proper_noun(doc, gold)
        tally.found += bool(finders)
        tally.found_right += right
        tally.gold_proper += proper
        tally.found_right_proper += proper and right
    for quote in (q for q in quotes if q.speaker):
        tally.predicted_named += 1
        best = max(golds, key=lambda g: overlap(quote, g.spans), default=None)
        if best is not None and overlap(quote, best.spans) >= MIN_OVERLAP:
            tally.named_on_gold += 1
            tally.named_on_gold_right += is_right(quote, best)
        elif not any(overlap(quote, [span]) >= MIN_OVERLAP for span in every):
            tally.named_on_nothing += 1


def run(split: str) -> dict[str, float | int]:
    """Quotes as ingest finds them (`index_articles`: the product's own parse, transcripts
    and all); the tagger's full parse of each text only judges which gold sources are names."""
    articles, named, every = load_split(split)
    tally = Tally(articles=len(articles))
    errors: list[LoadError] = []
    started = time.perf_counter()
    indexed = index_articles(articles, errors.append)
    tally.index_seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"PolNeAR articles failed to index: {errors[:3]}")
    docs = load_nlp().pipe([a.text for a in articles], batch_size=NLP_BATCH)
    for item, doc in zip(indexed, docs, strict=True):
        score_article(doc, item.quotes, named[item.article.id], every[item.article.id], tally)
    return tally.report()


def save(split: str, report: dict[str, float | int]) -> None:
    """Keep the other split's numbers: train and dev live side by side in one file."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[split] = report
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def print_table(split: str, report: dict[str, float | int]) -> None:
    print(f"PolNeAR {split}: attribution of statements to named speakers")
    width = max(len(key) for key in report)
    for key, value in report.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"  {key:<{width}}  {shown:>9}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev"), default="dev")
    split = parser.parse_args(argv).split
    report = run(split)
    print_table(split, report)
    save(split, report)


if __name__ == "__main__":
    main()
