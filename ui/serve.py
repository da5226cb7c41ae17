"""`briefing ui`: loopback by default, Gradio's login when asked, and no exposed page without one.

The policy checks run before Gradio or the model load, so a refused start is instant."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from index.settings import Settings

DEFAULT_EVERY = 30 * 60.0


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """`user:password` → (user, password); the password may itself contain colons."""
    if not value:
        return None
    user, colon, password = value.partition(":")
    if not (colon and user and password):
        raise ValueError("auth must be user:password (BRIEFING_AUTH or --auth)")
    return user, password


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, credentials: tuple[str, str] | None, insecure: bool) -> None:
    """Anyone on the network could read and delete the corpus: demand a login or consent."""
    if credentials is None and not insecure and not is_loopback(host):
        raise ValueError(f"refusing to serve on {host} without a login; set "
                         "BRIEFING_AUTH=user:password (or --auth), or pass --insecure")


def serve(*, store: str | None, host: str, port: int, auth: str | None,
          insecure: bool, settings: Settings | None = None, follow: Sequence[str] = (),
          every: float = DEFAULT_EVERY) -> None:
    """Check the bind policy, then open the store and serve until interrupted, ingesting the
    `follow` sources (feeds, pages) again every `every` seconds meanwhile."""
    settings = settings or Settings()
    credentials = parse_auth(auth or settings.auth)
    check_bind(host, credentials, insecure)
    from index.follow import Follower
    from index.store.chroma import Store

    opened = Store(store, settings)
    opened.preload_vectors()  # while Gradio is imported
    from ui.app import build_app, launch

    follower = Follower(list(follow), opened, every) if follow else None
    if follower is not None:
        follower.start()
    try:
        launch(build_app(opened, follower), opened, host=host, port=port,
               credentials=credentials)
    finally:
        if follower is not None:
            follower.stop()
