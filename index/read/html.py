"""An HTML page's article: trafilatura finds the main text and the metadata (title, date,
author, site, canonical URL); a fragment it rejects (a short note, a bare `<p>`) falls back
to every visible block of the page. Either way scripts, styles, forms and embedded objects
never reach the text.

The fallback walks lxml directly (one pass, no tree edits): editing a BeautifulSoup tree costs
time quadratic in the nesting depth, which a hostile page can make thousands deep.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

REMOVED_TAGS = frozenset({"head", "script", "style", "nav", "header", "footer", "aside", "form",
                          "iframe", "noscript", "template", "svg", "object", "embed"})
BLOCK_TAGS = frozenset({"address", "article", "blockquote", "caption", "dd", "div", "dl", "dt",
                        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
                        "main", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"})
PARAGRAPH_BREAK = "\n\n"
OPENING_BREAKS = {"br": "\n"} | dict.fromkeys(BLOCK_TAGS, PARAGRAPH_BREAK)
BLANK_LINE = re.compile(r"\n\s*\n")
CANONICAL_LINK = ('//link[contains(concat(" ", translate(@rel, "CANONICAL", "canonical"), " "), '
                  '" canonical ")]/@href')
OG_URL = '//meta[@property="og:url"]/@content'
# Pruned before trafilatura reads the body (its metadata still sees JSON-LD): code, embedded
# objects and form controls. A form itself stays unless it is a widget: ASP.NET pages wrap the
# whole article in one.
UNSAFE_XPATHS = ["//script", "//style", "//noscript", "//template", "//svg", "//math",
                 "//object", "//embed", "//iframe", "//frame", "//canvas", "//button",
                 "//input", "//select", "//textarea", "//label", "//form[not(.//p)]"]
# Tuned on half of the saved news pages (benchmarks/extraction.py --tune): precision mode
# drops the related-story lists and share bars the balanced mode keeps.
EXTRACTION_OPTIONS = {"favor_precision": True, "include_comments": False, "include_tables": True}
# News pages have a few thousand elements (at most 1,600 in the benchmark). On far bigger ones
# trafilatura's second opinion from readability grows faster than the page (22 s at 100k
# paragraphs), so they get its fast mode, which is linear.
HUGE_PAGE_ELEMENTS = 20_000
# A date only from the page's markup and URL: the extensive search turns a footer's
# "Copyright 2017" into 2017-01-01.
EXTENSIVE_DATE_SEARCH = False
for _library in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_library).addHandler(logging.NullHandler())  # no stray stderr lines


@dataclass(frozen=True)
class WebPage:
    """What a page says about itself; `url` is its canonical address when it names one."""

    text: str
    title: str = ""
    date: str = ""
    author: str = ""
    site: str = ""
    url: str = ""


def extract_html(markup: str, url: str = "", *,
                 options: Mapping[str, bool] | None = None) -> WebPage:
    """The article of a page; `url` is where it was fetched, for relative canonical links.
    `options` replace `EXTRACTION_OPTIONS` (trafilatura's), for tuning."""
    root = _parse(markup)
    if root is None:
        return WebPage("")
    import trafilatura

    meta = trafilatura.extract_metadata(root, default_url=url or None,
                                        extensive=EXTENSIVE_DATE_SEARCH)
    found = trafilatura.bare_extraction(root, url=url or None, prune_xpath=UNSAFE_XPATHS,
                                        fast=_is_huge(root),
                                        **(EXTRACTION_OPTIONS if options is None else options))
    body = _lines_as_paragraphs(found.text) if found is not None and found.text else ""
    return WebPage(text=body or _visible_blocks(root),
                   title=_collapse_spaces(meta.title or "") or _page_title(root),
                   date=meta.date or "", author=_collapse_spaces(meta.author or ""),
                   site=_declared_site(meta.sitename or "", meta.url or ""),
                   url=canonical_url(root, url))


def canonical_url(root: html.HtmlElement, url: str) -> str:
    """The page's own address (`rel=canonical`, else `og:url`), relative ones resolved against
    `url`; else `url`. Only http(s) addresses count."""
    for found in (*root.xpath(CANONICAL_LINK), *root.xpath(OG_URL)):
        address = urljoin(url, str(found).strip())
        if urlsplit(address).scheme in ("http", "https") and urlsplit(address).hostname:
            return address
    return url


def host_name(url: str) -> str:
    """"https://www.example.com/a" → "example.com": what stands in for an undeclared site."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _declared_site(name: str, url: str) -> str:
    """The site's name as the page declares it; trafilatura's stand-in made from the host is
    left out, so a feed's title can stand in before the host."""
    name = _collapse_spaces(name)
    return "" if name.lower() in (host_name(url), urlsplit(url).netloc.lower()) else name


def _is_huge(root: html.HtmlElement) -> bool:
    return sum(1 for _ in root.iter()) > HUGE_PAGE_ELEMENTS


def visible_text(markup: str) -> str:
    """Every visible block of a page, menus and all: the fallback for fragments, and what
    briefing indexed of a page before trafilatura."""
    root = _parse(markup)
    return _visible_blocks(root) if root is not None else ""


def _visible_blocks(root: html.HtmlElement) -> str:
    return _paragraphs("".join(_text_pieces(root)))


def _parse(markup: str) -> html.HtmlElement | None:
    """None for markup with no elements at all (only whitespace)."""
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except etree.ParserError:  # "Document is empty": only whitespace
        return None


def _lines_as_paragraphs(text: str) -> str:
    """trafilatura ends every block with one newline; blank lines keep them paragraphs."""
    lines = (_collapse_spaces(line) for line in text.splitlines())
    return PARAGRAPH_BREAK.join(line for line in lines if line)


def _page_title(root: html.HtmlElement) -> str:
    """<title> names the page; a page without one usually names the article in its first <h1>."""
    for heading in (root.find(".//title"), root.find(".//h1")):
        text = _collapse_spaces(heading.text_content()) if heading is not None else ""
        if text:
            return text
    return ""


def _text_pieces(root: html.HtmlElement) -> Iterator[str]:
    """Text in document order with a paragraph break around every block and a newline per <br>;
    a removed element loses its content but not its tail, which belongs to the parent."""
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        kept = isinstance(element.tag, str) and element.tag not in REMOVED_TAGS
        if event == "start" and not kept:
            walker.skip_subtree()
        elif event == "start":
            yield OPENING_BREAKS.get(element.tag, "")
            yield element.text or ""
        else:
            yield PARAGRAPH_BREAK if kept and element.tag in BLOCK_TAGS else ""
            yield element.tail or ""


def _paragraphs(raw_text: str) -> str:
    """HTML whitespace carries no meaning except the block breaks (or <br><br>) marked above."""
    paragraphs = (_collapse_spaces(chunk) for chunk in BLANK_LINE.split(raw_text))
    return PARAGRAPH_BREAK.join(paragraph for paragraph in paragraphs if paragraph)


def _collapse_spaces(text: str) -> str:
    return " ".join(text.split())
