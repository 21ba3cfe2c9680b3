"""The catalog: re-render keeps GUID and date, remove, list, concurrency, init, config errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from sawt.cli import app
from sawt.config import load_settings
from sawt.models import AudioFacts, EpisodeRecord
from sawt.publishing.catalog import save_record, scan
from sawt.starter import STARTER
from tests.showkit import (
    SAMPLE,
    copy_show,
    new_show,
    run_sawt,
    sawt_env,
    short_article,
    show_yaml,
    write_png,
)


def feed_entries(folder: Path) -> list[feedparser.FeedParserDict]:
    d = feedparser.parse(str(folder / "episodes" / "feed.xml"))
    assert not d.bozo, d.get("bozo_exception")
    return list(d.entries)


def test_rerender_keeps_guid_and_pub_date(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    before = json.loads((show / "episodes" / "nasty.json").read_text("utf-8"))
    old_entry = next(e for e in feed_entries(show) if e.id == before["guid"])
    old_vtt = (show / "episodes" / "nasty.vtt").read_text("utf-8")
    # Change the article so the audio really is replaced.
    article = show / "nasty.md"
    article.write_text(article.read_text("utf-8") + "\nفقرة جديدة مضافة في النهاية.\n", "utf-8")
    proc = run_sawt("render", "nasty.md", cwd=show)
    assert proc.returncode == 0, proc.stderr
    after = json.loads((show / "episodes" / "nasty.json").read_text("utf-8"))
    assert after["guid"] == before["guid"]
    assert after["pub_date"] == before["pub_date"]
    assert after["duration_ms"] > before["duration_ms"]
    entries = feed_entries(show)
    assert len(entries) == 2
    entry = next(e for e in entries if e.id == before["guid"])
    assert entry.published == old_entry.published
    assert int(entry.enclosures[0].length) == (show / "episodes" / "nasty.mp3").stat().st_size
    assert (show / "episodes" / "nasty.vtt").read_text("utf-8") != old_vtt


def test_save_record_is_new_without_a_previous_one(tmp_path: Path) -> None:
    rec = EpisodeRecord(
        slug="x",
        title="t",
        rendered_at="2025-01-02T03:04:05+00:00",
        duration_ms=1,
        audio=AudioFacts(file="x.mp3", bytes=1),
        chapters=(),
        timeline=(),
    )
    saved = save_record(tmp_path / "x.json", rec)
    assert saved.guid is not None and saved.guid.startswith("urn:uuid:")
    assert saved.pub_date == "2025-01-02T03:04:05+00:00"
    later = rec.model_copy(update={"rendered_at": "2026-01-01T00:00:00+00:00"})
    again = save_record(tmp_path / "x.json", later)
    assert (again.guid, again.pub_date) == (saved.guid, saved.pub_date)


def test_episodes_and_remove(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    listing = run_sawt("episodes", cwd=show)
    assert listing.returncode == 0, listing.stderr
    assert "nasty" in listing.stdout and SAMPLE.stem in listing.stdout
    # The sample is 4–5 min at espeak's 130 wpm.
    assert "espeak" in listing.stdout and "│ 4:" in listing.stdout

    proc = run_sawt("remove", "nasty", cwd=show)
    assert proc.returncode == 0, proc.stderr
    left = sorted(p.name for p in (show / "episodes").iterdir())
    assert not [name for name in left if name.startswith("nasty")]
    entries = feed_entries(show)
    assert [e.title for e in entries] == [
        "تعزيز التعاون الأمني المغربي-الفرنسي لمواجهة التحديات الإقليمية والدولية"
    ]
    assert run_sawt("check", cwd=show).returncode == 0

    again = run_sawt("remove", "nasty", cwd=show)
    assert again.returncode == 2 and "no episode 'nasty'" in again.stderr
    bad = run_sawt("remove", "../podcast", cwd=show)
    assert bad.returncode == 2 and (show / "podcast.yaml").exists()


def test_four_concurrent_renders(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    for n in range(4):
        (show / f"art{n}.md").write_text(short_article(n), "utf-8")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sawt", "render", f"art{n}.md"],
            cwd=show,
            env=sawt_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    entries = feed_entries(show)
    assert sorted(e.title for e in entries) == [f"المقال رقم {n}" for n in range(4)]
    assert len({e.id for e in entries}) == 4
    check = run_sawt("check", cwd=show)
    assert check.returncode == 0, check.stdout
    leftovers = [p.name for p in (show / "episodes").iterdir() if p.name.endswith(".part")]
    assert leftovers == []


def test_render_no_feed(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    (show / "a.md").write_text(short_article(9), "utf-8")
    proc = run_sawt("render", "a.md", "--no-feed", cwd=show)
    assert proc.returncode == 0, proc.stderr
    assert (show / "episodes" / "art-9.json").exists()
    assert not (show / "episodes" / "feed.xml").exists()
    assert not (show / "episodes" / "art-9.vtt").exists()
    assert run_sawt("feed", cwd=show).returncode == 0
    assert [e.title for e in feed_entries(show)] == ["المقال رقم 9"]
    assert (show / "episodes" / "art-9.vtt").exists()


def test_broken_record_is_left_out(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    (show / "episodes" / "junk.json").write_text("{not json", "utf-8")
    proc = run_sawt("feed", cwd=show)
    assert proc.returncode == 0
    assert "junk.json" in proc.stderr
    assert len(feed_entries(show)) == 2
    assert len(scan(show / "episodes").broken) == 1


# --- sawt init ------------------------------------------------------------------


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    config = tmp_path / "podcast.yaml"
    assert config.read_text("utf-8") == STARTER
    assert (tmp_path / "episodes").is_dir()
    assert load_settings(config).category == "News"
    config.write_text("title: mine\n", "utf-8")
    again = runner.invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == 0  # a harmless no-op (issue 15), never an overwrite
    assert "exist already" in again.output
    assert config.read_text("utf-8") == "title: mine\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- invalid podcast.yaml ---------------------------------------------------------

BAD_CONFIGS = [
    ({"category": "Cooking"}, "category", "Apple's categories"),
    ({"subcategory": "Cricket"}, "subcategory", "not an Apple subcategory of News"),
    ({"category": "History", "subcategory": "Daily News"}, "subcategory", "none"),
    ({"owner": "\n  name: x\n  email: not-an-address"}, "owner.email", "e-mail"),
    ({"base_url": "example.org/episodes"}, "base_url", "absolute http"),
    ({"base_url": "ftp://example.org/"}, "base_url", "absolute http"),
    ({"link": "www.example.org"}, "link", "absolute http"),
    ({"explicit": "maybe"}, "explicit", "bool"),
    ({"type": "weekly"}, "type", "episodic"),
    ({"title": '""'}, "title", "at least 1"),
    ({"image": "missing.png"}, "image", "does not exist"),
    ({"image": "small.png"}, "image", "1400–3000 px"),
    ({"image": "grey.png"}, "image", "must be RGB"),
    ({"locked": "[1]"}, "locked", "bool"),
]


@pytest.mark.parametrize(("extra", "field", "why"), BAD_CONFIGS)
def test_invalid_config_names_field_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: dict[str, str], field: str, why: str
) -> None:
    write_png(tmp_path / "cover.png", 1400, 1400)
    write_png(tmp_path / "small.png", 600, 600)
    write_png(tmp_path / "grey.png", 1400, 1400, color_type=0)
    text = show_yaml(**extra)
    (tmp_path / "podcast.yaml").write_text(text, "utf-8")
    (tmp_path / "a.md").write_text(short_article(1), "utf-8")
    monkeypatch.chdir(tmp_path)
    key = field.split(".")[-1]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.lstrip().startswith(f"{key}:"))
    for args in (["render", "a.md"], ["feed"], ["check"], ["episodes"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert f"podcast.yaml:{line}:" in result.output
        assert f"'{field}'" in result.output and why in result.output
    assert not (tmp_path / "episodes").exists()


def test_old_records_get_a_lasting_identity(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    path = show / "episodes" / "nasty.json"
    record = json.loads(path.read_text("utf-8"))
    del record["guid"], record["pub_date"]  # as written before the catalog kept them
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    assert run_sawt("feed", cwd=show).returncode == 0
    first = json.loads(path.read_text("utf-8"))
    assert first["guid"].startswith("urn:uuid:")
    assert first["pub_date"] == record["rendered_at"]
    assert run_sawt("feed", cwd=show).returncode == 0
    assert json.loads(path.read_text("utf-8"))["guid"] == first["guid"]
    assert first["guid"] in {e.id for e in feed_entries(show)}
    assert run_sawt("check", cwd=show).returncode == 0
