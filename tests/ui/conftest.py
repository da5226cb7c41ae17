"""A live UI on a free loopback port over a seed-only store, and Debian's chromium to drive it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from index.ingest import ingest
from index.store.chroma import Store
from tests.conftest import SEED

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


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


@pytest.fixture(scope="session")
def app_url(ui_store: Store) -> Iterator[str]:
    from ui.app import build_app, launch

    demo = build_app(ui_store)
    port = free_port()
    launch(demo, ui_store, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


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


@pytest.fixture
def page(browser: Browser, app_url: str, dialogs: list[str]) -> Iterator[Page]:
    """A fresh tab on the app, its dialogs recorded from before the first load."""
    tab = browser.new_page(viewport={"width": 1400, "height": 950})
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(app_url, wait_until="domcontentloaded")
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots land here (gitignored) for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
