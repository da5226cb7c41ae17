"""Uploads never leave `<store>/uploads/`, whatever the browser calls the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.upload import UploadError, safe_name, stage


@pytest.mark.parametrize(("sent", "kept"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\win.ini.md", "win.ini.md"),
    (".bashrc.txt", "bashrc.txt"),
    ("a\x00b.csv", "ab.csv"),
    ("<img src=x onerror=alert(1)>.html", "img src_x onerror_alert_1_.html"),
    ("..", "upload"),
    ("", "upload"),
    ("Report 2017 – ISIS.txt", "Report 2017 _ ISIS.txt"),
])
def test_safe_name(sent: str, kept: str) -> None:
    assert safe_name(sent) == kept


def test_long_names_keep_their_extension() -> None:
    name = safe_name("x" * 500 + ".jsonl")
    assert len(name) == 120 and name.endswith(".jsonl")


def test_stage_copies_inside_the_folder(tmp_path: Path) -> None:
    upload = tmp_path / "in" / "..briefing note.txt"
    upload.parent.mkdir()
    upload.write_text("Text.", encoding="utf-8")
    folder = tmp_path / "uploads"
    folder.mkdir()
    staged = stage(upload, folder, max_mb=1)
    assert staged == folder / "briefing note.txt" and staged.read_text() == "Text."


def test_stage_refuses_big_and_unsupported_files(tmp_path: Path) -> None:
    big, odd = tmp_path / "big.txt", tmp_path / "tool.exe"
    big.write_bytes(b"a" * 2048)
    odd.write_bytes(b"MZ")
    with pytest.raises(UploadError, match="upload limit"):
        stage(big, tmp_path, max_mb=0.001)
    with pytest.raises(UploadError, match="not a supported format"):
        stage(odd, tmp_path, max_mb=1)
