"""A slug belongs to one article: collisions get a new slug or a clear error, never an overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sawt.publishing.catalog import make_slug, scan
from tests.showkit import new_show, run_sawt


def _article(title: str, body: str = "جملة قصيرة للاختبار.", slug: str | None = None) -> str:
    front = f"title: {title}\n" + (f"slug: {slug}\n" if slug else "")
    return f"---\n{front}---\n\n{body}\n"


def _records(folder: Path) -> dict[str, dict[str, object]]:
    return {
        p.stem: json.loads(p.read_text("utf-8"))
        for p in (folder / "episodes").glob("*.json")
        if not p.name.startswith(".") and p.name != "sources.json" and ".chapters" not in p.name
    }


@pytest.fixture()
def show(tmp_path: Path) -> Path:
    return new_show(tmp_path / "show")


def test_arabic_file_names_give_readable_distinct_slugs(show: Path) -> None:
    (show / "مقال 1.md").write_text(_article("الأول"), "utf-8")
    (show / "خبر 1.md").write_text(_article("الثاني"), "utf-8")
    proc = run_sawt("render", "مقال 1.md", "خبر 1.md", cwd=show)
    assert proc.returncode == 0, proc.stderr
    slugs = {r.slug: r.title for r in scan(show / "episodes").records}
    assert slugs == {"mqal-1": "الأول", "khbr-1": "الثاني"}


def test_the_same_explicit_slug_three_times_keeps_the_first(show: Path) -> None:
    for n in (1, 2, 3):
        (show / f"a{n}.md").write_text(_article(f"مقال {n}", slug="same"), "utf-8")
    proc = run_sawt("render", "a1.md", "a2.md", "a3.md", cwd=show)
    assert proc.returncode == 1  # some articles failed
    assert proc.stderr.count("already belongs to") == 2 and "Traceback" not in proc.stderr
    records = _records(show)
    assert list(records) == ["same"] and records["same"]["title"] == "مقال 1"
    guid = records["same"]["guid"]
    # Rendering a2 alone later is refused too, and never replaces a1's episode.
    again = run_sawt("render", "a2.md", cwd=show)
    assert (
        again.returncode == 2 and "a2.md" in again.stderr and "already belongs to" in again.stderr
    )
    assert _records(show)["same"]["guid"] == guid


def test_same_file_names_in_two_folders_get_two_stable_slugs(show: Path) -> None:
    for folder, title in (("a", "من أ"), ("b", "من ب")):
        (show / folder).mkdir()
        (show / folder / "x.md").write_text(_article(title), "utf-8")
    assert run_sawt("render", "a/x.md", "b/x.md", cwd=show).returncode == 0
    first = _records(show)
    assert {s: r["title"] for s, r in first.items()} == {"x": "من أ", "x-2": "من ب"}
    # Each keeps its slug and GUID: alone, in the other order, after an edit.
    (show / "b" / "x.md").write_text(_article("من ب", "نص معدل قليلا."), "utf-8")
    assert run_sawt("render", "b/x.md", cwd=show).returncode == 0
    assert run_sawt("render", "b/x.md", "a/x.md", cwd=show).returncode == 0
    after = _records(show)
    assert set(after) == {"x", "x-2"}
    assert {s: r["guid"] for s, r in after.items()} == {s: r["guid"] for s, r in first.items()}


def test_a_later_article_never_replaces_an_earlier_one(show: Path) -> None:
    (show / "one").mkdir()
    (show / "two").mkdir()
    (show / "one" / "story.md").write_text(_article("القصة الأولى"), "utf-8")
    (show / "two" / "story.md").write_text(_article("القصة الثانية"), "utf-8")
    assert run_sawt("render", "one/story.md", cwd=show).returncode == 0
    guid = _records(show)["story"]["guid"]
    proc = run_sawt("render", "two/story.md", cwd=show)
    assert proc.returncode == 0, proc.stderr
    records = _records(show)
    assert records["story"]["guid"] == guid and records["story"]["title"] == "القصة الأولى"
    assert records["story-2"]["title"] == "القصة الثانية"


def test_a_foreign_json_file_is_never_overwritten(show: Path) -> None:
    (show / "episodes").mkdir(exist_ok=True)
    notes = show / "episodes" / "notes.json"
    notes.write_text('{"todo": ["buy milk"]}\n', "utf-8")
    (show / "notes.md").write_text(_article("ملاحظات"), "utf-8")
    proc = run_sawt("render", "notes.md", cwd=show)
    assert proc.returncode == 0, proc.stderr
    assert notes.read_text("utf-8") == '{"todo": ["buy milk"]}\n'
    assert "notes-2" in _records(show)


def test_a_moved_show_keeps_its_episodes(show: Path, tmp_path: Path) -> None:
    (show / "a.md").write_text(_article("أ"), "utf-8")
    assert run_sawt("render", "a.md", cwd=show).returncode == 0
    moved = tmp_path / "moved"
    show.rename(moved)
    proc = run_sawt("render", "a.md", "--force", cwd=moved)
    assert proc.returncode == 0, proc.stderr
    assert list(_records(moved)) == ["a"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("index", "index-episode"),
        ("feed", "feed-episode"),
        ("Café Noir", "cafe-noir"),
        ("٢٠٢٤ خبر", "2024-khbr"),
    ],
)
def test_make_slug(name: str, slug: str) -> None:
    assert make_slug(None, name, "t") == slug
