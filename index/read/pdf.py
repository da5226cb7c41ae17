"""A PDF's text layer, page by page: each page a paragraph block, so a citation knows its page.

No OCR: a scanned (image-only) PDF has no text to read and is refused with a message saying so.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime

PAGE_BREAK = "\n\n"
BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*(?:\n[ \t\r\f\v]*)+")
# Producers put these in the title field instead of a title.
PLACEHOLDER_TITLES = re.compile(r"^(?:untitled|microsoft (?:word|powerpoint) - .*|.*\.docx?)$",
                                re.IGNORECASE)
logging.getLogger("pypdf").addHandler(logging.NullHandler())  # its warnings stay off stderr


class PdfError(ValueError):
    """A PDF that cannot give text; the message says why, in one line."""


@dataclass(frozen=True)
class PdfText:
    """`pages[i]` is the offset in `text` where page i + 1 starts (an empty page starts where
    the next one does)."""

    text: str
    pages: tuple[int, ...]
    title: str = ""
    author: str = ""
    date: str = ""


def extract_pdf(data: bytes) -> PdfText:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfError("encrypted PDF: it needs a password")
        page_texts = [_page_text(page.extract_text()) for page in reader.pages]
        info = reader.metadata
    except FileNotDecryptedError as error:
        raise PdfError("encrypted PDF: it needs a password") from error
    except DependencyError as error:
        raise PdfError(f"encrypted PDF that cannot be opened here ({error})") from error
    except PdfReadError as error:  # also pypdf's stream and empty-file errors
        raise PdfError(f"damaged or truncated PDF ({_one_line(error)})") from error
    if not page_texts:
        raise PdfError("PDF without pages")
    if not any(page_texts):
        raise PdfError(f"no text layer in {len(page_texts)} page(s): a scanned or image-only "
                       "PDF (briefing does not OCR)")
    text, starts = _join_pages(page_texts)
    return PdfText(text, starts, title=_title(info), author=_field(info, "author"),
                   date=_date(info))


def _page_text(raw: str) -> str:
    """A page is one paragraph block: its blank lines (and NULs some producers emit) go."""
    lines = raw.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return BLANK_LINES.sub("\n", lines).strip()


def _join_pages(page_texts: list[str]) -> tuple[str, tuple[int, ...]]:
    """An empty page starts where the next page with text does, so no passage is ever said
    to be on a blank page."""
    starts, offset = [], 0
    for page in page_texts:
        starts.append(offset)
        if page:
            offset += len(page) + len(PAGE_BREAK)
    return PAGE_BREAK.join(page for page in page_texts if page), tuple(starts)


def _field(info: object, name: str) -> str:
    value = getattr(info, name, None) if info is not None else None
    return " ".join(str(value).split()) if value else ""


def _title(info: object) -> str:
    title = _field(info, "title")
    return "" if PLACEHOLDER_TITLES.match(title) else title


def _date(info: object) -> str:
    try:
        created = getattr(info, "creation_date", None) if info is not None else None
    except ValueError:  # a malformed date string in the document information
        return ""
    return created.date().isoformat() if isinstance(created, datetime) else ""


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__
