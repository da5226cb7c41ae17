"""Read news articles from files and folders; a bad file becomes a `LoadError`, never a crash."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import chain, islice
from pathlib import Path

import charset_normalizer
import yaml

from index.read.html import WebPage, extract_html, host_name
from index.read.pdf import PdfError, extract_pdf
from index.records import Article, LoadError

MB = 1024 * 1024
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "text": ("text", "content", "body", "ctext", "article"),
    "title": ("title", "headline", "headlines"),
    "date": ("date", "published", "published_time", "pubdate"),
    "source": ("source", "publisher", "site_name", "sitename"),
    "author": ("author", "authors", "byline"),
    "url": ("url", "read_more", "link", "source_url", "canonical_url"),
}
TEXT_FIELDS = FIELD_ALIASES["text"]
TEXT_FIELD_SAMPLE = 1000
CSV_FIELD_LIMIT = 2**31 - 1  # the largest a C long holds on every platform
BOM_CODECS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
              (codecs.BOM_UTF16_BE, "utf-16"))
BINARY_SAMPLE_BYTES = 8192
TEXT_CONTROL_BYTES = b"\t\n\r\f\x1b"
MAX_CONTROL_SHARE = 0.05
TOO_DEEP = "JSON nested too deeply to read"
MARKDOWN_TITLE = re.compile(r"#[ \t]+(.+?)[ \t#]*$")
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                          re.DOTALL | re.MULTILINE)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")
WEEKDAY = re.compile(r"\b(?:mon|tue|tues|wed|wednes|thu|thurs|fri|sat|satur|sun)(?:day)?\b",
                     re.IGNORECASE)
DATE_NOISE = re.compile(r"[,.]|(?<=\d)(?:st|nd|rd|th)\b|(?<=\d)T(?=\d)")

Record = dict[str, object]
RowItem = tuple[int | None, Record] | LoadError
Loaded = Iterator[Article | LoadError]


class Unreadable(Exception):
    """A whole file is unusable; the message is the `LoadError.problem`."""


@dataclass(frozen=True)
class SourceFile:
    """A file being loaded and the id its articles get when their records carry none."""

    path: Path
    id_base: str

    def article_id(self, row: int | None) -> str:
        return self.id_base if row is None else f"{self.id_base}#{row}"

    def error(self, problem: str, row: int | None = None) -> LoadError:
        where = str(self.path) if row is None else f"{self.path}#{row}"
        return LoadError(where, problem)


def load_paths(paths: Iterable[str | Path], *,
               max_file_mb: float = 100.0) -> Iterator[Article | LoadError]:
    """Articles from files and folders (recursive, sorted); problems are yielded, not raised."""
    if isinstance(paths, (str, Path)):  # one path, not an iterable of one-letter paths
        paths = [paths]
    for root in paths:
        yield from _load_root(Path(root), max_file_mb)


def _load_root(root: Path, max_file_mb: float) -> Iterator[Article | LoadError]:
    if not root.exists():
        yield LoadError(str(root), "does not exist")
        return
    files = _files_under(root)
    if not files:
        yield LoadError(str(root), "no files to load (hidden files and folders are skipped)")
    for source in files:
        yield from _load_file(source, max_file_mb)


def _files_under(root: Path) -> list[SourceFile]:
    """Sorted by relative path so ids and order are the same on every run."""
    if not root.is_dir():
        return [SourceFile(root, root.name)]
    found: list[SourceFile] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            if not name.startswith("."):
                path = Path(folder) / name
                found.append(SourceFile(path, path.relative_to(root).as_posix()))
    return sorted(found, key=lambda source: source.id_base)


def _load_file(source: SourceFile, max_file_mb: float) -> Iterator[Article | LoadError]:
    """The one place a file's failure is caught, so records already yielded stay loaded."""
    try:
        loader = _loader_for(source.path)
        check_size(source.path, max_file_mb)
        yield from loader(source.path.read_bytes(), source)
    except Unreadable as problem:
        yield source.error(str(problem))
    except OSError as error:
        yield source.error(f"cannot read: {error.strerror or error}")
    except Exception as error:  # one odd file must not end a whole ingest
        yield source.error(f"could not load ({type(error).__name__}: {error})")


def _loader_for(path: Path) -> Callable[[bytes, SourceFile], Loaded]:
    extension = path.suffix.lower()
    if extension in BINARY_LOADERS:
        return BINARY_LOADERS[extension]
    if extension in LOADERS:
        text_loader = LOADERS[extension]
        return lambda data, source: text_loader(_decode(data), source)
    if extension in FEED_SUFFIXES:
        raise Unreadable("a feed is read when named on its own, not inside a folder")
    shown = extension or "(no extension)"
    raise Unreadable(f"{shown} not supported; use {' '.join(SUPPORTED)}")


def check_size(path: Path, max_file_mb: float) -> None:
    """Runs before reading: a huge file is refused without touching its content."""
    size = path.stat().st_size
    if size > max_file_mb * MB:
        raise Unreadable(f"{size / MB:.4g} MB exceeds the {max_file_mb:g} MB limit "
                         "(BRIEFING_MAX_FILE_MB)")
    if size == 0:
        raise Unreadable("empty file")


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Text in the charset its sender declared (an HTTP header), else as a file is read."""
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return _decode(data)


def _decode(data: bytes) -> str:
    """UTF-8 first; cp1252 before charset-normalizer, which reads latin-1 English news as cp1250."""
    bom_codec = next((codec for bom, codec in BOM_CODECS if data.startswith(bom)), None)
    if bom_codec:
        try:
            return data.decode(bom_codec)
        except UnicodeDecodeError as error:
            raise Unreadable(f"undecodable: not valid {bom_codec} despite its byte-order mark "
                             f"({error.reason} at byte {error.start})") from error
    if _looks_binary(data):
        raise Unreadable("binary file, not text")
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    guess = charset_normalizer.from_bytes(data).best()
    if guess is None:
        raise Unreadable("undecodable: not UTF-8, UTF-16, cp1252 or another known encoding")
    return str(guess)


def _looks_binary(data: bytes) -> bool:
    """Text without a byte-order mark has no NUL bytes and few control bytes."""
    if b"\x00" in data:
        return True
    sample = data[:BINARY_SAMPLE_BYTES]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in TEXT_CONTROL_BYTES)
    return controls > len(sample) * MAX_CONTROL_SHARE


def _load_text(text: str, source: SourceFile) -> Iterator[Article | LoadError]:
    yield _with_front_matter(text, source, markdown=False)


def _load_markdown(text: str, source: SourceFile) -> Iterator[Article | LoadError]:
    yield _with_front_matter(text, source, markdown=True)


def _with_front_matter(text: str, source: SourceFile, *, markdown: bool) -> Article | LoadError:
    """A YAML header (`title`, `date`, `source_url`, `author`, `source`, …) fills the article's
    fields and is not article text. In Markdown, backslash escapes are syntax, not words
    ("\\[sic\\]" reads "[sic]"), and without a header the first heading is the title."""
    fields, body = _front_matter(text)
    if markdown:
        body = MARKDOWN_ESCAPE.sub(r"\1", body)
    if not fields and markdown:
        first_line = next((line for line in body.splitlines() if line.strip()), "")
        found = MARKDOWN_TITLE.fullmatch(first_line.strip())
        fields = {"title": found.group(1)} if found else {}
    article = _whole_file_article(body, source, title=_first_value(fields, "title"))
    if isinstance(article, LoadError) or not fields:
        return article
    return replace(article, date=normalise_date(_first_value(fields, "date")),
                   source=_first_value(fields, "source"), author=_first_value(fields, "author"),
                   url=_first_value(fields, "url"), content_hash="")


def _front_matter(text: str) -> tuple[Record, str]:
    """(header fields with lowercase keys, the text after the header). Broken YAML between
    the `---` lines is a problem with the file, reported rather than indexed as text."""
    found = FRONT_MATTER.match(text)
    if not found:
        return {}, text
    try:
        fields = yaml.safe_load(found["yaml"])
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise Unreadable(f"malformed YAML front matter{where}: {problem}") from None
    if not isinstance(fields, dict):  # a rule line and a paragraph, not a header
        return {}, text
    return {_field_name(str(k)): _header_text(v) for k, v in fields.items()}, text[found.end():]


def _header_text(value: object) -> object:
    """YAML reads dates as dates and may list several authors; titles carry no-break spaces
    and word joiners from the web."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if isinstance(v, (str, int, float)))
    if isinstance(value, str):
        return " ".join(value.replace("\u2060", "").replace("\u200b", "").split())
    return value


def _load_html(markup: str, source: SourceFile) -> Iterator[Article | LoadError]:
    """A saved page that declares no site name is filed under its canonical URL's host."""
    page = extract_html(markup)
    yield page_article(replace(page, site=page.site or host_name(page.url)),
                       article_id=source.id_base, path=str(source.path))


def page_article(page: WebPage, *, article_id: str, path: str) -> Article:
    """A page's article with its metadata; the site's name is the source."""
    if not page.text.strip():
        raise Unreadable("no article text")
    return Article(id=article_id, text=page.text, title=page.title, date=page.date,
                   source=page.site, author=page.author, url=page.url, path=path)


def _load_pdf(data: bytes, source: SourceFile) -> Iterator[Article | LoadError]:
    yield pdf_article(data, article_id=source.id_base, path=str(source.path))


def pdf_article(data: bytes, *, article_id: str, path: str, url: str = "") -> Article:
    """Each page a paragraph block; the page starts are kept for citations."""
    try:
        pdf = extract_pdf(data)
    except PdfError as error:
        raise Unreadable(str(error)) from None
    return Article(id=article_id, text=pdf.text, title=pdf.title, date=pdf.date,
                   author=pdf.author, url=url, path=path, pages=pdf.pages)


def _whole_file_article(text: str, source: SourceFile, *, title: str) -> Article | LoadError:
    if not text.strip():
        return source.error("no article text")
    return Article(id=source.id_base, text=text, title=title, path=str(source.path))


def _load_json(text: str, source: SourceFile) -> Iterator[Article | LoadError]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise Unreadable(f"malformed JSON at line {error.lineno}, column {error.colno}: "
                         f"{error.msg}") from error
    except RecursionError:
        raise Unreadable(TOO_DEEP) from None
    if isinstance(parsed, dict):
        items: Iterable[RowItem] = [(None, parsed)]
    elif isinstance(parsed, list):
        items = (_as_record(item, row, source) for row, item in enumerate(parsed, start=1))
    else:
        raise Unreadable("JSON must be an object or a list of objects")
    yield from _articles_from_records(items, source)


def _load_jsonl(text: str, source: SourceFile) -> Iterator[Article | LoadError]:
    yield from _articles_from_records(_jsonl_records(text, source), source)


def _jsonl_records(text: str, source: SourceFile) -> Iterator[RowItem]:
    """Splits on newlines only: JSON strings may hold U+2028, which `splitlines` would cut."""
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield source.error(f"malformed JSON on line {line_number}: {error.msg}", line_number)
            continue
        except RecursionError:
            yield source.error(f"{TOO_DEEP} on line {line_number}", line_number)
            continue
        yield _as_record(item, line_number, source)


def _as_record(item: object, row: int, source: SourceFile) -> RowItem:
    if isinstance(item, dict):
        return row, item
    return source.error(f"expected a JSON object, found {type(item).__name__}", row)


def _load_csv(text: str, source: SourceFile) -> Iterator[Article | LoadError]:
    yield from _articles_from_records(_csv_records(text), source)


def _csv_records(text: str) -> Iterator[RowItem]:
    _allow_large_csv_fields()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [name for name in reader.fieldnames or [] if name]
    if not {_field_name(column) for column in columns} & set(TEXT_FIELDS):
        raise Unreadable(f"no text column (columns: {', '.join(columns) or 'none'}); "
                         f"expected one of {', '.join(TEXT_FIELDS)}")
    yield from enumerate(reader, start=1)


def _allow_large_csv_fields() -> None:
    """A whole article in one cell exceeds csv's 128 KB default; the file size limit still holds."""
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))


def _articles_from_records(items: Iterable[RowItem],
                           source: SourceFile) -> Iterator[Article | LoadError]:
    """The first records decide which text field wins, so a large file can still stream."""
    normalised = (item if isinstance(item, LoadError) else (item[0], _lowercase_keys(item[1]))
                  for item in items)
    head = list(islice(normalised, TEXT_FIELD_SAMPLE))
    if not head:
        yield source.error("no records")
        return
    text_fields = _rank_text_fields(item[1] for item in head if not isinstance(item, LoadError))
    for item in chain(head, normalised):
        yield item if isinstance(item, LoadError) else _record_article(*item, text_fields, source)


def _rank_text_fields(records: Iterable[Record]) -> tuple[str, ...]:
    """The field with the most text first, so a full-article column wins over a summary column
    even in the rows where the article happens to be shorter; alias order breaks ties."""
    totals = dict.fromkeys(TEXT_FIELDS, 0)
    for fields in records:
        for name in TEXT_FIELDS:
            totals[name] += len(_as_text(fields.get(name)))
    return tuple(sorted(TEXT_FIELDS, key=lambda name: -totals[name]))


def _record_article(row: int | None, fields: Record, text_fields: tuple[str, ...],
                    source: SourceFile) -> Article | LoadError:
    """`fields` has lowercase keys; metadata is stripped, the text is kept exactly as read."""
    present = [name for name in text_fields if name in fields]
    if not present:
        return source.error(f"no text field (fields: {', '.join(fields) or 'none'}); "
                            f"expected one of {', '.join(TEXT_FIELDS)}", row)
    texts = (_as_text(fields[name]) for name in present)
    text = next((text for text in texts if text.strip()), "")
    if not text:
        return source.error(f"no article text ({', '.join(present)} empty)", row)
    return Article(id=_first_value(fields, "id") or source.article_id(row),
                   text=text,
                   title=_first_value(fields, "title"),
                   date=normalise_date(_first_value(fields, "date")),
                   source=_first_value(fields, "source"),
                   author=_first_value(fields, "author"),
                   url=_first_value(fields, "url"),
                   path=str(source.path))


def _lowercase_keys(record: Mapping[object, object]) -> Record:
    """Column headers vary in case and padding ("Title ", "TEXT"); CSV extras come keyed None."""
    return {_field_name(key): value for key, value in record.items() if isinstance(key, str)}


def _field_name(key: str) -> str:
    return key.strip().lower()


def _first_value(fields: Record, name: str) -> str:
    values = (_as_text(fields.get(alias)).strip() for alias in FIELD_ALIASES[name])
    return next((value for value in values if value), "")


def _as_text(value: object) -> str:
    """Ids and years may be numbers in JSON; lists, objects and nulls carry no usable text."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def normalise_date(raw: str) -> str:
    """ISO dates sort and filter; a date that cannot be read for sure is kept as written."""
    cleaned = " ".join(DATE_NOISE.sub(" ", WEEKDAY.sub(" ", raw)).split())
    for date_format in DATE_FORMATS:
        words = " ".join(cleaned.split()[:date_format.count(" ") + 1])
        try:
            return datetime.strptime(words, date_format).date().isoformat()
        except ValueError:
            continue
    return raw


LOADERS: dict[str, Callable[[str, SourceFile], Iterator[Article | LoadError]]] = {
    ".txt": _load_text,
    ".md": _load_markdown,
    ".html": _load_html,
    ".htm": _load_html,
    ".json": _load_json,
    ".jsonl": _load_jsonl,
    ".csv": _load_csv,
}
BINARY_LOADERS: dict[str, Callable[[bytes, SourceFile], Loaded]] = {".pdf": _load_pdf}
SUPPORTED = (*LOADERS, *BINARY_LOADERS)
FEED_SUFFIXES = (".rss", ".atom", ".xml")
