"""What a user names to ingest — files, folders, web pages, PDFs by URL, feeds by URL or file —
read into articles and ingested in one pass. A fetched page's article id is its canonical
URL, so the same story reached twice (by URL, through a feed, via a tracking link) is one
article, replaced only when its text or metadata changed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from index.ingest import IngestReport, ingest_articles
from index.read.feeds import FEED_MEMORY, FeedError, FeedMemory, feed_articles, read_feed
from index.read.fetch import FEED, PAGE, PDF, Fetched, Fetcher, FetchError, FetchLimits
from index.read.files import (
    FEED_SUFFIXES,
    Unreadable,
    check_size,
    decode_text,
    load_paths,
    page_article,
    pdf_article,
)
from index.read.html import extract_html, host_name
from index.records import Article, LoadError
from index.store.chroma import Store

Loaded = Iterator[Article | LoadError]
ArticleCallback = Callable[[Article | LoadError], None]


def is_url(source: str | Path) -> bool:
    return str(source).lower().startswith(("http://", "https://"))


def ingest_sources(sources: Iterable[str | Path], store: Store, *, public_only: bool = False,
                   on_article: ArticleCallback | None = None,
                   on_error: Callable[[LoadError], None] | None = None,
                   stop: threading.Event | None = None) -> IngestReport:
    """Ingest files, folders, URLs and feeds. `public_only` (the web page) fetches only from
    public addresses; `stop`, once set, ends the reading between two articles, and what was
    read is still written. Feed entries are remembered once they are in the store."""
    memory = FeedMemory.open(store.path / FEED_MEMORY)
    with Fetcher(FetchLimits.from_settings(store.settings, public_only=public_only)) as fetcher:
        items = read_sources(sources, fetcher, memory, max_file_mb=store.settings.max_file_mb)
        report = ingest_articles(_until(stop, items), store, on_article=on_article,
                                 on_error=on_error)
    memory.commit(store.current_hashes)
    report.seen_before = memory.skipped
    return report


def ingest_urls(urls: Iterable[str], store: Store, *, public_only: bool,
                on_article: ArticleCallback | None = None) -> IngestReport:
    """`ingest_sources` for what a visitor typed: anything but an http(s) URL is an error,
    never a path on the server."""
    urls = list(urls)
    report = ingest_sources([url for url in urls if is_url(url)], store,
                            public_only=public_only, on_article=on_article)
    report.errors[:0] = [LoadError(url, "not an http:// or https:// URL") for url in urls
                         if not is_url(url)]
    return report


def read_sources(sources: Iterable[str | Path], fetcher: Fetcher, memory: FeedMemory, *,
                 max_file_mb: float) -> Loaded:
    """Articles of every source in order. A web article reached twice in one run (by its
    URL and through a feed) comes once: it is the same story, not a clash of ids."""
    web_ids: set[str] = set()
    for source in sources:
        if is_url(source):
            web = _url_articles(str(source), fetcher, memory)
        elif Path(source).suffix.lower() in FEED_SUFFIXES and Path(source).is_file():
            web = _feed_file_articles(Path(source), fetcher, memory, max_file_mb)
        else:
            yield from load_paths([source], max_file_mb=max_file_mb)
            continue
        for item in web:
            if isinstance(item, Article) and item.id in web_ids:
                continue
            if isinstance(item, Article):
                web_ids.add(item.id)
                item = _named_by_host(item)
            yield item


def fetched_article(fetched: Fetched, requested: str) -> Article:
    """A page, PDF or text as an article; raises `Unreadable` when it holds no text."""
    if fetched.kind == PAGE:
        page = extract_html(decode_text(fetched.body, fetched.charset), fetched.url)
        url = same_site_url(page.url, fetched.url)
        return page_article(replace(page, url=url), article_id=url, path=requested)
    url = urldefrag(fetched.url).url
    if fetched.kind == PDF:
        return pdf_article(fetched.body, article_id=url, path=requested, url=url)
    if fetched.kind == FEED:
        raise Unreadable("a feed, where a page was expected")
    text = decode_text(fetched.body, fetched.charset)
    if not text.strip():
        raise Unreadable("no article text")
    return Article(id=url, text=text, url=url, path=requested)


def same_site_url(canonical: str, fetched_url: str) -> str:
    """The page's canonical URL when it is on the site it came from (www., m., edition.
    differ freely); a page cannot claim another site's address, and with it that site's
    article. Without a fragment."""
    theirs, ours = (_site(url) for url in (canonical, fetched_url))
    same = bool(theirs) and (theirs == ours or theirs.endswith(f".{ours}")
                             or ours.endswith(f".{theirs}"))
    return urldefrag(canonical if same else fetched_url).url


def _site(url: str) -> str:
    return host_name(url) if urlsplit(url).scheme in ("http", "https") else ""


def _named_by_host(article: Article) -> Article:
    """A page that declares no site name (and came from no named feed) is filed under its
    host, so it can still be filtered by source."""
    if article.source:
        return article
    return replace(article, source=host_name(article.url or article.id), content_hash="")


def _url_articles(url: str, fetcher: Fetcher, memory: FeedMemory) -> Loaded:
    try:
        fetched = fetcher.get(url)
        if fetched.kind == FEED:
            feed = read_feed(fetched.body, fetched.url)
        else:
            yield fetched_article(fetched, url)
            return
    except (FetchError, Unreadable, FeedError) as error:
        yield LoadError(url, str(error))
        return
    except Exception as error:  # a hostile document must not end the run
        yield LoadError(url, f"could not load ({type(error).__name__}: {error})")
        return
    yield from feed_articles(feed, memory, _link_opener(fetcher))


def _feed_file_articles(path: Path, fetcher: Fetcher, memory: FeedMemory,
                        max_file_mb: float) -> Loaded:
    try:
        check_size(path, max_file_mb)
        feed = read_feed(path.read_bytes(), str(path.resolve()))
    except (OSError, Unreadable, FeedError) as error:
        yield LoadError(str(path), getattr(error, "strerror", None) or str(error))
        return
    yield from feed_articles(feed, memory, _link_opener(fetcher))


def _link_opener(fetcher: Fetcher) -> Callable[[str], Article]:
    return lambda link: fetched_article(fetcher.get(link), link)


def _until(stop: threading.Event | None, items: Loaded) -> Loaded:
    """Stops asking `items` for more once `stop` is set: between two articles, never inside
    one (the next fetch is never started)."""
    for item in items:
        yield item
        if stop is not None and stop.is_set():
            return
