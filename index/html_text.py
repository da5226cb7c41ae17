"""Plain article text from an HTML page: page chrome and scripts never reach the index.

lxml is walked directly (one pass, no tree edits): editing a BeautifulSoup tree costs time
quadratic in the nesting depth, which a hostile page can make thousands deep.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree, html

REMOVED_TAGS = frozenset({"head", "script", "style", "nav", "header", "footer", "aside", "form",
                          "iframe", "noscript", "template", "svg", "object", "embed"})
BLOCK_TAGS = frozenset({"address", "article", "blockquote", "caption", "dd", "div", "dl", "dt",
                        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
                        "main", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"})
PARAGRAPH_BREAK = "\n\n"
OPENING_BREAKS = {"br": "\n"} | dict.fromkeys(BLOCK_TAGS, PARAGRAPH_BREAK)
BLANK_LINE = re.compile(r"\n\s*\n")


def extract_html(markup: str) -> tuple[str, str]:
    """(title, text): blocks become blank-line separated paragraphs so sentences stay apart."""
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except etree.ParserError:  # "Document is empty": only whitespace
        return "", ""
    return _page_title(root), _paragraphs("".join(_text_pieces(root)))


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
