"""PDFs made here by fpdf2 (a real PDF producer) and Pillow: the text layer page by page, page
numbers on citations through the real store and model, and a one-line error for each PDF that
has no text to give."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from index.ingest import ingest
from index.read.files import load_paths
from index.records import Article, LoadError
from index.store.chroma import Store
from qa.api import ask

HARBOUR = ("The harbour at Port Elling handled 12,000 containers in June, the port authority "
           "said on Monday. Traffic was up by a fifth on the same month last year.")
SHIPS = ("Officials expect more cruise ships to call at the harbour next year. The director, "
         "Mara Lund, said the new pier would open in April.")


def report_pdf(pages: list[list[str]], *, owner: str | None = None,
               user: str | None = None) -> bytes:
    """One page per entry of `pages`, each a list of paragraphs; encrypted when asked."""
    pdf = FPDF()
    pdf.set_title("Port Elling monthly report")
    pdf.set_author("Port Elling Authority")
    pdf.set_font("helvetica", size=11)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln()
    if owner is not None:
        pdf.set_encryption(owner_password=owner, user_password=user)
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """What a scanner gives: a page that is only a picture."""
    picture = Image.new("RGB", (850, 1100), "white")
    out = io.BytesIO()
    picture.save(out, "PDF", resolution=100)
    return out.getvalue()


def load_one(path: Path) -> Article | LoadError:
    items = list(load_paths([path]))
    assert len(items) == 1, items
    return items[0]


def test_each_page_is_a_paragraph_block_and_its_start_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf([[HARBOUR], [], [SHIPS]]))
    article = load_one(path)
    assert isinstance(article, Article)
    assert (article.id, article.title, article.author) == (
        "report.pdf", "Port Elling monthly report", "Port Elling Authority")
    first, third = article.text.split("\n\n")
    assert " ".join(first.split()) == HARBOUR and " ".join(third.split()) == SHIPS
    assert article.pages == (0, len(first) + 2, len(first) + 2)  # the blank page: no text
    assert [article.page_at(0), article.page_at(len(first) + 2)] == [1, 3]


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("scanned.pdf", scanned_pdf(), "no text layer in 1 page(s): a scanned or image-only PDF "
                                   "(briefing does not OCR)"),
    ("locked.pdf", report_pdf([[HARBOUR]], owner="owner", user="secret"),
     "encrypted PDF: it needs a password"),
    ("truncated.pdf", (whole := report_pdf([[HARBOUR], [SHIPS]]))[:len(whole) // 2],
     "damaged or truncated PDF"),
    ("fake.pdf", b"<html>not a pdf</html>", "damaged or truncated PDF"),
], ids=["image-only", "encrypted", "truncated", "not-a-pdf"])
def test_a_pdf_without_text_is_one_error_line_and_the_batch_goes_on(
        tmp_path: Path, name: str, content: bytes, problem: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "zz-good.txt"
    good.write_text("Still here.", encoding="utf-8")
    items = list(load_paths([bad, good]))
    errors = [item for item in items if isinstance(item, LoadError)]
    assert len(errors) == 1 and errors[0].path == str(bad)
    assert errors[0].problem.startswith(problem) and "\n" not in str(errors[0])
    assert [item.text for item in items if isinstance(item, Article)] == ["Still here."]
    assert capsys.readouterr().err == ""  # pypdf's own warnings stay off the terminal


def test_a_pdf_locked_only_against_copying_opens(tmp_path: Path) -> None:
    path = tmp_path / "protected.pdf"
    path.write_bytes(report_pdf([[HARBOUR]], owner="owner"))  # empty user password, AES
    article = load_one(path)
    assert isinstance(article, Article) and "12,000 containers" in article.text


def test_citations_of_a_pdf_name_their_page(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(report_pdf([[HARBOUR], [SHIPS]]))
    store = Store(tmp_path / "store")
    report = ingest([folder], store)
    assert report.articles == 1 and not report.errors, report.summary()

    answer = ask("When will the new pier open?", store=store)
    assert not answer.no_answer
    cited = answer.citations[0]
    assert "April" in cited.passage
    assert (cited.article_id, cited.page) == ("report.pdf", 2)
    assert ask("How many containers did Port Elling handle?",
               store=store).citations[0].page == 1


CLEAN_REPORT = report_pdf([[HARBOUR], [SHIPS]])


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(damage=st.lists(st.tuples(st.integers(0, len(CLEAN_REPORT) - 1),
                                 st.binary(min_size=1, max_size=16)), min_size=1, max_size=6))
def test_a_damaged_pdf_loads_or_is_one_error_line(damage: list[tuple[int, bytes]]) -> None:
    damaged = bytearray(CLEAN_REPORT)
    for position, junk in damage:
        damaged[position:position + len(junk)] = junk
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.pdf"
        path.write_bytes(bytes(damaged))
        (item,) = load_paths([path])
    if isinstance(item, LoadError):
        assert item.problem and "\n" not in str(item)
    else:
        assert item.text.strip() and item.pages
