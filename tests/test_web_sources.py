"""URLs and feeds, end to end through `briefing ingest` into a real store, from a web site the
test serves on 127.0.0.1 with real saved news pages (never the internet): canonical ids,
re-ingest, feeds read twice, one error line per failed URL, and `--every` stopped by Ctrl-C
between two entries."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fpdf import FPDF

from index.read.fetch import FEED, PAGE, PDF, TEXT, FetchError, content_kind, refused_address
from index.settings import Settings
from index.store.chroma import Store
from qa.cli import main
from tests.conftest import ROOT, SHARED
from tests.web_server import Route, WebServer
from ui.upload import add_links

PAGES = SHARED / "data" / "webpages"
STADIA = "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856"  # WSJ
DAVIS_CUP = "0d46122928b6f468cc4bbc694051d0dbae5702bc75a16dab82a99b58daf150a0"  # Sportsnet
ERROR_LINE = "error: "
REFUSAL = ("the web page does not fetch loopback, private or link-local addresses "
           "(BRIEFING_ALLOW_PRIVATE_URLS)")


def saved_page(name: str, canonical: str) -> bytes:
    """A real saved page whose canonical link (its original URL) now names our site."""
    truth = json.loads((PAGES / "ground-truth.json").read_text(encoding="utf-8"))[name]
    markup = gzip.decompress((PAGES / "html" / f"{name}.html.gz").read_bytes()).decode("utf-8")
    assert truth["url"] in markup
    return markup.replace(truth["url"], canonical).encode("utf-8")


def rss(title: str, items: list[str]) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{title}</title><link>http://example.org/</link>{''.join(items)}"
            f"</channel></rss>").encode()


def item(guid: str, link: str, title: str, extra: str = "") -> str:
    return (f"<item><guid>{guid}</guid><link>{link}</link><title>{title}</title>"
            f"<pubDate>Tue, 19 Nov 2019 08:00:00 GMT</pubDate>{extra}</item>")


OWN_CONTENT = ("<content:encoded><![CDATA[<p>The harbour at Port Elling handled 12,000 "
               "containers in June, the port authority said.</p><script>alert(1)</script>"
               "<p>More ships will call next year.</p>]]></content:encoded>"
               "<author>desk@portelling.example (Mara Lund)</author>")
PLAIN_PAGE = (b"<html><body><p>" + b"The river ferry resumed service on Monday after a "
              b"two-week strike, the operator said in a statement to passengers. " * 4
              + b"</p></body></html>")


def report_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for text in ("Quarterly results were flat.", "The board approved a dividend of 12 cents."):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


@pytest.fixture
def site() -> Iterator[WebServer]:
    with WebServer() as server:
        server.routes.update({
            "/news/stadia": Route(saved_page(STADIA, server.url("/news/stadia"))),
            "/news/davis-cup": Route(saved_page(DAVIS_CUP, server.url("/news/davis-cup"))),
            "/go/davis-cup": Route(status=302, location="/news/davis-cup?utm_source=rss"),
            "/news/ferry": Route(PLAIN_PAGE),
            "/report.pdf": Route(report_pdf(), "application/pdf"),
            "/slow": Route(PLAIN_PAGE, delay=3.0),
            "/logo.png": Route(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
            "/huge": Route(b"<p>" + b"x" * (2 * 1024 * 1024) + b"</p>"),
            "/huge-unannounced": Route(b"<p>" + b"x" * (2 * 1024 * 1024) + b"</p>",
                                       send_length=False),
        })
        server.routes["/feed.xml"] = Route(rss("Port news", [
            item("a1", server.url("/go/davis-cup"), "Davis Cup"),
            item("a2", server.url("/news/stadia"), "Stadia"),
            item("a3", server.url("/harbour"), "Harbour traffic", OWN_CONTENT),
            item("a4", server.url("/gone"), "Gone"),
        ]), "application/rss+xml")
        yield server


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_FETCH_TIMEOUT", "1")
    monkeypatch.setenv("BRIEFING_FETCH_MAX_MB", "1")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, list[str]]:
    """Exit code, stdout, and the error lines on stderr."""
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, [line for line in err.splitlines() if line.startswith(ERROR_LINE)]


def articles(store_path: Path) -> dict[str, dict]:
    return dict(Store(store_path).iter_article_metadata())


def test_urls_go_in_and_each_failure_is_one_line(site: WebServer, limits: None, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    bad = {"/gone": "HTTP 404 Not Found", "/slow": "timed out after 1 s",
           "/logo.png": "content type image/png is not a web page, PDF, feed or plain text",
           "/huge": "2 MB exceeds the 1 MB limit",
           "/huge-unannounced": "more than the 1 MB limit (BRIEFING_FETCH_MAX_MB)"}
    urls = [site.url("/news/stadia?utm_source=x"), *map(site.url, bad), site.url("/report.pdf"),
            site.url("/go/davis-cup")]
    code, out, errors = run(["ingest", *urls, "--store", store], capsys)
    assert code == 0
    assert out.strip() == f"3 articles, {out.split()[2]} chunks added, 0 unchanged, 5 errors"
    assert len(errors) == len(bad)
    for line, (path, problem) in zip(errors, bad.items()):
        assert line.startswith(f"{ERROR_LINE}{site.url(path)}: ") and problem in line, line

    stored = articles(tmp_path / "store")
    stadia = stored[site.url("/news/stadia")]  # the canonical URL, not the one asked for
    assert (stadia["title"], stadia["date"], stadia["source"], stadia["author"]) == (
        "Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play…and Pay",
        "2019-11-19", "Wall Street Journal", "Sarah E Needleman")
    assert stadia["url"] == site.url("/news/stadia")
    assert site.url("/news/davis-cup") in stored  # redirected, then canonical
    report = Store(tmp_path / "store").get_articles([site.url("/report.pdf")])
    assert report[site.url("/report.pdf")].article.pages == (0, 30)


def test_a_second_ingest_replaces_only_what_changed(site: WebServer, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    urls = [site.url("/news/stadia"), site.url("/news/ferry")]
    code, out, _ = run(["ingest", *urls, "--store", store], capsys)
    assert code == 0 and out.startswith("2 articles")
    first = articles(tmp_path / "store")
    code, out, errors = run(["ingest", *urls, "--store", store], capsys)
    assert (code, errors) == (0, []) and out.startswith("0 articles, 0 chunks added, 2 unchanged")

    site.routes["/news/ferry"] = Route(PLAIN_PAGE.replace(b"Monday", b"Tuesday"))
    code, out, errors = run(["ingest", *urls, "--store", store], capsys)
    assert out.startswith("1 articles") and "1 unchanged" in out
    after = articles(tmp_path / "store")
    ferry = site.url("/news/ferry")
    assert after[ferry]["content_hash"] != first[ferry]["content_hash"]
    assert site.requests.count("/news/ferry") == 3  # fetched again each time


def test_a_feed_goes_in_once_and_then_only_its_new_entries(
        site: WebServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, feed = str(tmp_path / "store"), site.url("/feed.xml")
    code, out, errors = run(["ingest", feed, "--store", store], capsys)
    assert code == 0 and out.startswith("3 articles")
    assert errors == [f"{ERROR_LINE}{site.url('/gone')}: HTTP 404 Not Found"]
    stored = articles(tmp_path / "store")
    assert set(stored) == {site.url("/news/davis-cup"), site.url("/news/stadia"),
                           site.url("/harbour")}
    harbour = stored[site.url("/harbour")]  # the entry's own content, never fetched
    assert (harbour["title"], harbour["date"], harbour["source"]) == (
        "Harbour traffic", "2019-11-19", "Port news")
    assert "/harbour" not in site.requests
    text = Store(tmp_path / "store").get_articles([site.url("/harbour")])
    assert "alert" not in text[site.url("/harbour")].article.text

    fetched = len(site.requests)
    code, out, errors = run(["ingest", feed, "--store", store], capsys)
    assert out.startswith("0 articles, 0 chunks added, 0 unchanged, 1 errors, "
                          "3 feed entries already in the store")
    assert site.requests[fetched:] == ["/feed.xml", "/gone"]  # no known page fetched again

    site.routes["/feed.xml"].body = site.routes["/feed.xml"].body.replace(
        b"</channel>", item("a5", site.url("/news/ferry"), "Ferry back").encode() + b"</channel>")
    code, out, errors = run(["ingest", feed, "--store", store], capsys)
    assert out.startswith("1 articles")
    ferry = articles(tmp_path / "store")[site.url("/news/ferry")]
    # The page names no title, date or author: the entry's fill in.
    assert (ferry["title"], ferry["date"], ferry["source"]) == (
        "Ferry back", "2019-11-19", "Port news")


def test_a_feed_file_links_to_pages(site: WebServer, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    atom = tmp_path / "port.atom"
    atom.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Port desk</title><id>urn:port</id>
<updated>2019-11-20T00:00:00Z</updated>
<entry><id>urn:ferry</id><title>Ferry strike ends</title><link href="{site.url('/news/ferry')}"/>
<updated>2019-11-20T09:30:00Z</updated><author><name>Ana Ruiz</name></author></entry>
</feed>""", encoding="utf-8")
    store = str(tmp_path / "store")
    assert run(["ingest", str(atom), "--store", store], capsys)[1].startswith("1 articles")
    ferry = articles(tmp_path / "store")[site.url("/news/ferry")]
    assert (ferry["title"], ferry["date"], ferry["author"], ferry["source"]) == (
        "Ferry strike ends", "2019-11-20", "Ana Ruiz", "Port desk")
    assert run(["ingest", str(atom), "--store", store], capsys)[1].startswith("0 articles")


def test_following_a_feed_stops_cleanly_between_entries(site: WebServer, tmp_path: Path) -> None:
    """Round one takes the feed; then two slow entries appear, and Ctrl-C while the first is
    being fetched lets it finish and be written, and the second is never asked for."""
    site.routes["/feed.xml"] = Route(rss("Port news", [item("f1", site.url("/news/ferry"),
                                                            "Ferry")]), "application/rss+xml")
    site.routes["/slow-one"] = Route(PLAIN_PAGE.replace(b"river", b"harbour"), delay=2.0)
    site.routes["/slow-two"] = Route(PLAIN_PAGE.replace(b"river", b"canal"), delay=2.0)
    store = tmp_path / "store"
    env = {**os.environ, "BRIEFING_FETCH_TIMEOUT": "10", "PYTHONUNBUFFERED": "1"}
    follower = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "ingest", site.url("/feed.xml"), "--every", "1s",
         "--store", str(store)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    assert follower.stderr is not None
    try:
        first_round = next(line for line in follower.stderr if "next at" in line)
        assert "1 articles" in first_round, first_round
        slow = [item(f"s{n}", site.url(f"/slow-{n}"), f"Slow {n}") for n in ("one", "two")]
        site.routes["/feed.xml"].body = site.routes["/feed.xml"].body.replace(
            b"</channel>", "".join(reversed(slow)).encode() + b"</channel>")
        deadline = time.monotonic() + 60
        while "/slow-one" not in site.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        follower.send_signal(signal.SIGINT)
        _, rest = follower.communicate(timeout=60)
    finally:
        follower.kill()
    assert follower.returncode == 0, rest
    assert "stopping after this entry" in rest and rest.rstrip().endswith("briefing: stopped")
    assert "/slow-two" not in site.requests
    assert set(articles(store)) == {site.url("/news/ferry"), site.url("/slow-one")}


def test_the_web_page_fetches_no_loopback_address_unless_allowed(
        site: WebServer, tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    report = add_links(f"{site.url('/news/ferry')}\nhttp://localhost:9/x /etc/passwd", store)
    assert report.articles == 0 and site.requests == []
    assert [str(error) for error in report.errors] == [
        "/etc/passwd: not an http:// or https:// URL",
        f"{site.url('/news/ferry')}: 127.0.0.1 is a loopback address; {REFUSAL}",
        f"http://localhost:9/x: localhost resolves to 127.0.0.1, which is a loopback address; "
        f"{REFUSAL}"]

    allowed = Store(tmp_path / "store", replace(Settings(), allow_private_urls=True))
    report = add_links(site.url("/feed.xml"), allowed)
    assert report.articles == 3 and len(report.errors) == 1


@pytest.mark.parametrize(("address", "refused"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"),
    ("192.168.1.1", "private"), ("fd00::1", "private"), ("169.254.169.254", "link-local"),
    ("fe80::1%eth0", "link-local"), ("0.0.0.0", "unspecified"), ("224.0.0.251", "multicast"),
    ("100.64.0.1", "reserved"), ("93.184.215.14", None), ("2606:4700::6810:84e5", None),
])
def test_addresses_the_web_page_refuses(address: str, refused: str | None) -> None:
    assert refused_address(address) == refused


@pytest.mark.parametrize(("media", "body", "kind"), [
    ("text/html", b"<p>x</p>", PAGE), ("application/pdf", b"%PDF-1.7", PDF),
    ("application/octet-stream", b"%PDF-1.7", PDF), ("text/xml", b"<?xml?><rss>", FEED),
    ("", b"<!DOCTYPE html><html>", PAGE), ("text/plain", b"Just words.", TEXT),
    ("application/atom+xml", b"<feed/>", FEED),
])
def test_what_a_response_is(media: str, body: bytes, kind: str) -> None:
    assert content_kind(media, body) == kind
    with pytest.raises(FetchError, match="content type application/zip is not"):
        content_kind("application/zip", b"PK")
