"""The page over two months of real White House briefings, in a real chromium: a timeline drawn
as dated entries above a chart, a day's briefing as its exchanges, the Corpus tab as an archive
to search, page through and read, and examples that name what was talked about."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from index.store.chroma import Store
from qa.examples import example_questions
from tests.ui.test_browser import ANSWER_TIMEOUT, ask

OMICRON = "How has what Psaki said about Omicron changed over time?"
DIGEST = "What was asked at the July 8, 2022 briefing?"
JULY_8 = "Press Briefing by Press Secretary Karine Jean-Pierre"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_a_timeline_shows_dated_entries_in_order_above_its_chart(
        archive_page: Page, artifacts: Path) -> None:
    ask(archive_page, OMICRON, turn=1)
    timeline = archive_page.locator("#timeline")
    expect(timeline).to_be_visible()
    entries = timeline.locator(".timeline-entry")
    expect(entries.first).to_be_visible()
    days = [entries.nth(n).locator("time").get_attribute("datetime")
            for n in range(entries.count())]
    assert len(days) >= 5 and days == sorted(days) and all(DATE.match(d) for d in days), days
    expect(entries.first.locator(".timeline-speaker")).to_have_text("Jen Psaki")
    expect(entries.first.locator(".timeline-text")).to_contain_text("Omicron")
    chart = archive_page.locator("#timeline-chart")
    expect(chart.locator("svg, canvas").first).to_be_visible()
    expect(chart).to_contain_text("Week")
    above = timeline.bounding_box()["y"] < chart.bounding_box()["y"]
    assert above, "the entries come above the chart"
    expect(archive_page.locator("#digest")).to_be_hidden()
    archive_page.screenshot(path=artifacts / "timeline.png", full_page=True)

    entries.nth(2).click()
    card = archive_page.locator("#cite-1-3")
    expect(card).to_have_class(re.compile(r"\bcite-focus\b"))
    expect(card.locator(".cite-meta")).to_contain_text(days[2])


def test_who_talked_over_time_draws_a_series_per_speaker(archive_page: Page) -> None:
    ask(archive_page, "Who talked about Omicron over time?", turn=1)
    speakers = archive_page.locator("#timeline .timeline-speaker").all_inner_texts()
    assert len(set(speakers)) > 1, speakers
    chart = archive_page.locator("#timeline-chart")
    expect(chart.locator("svg, canvas").first).to_be_visible()
    legend = chart.inner_text()
    assert sum(speaker in legend for speaker in set(speakers)) >= 2, legend


def test_a_days_briefing_lists_its_exchanges_and_opens_in_the_reader(
        archive_page: Page, artifacts: Path) -> None:
    ask(archive_page, DIGEST, turn=1)
    digest = archive_page.locator("#digest")
    expect(digest.locator("h3")).to_have_text(JULY_8)
    expect(digest.locator(".digest-meta")).to_contain_text("July 8, 2022")
    exchanges = digest.locator(".exchange")
    expect(exchanges.first.locator(".exchange-asked")).to_have_text("Opening")
    assert exchanges.count() >= 5
    expect(exchanges.nth(1).locator(".exchange-asked")).to_contain_text("Q:")
    expect(exchanges.nth(1).locator("a.cite-link")).to_have_attribute("href", "#cite-1-2")
    expect(archive_page.locator("#chat")).to_contain_text("Searched July 8, 2022")
    expect(archive_page.locator("#timeline")).to_be_hidden()
    archive_page.screenshot(path=artifacts / "digest.png", full_page=True)

    archive_page.locator("#digest-read").click()
    reader = archive_page.locator("#reader")
    expect(reader.locator("h3")).to_have_text(JULY_8)
    speakers = reader.locator(".turn-speaker")
    expect(speakers.first).to_have_text("Karine Jean-Pierre")
    expect(reader.locator(".turn:not(.turn-asked) .turn-speaker", has_text="Jen Klein").first) \
        .to_be_visible()
    expect(reader.locator(".turn-asked").first).to_be_attached()


def table_column(page: Page, column: int) -> list[str]:
    """The column's cells the table has drawn (it draws the rows in view), from 0."""
    cells = page.locator(f"#corpus-table [data-testid^='cell-'][data-testid$='-{column}']")
    return [cell.strip() for cell in cells.all_inner_texts()]


def test_the_corpus_tab_lists_newest_first_searches_pages_and_reads(
        archive_page: Page, artifacts: Path) -> None:
    archive_page.get_by_role("tab", name="Corpus").click()
    table = archive_page.locator("#corpus-table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers[:5] == ["Date", "Title", "Kind", "Speakers", "Source"], headers
    expect(table).to_contain_text("2022-07-08")
    dates = table_column(archive_page, 0)
    assert len(dates) >= 10 and dates == sorted(dates, reverse=True), dates
    assert dates[0] == "2022-07-08"
    expect(archive_page.locator("#corpus-page")).to_contain_text("31 articles · page 1 of 2")
    expect(archive_page.locator("#corpus-summary")).to_contain_text(
        "31 articles · ")
    expect(table).not_to_contain_text(".md")
    archive_page.screenshot(path=artifacts / "corpus.png", full_page=True)

    archive_page.locator("#corpus-older").click()
    expect(archive_page.locator("#corpus-page")).to_contain_text("page 2 of 2")
    expect(table).to_contain_text("2021-11-29")

    archive_page.locator("#corpus-search textarea, #corpus-search input").first.fill("gaggle")
    expect(archive_page.locator("#corpus-page")).to_contain_text("3 of 31 articles match")
    kinds = table_column(archive_page, 2)
    assert kinds == ["gaggle"] * 3, kinds
    titles = table_column(archive_page, 1)
    assert all("Gaggle" in title for title in titles), titles

    table.get_by_text("2021-12-17").click()
    reader = archive_page.locator("#reader")
    expect(reader.locator("h3")).to_contain_text("Press Gaggle by Press Secretary Jen Psaki")
    expect(reader.locator(".turn-speaker").first).to_have_text("Jen Psaki")
    expect(reader.locator(".turn-asked .turn-speaker").first).to_have_text("Reporter")
    reader.scroll_into_view_if_needed()
    archive_page.screenshot(path=artifacts / "reader.png", full_page=True)


def test_the_examples_name_real_topics_and_one_answers_with_citations(
        archive_page: Page, briefings_store: Store, artifacts: Path) -> None:
    examples = example_questions(briefings_store)
    shown = archive_page.locator("#examples")
    for example in examples:
        expect(shown).to_contain_text(example)
    expect(archive_page.locator("#question textarea")).to_have_attribute(
        "placeholder", examples[0])
    shown.get_by_text(examples[0]).click()
    expect(archive_page.locator("#question textarea")).to_have_value(examples[0])
    archive_page.locator("#ask").click()
    archive_page.locator("#cite-1-1").wait_for(timeout=ANSWER_TIMEOUT)
    archive_page.screenshot(path=artifacts / "examples.png")
