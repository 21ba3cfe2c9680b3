"""Rendering on many machines: a real Redis, real `sawt worker` processes, real failures.

The fixture starts Debian's ``redis-server`` on a free loopback port (the test is
skipped, saying why, where it is not installed: ``apt-get install redis-server``).
Each worker is a separate ``python -m sawt worker`` process in its own session, so
a test can SIGKILL one as a machine would die.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import pytest

from sawt.config import GttsSettings, Settings
from sawt.pipeline import render
from tests.conftest import SAMPLE, ffmpeg_pcm, run_sawt, sawt_env
from tests.fakegoogle import FakeGoogle
from tests.fakesite import ARTICLES, FakeSite
from tests.longtext import long_article
from tests.standin.testing import fresh

pytest.importorskip("celery", reason="the cluster extra is not installed")
redis = pytest.importorskip("redis", reason="the cluster extra is not installed")

REDIS_SERVER = shutil.which("redis-server")
BAD = "---\ntitle: [oops\n---\n\nنص\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free loopback port, stopped by its PID afterwards."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    folder = tmp_path_factory.mktemp("redis")
    port = _free_port()
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)]
    proc = subprocess.Popen(
        [REDIS_SERVER, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture()
def broker(redis_url: str) -> str:
    """The Redis of this module, emptied for each test."""
    redis.Redis.from_url(redis_url).flushall()
    return redis_url


@dataclass
class Worker:
    """One `sawt worker` process and its log."""

    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def name(self) -> str:
        return f"sawt-{self.proc.pid}@{socket.gethostname()}"

    def text(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def lines(self, kind: str) -> list[str]:
        """Its one-line task logs of a kind: render, synth, assemble, publish."""
        return [line for line in self.text().splitlines() if "@" in line and f" {kind} " in line]


@dataclass
class Cluster:
    """Workers started for one show; all stopped at the end of the test."""

    show: Path
    broker: str
    env: dict[str, str]
    workers: list[Worker] = field(default_factory=list)

    def start(self, count: int = 1) -> list[Worker]:
        started = []
        for _ in range(count):
            log = self.show / f"worker-{len(self.workers)}.log"
            with open(log, "wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "sawt", "worker", "--concurrency", "1"],
                    cwd=self.show,
                    env=self.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: killed as one machine
                )
            worker = Worker(proc, log)
            self.workers.append(worker)
            started.append(worker)
        for worker in started:
            for _ in range(1200):
                if " ready: " in worker.text() or worker.proc.poll() is not None:
                    break
                time.sleep(0.05)
            assert " ready: " in worker.text(), worker.text()
        return started

    def sawt(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sawt", *args],
            cwd=self.show,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def kill(self, worker: Worker, sig: signal.Signals = signal.SIGKILL) -> None:
        os.killpg(worker.proc.pid, sig)

    def stop(self) -> None:
        for worker in self.workers:
            if worker.proc.poll() is None:
                os.killpg(worker.proc.pid, signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.proc.pid, signal.SIGKILL)
                worker.proc.wait()

    def all_lines(self, kind: str) -> list[str]:
        return [line for w in self.workers for line in w.lines(kind)]


def make_show(root: Path, broker: str, articles: dict[str, str], yaml: str = "") -> Path:
    show = root / "show"
    (show / "articles").mkdir(parents=True)
    for name, text in articles.items():
        (show / "articles" / name).write_text(text, "utf-8")
    (show / "podcast.yaml").write_text(
        "engine: espeak\n"
        "cluster:\n"
        f"  broker: {broker}\n"
        "  lease: 3\n"
        "  visibility_timeout: 10\n" + yaml,
        "utf-8",
    )
    return show


@pytest.fixture()
def cluster_for(broker: str) -> Iterator[list[Cluster]]:
    made: list[Cluster] = []
    yield made
    for cluster in made:
        cluster.stop()


def new_cluster(made: list[Cluster], show: Path, broker: str, **env: str) -> Cluster:
    base = sawt_env()
    base.pop("SAWT_CACHE_DIR", None)  # the shared cache comes from cluster.cache_dir
    base.update(env)
    cluster = Cluster(show, broker, base)
    made.append(cluster)
    return cluster


def articles(count: int, chars: int = 600) -> dict[str, str]:
    return {f"a{i}.md": long_article(chars, seed=100 + i) for i in range(count)}


def summary(text: str) -> tuple[int, int, int]:
    found = re.search(r"(\d+) rendered, (\d+) unchanged \(skipped\), (\d+) failed", text)
    assert found, text
    rendered, skipped, failed = found.groups()
    return int(rendered), int(skipped), int(failed)


def batch_id(text: str) -> str:
    found = re.search(r"batch ([0-9a-f]{12})", text)
    assert found, text
    return found.group(1)


def no_partial_files(episodes: Path) -> None:
    assert [p.name for p in episodes.rglob(".*.part")] == []


def one_of_each(episodes: Path, slugs: set[str]) -> None:
    assert {p.stem for p in episodes.glob("*.mp3")} == slugs
    records = [json.loads((episodes / f"{s}.json").read_text("utf-8")) for s in slugs]
    assert len({r["guid"] for r in records}) == len(slugs)
    feed = feedparser.parse((episodes / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == len(slugs)
    assert len({e.id for e in feed.entries}) == len(slugs)


# --- without the extra, without a broker ------------------------------------------------


def test_without_the_extra_the_commands_say_what_to_install(tmp_path: Path) -> None:
    fake = tmp_path / "nocelery" / "celery"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ImportError(\"No module named 'celery'\", name='celery')\n"
    )
    env = sawt_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "nocelery"), env["PYTHONPATH"]])
    (tmp_path / "a.md").write_text(articles(1)["a0.md"], "utf-8")
    for args in (["worker"], ["render", "a.md", "--cluster"], ["status", "0123456789ab"]):
        proc = subprocess.run(
            [sys.executable, "-m", "sawt", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().count("\n") == 0, proc.stderr  # one line
        assert "pip install 'sawt-audio-edition[cluster]'" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "episodes").exists()
    # Without the extra, a local render works as ever.
    local = subprocess.run(
        [sys.executable, "-m", "sawt", "render", "a.md", "--engine", "espeak"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert local.returncode == 0, local.stderr


def test_no_broker_is_one_clear_error(tmp_path: Path) -> None:
    env = sawt_env()
    env.pop("SAWT_BROKER", None)
    proc = subprocess.run(
        [sys.executable, "-m", "sawt", "worker"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "cluster.broker" in proc.stderr and "SAWT_BROKER" in proc.stderr
    (tmp_path / "podcast.yaml").write_text("cluster:\n  broker: http://x\n", "utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "sawt", "worker"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "podcast.yaml:2" in bad.stderr and "Redis URL" in bad.stderr


# --- the batch -------------------------------------------------------------------------------


def test_two_workers_render_a_batch_with_one_bad_article(
    tmp_path: Path, broker: str, cluster_for: list[Cluster]
) -> None:
    texts = articles(6)
    texts["long.md"] = long_article(3000, seed=7)  # fans out: more pieces than fan_out
    texts["bad.md"] = BAD
    show = make_show(tmp_path, broker, texts, "  fan_out: 20\n  pieces_per_task: 12\n")
    cluster = new_cluster(cluster_for, show, broker)
    first, second = cluster.start(2)
    proc = cluster.sawt("render", "articles", "--cluster")
    assert proc.returncode == 1, proc.stderr
    assert summary(proc.stdout) == (7, 0, 1)
    assert "bad.md:2" in proc.stderr and "YAML" in proc.stderr
    assert "feed " in proc.stdout and "(7 episodes)" in proc.stdout
    episodes = show / "episodes"
    one_of_each(episodes, {f"a{i}" for i in range(6)} | {"long"})
    no_partial_files(episodes)
    # The feed was rebuilt once, when the batch was done.
    assert len(cluster.all_lines("publish")) == 1
    # Both workers rendered; the long article was spread over synthesis tasks.
    assert first.lines("render") and second.lines("render")
    fanned = [line for line in cluster.all_lines("render") if "fanned out" in line]
    assert len(fanned) == 1 and "long.md" in fanned[0]
    assert len(cluster.all_lines("synth")) >= 3
    assert len([line for line in cluster.all_lines("assemble") if "long.md" in line]) == 1
    record = json.loads((episodes / "long.json").read_text("utf-8"))
    assert [e["index"] for e in record["timeline"]] == list(range(len(record["timeline"])))
    # espeak's clips were scratch for the fan-out: none is left in the shared cache.
    assert list((show / ".sawt-cache").rglob("*.bin")) == []
    # `sawt status` reports the finished batch the same way, later.
    later = cluster.sawt("status", batch_id(proc.stderr))
    assert later.returncode == 1 and summary(later.stdout) == (7, 0, 1)


def test_no_wait_then_status(tmp_path: Path, broker: str, cluster_for: list[Cluster]) -> None:
    show = make_show(tmp_path, broker, articles(2))
    cluster = new_cluster(cluster_for, show, broker)
    queued = cluster.sawt("render", "articles", "--cluster", "--no-wait")
    assert queued.returncode == 0, queued.stderr
    batch = batch_id(queued.stdout)
    running = cluster.sawt("status", batch)
    assert running.returncode == 3 and "0 of 2 done" in running.stdout  # no worker yet
    cluster.start(1)
    done = cluster.sawt("status", batch, "--wait")
    assert done.returncode == 0, done.stderr
    assert summary(done.stdout) == (2, 0, 0) and "(2 episodes)" in done.stdout
    unknown = cluster.sawt("status", "0123456789ab")
    assert unknown.returncode == 2 and "no batch" in unknown.stderr


@pytest.mark.slow
def test_a_worker_killed_mid_render_the_batch_still_completes(
    tmp_path: Path, broker: str, cluster_for: list[Cluster]
) -> None:
    show = make_show(tmp_path, broker, articles(6, chars=4000))
    cluster = new_cluster(cluster_for, show, broker)
    victim, survivor = cluster.start(2)
    queued = cluster.sawt("render", "articles", "--cluster", "--no-wait")
    batch = batch_id(queued.stdout)
    client = redis.Redis.from_url(broker, decode_responses=True)
    busy: str | None = None
    for _ in range(2400):  # until the victim is inside a render
        started = client.hgetall(f"sawt:batch:{batch}:started")
        done = client.hgetall(f"sawt:batch:{batch}:outcomes")
        mine = [t for t, w in started.items() if w == victim.name and t not in done]
        if mine:
            busy = mine[0]
            break
        time.sleep(0.05)
    assert busy is not None, victim.text()
    cluster.kill(victim)
    victim.proc.wait()
    finished = cluster.sawt("status", batch, "--wait")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    rendered, skipped, failed = summary(finished.stdout)
    assert failed == 0 and rendered + skipped == 6
    outcome = json.loads(client.hget(f"sawt:batch:{batch}:outcomes", busy) or "{}")
    assert outcome["worker"] == survivor.name  # the survivor took the lost article over
    episodes = show / "episodes"
    one_of_each(episodes, {f"a{i}" for i in range(6)})
    no_partial_files(episodes)


@pytest.mark.slow
def test_the_same_batch_enqueued_twice_at_once(
    tmp_path: Path, broker: str, cluster_for: list[Cluster]
) -> None:
    show = make_show(tmp_path, broker, articles(4, chars=1500))
    cluster = new_cluster(cluster_for, show, broker)
    cluster.start(2)
    command = [sys.executable, "-m", "sawt", "render", "articles", "--cluster", "--no-wait"]
    both = [
        subprocess.Popen(command, cwd=show, env=cluster.env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    batches = [batch_id(p.communicate(timeout=120)[0]) for p in both]
    totals = [summary(cluster.sawt("status", b, "--wait").stdout) for b in batches]
    # Each article was rendered once, in one batch or the other; the other skipped it.
    assert sum(t[0] for t in totals) == 4
    assert all(t[0] + t[1] == 4 and t[2] == 0 for t in totals)
    one_of_each(show / "episodes", {f"a{i}" for i in range(4)})
    no_partial_files(show / "episodes")


# --- gTTS through the local Google stand-in ----------------------------------------------


@pytest.fixture()
def google(server: FakeGoogle) -> FakeGoogle:
    fresh(server, latency_ms=30)
    return server


GTTS_YAML = "engine: gtts\ngtts:\n  rate_limit: {rate}\n  concurrency: 4\n  retries: 2\n"


@pytest.mark.slow
def test_two_workers_share_one_gtts_rate_limit(
    tmp_path: Path, broker: str, cluster_for: list[Cluster], google: FakeGoogle
) -> None:
    rate = 4.0
    texts = {"sample.txt": SAMPLE.read_text("utf-8"), "other.md": long_article(1500, seed=3)}
    show = make_show(tmp_path, broker, texts)
    config = show / "podcast.yaml"
    config.write_text(
        config.read_text("utf-8").replace("engine: espeak\n", GTTS_YAML.format(rate=rate)), "utf-8"
    )
    env = google.subprocess_env(sawt_env())
    env.pop("SAWT_CACHE_DIR", None)
    cluster = new_cluster(cluster_for, show, broker, **env)
    first, second = cluster.start(2)
    proc = cluster.sawt("render", "articles", "--cluster")
    assert proc.returncode == 0, proc.stderr
    assert summary(proc.stdout) == (2, 0, 0)
    # The two articles were spoken by the two workers, at the same time...
    workers = {line.split()[1] for line in cluster.all_lines("render")}
    assert workers == {first.name, second.name}
    times = google.request_times
    log = google.requests_log
    other = json.loads((show / "episodes" / "other.json").read_text("utf-8"))
    other_texts = {e["spoken"].replace("؟", "?").replace("؛", ";") for e in other["timeline"]}
    t_other = [t for r, t in zip(log, times, strict=True) if r.text in other_texts]
    t_sample = [t for r, t in zip(log, times, strict=True) if r.text not in other_texts]
    assert t_other and t_sample
    assert max(min(t_other), min(t_sample)) < min(max(t_other), max(t_sample))  # overlap
    # ...and together they stayed within gtts.rate_limit, as the stand-in measured it.
    assert len(times) >= 30
    # Over any 3 s (shorter windows are at the mercy of CPU scheduling on a busy
    # 2-core machine: a token granted on time can leave late and arrive in a
    # bunch; 2 s windows failed once under a load of 4). Without the shared
    # bucket two workers measured 10 requests a second: 30 in such a window.
    per_window = max(sum(1 for u in times if t <= u < t + 3.0) for t in times)
    assert per_window <= 3 * rate + 3
    assert (len(times) - 1) / (times[-1] - times[0]) <= rate * 1.1


@pytest.mark.slow
def test_a_long_article_fanned_out_sounds_the_same_as_a_local_render(
    tmp_path: Path,
    broker: str,
    cluster_for: list[Cluster],
    google: FakeGoogle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = long_article(4000, seed=11)
    show = make_show(tmp_path, broker, {"long.md": text}, "  fan_out: 10\n  pieces_per_task: 12\n")
    config = show / "podcast.yaml"
    config.write_text(
        config.read_text("utf-8").replace("engine: espeak\n", GTTS_YAML.format(rate=50)), "utf-8"
    )
    env = google.subprocess_env(sawt_env())
    env.pop("SAWT_CACHE_DIR", None)
    cluster = new_cluster(cluster_for, show, broker, **env)
    first, second = cluster.start(2)
    proc = cluster.sawt("render", "articles/long.md", "--cluster")
    assert proc.returncode == 0, proc.stderr
    assert first.lines("synth") and second.lines("synth")  # both workers spoke ranges
    record = json.loads((show / "episodes" / "long.json").read_text("utf-8"))
    assert record["engine"] == "gtts"
    # Every piece was fetched once, across both workers.
    assert google.request_count == len(set(google.text_counts)) == len(record["timeline"])

    local_root = tmp_path / "local"
    local_root.mkdir()
    (local_root / "long.md").write_text(text, "utf-8")
    for name, value in google.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SAWT_CACHE_DIR")
    settings = Settings(root=local_root, cache_dir="cache", gtts=GttsSettings(rate_limit=50))
    local = render(local_root / "long.md", settings, "gtts")
    assert ffmpeg_pcm(local.mp3) == ffmpeg_pcm(show / "episodes" / "long.mp3")


# --- sawt update --cluster: a news site's feed rendered by the workers ------------------

SAID = "سوق الأوراق المالية"  # what the source's lexicon says for البورصة
SOURCE_LEXICON = "    lexicon: [{match: البورصة, say: سوق الأوراق المالية}]\n"


def news_show(root: Path, broker: str, site: FakeSite, source: str = "", top: str = "") -> Path:
    """A show that follows the fake site and renders on the cluster of ``broker``."""
    show = root / "show"
    show.mkdir()
    (show / "podcast.yaml").write_text(
        "engine: espeak\n" + top + "allow_private_addresses: true\n"
        "fetch: {timeout: 1, backoff: 0.05, retries: 2, max_retry_after: 5}\n"
        f"sources:\n  - feed: {site.feed_url}\n" + source + "cluster:\n"
        f"  broker: {broker}\n"
        "  lease: 3\n"
        "  visibility_timeout: 10\n",
        "utf-8",
    )
    return show


def sources_state(show: Path) -> dict[str, dict[str, object]]:
    """episodes/sources.json's articles, by slug."""
    state = json.loads((show / "episodes" / "sources.json").read_text("utf-8"))
    return {str(a["slug"]): a for a in state["articles"].values()}


def batches(broker: str) -> set[str]:
    """The batches Redis knows."""
    client = redis.Redis.from_url(broker, decode_responses=True)
    return {k.split(":")[2] for k in client.keys("sawt:batch:*") if k.count(":") == 2}


def copies(show: Path) -> list[str]:
    """Page copies waiting for the workers."""
    folder = show / "episodes"
    return sorted(p.name for p in folder.rglob("*") if ".sources" in p.parts and p.is_file())


def test_update_on_two_workers_renders_each_article_once(
    tmp_path: Path, broker: str, cluster_for: list[Cluster]
) -> None:
    with FakeSite() as site:
        show = news_show(tmp_path, broker, site, SOURCE_LEXICON)
        cluster = new_cluster(cluster_for, show, broker)
        first, second = cluster.start(2)
        proc = cluster.sawt("update", "--cluster")
        assert proc.returncode == 0, proc.stderr
        assert "5 new, 0 changed, 0 unchanged, 0 failed, 0 removed;" in proc.stdout
        assert "queued in batch" not in proc.stdout  # it followed the batch to its end
        [batch] = batches(broker)
        assert f"batch {batch}: 5 articles queued" in proc.stderr
        episodes = show / "episodes"
        one_of_each(episodes, set(ARTICLES))
        no_partial_files(episodes)
        assert copies(show) == []
        # One task per article over both workers, and one rebuild of the feed.
        renders = cluster.all_lines("render")
        assert len(renders) == 5 and all(" rendered " in line for line in renders)
        assert first.lines("render") and second.lines("render")
        assert len(cluster.all_lines("publish")) == 1
        # sources.json records each one, with the date of its feed item on its episode.
        state = sources_state(show)
        assert set(state) == set(ARTICLES)
        for slug, article in state.items():
            assert article["status"] == "done" and article["queued"] is None
            assert article["fingerprint"] and article["canonical"] == site.article_url(slug)
            record = json.loads((episodes / f"{slug}.json").read_text("utf-8"))
            assert record["pub_date"] == article["pub_date"]
            assert record["engine"] == "espeak"
            assert record["title"] == ARTICLES[slug][0]
        feed = feedparser.parse((episodes / "feed.xml").read_bytes())
        assert [e.title for e in feed.entries] == [title for title, _ in ARTICLES.values()]
        # The source's lexicon reached the workers.
        markets = json.loads((episodes / "markets.json").read_text("utf-8"))
        assert any(SAID in e["spoken"] for e in markets["timeline"])
        # Nothing changed on the site: the next pass sends nothing.
        again = cluster.sawt("update", "--cluster")
        assert again.returncode == 0, again.stderr
        assert "0 new, 0 changed, 5 unchanged, 0 failed, 0 removed; 1 request\n" in again.stdout
        assert batches(broker) == {batch}
        assert len(cluster.all_lines("render")) == 5


def test_update_no_wait_then_the_next_pass_collects(
    tmp_path: Path, broker: str, cluster_for: list[Cluster]
) -> None:
    with FakeSite() as site:
        show = news_show(tmp_path, broker, site)
        cluster = new_cluster(cluster_for, show, broker)
        queued = cluster.sawt("update", "--cluster", "--no-wait")  # no worker yet
        assert queued.returncode == 0, queued.stderr
        assert "0 new, 0 changed, 0 unchanged, 0 failed, 0 removed, 5 queued" in queued.stdout
        batch = batch_id(queued.stdout)
        assert copies(show) == sorted(f"{slug}.html" for slug in ARTICLES)
        assert {a["status"] for a in sources_state(show).values()} == {"queued"}
        # A local pass leaves them to the cluster: nothing rendered twice, copies kept.
        local = cluster.sawt("update")
        assert local.returncode == 0, local.stderr
        assert f"0 new, 0 changed, 0 unchanged, 0 failed, 0 removed, 5 queued in batch {batch}" in (
            local.stdout
        )
        assert "sawt update --cluster" in local.stderr
        assert not list((show / "episodes").glob("*.mp3"))
        assert len(copies(show)) == 5
        # The batch is an ordinary one for `sawt status`.
        assert cluster.sawt("status", batch).returncode == 3
        cluster.start(2)
        done = cluster.sawt("status", batch, "--wait")
        assert done.returncode == 0, done.stderr
        assert summary(done.stdout) == (5, 0, 0) and "(5 episodes)" in done.stdout
        # The next pass maps the outcomes into sources.json and sends nothing.
        collect = cluster.sawt("update", "--cluster")
        assert collect.returncode == 0, collect.stderr
        assert "5 new, 0 changed, 0 unchanged, 0 failed, 0 removed; 1 request\n" in collect.stdout
        assert batches(broker) == {batch}
        state = sources_state(show)
        assert {a["status"] for a in state.values()} == {"done"}
        assert copies(show) == []
        episodes = show / "episodes"
        one_of_each(episodes, set(ARTICLES))
        before = json.loads((episodes / "markets.json").read_text("utf-8"))
        mtimes = {p.stem: p.stat().st_mtime_ns for p in episodes.glob("*.mp3")}
        # An edit: one changed article, one more batch; its GUID and first date are kept.
        site.edit("markets")
        edited = cluster.sawt("update", "--cluster")
        assert edited.returncode == 0, edited.stderr
        assert "0 new, 1 changed, 4 unchanged, 0 failed, 0 removed;" in edited.stdout
        assert len(batches(broker)) == 2
        after = json.loads((episodes / "markets.json").read_text("utf-8"))
        assert after["guid"] == before["guid"] and after["pub_date"] == before["pub_date"]
        assert "وأضاف المصدر أن تفاصيل جديدة ستعلن لاحقا." in [
            e["original"] for e in after["timeline"]
        ]
        changed = {p.stem for p in episodes.glob("*.mp3") if p.stat().st_mtime_ns != mtimes[p.stem]}
        assert changed == {"markets"}
        one_of_each(episodes, set(ARTICLES))
        assert len(cluster.all_lines("publish")) == 2


def test_update_cluster_needs_a_broker_and_no_wait_needs_cluster(tmp_path: Path) -> None:
    with FakeSite() as site:
        show = news_show(tmp_path, "redis://127.0.0.1:9/0", site)  # nothing listens there
        mark = site.mark()
        proc = run_sawt("update", "--cluster", cwd=show)
        assert proc.returncode == 2 and "cannot reach the broker" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert site.requests_since(mark) == []  # it failed before fetching anything
        alone = run_sawt("update", "--no-wait", cwd=show)
        assert alone.returncode == 2 and "--no-wait goes with --cluster" in alone.stderr


@pytest.mark.slow
def test_update_killed_while_sending_or_following_leaves_no_duplicates(
    tmp_path: Path, broker: str, cluster_for: list[Cluster]
) -> None:
    with FakeSite(articles=6) as site:
        show = news_show(tmp_path, broker, site)
        cluster = new_cluster(cluster_for, show, broker)
        # A pass killed after sending its tasks but before noting that it had: the
        # tasks are out, and the state says the articles were not sent.
        queued = cluster.sawt("update", "--cluster", "--no-wait")
        lost = batch_id(queued.stdout)
        path = show / "episodes" / "sources.json"
        state = json.loads(path.read_text("utf-8"))
        for article in state["articles"].values():
            article["queued"]["sent"] = False
        path.write_text(json.dumps(state), "utf-8")
        cluster.start(2)
        # The next pass checks them again and sends them in a batch of its own; it is
        # killed while following it.
        proc = subprocess.Popen(
            [sys.executable, "-m", "sawt", "update", "--cluster"],
            cwd=show,
            env=cluster.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

        def sent() -> bool:
            text = path.read_text("utf-8")
            return '"sent": true' in text and lost not in text

        for _ in range(2400):
            if sent() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert sent(), path.read_text("utf-8")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        [batch] = batches(broker) - {lost}
        for each in (lost, batch):
            assert cluster.sawt("status", each, "--wait").returncode in (0, 1)
        # Whatever each batch did, every article has one episode and the next pass
        # records them all without sending anything.
        again = cluster.sawt("update", "--cluster")
        assert again.returncode == 0, again.stderr
        counts = re.search(
            r"(\d+) new, 0 changed, (\d+) unchanged, 0 failed, 0 removed;", again.stdout
        )
        assert counts, again.stdout + again.stderr
        assert int(counts.group(1)) + int(counts.group(2)) == 6  # (some mapped before the kill)
        assert batches(broker) == {lost, batch}
        slugs = set(sources_state(show))
        assert len(slugs) == 6
        one_of_each(show / "episodes", slugs)
        no_partial_files(show / "episodes")
        assert copies(show) == []
        rendered = [line for line in cluster.all_lines("render") if " rendered " in line]
        assert len(rendered) == 6  # each article rendered once over both batches


@pytest.mark.slow
def test_update_a_source_engine_reaches_the_workers(
    tmp_path: Path, broker: str, cluster_for: list[Cluster], google: FakeGoogle
) -> None:
    with FakeSite() as site:
        show = news_show(
            tmp_path, broker, site, "    engine: gtts\n", "gtts: {rate_limit: 50, retries: 2}\n"
        )
        env = google.subprocess_env(sawt_env())
        env.pop("SAWT_CACHE_DIR", None)
        cluster = new_cluster(cluster_for, show, broker, **env)
        cluster.start(2)
        proc = cluster.sawt("update", "--cluster")
        assert proc.returncode == 0, proc.stderr
        assert "5 new, 0 changed, 0 unchanged, 0 failed" in proc.stdout
        episodes = show / "episodes"
        one_of_each(episodes, set(ARTICLES))
        for slug in ARTICLES:
            record = json.loads((episodes / f"{slug}.json").read_text("utf-8"))
            assert record["engine"] == "gtts", record.get("fallback_reason")
        assert google.request_count > 0
