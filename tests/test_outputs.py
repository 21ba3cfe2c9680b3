"""The output registry is the single source: an output added once is seen everywhere."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sawt.config import load_settings
from sawt.models import EpisodeRecord
from sawt.publishing.catalog import remove_episode, scan
from sawt.publishing.check import check
from sawt.publishing.outputs import Output, Show, outputs, register, unregister
from sawt.publishing.rebuild import publish
from sawt.publishing.serve import make_server
from tests.showkit import copy_show
from tests.test_serve import get


def _shout(_show: Show, record: EpisodeRecord) -> str:
    return record.title.upper() + "\n"


@pytest.fixture()
def shout() -> Iterator[Output]:
    output = register(
        Output(
            "shout",
            "assets/{slug}.shout.txt",
            "text/x-shout; charset=utf-8",
            cors=True,
            episode=_shout,
        )
    )
    yield output
    unregister("shout")


def test_an_added_output_is_seen_by_publish_serve_check_and_remove(
    shout: Output, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    settings = load_settings(show / "podcast.yaml")
    episodes = settings.episodes_path()
    slugs = [r.slug for r in scan(episodes).records]
    assert "shout" in [o.name for o in outputs()]

    # publish builds it, in its subfolder
    report = publish(settings)
    files = [shout.path(episodes, s) for s in slugs]
    assert all(f.is_file() for f in files) and set(files) <= set(report.written)

    # serve sends it with its media type and CORS
    server = make_server(episodes, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status, headers, body = get(server.server_address[1], f"/assets/{slugs[0]}.shout.txt")
    finally:
        server.shutdown()
    assert status == 200 and headers["content-type"] == "text/x-shout; charset=utf-8"
    assert headers.get("access-control-allow-origin") == "*" and body == files[0].read_bytes()

    # check notices it missing
    assert not any("shout" in p for p in check(settings))
    files[0].unlink()
    assert any(str(files[0]) in p and "missing" in p for p in check(settings))

    # remove deletes it with the episode
    publish(settings)
    removed = remove_episode(episodes, slugs[1])
    assert files[1] in removed and not files[1].exists()
