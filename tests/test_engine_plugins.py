"""Engines own their settings: a plug-in declares its section; a broken plug-in is reported."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sawt import config
from sawt.cli import app
from sawt.errors import ConfigError, EngineError
from sawt.speech import engines
from sawt.speech.engines import available_engines, broken_plugins, check_engine_names, engine_info
from tests.plugin_engine import ToySettings


@pytest.fixture()
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    found = [
        EntryPoint("toy", "tests.plugin_engine:INFO", "sawt.engines"),
        EntryPoint("broken", "tests.no_such_module:INFO", "sawt.engines"),
    ]

    def entry_points(group: str) -> list[EntryPoint]:
        return found if group == "sawt.engines" else []

    monkeypatch.setattr(engines, "entry_points", entry_points)
    monkeypatch.setattr(config, "entry_points", entry_points)


def test_a_plugin_engine_and_its_section(plugins: None, tmp_path: Path) -> None:
    path = tmp_path / "podcast.yaml"
    path.write_text("engine: toy\ntoy:\n  voice: toy-ma\n  speed: 2\n", "utf-8")
    settings = config.load_settings(path)
    check_engine_names(settings)
    info = engine_info("toy")
    assert info.section(settings) == ToySettings(voice="toy-ma", speed=2)
    assert info.factory(settings).name == "toy-toy-ma"
    assert "toy" in available_engines()


def test_a_plugin_section_is_validated_with_its_line(plugins: None, tmp_path: Path) -> None:
    path = tmp_path / "podcast.yaml"
    path.write_text("title: t\ntoy:\n  voice: x\n  speed: 9\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        check_engine_names(config.load_settings(path))
    assert info.value.line == 4 and "toy.speed" in str(info.value)


def test_a_broken_plugin_is_reported_not_skipped(plugins: None, tmp_path: Path) -> None:
    assert "broken" in broken_plugins() and "No module named" in broken_plugins()["broken"]
    with pytest.raises(EngineError, match="plug-in 'broken' failed to load"):
        engine_info("broken")
    result = CliRunner().invoke(app, ["engines"])
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if "broken" in line]
    assert rows and "no" in rows[0]
    assert "plug-in failed to load" in result.stdout and "toy-ma" in result.stdout


def test_an_unknown_section_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "podcast.yaml"
    path.write_text("title: t\ntoy:\n  voice: x\n", "utf-8")
    with pytest.raises(ConfigError, match="toy"):
        config.load_settings(path)  # no plug-in called toy here: a typo


def test_espeak_lists_its_arabic_voices() -> None:
    from sawt.speech.engines.espeak import list_voices

    voices = list_voices("ar")
    assert voices and voices[0].startswith("ar")


def test_front_matter_picks_the_engine_and_voice(tmp_path: Path) -> None:
    from sawt.publishing.catalog import read_record
    from tests.showkit import new_show, run_sawt

    show = new_show(tmp_path / "show")
    article = "---\ntitle: ت\nengine: espeak\nvoice: {voice}\n---\n\nنص قصير.\n"
    (show / "a.md").write_text(article.format(voice="ar"), "utf-8")
    (show / "b.md").write_text(article.format(voice="zz"), "utf-8")
    proc = run_sawt("render", "a.md", cwd=show)  # podcast.yaml says auto: front matter wins
    assert proc.returncode == 0, proc.stderr
    record = read_record(show / "episodes" / "a.json")
    assert record.engine == "espeak" and "voice=ar " in (record.engine_identity or "")
    bad = run_sawt("render", "b.md", cwd=show)
    assert bad.returncode == 2 and "b.md" in bad.stderr and "voice 'zz'" in bad.stderr
    assert "Traceback" not in bad.stderr
