"""One web resource for ingest: a GET with a time limit, a size cap, a content-type check,
redirects and our user agent; every failure is a `FetchError` with a one-line message.

A fetcher for the web page (`public_only`) reaches public addresses only. The host name is
resolved here, each of its addresses checked, and the connection made to a checked address
(so a second lookup cannot swap in a private one); every redirect hop goes through the same
check. Otherwise a visitor could make the server read its own loopback services, the cloud
metadata address or the office network.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from index.settings import Settings

PAGE, PDF, FEED, TEXT = "page", "pdf", "feed", "text"
MEDIA_KINDS = {
    "text/html": PAGE, "application/xhtml+xml": PAGE, "application/pdf": PDF,
    "application/rss+xml": FEED, "application/atom+xml": FEED, "application/rdf+xml": FEED,
    "application/xml": FEED, "text/xml": FEED, "text/plain": TEXT,
}
# Types servers give whatever they send: the first bytes decide.
SNIFFED_MEDIA = frozenset({"", "application/octet-stream", "application/xml", "text/xml",
                           "text/plain"})
SNIFF_BYTES = 1024
ACCEPT = ("text/html,application/xhtml+xml,application/pdf,application/rss+xml,"
          "application/atom+xml,application/xml;q=0.9,text/plain;q=0.8")
MAX_REDIRECTS = 5
MB = 1024 * 1024
REFUSED_ADDRESSES = (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                     ("is_unspecified", "unspecified"), ("is_multicast", "multicast"),
                     ("is_private", "private"))


class FetchError(Exception):
    """A URL that could not be fetched; `str()` is the one-line reason."""


@dataclass(frozen=True)
class Fetched:
    """`url` is where the content came from, after redirects; `kind` is PAGE, PDF, FEED or
    TEXT."""

    url: str
    kind: str
    body: bytes
    charset: str | None = None


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 20.0
    max_bytes: int = 20 * MB
    user_agent: str = "briefing/0.1"
    public_only: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, *, public_only: bool) -> FetchLimits:
        return cls(settings.fetch_timeout, int(settings.fetch_max_mb * MB), settings.user_agent,
                   public_only)


class Fetcher:
    """Fetches with one connection pool; use it as a context manager, or `close()` it."""

    def __init__(self, limits: FetchLimits) -> None:
        self.limits = limits
        # A proxy from the environment would resolve names itself, past the address check.
        self._client = httpx.Client(
            follow_redirects=True, max_redirects=MAX_REDIRECTS,
            timeout=httpx.Timeout(limits.timeout),
            headers={"User-Agent": limits.user_agent, "Accept": ACCEPT},
            transport=_PublicOnlyTransport() if limits.public_only else None,
            trust_env=not limits.public_only)

    def get(self, url: str) -> Fetched:
        if not url.lower().startswith(("http://", "https://")):
            raise FetchError("only http:// and https:// URLs can be fetched")
        deadline = time.monotonic() + self.limits.timeout
        try:
            with self._client.stream("GET", url) as response:
                _check_status(response)
                media = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if media not in MEDIA_KINDS and media not in SNIFFED_MEDIA:
                    raise FetchError(_unsupported(media))  # before a byte of it is read
                body = self._read(response, deadline)
                final_url = str(response.url)
                charset = response.charset_encoding
        except httpx.TimeoutException:
            raise FetchError(self._timed_out()) from None
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
        except httpx.UnsupportedProtocol:
            raise FetchError("redirected to a URL that is not http:// or https://") from None
        except httpx.InvalidURL as error:
            raise FetchError(f"invalid URL ({_one_line(error)})") from None
        except httpx.HTTPError as error:
            raise FetchError(f"cannot fetch ({_one_line(error) or type(error).__name__})") \
                from None
        return Fetched(final_url, content_kind(media, body), body, charset)

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        """The body, refused as soon as it passes the cap, even when the server sends no
        length or a false one; a server that trickles bytes meets the overall deadline."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise FetchError(self._too_big(int(declared)))
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.limits.max_bytes:
                raise FetchError(self._too_big())
            if time.monotonic() > deadline:
                raise FetchError(self._timed_out())
            chunks.append(chunk)
        return b"".join(chunks)

    def _timed_out(self) -> str:
        return f"timed out after {self.limits.timeout:g} s (BRIEFING_FETCH_TIMEOUT)"

    def _too_big(self, declared: int | None = None) -> str:
        limit = f"the {self.limits.max_bytes / MB:g} MB limit (BRIEFING_FETCH_MAX_MB)"
        return f"{declared / MB:.3g} MB exceeds {limit}" if declared else f"more than {limit}"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def content_kind(media: str, body: bytes) -> str:
    """PAGE, PDF, FEED or TEXT from the declared type, or from the first bytes where the
    declared type says little."""
    if media in SNIFFED_MEDIA:
        head = body[:SNIFF_BYTES].lstrip().lower()
        if head.startswith(b"%pdf-"):
            return PDF
        if any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf")):
            return FEED
        if head.startswith((b"<!doctype html", b"<html")):
            return PAGE
    if media in MEDIA_KINDS:
        return MEDIA_KINDS[media]
    if media in SNIFFED_MEDIA:  # no usable type, nothing recognisable: treat as text
        return TEXT
    raise FetchError(_unsupported(media))


def refused_address(address: str) -> str | None:
    """Why the web page may not connect to `address` ("loopback", ...), or None if public."""
    ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone index
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for test, name in REFUSED_ADDRESSES:
        if getattr(ip, test):
            return name
    return None if ip.is_global else "reserved"


def public_address(host: str, port: int) -> str:
    """An address of `host` to connect to; every address it resolves to must be public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host} ({_one_line(error)})") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    for address in addresses:
        if reason := refused_address(address):
            named = host if host == address else f"{host} resolves to {address}, which"
            raise FetchError(f"{named} is a {reason} address; the web page does not fetch "
                             "loopback, private or link-local addresses "
                             "(BRIEFING_ALLOW_PRIVATE_URLS)")
    return addresses[0]


def _unsupported(media: str) -> str:
    return f"content type {media} is not a web page, PDF, feed or plain text"


def _check_status(response: httpx.Response) -> None:
    if response.status_code >= 400:
        raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


class _PublicOnlyTransport(httpx.HTTPTransport):
    """Each request (every redirect hop is one) goes to a checked address of its host, with
    the host's name kept for the Host header and TLS."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url, extensions = request.url, request.extensions
        default_port = 443 if url.scheme == "https" else 80
        address = public_address(url.host, url.port or default_port)
        request.url = url.copy_with(host=address)
        request.extensions = {**extensions, "sni_hostname": url.host}
        try:
            return super().handle_request(request)
        finally:  # redirects are resolved against the URL as the user saw it
            request.url, request.extensions = url, extensions
