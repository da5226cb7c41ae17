"""A live UI on a free loopback port over a seed-only store, another over a store of real White
House transcripts, and Debian's chromium to drive them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from index.ingest import ingest
from index.store.chroma import Store
from tests.conftest import SEED, SHARED

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BRIEFINGS = SHARED / "data" / "briefings-2021-22"
# Two months of Psaki's briefings as Omicron came (with a gaggle and two calls), and two of
# Karine Jean-Pierre's in July 2022: timelines, several speakers, days' briefings, kinds.
BRIEFING_DAYS = ("2021-11-29", "2021-11-30", "2021-12-01", "2021-12-02", "2021-12-03",
                 "2021-12-06", "2021-12-07", "2021-12-09", "2021-12-10", "2021-12-13",
                 "2021-12-14", "2021-12-16", "2021-12-17", "2021-12-20", "2021-12-21",
                 "2021-12-22", "2021-12-23", "2021-12-30", "2022-01-04", "2022-01-05",
                 "2022-01-06", "2022-01-07", "2022-01-10", "2022-01-12", "2022-01-13",
                 "2022-01-14", "2022-01-18", "2022-01-20", "2022-07-05", "2022-07-08")
# Of a day's transcripts, these (the press secretary's, the Omicron and Putin calls).
KEPT = ("press-briefing-by-press-secretary", "press-briefing-by-principal-deputy",
        "press-gaggle", "omicron-variants", "on-president-bidens-call-with-president-putin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def ui_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Its own store, because the tests upload into it (the shared `seed_store` stays clean)."""
    store = Store(tmp_path_factory.mktemp("ui-store"))
    assert ingest([SEED], store).articles == 1
    return store


def briefing_files() -> list[Path]:
    return [path for day in BRIEFING_DAYS for path in sorted(BRIEFINGS.glob(f"{day}-*.md"))
            if any(kept in path.name for kept in KEPT)]


@pytest.fixture(scope="session")
def briefings_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """31 real White House transcripts (about a minute to ingest)."""
    files = briefing_files()
    store = Store(tmp_path_factory.mktemp("briefings-store"))
    report = ingest(files, store)
    assert report.articles == len(files) == 31 and not report.errors, report.summary()
    return store


def served(store: Store) -> Iterator[str]:
    from ui.app import build_app, launch

    demo = build_app(store)
    port = free_port()
    launch(demo, store, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="session")
def app_url(ui_store: Store) -> Iterator[str]:
    yield from served(ui_store)


@pytest.fixture(scope="session")
def archive_url(briefings_store: Store) -> Iterator[str]:
    yield from served(briefings_store)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent; .ci/run installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of every JavaScript dialog the page opened: an XSS `alert` would land here."""
    return []


def opened(browser: Browser, url: str, dialogs: list[str]) -> Iterator[Page]:
    """A fresh tab on the app, its dialogs recorded from before the first load."""
    tab = browser.new_page(viewport={"width": 1400, "height": 950})
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(url, wait_until="domcontentloaded")
    yield tab
    tab.close()


@pytest.fixture
def page(browser: Browser, app_url: str, dialogs: list[str]) -> Iterator[Page]:
    yield from opened(browser, app_url, dialogs)


@pytest.fixture
def archive_page(browser: Browser, archive_url: str, dialogs: list[str]) -> Iterator[Page]:
    """A tab on the page over the White House transcripts."""
    yield from opened(browser, archive_url, dialogs)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots land here (gitignored) for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
