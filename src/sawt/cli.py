"""The command line: the only module that prints or exits.

Everything printed that comes from users or files goes through
``sawt.console.say``/``line`` (never parsed as markup, control characters
removed, right-to-left runs isolated). Failures end in one line and an exit
code, in one place: ``sawt.cli_shell.SawtGroup``.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from sawt.cli_shell import SawtCommand, SawtGroup, err, report, sigterm_interrupts
from sawt.config import Settings, load_settings
from sawt.console import line, plural, say
from sawt.errors import ConfigError, InputError, SawtError
from sawt.speech.engines import (
    available_engines,
    check_engine_names,
    create_engine,
    engine_info,
)
from sawt.version import __version__

if TYPE_CHECKING:
    from sawt.batch import Outcome
    from sawt.cluster.client import BatchView, Cluster
    from sawt.pipeline import Prepared
    from sawt.sources.update import Summary

app = typer.Typer(
    name="sawt",
    help="Turn written articles (Arabic first) into a spoken, tagged MP3 and a podcast feed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=SawtGroup,
)
out = Console(soft_wrap=True, highlight=False, emoji=False)

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="podcast.yaml to use (default: ./podcast.yaml if present).",
        dir_okay=False,
    ),
]


class _BarOrSpinner(ProgressColumn):
    """A bar when the stage has a count, else a spinner (no empty bar, no "0/?")."""

    def __init__(self) -> None:
        super().__init__()
        self.bar = BarColumn()
        self.spinner = SpinnerColumn()

    def render(self, task: Task) -> RenderableType:
        """The bar or the spinner."""
        return self.spinner.render(task) if task.total is None else self.bar.render(task)


class _Count(ProgressColumn):
    """``done/total`` when there is a total; nothing otherwise."""

    def render(self, task: Task) -> Text:
        """The count."""
        if task.total is None:
            return Text("")
        return Text(f"{int(task.completed)}/{int(task.total)}", style="progress.download")


def _progress(console: Console) -> Progress:
    """A bar with a count (or a spinner) and elapsed time; drawn only on a terminal."""
    return Progress(
        TextColumn("{task.description}", markup=False),
        _BarOrSpinner(),
        _Count(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


class RichReporter:
    """Draws the core's progress with rich, on stderr."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = _progress(console)
        self.task: object | None = None
        self.retries = 0
        self.name = ""

    def stage(self, name: str, total: int | None = None) -> None:
        """Start a bar (or, without a count, a spinner) for a new stage."""
        if self.task is not None:
            self.progress.update(self.task, visible=False)  # type: ignore[arg-type]
        self.name = name
        self.retries = 0
        self.task = self.progress.add_task(name, total=total)
        self.progress.start()

    def advance(self, steps: int = 1) -> None:
        """Advance the current bar."""
        if self.task is not None:
            self.progress.advance(self.task, steps)  # type: ignore[arg-type]

    def note(self, message: str) -> None:
        """Print a note above the bars."""
        say(self.console, ("note:", "yellow"), " ", message)

    def warn(self, message: str) -> None:
        """Print a warning above the bars."""
        say(self.console, ("warning:", "bold yellow"), " ", message)

    def retried(self, message: str) -> None:
        """Count a retry in the bar's label (and log it when there is no bar)."""
        self.retries += 1
        if self.task is not None:
            label = f"{self.name} · {plural(self.retries, 'retry', 'retries')}"
            self.progress.update(self.task, description=label)  # type: ignore[arg-type]
        if not self.console.is_terminal:
            say(self.console, "retry: ", message)

    def close(self) -> None:
        """Remove the bars."""
        self.progress.stop()


def _settings(config: Path | None) -> Settings:
    settings = load_settings(config)
    check_engine_names(settings)
    episodes = settings.episodes_path()
    if episodes.exists() and not episodes.is_dir():
        raise ConfigError(
            f"invalid field 'episodes_dir': {episodes} is not a folder",
            path=settings.source,
            line=settings.line_of("episodes_dir"),
        )
    return settings


def _closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice a typo most likely meant, if one is close enough."""
    found = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return found[0] if found else None


def _require_articles(articles: list[str]) -> None:
    """Every file or folder named exists; a typo gets "did you mean …?" and exit 2."""
    from sawt.read.article import SUPPORTED
    from sawt.read.fetch import is_url

    for article in articles:
        path = Path(article)
        if is_url(article) or path.exists():
            continue
        folder = path.parent
        names = []
        if folder.is_dir():
            names = [
                p.name
                for p in folder.iterdir()
                if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in SUPPORTED)
            ]
        guess = _closest(path.name, names)
        hint = None
        if guess is not None:
            hint = f"did you mean {guess if folder == Path('.') else folder / guess}?"
        raise InputError("file not found", path=path, hint=hint)


@app.command(cls=SawtCommand)
def render(
    articles: Annotated[
        list[str],
        typer.Argument(help="Article files (.md, .txt, .html), folders of them, or web page URLs."),
    ],
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine", "-e", help="Speech engine (see `sawt engines`); default from podcast.yaml."
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", "-n", help="Print the spoken script, piece by piece; synthesize nothing."
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --dry-run: print the script as JSON.")
    ] = False,
    no_feed: Annotated[
        bool, typer.Option("--no-feed", help="Do not rebuild the feed and side files afterwards.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Render even articles unchanged since last time.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Articles rendered at once (default: cores)."),
    ] = None,
    cluster: Annotated[
        bool,
        typer.Option("--cluster", help="Send one task per article to the workers (`sawt worker`)."),
    ] = False,
    no_wait: Annotated[
        bool,
        typer.Option("--no-wait", help="With --cluster: print the batch id and return at once."),
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Render articles to episodes/<slug>.mp3 with tags, chapters and a record.

    Several files or a folder render as a batch: in parallel, one summary at the
    end, and a failing article does not stop the others. Articles unchanged since
    their last render (same text, same settings) are skipped.
    """
    from sawt.batch import expand
    from sawt.read.fetch import is_url
    from sawt.read.pages import fetched_pages

    settings = _settings(config)
    name = engine or settings.engine
    engine_info(name)  # an unknown engine fails once, before any work
    _require_articles(articles)
    urls = [a for a in articles if is_url(a)]
    if cluster and urls and not (dry_run or as_json):
        raise InputError(
            "--cluster renders files every worker can see; a URL is fetched on this machine",
            hint="save the page into the shared folder, or follow its feed with `sawt update`",
        )
    with fetched_pages(urls, settings) as pages:
        paths = expand([Path(a) for a in articles if not is_url(a)]) + pages
        if cluster and not (dry_run or as_json):
            failed = _render_cluster(paths, settings, name, force, not no_feed, not no_wait)
            if failed:
                raise typer.Exit(1)
            return
        # Without --engine, each article's front matter may choose (else podcast.yaml).
        failed = _render_paths(paths, articles, settings, engine, dry_run, as_json, force, jobs)
    if not (no_feed or dry_run or as_json):
        _publish(settings)
    if failed:
        raise typer.Exit(1)


def _render_paths(
    paths: list[Path],
    articles: list[str],
    settings: Settings,
    name: str | None,
    dry_run: bool,
    as_json: bool,
    force: bool,
    jobs: int | None,
) -> int:
    """Render (or print the script of) files; return how many failed."""
    from sawt.pipeline import prepare

    if dry_run or as_json:
        eng = create_engine(name or settings.engine, settings)
        for path in paths:
            _print_script(prepare(path, settings, eng.max_chars, eng.caps), as_json)
        return 0
    if len(paths) == 1 and not Path(articles[0]).is_dir():
        _render_single(paths[0], settings, name, force)
        return 0
    return _render_many(paths, settings, name, force, jobs)


def _render_single(path: Path, settings: Settings, engine: str | None, force: bool) -> None:
    from sawt.pipeline import render as do_render

    reporter = RichReporter(err)
    try:
        result = do_render(path, settings, engine, reporter, force=force)
    finally:
        reporter.close()
    if result.skipped:
        say(out, ("unchanged", "dim"), " ", result.mp3, " (use --force to render again)")
        return
    cost = f", {plural(result.requests, 'request')}" if result.requests else ""
    if result.cached_pieces:
        cost += f", {plural(result.cached_pieces, 'piece')} from cache"
    say(
        out,
        ("wrote", "green"),
        " ",
        result.mp3,
        f" ({_clock(result.duration_ms)}, {plural(len(result.chapters), 'chapter')}, "
        f"engine {result.engine}{cost})",
    )


def _render_many(
    paths: list[Path], settings: Settings, engine: str | None, force: bool, jobs: int | None
) -> int:
    """Render a batch with one overall bar; print a summary; return how many failed."""
    from sawt.batch import render_batch

    progress = _progress(err)
    task = progress.add_task("rendering", total=len(paths))

    def done(outcome: Outcome) -> None:
        for message in outcome.messages:
            say(progress.console, outcome.path.name, ": ", message)
        progress.advance(task)

    def warned(message: str) -> None:
        say(progress.console, ("warning:", "bold yellow"), " ", message)

    with progress:
        outcomes = render_batch(
            paths, settings, engine, force=force, jobs=jobs, on_done=done, on_warn=warned
        )
    return _summary(outcomes)


def _summary(outcomes: list[Outcome]) -> int:
    """Print what a batch wrote, what failed and the counts; return how many failed."""
    counts = {s: [o for o in outcomes if o.status == s] for s in ("rendered", "skipped", "failed")}
    for o in counts["rendered"]:
        chapters = f"{plural(o.chapters, 'chapter')}, " if o.chapters is not None else ""
        say(
            out,
            ("wrote", "green"),
            " ",
            o.mp3,
            f" ({_clock(o.duration_ms)}, {chapters}engine {o.engine})",
        )
    for o in counts["failed"]:
        error = o.error or "failed"
        named = str(o.path) in error or o.path.name in error
        say(err, ("failed:", "bold red"), " ", error if named else f"{o.path}: {error}")
    say(
        out,
        f"{len(counts['rendered'])} rendered, {len(counts['skipped'])} unchanged (skipped), "
        f"{len(counts['failed'])} failed",
    )
    return len(counts["failed"])


# --- many machines: render --cluster, worker, status -----------------------------


def _render_cluster(
    paths: list[Path], settings: Settings, engine: str, force: bool, publish: bool, wait: bool
) -> int:
    """Enqueue a batch on the workers; follow it unless told not to; return how many failed."""
    from sawt.cluster import require

    require()  # before importing Celery: without the extra, one line says what to install
    from sawt.cluster.client import Cluster

    cluster = Cluster(settings)
    meta = cluster.enqueue(paths, engine, force=force, publish=publish)
    queued = f"batch {meta.id}: {plural(len(meta.articles), 'article')} queued on {meta.queue}"
    if not wait:
        say(out, queued, f" (follow it with `sawt status {meta.id}`)")
        return 0
    say(err, queued)
    return _follow(cluster, meta.id)


def _follow(cluster: Cluster, batch: str) -> int:
    """Show a batch's progress across workers until it is done; print its summary."""
    from sawt.cluster.messages import OutcomeRecord

    progress = _progress(err)
    task = progress.add_task("rendering on the cluster", total=None)

    def landed(record: OutcomeRecord) -> None:
        for message in record.messages:
            say(progress.console, Path(record.path).name, ": ", message)
        if not progress.console.is_terminal:
            say(err, f"{record.status} ", Path(record.path).name, f" on {record.worker}")

    def polled(view: BatchView) -> None:
        label = f"rendering on {plural(len(view.workers), 'worker')}"
        progress.update(task, total=len(view.meta.articles), completed=view.done, description=label)

    try:
        with progress:
            view = cluster.watch(batch, landed, polled)
    except KeyboardInterrupt:
        say(err, f"batch {batch} goes on without you; `sawt status {batch}` reports it")
        raise typer.Exit(130) from None
    return _report(view)


def _report(view: BatchView) -> int:
    """The end of a cluster batch, printed as a local batch's; returns how many failed."""
    failed = _summary(view.ordered())
    published = view.published
    if published is not None:
        for note in published.notes:
            say(err, ("note:", "yellow"), " ", note)
        if published.error:
            say(err, ("error:", "bold red"), " the feed was not rebuilt: ", published.error)
            failed += 1
        else:
            say(
                out,
                ("feed", "green"),
                " ",
                published.feed,
                f" ({plural(published.episodes, 'episode')})",
            )
    return failed


@app.command(cls=SawtCommand)
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-j", min=1, help="Tasks at once (default: cores)."),
    ] = None,
    queues: Annotated[
        str | None,
        typer.Option("--queues", "-Q", help="Comma-separated queues (default: cluster.queue)."),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Render on this machine for the show's cluster (broker: cluster.broker or SAWT_BROKER)."""
    from sawt.cluster import require

    require()
    from sawt.cluster.worker import run_worker

    settings = _settings(config)
    names = [q.strip() for q in (queues or "").split(",") if q.strip()]
    run_worker(settings, concurrency, names)


@app.command(cls=SawtCommand)
def status(
    batch: Annotated[str, typer.Argument(help="The batch id `sawt render --cluster` printed.")],
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the batch until it is done.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Report a cluster batch: progress, or its summary once done (exit 1 if any failed)."""
    from sawt.cluster import require

    require()
    from sawt.cluster.client import Cluster

    cluster = Cluster(_settings(config))
    if wait:
        failed = _follow(cluster, batch)
    else:
        view = cluster.view(batch)
        if not view.finished:
            total = len(view.meta.articles)
            say(
                out,
                f"batch {batch}: {view.done} of {total} done on "
                f"{plural(len(view.workers), 'worker')}, still running",
            )
            raise typer.Exit(3)
        failed = _report(view)
    if failed:
        raise typer.Exit(1)


def _clock(ms: int) -> str:
    minutes, seconds = divmod(ms / 1000, 60)
    return f"{int(minutes)}:{seconds:04.1f}"


def _print_script(prepared: Prepared, as_json: bool) -> None:
    if as_json:
        data = {
            "title": prepared.article.title,
            "author": prepared.article.author,
            "slug": prepared.slug,
            "notes": list(prepared.article.notes),
            "pieces": [p.to_dict() for p in prepared.pieces],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    say(out, (prepared.article.title, "bold"), "  (", prepared.slug, ")")
    for note in prepared.article.notes:
        say(out, ("note:", "yellow"), " ", note)
    for p in prepared.pieces:
        head = (f"{p.index:>4} {p.role:<7}", "dim")
        say(out, head, " ", p.original, "  ", (f"⏸ {p.pause_ms} ms", "cyan"))
        if p.spoken != p.original:  # what the engine hears, when the front end changed it
            say(out, (f"{'':>4} {'spoken':<7} ", "dim"), (p.spoken, "dim"))
    total_pause = sum(p.pause_ms for p in prepared.pieces) / 1000
    say(out, (f"{plural(len(prepared.pieces), 'piece')}, {total_pause:.1f} s of pauses", "dim"))


@app.command(cls=SawtCommand)
def update(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="List what would be rendered; change nothing.")
    ] = False,
    prune_missing: Annotated[
        bool,
        typer.Option("--prune-missing", help="Remove episodes whose article now answers 404/410."),
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep running: a pass every --every (SIGTERM stops).")
    ] = False,
    every: Annotated[
        str, typer.Option("--every", help="With --watch: time between passes (90s, 10m, 1h).")
    ] = "10m",
    engine: Annotated[
        str | None,
        typer.Option("--engine", "-e", help="Speech engine, unless a source sets its own."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Articles rendered at once (default: cores)."),
    ] = None,
    cluster: Annotated[
        bool, typer.Option("--cluster", help="Render as one batch on the workers (`sawt worker`).")
    ] = False,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="With --cluster: queue the batch and return.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Follow the sources in podcast.yaml: render new and changed articles, once or --watch.

    Exit code: 0 all good, 1 some article or feed failed, 2 bad configuration.
    """
    import signal
    import threading

    from sawt.sources.clustered import update_pass
    from sawt.sources.update import parse_every

    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        stop.set()
        say(err, "stopping after the articles in progress…")

    interval = parse_every(every) if watch else 0.0
    settings = _settings(config)
    if engine:
        engine_info(engine)
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        while True:
            try:
                summary = update_pass(
                    settings,
                    cluster=cluster,
                    wait=not no_wait,
                    engine=engine,
                    dry_run=dry_run,
                    prune_missing=prune_missing,
                    jobs=jobs,
                    stop=stop,
                    say=lambda m: say(err, m),
                ).run()
                code = summary.exit_code
                _print_summary(summary, dry_run)
            except SawtError as exc:
                if not watch or isinstance(exc, ConfigError):
                    raise
                report(exc)
                code = exc.exit_code
            if not watch or stop.wait(interval):
                break
            try:
                settings = _settings(config)  # edits to podcast.yaml apply from the next pass
            except SawtError as exc:
                say(err, ("error:", "bold red"), " ", str(exc), " (keeping the previous settings)")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if code:
        raise typer.Exit(code)


def _print_summary(summary: Summary, dry_run: bool) -> None:
    if dry_run:
        for plan in summary.planned:
            say(
                out,
                f"would render ({plan.kind}) ",
                plan.slug,
                ": ",
                plan.page.article.title,
                " <",
                plan.page.source_url,
                ">",
            )
    for note in summary.notes:
        say(err, ("note:", "yellow"), " ", note)
    for failure in summary.failed:
        say(err, ("failed:", "bold red"), " ", failure)
    for slug in summary.removed:
        say(out, ("removed", "red"), " ", slug)
    prefix = "dry run: " if dry_run else ""
    stopped = " (stopped early; the next pass does the rest)" if summary.stopped else ""
    say(out, f"{prefix}{summary.line()}; {plural(summary.requests, 'request')}{stopped}")


@app.command(cls=SawtCommand)
def engines(config: ConfigOpt = None) -> None:
    """List the speech engines and whether each is usable here."""
    settings = _settings(config)
    from sawt.speech.engines import broken_plugins

    table = Table("engine", "usable", "details")
    for name, info in sorted(available_engines().items()):
        ok, detail = info.usable(settings)
        usable = Text("yes", style="green") if ok else Text("no", style="red")
        lines = [info.description, "\n", detail]
        if info.voices is not None:
            try:
                voices = info.voices()
            except Exception as exc:  # listing voices is a nicety, never a failure
                voices = [f"(cannot list voices: {exc})"]
            if voices:
                lines += ["\n", "voices: " + ", ".join(voices)]
        table.add_row(line(name), usable, line(*lines))
    for name, why in sorted(broken_plugins().items()):
        table.add_row(line(name), Text("no", style="red"), line(f"plug-in failed to load: {why}"))
    out.print(table)


@app.command(cls=SawtCommand)
def cache(
    clear: Annotated[bool, typer.Option("--clear", help="Delete every cached clip.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Show the clip cache's location and size, or clear it."""
    from sawt.speech.cache import ClipCache

    store = ClipCache(_settings(config).cache_path())
    stats = store.clear() if clear else store.stats()
    verb = "removed" if clear else "holds"
    say(
        out,
        "cache ",
        stats.path,
        f" {verb} {plural(stats.entries, 'clip')}, {stats.bytes / 1e6:.1f} MB",
    )


def _version(value: bool) -> None:
    if value:
        say(out, f"sawt {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """sawt: audio editions of articles."""


# --- publishing: init, episodes, remove, feed, check, serve ---------------------


def _publish(settings: Settings) -> None:
    from sawt.publishing.rebuild import publish

    report = publish(settings)
    for note in report.notes:
        say(err, ("note:", "yellow"), " ", note)
    say(out, ("feed", "green"), " ", report.feed, f" ({plural(report.episodes, 'episode')})")


@app.command(cls=SawtCommand)
def init(
    folder: Annotated[
        Path, typer.Argument(help="Folder for podcast.yaml and episodes/.", file_okay=False)
    ] = Path("."),
) -> None:
    """Write a commented starter podcast.yaml and the episodes/ folder (never overwrites)."""
    from sawt.starter import write_starter

    made = write_starter(folder)
    episodes = f"{made.episodes}/"
    if made.wrote_config and made.made_episodes:
        say(out, ("wrote", "green"), " ", made.config, " and ", episodes)
    elif made.wrote_config:
        say(out, ("wrote", "green"), " ", made.config, " (", episodes, " exists already)")
    elif made.made_episodes:
        say(out, ("made", "green"), " ", episodes, " (kept the existing ", made.config, ")")
    else:
        say(out, "nothing to do: ", made.config, " and ", episodes, " exist already")


@app.command("episodes", cls=SawtCommand)
def list_episodes(config: ConfigOpt = None) -> None:
    """List the episodes in the catalog: title, date, duration, engine."""
    from sawt.publishing.catalog import scan

    catalog = scan(_settings(config).episodes_path())
    for path, why in catalog.broken:
        say(err, ("note:", "yellow"), " ", path, ": ", why)
    if not catalog.records:
        say(out, "no episodes yet; see `sawt render`")
        return
    table = Table("slug", "title", "date", "duration", "engine")
    for r in catalog.records:
        minutes, seconds = divmod(round(r.duration_ms / 1000), 60)
        table.add_row(
            line(r.slug),
            line(r.title),
            line((r.pub_date or "")[:10]),
            f"{minutes}:{seconds:02d}",
            line(r.engine),
        )
    out.print(table, soft_wrap=True)


@app.command(cls=SawtCommand)
def remove(
    slug: Annotated[str, typer.Argument(help="The episode's slug (see `sawt episodes`).")],
    no_feed: Annotated[bool, typer.Option("--no-feed", help="Do not rebuild the feed.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Remove one episode (audio, record, captions, chapters) and rebuild the feed."""
    from sawt.publishing.catalog import episode_paths, remove_episode, scan

    settings = _settings(config)
    episodes = settings.episodes_path()
    if not episode_paths(episodes, slug).record.is_file():  # before anything is locked or written
        guess = _closest(slug, {r.slug for r in scan(episodes).records})
        raise InputError(
            f"no episode '{slug}' in {episodes}",
            hint=f"did you mean {guess}?" if guess else "see `sawt episodes`",
        )
    for path in remove_episode(episodes, slug):
        say(out, ("removed", "red"), " ", path)
    if not no_feed:
        _publish(settings)


@app.command(cls=SawtCommand)
def feed(config: ConfigOpt = None) -> None:
    """Rebuild episodes/feed.xml, captions and JSON chapters from the episode records."""
    _publish(_settings(config))


@app.command(cls=SawtCommand)
def check(config: ConfigOpt = None) -> None:
    """Check the published feed against Apple's requirements and the files on disk."""
    from sawt.publishing.check import check as run_check

    problems = run_check(_settings(config))
    for problem in problems:
        say(out, ("problem:", "red"), " ", problem)
    if problems:
        say(err, f"{plural(len(problems), 'problem')} found")
        raise typer.Exit(1)
    say(out, ("ok:", "green"), " the feed and its files look right")


@app.command(cls=SawtCommand)
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; another than 127.0.0.1 shares it.")
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", "-p", min=0, max=65535, help="Port to listen on (0: any free one)."),
    ] = 8000,
    config: ConfigOpt = None,
) -> None:
    """Serve episodes/ over HTTP for local preview and subscription.

    The feed and pages are served with their URLs pointing at this server,
    whatever base_url says (the files on disk keep base_url).
    """
    from sawt.publishing.serve import make_server, preview_rewrite, preview_url

    settings = _settings(config)
    episodes = settings.episodes_path()
    if not episodes.is_dir():
        raise SawtError(
            f"no episodes folder at {episodes}",
            hint="run `sawt init` or `sawt render ARTICLE` first",
        )
    rewrite: dict[str, str] = {}
    try:
        server = make_server(episodes, host, port, rewrite=rewrite)
    except OSError as exc:
        raise SawtError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    rewrite.update(preview_rewrite(settings.base_url, host, server.server_port))
    here = preview_url(host, server.server_port) or f"http://{host}:{server.server_port}/"
    say(out, "serving ", episodes, f" at {here}feed.xml (Ctrl-C to stop)")
    if rewrite:
        say(
            err,
            ("note:", "yellow"),
            f" base_url is {settings.base_url}; this preview serves the feed and pages "
            f"with their URLs rewritten to {here} (the files keep base_url)",
        )
    elif preview_url(host, server.server_port) is None:
        say(
            err,
            ("note:", "yellow"),
            f" the feed's URLs point at base_url {settings.base_url}, not at this server",
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(
            err,
            ("note:", "yellow"),
            f" listening on {host}: other machines on the network can fetch",
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main() -> None:
    """Entry point of the ``sawt`` command (SIGTERM stops it like Ctrl-C)."""
    with sigterm_interrupts():
        app(prog_name="sawt")
