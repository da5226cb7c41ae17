"""The chat page in a real chromium: cited answers, card focus, follow-ups, hostile uploads."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from index.store.chroma import Store

ANSWER_TIMEOUT = 90_000
HOSTILE_TITLE = "<img src=x onerror=alert(1)> Port Elling report"
HOSTILE_HTML = """<html><head><title>&lt;img src=x onerror=alert(1)&gt; Port Elling report</title>
</head><body><p>The port authority said &lt;script&gt;alert(1)&lt;/script&gt; the harbour at
Port Elling handled 12,000 containers in June.</p>
<p>Officials expect more ships to call at the harbour next year.</p></body></html>"""


def ask(page: Page, question: str, turn: int) -> Locator:
    """Type a question, send it, and wait for the first card of that turn's answer."""
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    card = page.locator(f"#cite-{turn}-1")
    card.wait_for(timeout=ANSWER_TIMEOUT)
    return card


def test_answer_cites_highlights_and_focuses_its_card(page: Page, dialogs: list[str],
                                                      artifacts: Path) -> None:
    card = ask(page, "What did Dunford say about revenue?", turn=1)
    link = page.locator("#chat a[href='#cite-1-1']")
    expect(link).to_have_text("[1]")
    expect(card.locator(".cite-passage mark")).to_contain_text(
        "lowest revenue at any point since 2014")
    expect(card.locator(".cite-meta")).to_contain_text("Joseph Dunford")
    page.screenshot(path=artifacts / "answer.png")

    link.click()
    expect(card).to_be_focused()
    expect(card).to_have_class(re.compile(r"\bcite-focus\b"))
    card.locator("details summary").click()
    expect(card.locator("#cite-1-1-mark")).to_be_in_viewport()
    page.screenshot(path=artifacts / "full-article.png")
    assert not dialogs


def test_follow_up_reads_the_conversation(page: Page) -> None:
    """Alone, "And what about territory?" finds nothing; after Dunford it asks about him."""
    ask(page, "What did Dunford say about revenue?", turn=1)
    follow_up = ask(page, "And what about territory?", turn=2)
    expect(page.locator("#cite-1-1")).to_have_count(0)
    expect(follow_up.locator(".cite-passage mark")).to_contain_text("territory")
    expect(follow_up.locator(".cite-meta")).to_contain_text("Dunford")


def test_hostile_upload_is_listed_answered_and_inert(page: Page, dialogs: list[str],
                                                     artifacts: Path, ui_store: Store,
                                                     tmp_path: Path) -> None:
    upload = tmp_path / "port<img src=x onerror=alert(1)>.html"
    upload.write_text(HOSTILE_HTML, encoding="utf-8")
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#upload input[type=file]").set_input_files(upload)
    expect(page.locator("#upload-report")).to_contain_text("1 articles", timeout=ANSWER_TIMEOUT)
    table = page.locator("#corpus-table")
    expect(table).to_contain_text(HOSTILE_TITLE)
    table.get_by_text(HOSTILE_TITLE).last.click()
    expect(page.locator("#reader h3")).to_have_text(HOSTILE_TITLE)
    expect(page.locator("#reader")).to_contain_text("<script>alert(1)</script>")
    page.screenshot(path=artifacts / "hostile-corpus.png")
    (staged,) = (ui_store.path / "uploads").iterdir()
    assert not set("<>=()/") & set(staged.name)

    page.get_by_role("tab", name="Chat").click()
    card = ask(page, "How many containers did Port Elling handle?", turn=1)
    expect(card.locator(".cite-title")).to_have_text(HOSTILE_TITLE)
    expect(card.locator(".cite-passage mark")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("#chat")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("#citations img, #chat .message img, #corpus-table img, #reader img")) \
        .to_have_count(0)
    page.screenshot(path=artifacts / "hostile.png")
    assert not dialogs


def test_delete_removes_a_clicked_article(page: Page, ui_store: Store, tmp_path: Path) -> None:
    upload = tmp_path / "short-note.txt"
    upload.write_text("The ferry to Skerry Island was cancelled on Monday.\n", encoding="utf-8")
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#upload input[type=file]").set_input_files(upload)
    table = page.locator("#corpus-table")
    expect(table).to_contain_text("short-note.txt", timeout=ANSWER_TIMEOUT)
    table.get_by_text("short-note.txt").last.click()
    expect(page.locator("#reader")).to_contain_text("The ferry to Skerry Island was cancelled")
    page.get_by_role("button", name="Delete article").click()
    expect(page.locator("#upload-report")).to_contain_text("Removed short-note.txt")
    expect(table).not_to_contain_text("short-note.txt")
    expect(page.locator("#reader")).to_contain_text("Choose an article")
    assert "short-note.txt" not in dict(ui_store.iter_article_metadata())


def test_filters_reach_ask_and_no_answer_says_so(page: Page) -> None:
    """The seed is undated, so a `since` date leaves nothing to answer from."""
    page.get_by_text("Filters").click()
    page.locator("#since input").first.fill("2030-01-01")
    page.locator("#question textarea").fill("What did Dunford say about revenue?")
    page.locator("#ask").click()
    expect(page.locator("#chat")).to_contain_text("Not found in the indexed briefings",
                                                  timeout=ANSWER_TIMEOUT)
    expect(page.locator("#citations")).to_contain_text("Cited passages appear here")
