"""The Corpus tab's web inputs in a real chromium: a PDF upload goes in, and a URL on this
machine typed into the box is refused without being fetched."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from playwright.sync_api import Page, expect

from tests.ui.test_browser import ANSWER_TIMEOUT
from tests.web_server import Route, WebServer


def test_a_pdf_upload_is_indexed(page: Page, tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "The lighthouse on Skerry Point was repainted in May.")
    upload = tmp_path / "lighthouse.pdf"
    upload.write_bytes(bytes(pdf.output()))
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#upload")).to_contain_text(".pdf")
    page.locator("#upload input[type=file]").set_input_files(upload)
    expect(page.locator("#upload-report")).to_contain_text("1 articles", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#corpus-table")).to_contain_text("lighthouse.pdf")


def test_a_loopback_url_is_refused_from_the_page(page: Page, artifacts: Path) -> None:
    with WebServer() as site:
        site.routes["/story"] = Route(b"<p>Internal only.</p>")
        page.get_by_role("tab", name="Corpus").click()
        page.locator("#links textarea, #links input").first.fill(site.url("/story"))
        page.locator("#fetch").click()
        report = page.locator("#upload-report")
        expect(report).to_contain_text("127.0.0.1 is a loopback address",
                                       timeout=ANSWER_TIMEOUT)
        expect(report).to_contain_text("0 articles")
        page.screenshot(path=artifacts / "refused-url.png")
        assert site.requests == []
