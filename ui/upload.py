"""Uploaded files: size-checked, copied into `<store>/uploads/` under a safe name, then ingested;
and URLs or feeds typed into the page, fetched from public addresses only.

The browser chooses the file name, so it is never trusted: the copy's name is a sanitised
basename (no folders, no `..`, no NUL or control characters, no hidden dot-names)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.ingest import IngestReport, ingest
from index.read.files import MB, SUPPORTED
from index.records import LoadError
from index.sources import ingest_urls
from index.store.chroma import Store

UPLOADS = "uploads"
SUFFIXES = SUPPORTED
MAX_LINKS = 20
UNSAFE = re.compile(r"[^\w.\- ]+")
MAX_NAME = 120


class UploadError(ValueError):
    """A file refused before ingest; the message is the reason."""


def safe_name(name: str) -> str:
    """A basename that stays inside the uploads folder whatever the browser sent."""
    base = re.split(r"[\\/]", name.replace("\0", ""))[-1]
    cleaned = UNSAFE.sub("_", base).strip(" ._")
    if len(cleaned) > MAX_NAME:
        suffix = Path(cleaned).suffix[:16]
        cleaned = cleaned[:MAX_NAME - len(suffix)] + suffix
    return cleaned or "upload"


def stage(upload: Path, folder: Path, max_mb: float) -> Path:
    """Copy one upload into `folder`; refuses oversized files and unsupported formats."""
    target = folder / safe_name(upload.name)
    size = upload.stat().st_size
    if size > max_mb * MB:
        raise UploadError(f"{size / MB:.4g} MB exceeds the {max_mb:g} MB upload limit "
                          "(BRIEFING_MAX_UPLOAD_MB)")
    if target.suffix.lower() not in SUFFIXES:
        raise UploadError(f"not a supported format; use {' '.join(SUFFIXES)}")
    if target.resolve().parent != folder.resolve():
        raise UploadError("refused: it would be written outside the uploads folder")
    shutil.copyfile(upload, target)
    return target


@dataclass
class UploadProgress:
    """Where an upload is: which file, and how many articles of it have been read."""

    files: int
    done: int = 0
    name: str = ""
    articles: int = 0


def add_uploads(uploads: Sequence[str | Path], store: Store,
                on_progress: Callable[[UploadProgress], None] | None = None) -> IngestReport:
    """Stage and ingest each file in turn; one bad file is reported, never fatal to the rest.

    Errors name the file as uploaded, never the server's store path."""
    folder = store.path / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    total, state = IngestReport(), UploadProgress(files=len(uploads))
    show = on_progress or (lambda _: None)

    def read_one(_: object) -> None:
        state.articles += 1
        show(state)

    for done, upload in enumerate(map(Path, uploads)):
        state.done, state.name, state.articles = done, safe_name(upload.name), 0
        show(state)
        try:
            report = ingest([stage(upload, folder, store.settings.max_upload_mb)], store,
                            on_article=read_one)
        except (UploadError, OSError) as error:
            problem = getattr(error, "strerror", None) or str(error)
            total.errors.append(LoadError(state.name, problem))
            continue
        total.articles += report.articles
        total.chunks += report.chunks
        total.unchanged += report.unchanged
        total.errors += [LoadError(Path(e.path).name, e.problem) for e in report.errors]
    return total


def add_links(text: str, store: Store,
              on_progress: Callable[[UploadProgress], None] | None = None) -> IngestReport:
    """Ingest the URLs and feeds typed into the page (one per line or space-separated).
    Unless the operator set BRIEFING_ALLOW_PRIVATE_URLS, nothing is fetched from a loopback,
    private or link-local address, redirects and feed links included."""
    links = text.split()
    if len(links) > MAX_LINKS:
        return IngestReport(errors=[LoadError(f"{len(links)} links", f"at most {MAX_LINKS} "
                                                                     "at a time")])
    state = UploadProgress(files=len(links), name="links")
    show = on_progress or (lambda _: None)

    def read_one(_: object) -> None:
        state.articles += 1
        show(state)

    show(state)
    return ingest_urls(links, store, public_only=not store.settings.allow_private_urls,
                       on_article=read_one)
