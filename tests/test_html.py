"""HTML pages as files: the article and its metadata from real saved news pages, the fallback
for fragments, and nothing from scripts, styles or forms in the text."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from benchmarks.extraction import precision_recall_f1
from index.read.files import load_paths
from index.records import Article
from tests.conftest import SHARED

PAGES = SHARED / "data" / "webpages"
TRUTH = json.loads((PAGES / "ground-truth.json").read_text(encoding="utf-8"))
WSJ = "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856"
SPORTSNET = "0d46122928b6f468cc4bbc694051d0dbae5702bc75a16dab82a99b58daf150a0"
PAGE_WORDS = "".join(f"<p>The river ferry resumed its {side} service on Monday after a "
                     "two-week strike, the operator said.</p>"
                     for side in ("north", "south", "east", "west"))


def saved(name: str, folder: Path) -> Path:
    path = folder / f"{name[:8]}.html"
    path.write_bytes(gzip.decompress((PAGES / "html" / f"{name}.html.gz").read_bytes()))
    return path


def article_of(path: Path) -> Article:
    (article,) = load_paths([path])
    assert isinstance(article, Article), article
    return article


def test_a_saved_news_page_gives_its_article_and_metadata(tmp_path: Path) -> None:
    article = article_of(saved(WSJ, tmp_path))
    assert (article.id, article.title, article.date, article.source, article.author) == (
        "042bb7b5.html",
        "Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play…and Pay",
        "2019-11-19", "Wall Street Journal", "Sarah E Needleman")
    assert article.url == TRUTH[WSJ]["url"]  # the page's canonical link
    assert article.text.startswith("Gaming used to be so simple.")
    assert "Dow Jones, a News Corp company" not in article.text


def test_cookie_notices_captions_and_related_stories_stay_out(tmp_path: Path) -> None:
    article = article_of(saved(SPORTSNET, tmp_path))
    assert precision_recall_f1(TRUTH[SPORTSNET]["articleBody"], article.text)[2] > 0.95
    for furniture in ("Rogers Media uses cookies", "More from Sportsnet", "Join the Conversation",
                      "LATEST ATP NEWS"):
        assert furniture not in article.text
    assert article.text.split("\n\n")[0].startswith("MADRID — Rafael Nadal kept Spain’s hopes")


@pytest.mark.parametrize(("markup", "text"), [
    ("<p>Short note.</p>", "Short note."),
    ("<div>Meeting moved to <b>Friday</b>.</div>", "Meeting moved to Friday."),
    ("<body><h1>Main  headline</h1><div>Body text.</div></body>", "Main headline\n\nBody text."),
])
def test_fragments_trafilatura_rejects_still_load(tmp_path: Path, markup: str, text: str) -> None:
    path = tmp_path / "note.html"
    path.write_text(markup, encoding="utf-8")
    assert article_of(path).text == text


def test_a_page_wide_form_keeps_its_article_but_not_its_controls(tmp_path: Path) -> None:
    """ASP.NET pages put the whole page in one <form>."""
    path = tmp_path / "aspx.html"
    path.write_text(
        '<html><head><title>Ferry back</title></head><body><form id="aspnetForm">'
        '<label for="q">Search the site</label><input id="q" value="type here">'
        '<button>Go now</button><select><option>Choose edition</option></select>'
        f"<article>{PAGE_WORDS}</article><textarea>Your comment</textarea></form>"
        "</body></html>", encoding="utf-8")
    text = article_of(path).text
    assert text.count("The river ferry resumed") == 4
    for control in ("Search the site", "type here", "Go now", "Choose edition", "Your comment"):
        assert control not in text


def test_metadata_comes_from_json_ld_but_no_text_from_scripts(tmp_path: Path) -> None:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferry back",
            "datePublished": "2019-05-04T10:00:00Z", "author": {"@type": "Person",
                                                               "name": "Ana Ruiz"},
            "publisher": {"@type": "Organization", "name": "River Times"},
            "articleBody": "SCRIPTED body text that the page never shows."}
    path = tmp_path / "ld.html"
    path.write_text(
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script>'
        "<style>.x::after { content: 'STYLED' }</style></head><body>"
        f"<noscript>NOSCRIPT</noscript><template>TEMPLATED</template>{PAGE_WORDS}"
        "<script>document.write('WRITTEN')</script></body></html>", encoding="utf-8")
    article = article_of(path)
    assert (article.title, article.date, article.author, article.source) == (
        "Ferry back", "2019-05-04", "Ana Ruiz", "River Times")
    for hidden in ("SCRIPTED", "STYLED", "NOSCRIPT", "TEMPLATED", "WRITTEN"):
        assert hidden not in article.text
