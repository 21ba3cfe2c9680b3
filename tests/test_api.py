"""The README's "Use from Python" example runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sawt.publishing.catalog import scan
from tests.conftest import ROOT, sawt_env


def _example() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Use from Python", 1)[1]
    m = re.search(r"```python\n(.*?)```", section, re.S)
    assert m is not None
    return m.group(1)


def test_the_readme_example_runs(tmp_path: Path) -> None:
    (tmp_path / "article.md").write_text(
        "---\ntitle: تجربة المكتبة\n---\n\nقال المتحدث إن التجربة نجحت.\n", "utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-c", _example()],
        cwd=tmp_path,
        env=sawt_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    slug, duration_ms, chapters = proc.stdout.splitlines()[0].split()
    assert slug == "article" and int(duration_ms) > 1000 and int(chapters) >= 1
    records = scan(tmp_path / "episodes").records
    assert [r.title for r in records] == ["تجربة المكتبة"]
    assert (tmp_path / "episodes" / "feed.xml").is_file()
    assert (tmp_path / "episodes" / "article.vtt").is_file()


def test_the_public_names_import() -> None:
    import sawt

    for name in sawt.__all__:
        assert getattr(sawt, name) is not None
