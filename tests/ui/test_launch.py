"""Launch policy and the `/ask` API: loopback by default, login on request, same JSON as the CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from gradio_client import Client

from index.store.chroma import Store
from qa.cli import main
from tests.conftest import ROOT
from tests.ui.conftest import free_port
from ui.serve import check_bind, is_loopback, parse_auth

QUESTION = "What did Dunford say about revenue?"


def test_ask_endpoint_returns_the_cli_json(app_url: str, ui_store: Store,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    answer = Client(app_url, verbose=False).predict(QUESTION, api_name="/ask")
    assert main(["ask", "--json", "--store", str(ui_store.path), QUESTION]) == 0
    assert answer == json.loads(capsys.readouterr().out)
    assert answer["citations"][0]["n"] == 1 and not answer["no_answer"]


def test_login_is_required_when_auth_is_set(ui_store: Store) -> None:
    from ui.app import build_app, launch

    demo, port = build_app(ui_store), free_port()
    launch(demo, ui_store, host="127.0.0.1", port=port, credentials=("ann", "s3:cret"),
           block=False)
    try:
        url = f"http://127.0.0.1:{port}/"
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a bare ValueError
            Client(url, verbose=False)
        assert Client(url, auth=("ann", "s3:cret"), verbose=False).predict(
            QUESTION, api_name="/ask")["citations"]
    finally:
        demo.close()


def test_cli_refuses_a_public_host_without_login() -> None:
    port = free_port()
    env = {**os.environ, "BRIEFING_AUTH": ""}
    done = subprocess.run([sys.executable, "-m", "qa.cli", "ui", "--host", "0.0.0.0",
                           "--port", str(port)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--insecure" in done.stderr
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize(("host", "credentials", "insecure"), [
    ("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False),
    ("0.0.0.0", ("a", "b"), False), ("192.168.1.5", None, True)])
def test_allowed_binds(host: str, credentials: tuple[str, str] | None, insecure: bool) -> None:
    check_bind(host, credentials, insecure)


def test_public_hosts_are_not_loopback() -> None:
    assert not any(is_loopback(host) for host in ("0.0.0.0", "10.0.0.1", "example.com", ""))


def test_auth_parsing() -> None:
    assert parse_auth("ann:pa:ss") == ("ann", "pa:ss")
    assert parse_auth("") is None
    for bad in ("ann", ":pw", "ann:"):
        with pytest.raises(ValueError, match="user:password"):
            parse_auth(bad)
