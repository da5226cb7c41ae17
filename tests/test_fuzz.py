"""Hostile input, fuzzed: random bytes in every format, giant lines, deep nesting, hostile markup,
hostile file names and questions. Each is refused with a one-line message or taken in safely;
nothing raises. Parsing only, never embedding, so the examples stay cheap."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html

from index.ingest import MAX_NLP_CHARS, ingest
from index.read.files import SUPPORTED, load_paths
from index.records import Article, IndexedArticle, LoadError, Sentence
from index.store.chroma import CatalogEntry, Store
from qa.api import MAX_QUESTION_CHARS, validate_question
from qa.cli import main
from ui.render import (
    answer_message,
    citation_cards,
    corpus_summary,
    digest_html,
    reader_html,
    timeline_html,
    upload_report,
)
from ui.upload import MAX_NAME, safe_name

FUZZ = settings(max_examples=50, deadline=None, database=None)
EXTENSIONS = sorted(SUPPORTED)
FIELDS = ["id", "text", "title", "date", "source", "author", "url", "body", "content"]
PAYLOAD = "PAYLOAD"
HOSTILE = [
    f"<script>{PAYLOAD}()</script>", f'<iframe src="javascript:{PAYLOAD}"></iframe>',
    f'<img src=x onerror="{PAYLOAD}">', f'<svg onload="{PAYLOAD}"><text>{PAYLOAD}</text></svg>',
    f"<style>p::after {{ content: '{PAYLOAD}' }}</style>", f"<noscript>{PAYLOAD}</noscript>",
    f'<object data="{PAYLOAD}.swf">{PAYLOAD}</object>', f"<template>{PAYLOAD}</template>",
    f'<a href="javascript:{PAYLOAD}" onclick="{PAYLOAD}">', f"<!-- {PAYLOAD} -->",
    f'<form action="{PAYLOAD}"><input value="{PAYLOAD}"></form>',
]
ACTIVE_TAGS = {"script", "iframe", "img", "svg", "style", "object", "embed", "form", "input",
               "link", "meta", "base", "frame", "frameset", "template", "math", "video",
               "audio", "source", "noscript"}
words = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12)
paragraphs = st.lists(words, min_size=1, max_size=8).map(" ".join)


@contextmanager
def written(name: str, content: bytes) -> Iterator[Path]:
    """`content` as a file named `name` in a fresh folder (hypothesis reruns the body)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        yield path


def loaded(path: Path) -> tuple[list[Article], list[LoadError]]:
    """Loads `path`, checking the contract: articles have text, errors are one clear line."""
    items = list(load_paths([path]))
    articles = [item for item in items if isinstance(item, Article)]
    errors = [item for item in items if isinstance(item, LoadError)]
    assert len(articles) + len(errors) == len(items)
    assert all(article.id and article.text.strip() for article in articles)
    for error in errors:
        assert "\n" not in str(error) and error.problem, str(error)
    return articles, errors


@FUZZ
@given(content=st.binary(max_size=4096), extension=st.sampled_from(EXTENSIONS))
def test_random_bytes_in_every_format(content: bytes, extension: str) -> None:
    with written(f"fuzz{extension}", content) as path:
        loaded(path)


@FUZZ
@given(text=st.text(max_size=2000), extension=st.sampled_from(EXTENSIONS),
       encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_random_text_in_every_format(text: str, extension: str, encoding: str) -> None:
    with written(f"fuzz{extension}", text.encode(encoding, "surrogatepass")) as path:
        loaded(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5),
    max_leaves=20)


@FUZZ
@given(value=json_values, lines=st.booleans())
def test_random_json_and_jsonl(value: object, lines: bool) -> None:
    items = value if lines and isinstance(value, list) else [value]
    content = ("\n".join(json.dumps(item) for item in items) if lines else json.dumps(value))
    with written("fuzz.jsonl" if lines else "fuzz.json", content.encode()) as path:
        loaded(path)


@FUZZ
@given(header=st.lists(st.sampled_from(FIELDS) | st.text(max_size=10), max_size=6),
       rows=st.lists(st.lists(st.text(max_size=200), max_size=7), max_size=6))
def test_random_csv(header: list[str], rows: list[list[str]]) -> None:
    table = io.StringIO()
    csv.writer(table).writerows([header, *rows])
    with written("fuzz.csv", table.getvalue().encode()) as path:
        loaded(path)


@FUZZ
@given(parts=st.lists(paragraphs.map(lambda p: f"<p>{p}</p>") | st.sampled_from(HOSTILE),
                      min_size=1, max_size=12))
def test_hostile_markup_never_reaches_the_text(parts: list[str]) -> None:
    page = f"<html><head><title>T</title></head><body>{''.join(parts)}</body></html>"
    with written("page.html", page.encode()) as path:
        articles, errors = loaded(path)
    for article in articles:
        assert PAYLOAD not in article.text and PAYLOAD not in article.title
        assert "<" not in article.text
    shown = [part[3:-4] for part in parts if part.startswith("<p>")]
    assert bool(articles) == bool(shown) and bool(errors) != bool(shown)


@pytest.mark.parametrize("extension", [".txt", ".md", ".html", ".jsonl", ".csv"])
def test_a_giant_single_line_loads_whole(tmp_path: Path, extension: str) -> None:
    line = "word " * 1_200_000  # 6 MB, no newline
    content = {".jsonl": json.dumps({"text": line}), ".csv": f'text\n"{line}"'}.get(
        extension, line)
    path = tmp_path / f"giant{extension}"
    path.write_text(content, encoding="utf-8")
    articles, errors = loaded(path)
    assert not errors and len(articles) == 1 and articles[0].text.strip() == line.strip()


@pytest.mark.parametrize("content", [
    "[" * 100_000 + "]" * 100_000,
    '{"text": "Fine.", "extra": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001,
], ids=["array", "object-in-record"])
def test_deeply_nested_json_is_one_clear_line(tmp_path: Path, content: str) -> None:
    for name, text in (("deep.json", content), ("deep.jsonl", f'{{"text": "First."}}\n{content}')):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        articles, errors = loaded(path)
        assert len(errors) == 1 and "nested too deeply" in errors[0].problem
        assert [a.text for a in articles] == (["First."] if name.endswith("l") else [])


def test_archives_are_refused_unopened(tmp_path: Path) -> None:
    """No archive format is accepted, so a zip bomb is refused by its name, never inflated."""
    bomb = tmp_path / "news.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("article.txt", b"0" * 50_000_000)
    assert bomb.stat().st_size < 1_000_000
    _, errors = loaded(bomb)
    assert [e.problem.split(";")[0] for e in errors] == [".zip not supported"]


def test_articles_too_long_to_parse_are_refused_before_any_work(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text("word " * (MAX_NLP_CHARS // 4), encoding="utf-8")
    (folder / "deep.json").write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    report = ingest([folder, tmp_path / "no\0such.txt"], Store(tmp_path / "store"))
    assert (report.articles, len(report.errors)) == (0, 3)
    assert all("\n" not in str(error) for error in report.errors)
    assert "the limit is 1,000,000" in str(report.errors[1])


@FUZZ
@given(name=st.text(max_size=300) | st.lists(st.sampled_from(
    ["..", "/", "\\", "\0", ".", "x", ".txt", " ", "\n", "%2e%2e"]), max_size=20).map("".join))
def test_any_upload_name_stays_inside_the_folder(name: str) -> None:
    kept = safe_name(name)
    assert kept and len(kept) <= MAX_NAME and not kept.startswith(".")
    assert not set(kept) & {"/", "\\", "\0"} and kept.isprintable()
    folder = Path(tempfile.gettempdir()) / "uploads"
    assert (folder / kept).resolve().parent == folder.resolve()


def is_control(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Cs")


@FUZZ
@given(question=st.text(max_size=3000))
def test_any_question_is_validated_or_refused_in_one_line(question: str) -> None:
    try:
        asked = validate_question(question)
    except ValueError as error:
        assert "\n" not in str(error)
        return
    assert asked == asked.strip() and 0 < len(asked) <= MAX_QUESTION_CHARS
    assert not any(is_control(c) for c in asked)


@pytest.mark.parametrize(("question", "problem"), [
    ("x" * 10_000, "the question is 10,000 characters; the limit is 2,000"),
    ("What did Dunford\x00 say?", "control character"),
    ("\x1b[31mWhat did Dunford say?", "control character"),
    ("What did \ud800 say?", "control character"),
    ("\t\n\r ", "the question is empty"),
], ids=["10k", "nul", "escape", "surrogate", "blank"])
def test_cli_refuses_bad_questions_in_one_line(tmp_path: Path, question: str, problem: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", question, "--store", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and problem in error


hostile_text = st.lists(st.sampled_from(HOSTILE) | words, min_size=1, max_size=8).map(" ".join)


def assert_inert(markup: str) -> None:
    """No element that runs or loads anything, no event handler, no script URL."""
    for element in html.fragment_fromstring(markup, create_parent="div").iter():
        assert not isinstance(element.tag, str) or element.tag not in ACTIVE_TAGS, element.tag
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), attribute
            assert not value.strip().lower().startswith("javascript:"), value


@FUZZ
@given(text=hostile_text, title=hostile_text, source=hostile_text, speaker=hostile_text)
def test_hostile_articles_render_inert(text: str, title: str, source: str, speaker: str) -> None:
    sentences = [Sentence("a", 0, 0, len(text), 0, speaker)]
    article = IndexedArticle(Article("a", text, title=title, source=source), sentences, [], [])
    citation = {"n": 1, "article_id": "a", "title": title, "date": source, "source": source,
                "url": text, "passage": text, "start": 0, "end": len(text), "paragraph": 0,
                "speaker": speaker, "score": 1.0}
    answer = {"text": f"{text} [1]", "citations": [citation], "no_answer": False}
    assert_inert(citation_cards(answer, {"a": article}, turn=1))
    assert_inert(answer_message(answer, turn=1))
    assert_inert(upload_report(title, [text, source]))
    assert_inert(corpus_summary([CatalogEntry("a", title, text, source, text, text, (speaker,),
                                              1, 0)]))
    assert_inert(timeline_html({**answer, "days": [{"date": source, "count": 1,
                                                    "speaker": speaker}]}, turn=1))
    assert_inert(digest_html({"citations": [{**citation, "asked": title}]}, turn=1))
    assert_inert(reader_html(article, speaker))
