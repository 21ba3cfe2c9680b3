"""The command line: errors exit 2 and write nothing; dry runs; engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sawt.cli import app
from tests.conftest import SAMPLE

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


BAD_INPUTS = {
    "empty.md": b"",
    "binary.txt": b"\x00\x01\x02\xff\xfe",
    "notes.docx": b"PK\x03\x04",
    "front.md": b"---\ntitle: [oops\n---\n\ntext\n",
    "latin1.txt": "café crème brûlée, déjà vu".encode("latin-1"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exit_2_nothing_written(workdir: Path, name: str) -> None:
    path = workdir / name
    path.write_bytes(BAD_INPUTS[name])
    code, _, err = invoke("render", str(path))
    assert code == 2
    assert name in err and "error" in err
    assert not (workdir / "episodes").exists()


def test_invalid_config_exit_2_names_field_and_line(workdir: Path) -> None:
    (workdir / "podcast.yaml").write_text("title: x\npauses:\n  sentence: lots\n", "utf-8")
    code, _, err = invoke("render", str(SAMPLE))
    assert code == 2
    assert "podcast.yaml:3" in err and "pauses.sentence" in err
    assert not (workdir / "episodes").exists()


def test_unknown_config_key_is_an_error(workdir: Path) -> None:
    (workdir / "podcast.yaml").write_text("titel: typo\n", "utf-8")
    code, _, err = invoke("render", str(SAMPLE))
    assert code == 2 and "titel" in err and ":1" in err


def test_unknown_engine_lists_known_ones(workdir: Path) -> None:
    code, _, err = invoke("render", str(SAMPLE), "--engine", "nope")
    assert code != 0
    assert "unknown engine 'nope'" in err and "espeak" in err
    assert not (workdir / "episodes").exists()


def test_dry_run_json(workdir: Path) -> None:
    code, out, _ = invoke("render", str(SAMPLE), "--dry-run", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["title"].startswith("تعزيز التعاون")
    pieces = data["pieces"]
    assert {"original", "spoken", "pause_ms"} <= set(pieces[0])
    assert pieces[0]["role"] == "title" and pieces[1]["role"] == "source"
    assert not (workdir / "episodes").exists()


def test_dry_run_text_shows_pieces_and_pauses(workdir: Path) -> None:
    code, out, _ = invoke("render", str(SAMPLE), "--dry-run")
    assert code == 0
    assert "ميديا أونكيت 24" in out and "1200 ms" in out and "pieces" in out


def test_engines_lists_espeak_usable() -> None:
    code, out, _ = invoke("engines")
    # The espeak row itself must say "yes" ("auto" is always usable, so a "yes"
    # anywhere in the table proves nothing).
    rows = [line for line in out.splitlines() if line.startswith("│ espeak ")]
    assert code == 0 and len(rows) == 1
    assert rows[0].split("│")[2].strip() == "yes"


def test_help_lists_commands() -> None:
    code, out, _ = invoke("--help")
    assert code == 0 and "render" in out and "engines" in out
