"""The loaders on the real shared data and on every kind of bad file, written to disk."""

from __future__ import annotations

import codecs
import csv
import json
import re
from pathlib import Path

import pytest

from index.read.files import load_paths, normalise_date
from index.records import Article, LoadError

SHARED = Path(__file__).parents[1].parent / "shared"
DATA = SHARED / "data"
FIXTURES = Path(__file__).parent / "data" / "load"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def articles_and_errors(paths: list[Path], **options: float) -> tuple[list[Article],
                                                                        list[LoadError]]:
    items = list(load_paths(paths, **options))
    articles = [item for item in items if isinstance(item, Article)]
    errors = [item for item in items if isinstance(item, LoadError)]
    assert len(articles) + len(errors) == len(items)
    return articles, errors


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def only_text(path: Path) -> str:
    articles, errors = articles_and_errors([path])
    assert not errors
    assert len(articles) == 1
    return articles[0].text


def test_seed_briefing_is_one_article_with_the_file_text_unchanged() -> None:
    seed = DATA / "seed" / "isis-briefing.txt"
    articles, errors = articles_and_errors([seed])
    assert not errors
    assert len(articles) == 1
    assert articles[0].text == seed.read_text(encoding="utf-8")
    assert articles[0].id == "isis-briefing.txt"
    assert articles[0].path == str(seed)


def test_news_summary_csv_reads_full_articles_as_latin1_with_iso_dates() -> None:
    news = DATA / "news_summary.csv"
    with news.open(encoding="latin-1", newline="") as handle:
        rows = list(csv.DictReader(handle))
    articles, errors = articles_and_errors([news])
    assert not errors
    assert len(articles) == len(rows) == 499
    assert [article.id for article in articles[:2]] == ["news_summary.csv#1", "news_summary.csv#2"]
    for article, row in zip(articles, rows, strict=True):
        assert article.text == (row["ctext"] if row["ctext"].strip() else row["text"])
        assert article.title == row["headlines"].strip()
        assert ISO_DATE.fullmatch(article.date)
        assert article.url == row["read_more"].strip()
        assert "\ufffd" not in article.text
    assert articles[0].date == "2017-08-03"
    assert any("£" in article.text for article in articles)


def test_bbc_jsonl_uses_the_record_id() -> None:
    articles, errors = articles_and_errors([DATA / "bbc.jsonl"])
    assert not errors
    assert len(articles) == 2225
    assert articles[0].id == "business/001"
    assert articles[0].title == "Ad sales boost Time Warner profit"
    assert len({article.id for article in articles}) == 2225


def test_polnear_publisher_becomes_the_source() -> None:
    articles, errors = articles_and_errors([DATA / "polnear" / "dev_articles.jsonl"])
    assert not errors
    first = articles[0]
    assert first.id == "breitbart_2016-09-12_stealth-over-health-hillary-clin"
    assert (first.source, first.date, first.author) == ("breitbart", "2016-09-12",
                                                        "Breitbart News")
    assert all(article.source for article in articles)


def test_realtimeqa_passages_keep_source_and_url() -> None:
    articles, errors = articles_and_errors([DATA / "realtimeqa_passages_dev.jsonl"])
    assert not errors
    assert len(articles) == 1980
    assert (articles[0].id, articles[0].source) == ("rtqa-20200103_0", "CNN")
    assert articles[0].url.startswith("https://www.cnn.com/")


BAD_FILES: list[tuple[str, bytes, str]] = [
    ("report.docx", b"PK\x03\x04", ".docx not supported; use .txt .md .html .htm .json .jsonl "
                                    ".csv .pdf"),
    ("report.pdf", b"%PDF-1.4", "damaged or truncated PDF"),
    ("feed.rss", b"<rss/>", "a feed is read when named on its own"),
    ("notes", b"no extension", "(no extension) not supported"),
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"  \n\t\n", "no article text"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("controls.txt", bytes(range(1, 9)) * 20, "binary file"),
    ("broken-utf16.txt", b"\xff\xfe" + "hi".encode("utf-16-le") + b"\x00", "undecodable"),
    ("high-bytes.txt", bytes(range(0x80, 0x100)) * 3, "undecodable"),
    ("broken.json", b'{"text": "a",\n "title": }', "malformed JSON at line 2"),
    ("scalar.json", b"42", "JSON must be an object or a list of objects"),
    ("untexted.json", b'{"title": "T", "author": "A"}', "no text field (fields: title, author)"),
    ("blank-text.json", b'{"title": "T", "body": "   "}', "no article text (body empty)"),
    ("no-records.json", b"[]", "no records"),
    ("columns.csv", b"name,score\nann,3\n", "no text column (columns: name, score)"),
    ("scripts.html", b"<html><script>alert(1)</script><style>p{}</style></html>",
     "no article text"),
]


@pytest.mark.parametrize(("name", "content", "problem"), BAD_FILES,
                         ids=[name for name, _, _ in BAD_FILES])
def test_a_bad_file_is_one_error_and_the_rest_of_the_batch_loads(
        tmp_path: Path, name: str, content: bytes, problem: str) -> None:
    before = write(tmp_path / "before.txt", "First article.")
    bad = write(tmp_path / name, content)
    after = write(tmp_path / "after.txt", "Last article.")
    articles, errors = articles_and_errors([before, bad, after])
    assert [article.text for article in articles] == ["First article.", "Last article."]
    assert [error.path for error in errors] == [str(bad)]
    assert problem in errors[0].problem


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    good = write(tmp_path / "good.txt", "Good.")
    articles, errors = articles_and_errors([missing, good])
    assert errors == [LoadError(str(missing), "does not exist")]
    assert [article.id for article in articles] == ["good.txt"]


def test_a_huge_file_is_refused_by_size_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    articles, errors = articles_and_errors([huge])
    assert not articles
    assert errors == [LoadError(str(huge), "200 MB exceeds the 100 MB limit "
                                           "(BRIEFING_MAX_FILE_MB)")]


def test_the_size_limit_is_a_parameter(tmp_path: Path) -> None:
    small = write(tmp_path / "small.txt", "x" * 2048)
    articles, errors = articles_and_errors([small], max_file_mb=0.001)
    assert not articles
    assert "exceeds the 0.001 MB limit" in errors[0].problem


def test_bad_records_are_errors_and_the_other_records_load(tmp_path: Path) -> None:
    lines = write(tmp_path / "lines.jsonl",
                  '{"text": "One."}\n{"text": "Two.",\n\n[1, 2]\n{"title": "no text"}\n'
                  '{"text": "Six."}\n')
    rows = write(tmp_path / "rows.csv", 'title,text\nA,"One."\nB,\nC,"Three."\n')
    items = write(tmp_path / "items.json", '[{"text": "One."}, "two", {"text": "Three."}]')
    articles, errors = articles_and_errors([lines, rows, items])
    assert [article.id for article in articles] == [
        "lines.jsonl#1", "lines.jsonl#6", "rows.csv#1", "rows.csv#3", "items.json#1",
        "items.json#3"]
    assert [(error.path, error.problem.split(":")[0]) for error in errors] == [
        (f"{lines}#2", "malformed JSON on line 2"),
        (f"{lines}#4", "expected a JSON object, found list"),
        (f"{lines}#5", "no text field (fields"),
        (f"{rows}#2", "no article text (text empty)"),
        (f"{items}#2", "expected a JSON object, found str"),
    ]


def test_a_10_mb_csv_cell_loads(tmp_path: Path) -> None:
    cell = "word " * (2 * 1024 * 1024)
    big = write(tmp_path / "big.csv", f'title,text\nBig,"{cell}"\n')
    assert only_text(big) == cell


def test_csv_prefers_the_full_article_column_and_falls_back_per_row(tmp_path: Path) -> None:
    rows = write(tmp_path / "news.csv",
                 "Headlines,TEXT,Ctext,Date\n"
                 'A,summary a,"full article a, much longer than the summary",2016-09-15\n'
                 "B,summary b,,\"Aug 3, 2017\"\n"
                 "C,summary c that is longer,short c,someday\n")
    articles, errors = articles_and_errors([rows])
    assert not errors
    assert [(article.title, article.text, article.date) for article in articles] == [
        ("A", "full article a, much longer than the summary", "2016-09-15"),
        ("B", "summary b", "2017-08-03"),
        ("C", "short c", "someday"),
    ]


def test_json_object_and_list_ids(tmp_path: Path) -> None:
    single = write(tmp_path / "one.json", '{"content": "Body.", "headline": "H", "link": "u"}')
    numbered = write(tmp_path / "many.json", '[{"id": 7, "article": "Seven."}, {"body": "B."}]')
    articles, errors = articles_and_errors([single, numbered])
    assert not errors
    assert [(article.id, article.text) for article in articles] == [
        ("one.json", "Body."), ("7", "Seven."), ("many.json#2", "B.")]
    assert (articles[0].title, articles[0].url) == ("H", "u")


@pytest.mark.parametrize(("content", "expected"), [
    (b"\xef\xbb\xbfCaf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d", "Café “quoted”"),
    (b"He said \x93hello\x94 \x96 caf\xe9", "He said “hello” – café"),
    ("Zoë said “hi”\r\n".encode("utf-16"), "Zoë said “hi”\r\n"),
    (codecs.BOM_UTF16_BE + "Zoë said “hi”".encode("utf-16-be"), "Zoë said “hi”"),
    (b"Line one\r\n\r\n  Line   two\n", "Line one\r\n\r\n  Line   two\n"),
    ("Ђорђе Ђоковић је рекао да ће играти у финалу.".encode("cp1251"),
     "Ђорђе Ђоковић је рекао да ће играти у финалу."),
], ids=["utf-8-bom", "cp1252", "utf-16-le-bom", "utf-16-be-bom", "whitespace-kept",
        "not-cp1252-so-guessed"])
def test_encodings_decode_to_the_original_text(tmp_path: Path, content: bytes,
                                               expected: str) -> None:
    assert only_text(write(tmp_path / "article.txt", content)) == expected


def test_utf16_csv_and_cp1252_jsonl_records(tmp_path: Path) -> None:
    table = write(tmp_path / "table.csv", "title,body\nT,Zoë’s “view”\n".encode("utf-16"))
    lines = write(tmp_path / "lines.jsonl", b'{"text": "\x93Hi\x94"}\n')
    articles, errors = articles_and_errors([table, lines])
    assert not errors
    assert [article.text for article in articles] == ["Zoë’s “view”", "“Hi”"]


def test_hostile_html_keeps_only_the_article_text() -> None:
    """trafilatura's text: each line of the article a paragraph, a <br> included; no date
    from the footer's "Copyright 2017"."""
    page = FIXTURES / "hostile.html"
    articles, errors = articles_and_errors([page])
    assert not errors
    article = articles[0]
    assert article.title == "Coalition retakes territory"
    assert article.date == ""
    assert article.text.split("\n\n") == [
        "Coalition retakes territory",
        "The coalition has retaken over 55 per cent of the territory, the defence secretary "
        "said on Friday.",
        '"Not one inch has been recaptured," Mattis told a news conference.',
        "First line",
        "same paragraph",
        "New paragraph after two breaks.",
    ]
    for leaked in ("alert", "cookie", "evil", "iframe", "tracking", "JavaScript", "Home",
                   "Related", "Search", "Copyright", "Daily Example", "color"):
        assert leaked not in article.text


def test_html_title_falls_back_to_the_first_h1(tmp_path: Path) -> None:
    page = write(tmp_path / "page.htm", "<body><h1>Main  headline</h1><div>Body text.</div></body>")
    articles, _ = articles_and_errors([page])
    assert (articles[0].title, articles[0].text) == ("Main headline", "Main headline\n\nBody text.")


def test_html_keeps_text_after_a_removed_element_and_ignores_declared_charsets(
        tmp_path: Path) -> None:
    page = write(tmp_path / "page.html",
                 '<?xml version="1.0" encoding="iso-8859-1"?><html><head>'
                 '<meta charset="iso-8859-1"></head><body><p>Café<script>x()</script> menu, '
                 "<!-- hidden --> open.</p></body></html>")
    assert only_text(page) == "Café menu, open."


def test_absurdly_nested_html_does_not_hang(tmp_path: Path) -> None:
    """Nesting beyond lxml's depth limit (256) is dropped; what came before it stays."""
    page = write(tmp_path / "nested.html",
                 "<p>Intro.</p>" + "<div>" * 50_000 + "deep" + "</div>" * 50_000)
    assert only_text(page) == "Intro."


def test_markdown_keeps_its_text_and_takes_a_leading_heading_as_title(tmp_path: Path) -> None:
    content = "\n# Rates rise again #\n\nThe bank *raised* rates.\n"
    titled = write(tmp_path / "titled.md", content)
    untitled = write(tmp_path / "untitled.md", "## Section\n\nText.\n")
    articles, errors = articles_and_errors([titled, untitled])
    assert not errors
    assert [(article.title, article.text) for article in articles] == [
        ("Rates rise again", content), ("", "## Section\n\nText.\n")]


def test_folders_recurse_in_sorted_order_skip_hidden_and_ids_are_relative(tmp_path: Path) -> None:
    root = tmp_path / "news"
    write(root / "b.txt", "B.")
    write(root / "a" / "c.md", "C.")
    write(root / "a" / "d.json", json.dumps([{"text": "D1."}, {"text": "D2."}]))
    write(root / "A.txt", "Capital A.")
    write(root / ".git" / "config.txt", "hidden")
    write(root / ".hidden.txt", "hidden")
    write(root / "z" / ".briefing" / "state.txt", "hidden")
    articles, errors = articles_and_errors([root])
    assert not errors
    assert [article.id for article in articles] == [
        "A.txt", "a/c.md", "a/d.json#1", "a/d.json#2", "b.txt"]
    assert articles[1].path == str(root / "a" / "c.md")
    assert list(load_paths([str(root)])) == list(load_paths([root])) == list(load_paths(root))


def test_an_empty_folder_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "empty" / ".keep", "")
    assert [error.problem for error in load_paths([tmp_path / "empty"])] == [
        "no files to load (hidden files and folders are skipped)"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("03 Aug 2017,Thursday", "2017-08-03"),
    ("2016-09-15", "2016-09-15"),
    ("Aug 3, 2017", "2017-08-03"),
    ("Thursday, August 3rd, 2017", "2017-08-03"),
    ("Thu, 03 Aug 2017 10:00:00 +0000", "2017-08-03"),
    ("2016-09-15T10:00:00Z", "2016-09-15"),
    ("2017/08/03", "2017-08-03"),
    ("05/06/2017", "05/06/2017"),
    ("August 2017", "August 2017"),
    ("", ""),
])
def test_dates_become_iso_when_unambiguous(raw: str, expected: str) -> None:
    assert normalise_date(raw) == expected
