"""The command line: the only module that prints or exits."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sawt.config import Settings, load_settings
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
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="podcast.yaml to use (default: ./podcast.yaml if present).",
        dir_okay=False,
    ),
]


def _progress(console: Console) -> Progress:
    """A bar with a count and elapsed time; drawn only on a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
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
        """Start a bar for a new stage."""
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
        self.console.print(f"[yellow]note:[/] {message}", highlight=False)

    def warn(self, message: str) -> None:
        """Print a warning above the bars."""
        self.console.print(f"[bold yellow]warning:[/] {message}", highlight=False)

    def retried(self, message: str) -> None:
        """Count a retry in the bar's label (and log it when there is no bar)."""
        self.retries += 1
        if self.task is not None:
            label = f"{self.name} · {self.retries} retries"
            self.progress.update(self.task, description=label)  # type: ignore[arg-type]
        if not self.console.is_terminal:
            self.console.print(f"retry: {message}", highlight=False)

    def close(self) -> None:
        """Remove the bars."""
        self.progress.stop()


def _settings(config: Path | None) -> Settings:
    settings = load_settings(config)
    check_engine_names(settings)
    return settings


def _fail(exc: SawtError) -> None:
    # Escaped: a message may hold brackets (a file name, "sawt-audio-edition[cluster]").
    err.print(
        f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True
    )
    raise typer.Exit(exc.exit_code)


@app.command()
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

    try:
        settings = _settings(config)
        name = engine or settings.engine
        engine_info(name)  # an unknown engine fails once, before any work
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
    except SawtError as exc:
        _fail(exc)
        return
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
        out.print(f"[dim]unchanged[/] {result.mp3} (use --force to render again)", highlight=False)
        return
    cost = f", {result.requests} requests" if result.requests else ""
    cost += f", {result.cached_pieces} pieces from cache" if result.cached_pieces else ""
    out.print(
        f"[green]wrote[/] {result.mp3} ({_clock(result.duration_ms)}, "
        f"{len(result.chapters)} chapters, engine {result.engine}{cost})",
        highlight=False,
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
            progress.console.print(f"{outcome.path.name}: {message}", highlight=False)
        progress.advance(task)

    with progress:
        outcomes = render_batch(paths, settings, engine, force=force, jobs=jobs, on_done=done)
    return _summary(outcomes)


def _summary(outcomes: list[Outcome]) -> int:
    """Print what a batch wrote, what failed and the counts; return how many failed."""
    counts = {s: [o for o in outcomes if o.status == s] for s in ("rendered", "skipped", "failed")}
    for o in counts["rendered"]:
        out.print(
            f"[green]wrote[/] {o.mp3} ({_clock(o.duration_ms)}, engine {o.engine})", highlight=False
        )
    for o in counts["failed"]:
        err.print(f"[bold red]failed:[/] {o.error}", highlight=False)
    out.print(
        f"{len(counts['rendered'])} rendered, {len(counts['skipped'])} unchanged (skipped), "
        f"{len(counts['failed'])} failed",
        highlight=False,
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
    if not wait:
        out.print(
            f"batch {meta.id}: {len(meta.articles)} articles queued on {meta.queue} "
            f"(follow it with `sawt status {meta.id}`)",
            highlight=False,
        )
        return 0
    err.print(f"batch {meta.id}: {len(meta.articles)} articles queued on {meta.queue}")
    return _follow(cluster, meta.id)


def _follow(cluster: Cluster, batch: str) -> int:
    """Show a batch's progress across workers until it is done; print its summary."""
    from sawt.cluster.messages import OutcomeRecord

    progress = _progress(err)
    task = progress.add_task("rendering on the cluster", total=None)

    def landed(record: OutcomeRecord) -> None:
        for message in record.messages:
            progress.console.print(f"{Path(record.path).name}: {message}", highlight=False)
        if not progress.console.is_terminal:
            name = Path(record.path).name
            err.print(f"{record.status} {name} on {record.worker}", highlight=False)

    def polled(view: BatchView) -> None:
        workers = len(view.workers)
        label = f"rendering on {workers} worker{'s' if workers != 1 else ''}"
        progress.update(task, total=len(view.meta.articles), completed=view.done, description=label)

    try:
        with progress:
            view = cluster.watch(batch, landed, polled)
    except KeyboardInterrupt:
        err.print(f"batch {batch} goes on without you; `sawt status {batch}` reports it")
        raise typer.Exit(130) from None
    return _report(view)


def _report(view: BatchView) -> int:
    """The end of a cluster batch, printed as a local batch's; returns how many failed."""
    failed = _summary(view.ordered())
    published = view.published
    if published is not None:
        for note in published.notes:
            err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
        if published.error:
            err.print(f"[bold red]error:[/] the feed was not rebuilt: {published.error}")
            failed += 1
        else:
            out.print(
                f"[green]feed[/] {published.feed} ({published.episodes} episodes)",
                highlight=False,
                soft_wrap=True,
            )
    return failed


@app.command()
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

    try:
        require()
        from sawt.cluster.worker import run_worker

        settings = _settings(config)
        names = [q.strip() for q in (queues or "").split(",") if q.strip()]
        run_worker(settings, concurrency, names)
    except SawtError as exc:
        _fail(exc)


@app.command()
def status(
    batch: Annotated[str, typer.Argument(help="The batch id `sawt render --cluster` printed.")],
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the batch until it is done.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Report a cluster batch: progress, or its summary once done (exit 1 if any failed)."""
    from sawt.cluster import require

    try:
        require()
        from sawt.cluster.client import Cluster

        cluster = Cluster(_settings(config))
        if wait:
            failed = _follow(cluster, batch)
        else:
            view = cluster.view(batch)
            if not view.finished:
                total = len(view.meta.articles)
                out.print(
                    f"batch {batch}: {view.done} of {total} done on {len(view.workers)} "
                    f"worker{'s' if len(view.workers) != 1 else ''}, still running",
                    highlight=False,
                )
                raise typer.Exit(3)
            failed = _report(view)
    except SawtError as exc:
        _fail(exc)
        return
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
    out.print(f"[bold]{prepared.article.title}[/]  ({prepared.slug})", highlight=False)
    for note in prepared.article.notes:
        out.print(f"[yellow]note:[/] {note}")
    for p in prepared.pieces:
        out.print(
            f"[dim]{p.index:>4} {p.role:<7}[/] {p.original}  [cyan]⏸ {p.pause_ms} ms[/]",
            highlight=False,
            soft_wrap=True,
        )
        if p.spoken != p.original:  # what the engine hears, when the front end changed it
            out.print(f"[dim]{'':>4} {'spoken':<7} {p.spoken}[/]", highlight=False, soft_wrap=True)
    total_pause = sum(p.pause_ms for p in prepared.pieces) / 1000
    out.print(f"[dim]{len(prepared.pieces)} pieces, {total_pause:.1f} s of pauses[/]")


@app.command()
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
        err.print("stopping after the articles in progress…", highlight=False)

    try:
        interval = parse_every(every) if watch else 0.0
        settings = _settings(config)
        if engine:
            engine_info(engine)
    except SawtError as exc:
        _fail(exc)
        return
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
                    say=lambda m: err.print(m, highlight=False, soft_wrap=True),
                ).run()
                code = summary.exit_code
                _print_summary(summary, dry_run)
            except SawtError as exc:
                if not watch or isinstance(exc, ConfigError):
                    _fail(exc)
                err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
                code = exc.exit_code
            if not watch or stop.wait(interval):
                break
            try:
                settings = _settings(config)  # edits to podcast.yaml apply from the next pass
            except SawtError as exc:
                err.print(f"[bold red]error:[/] {exc} (keeping the previous settings)")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if code:
        raise typer.Exit(code)


def _print_summary(summary: Summary, dry_run: bool) -> None:
    if dry_run:
        for plan in summary.planned:
            out.print(
                f"would render ({plan.kind}) {plan.slug}: {plan.page.article.title} "
                f"<{plan.page.source_url}>",
                highlight=False,
                soft_wrap=True,
            )
    for note in summary.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    for failure in summary.failed:
        err.print(f"[bold red]failed:[/] {failure}", highlight=False, soft_wrap=True)
    for slug in summary.removed:
        out.print(f"[red]removed[/] {slug}", highlight=False)
    prefix = "dry run: " if dry_run else ""
    stopped = " (stopped early; the next pass does the rest)" if summary.stopped else ""
    out.print(
        f"{prefix}{summary.line()}; {summary.requests} requests{stopped}",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def engines(config: ConfigOpt = None) -> None:
    """List the speech engines and whether each is usable here."""
    try:
        settings = _settings(config)
    except SawtError as exc:
        _fail(exc)
        return
    from rich.markup import escape

    from sawt.speech.engines import broken_plugins

    table = Table("engine", "usable", "details")
    for name, info in sorted(available_engines().items()):
        ok, detail = info.usable(settings)
        lines = [info.description, detail]
        if info.voices is not None:
            try:
                voices = info.voices()
            except Exception as exc:  # listing voices is a nicety, never a failure
                voices = [f"(cannot list voices: {exc})"]
            if voices:
                lines.append("voices: " + ", ".join(voices))
        table.add_row(name, "[green]yes[/]" if ok else "[red]no[/]", escape("\n".join(lines)))
    for name, why in sorted(broken_plugins().items()):
        table.add_row(name, "[red]no[/]", escape(f"plug-in failed to load: {why}"))
    out.print(table)


@app.command()
def cache(
    clear: Annotated[bool, typer.Option("--clear", help="Delete every cached clip.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Show the clip cache's location and size, or clear it."""
    from sawt.speech.cache import ClipCache

    try:
        store = ClipCache(_settings(config).cache_path())
        stats = store.clear() if clear else store.stats()
    except SawtError as exc:
        _fail(exc)
        return
    verb = "removed" if clear else "holds"
    out.print(
        f"cache {stats.path} {verb} {stats.entries} clips, {stats.bytes / 1e6:.1f} MB",
        highlight=False,
    )


def _version(value: bool) -> None:
    if value:
        out.print(f"sawt {__version__}")
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
        err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    out.print(
        f"[green]feed[/] {report.feed} ({report.episodes} episodes)",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="Folder for podcast.yaml and episodes/.", file_okay=False)
    ] = Path("."),
) -> None:
    """Write a commented starter podcast.yaml and the episodes/ folder (never overwrites)."""
    from sawt.starter import write_starter

    try:
        config, episodes = write_starter(folder)
    except SawtError as exc:
        _fail(exc)
    out.print(f"[green]wrote[/] {config} and {episodes}/", highlight=False, soft_wrap=True)


@app.command("episodes")
def list_episodes(config: ConfigOpt = None) -> None:
    """List the episodes in the catalog: title, date, duration, engine."""
    from sawt.publishing.catalog import scan

    try:
        catalog = scan(_settings(config).episodes_path())
    except SawtError as exc:
        _fail(exc)
    for path, why in catalog.broken:
        err.print(f"[yellow]note:[/] {path}: {why}", highlight=False, soft_wrap=True)
    if not catalog.records:
        out.print("no episodes yet; see `sawt render`")
        return
    table = Table("slug", "title", "date", "duration", "engine")
    for r in catalog.records:
        minutes, seconds = divmod(round(r.duration_ms / 1000), 60)
        table.add_row(
            r.slug, r.title, (r.pub_date or "")[:10], f"{minutes}:{seconds:02d}", r.engine
        )
    out.print(table, soft_wrap=True)


@app.command()
def remove(
    slug: Annotated[str, typer.Argument(help="The episode's slug (see `sawt episodes`).")],
    no_feed: Annotated[bool, typer.Option("--no-feed", help="Do not rebuild the feed.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Remove one episode (audio, record, captions, chapters) and rebuild the feed."""
    from sawt.publishing.catalog import remove_episode

    try:
        settings = _settings(config)
        for path in remove_episode(settings.episodes_path(), slug):
            out.print(f"[red]removed[/] {path}", highlight=False, soft_wrap=True)
        if not no_feed:
            _publish(settings)
    except SawtError as exc:
        _fail(exc)


@app.command()
def feed(config: ConfigOpt = None) -> None:
    """Rebuild episodes/feed.xml, captions and JSON chapters from the episode records."""
    try:
        _publish(_settings(config))
    except SawtError as exc:
        _fail(exc)


@app.command()
def check(config: ConfigOpt = None) -> None:
    """Check the published feed against Apple's requirements and the files on disk."""
    from sawt.publishing.check import check as run_check

    try:
        problems = run_check(_settings(config))
    except SawtError as exc:
        _fail(exc)
    for problem in problems:
        out.print(f"[red]problem:[/] {problem}", highlight=False, soft_wrap=True)
    if problems:
        err.print(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} found")
        raise typer.Exit(1)
    out.print("[green]ok:[/] the feed and its files look right", highlight=False)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; another than 127.0.0.1 shares it.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    config: ConfigOpt = None,
) -> None:
    """Serve episodes/ over HTTP for local preview and subscription."""
    from sawt.publishing.serve import make_server

    try:
        settings = _settings(config)
        if not settings.episodes_path().is_dir():
            raise SawtError(
                f"no episodes folder at {settings.episodes_path()}",
                hint="run `sawt init` or `sawt render ARTICLE` first",
            )
        server = make_server(settings.episodes_path(), host, port)
    except SawtError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(SawtError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"))
    out.print(
        f"serving {settings.episodes_path()} at http://{host}:{server.server_port}/feed.xml "
        "(Ctrl-C to stop)",
        highlight=False,
        soft_wrap=True,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]note:[/] listening on {host}: other machines on the network can fetch")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main() -> None:
    """Entry point of the ``sawt`` command."""
    app()
