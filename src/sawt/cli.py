"""The command line: the only module that prints or exits."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sawt import __version__
from sawt.config import Settings, load_settings
from sawt.engines import available_engines, create_engine
from sawt.errors import SawtError

app = typer.Typer(
    name="sawt",
    help="Turn written articles (Arabic first) into a spoken, tagged MP3 and a podcast feed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="podcast.yaml to use (default: ./podcast.yaml if present).",
        dir_okay=False,
    ),
]


class RichReporter:
    """Draws the core's progress with rich, on stderr."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description:>10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.task: object | None = None

    def stage(self, name: str, total: int | None = None) -> None:
        """Start a bar for a new stage."""
        if self.task is not None:
            self.progress.update(self.task, visible=False)  # type: ignore[arg-type]
        self.task = self.progress.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        """Advance the current bar."""
        if self.task is not None:
            self.progress.advance(self.task, steps)  # type: ignore[arg-type]

    def note(self, message: str) -> None:
        """Print a note above the bars."""
        self.console.print(f"[yellow]note:[/] {message}")


def _settings(config: Path | None) -> Settings:
    return load_settings(config)


def _fail(exc: SawtError) -> None:
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@app.command()
def render(
    articles: Annotated[list[Path], typer.Argument(help="Article files (.md, .txt, .html).")],
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
    config: ConfigOpt = None,
) -> None:
    """Render articles to episodes/<slug>.mp3 with tags, chapters and a record."""
    from sawt.render import prepare
    from sawt.render import render as do_render

    try:
        settings = _settings(config)
        name = engine or settings.engine
        if dry_run or as_json:
            eng = create_engine(name, settings)
            for path in articles:
                prepared = prepare(path, settings, eng.max_chars, getattr(eng, "caps", None))
                _print_script(prepared, as_json)
            return
        for path in articles:
            result = do_render(path, settings, name, RichReporter(err))
            minutes, seconds = divmod(result.duration_ms / 1000, 60)
            out.print(
                f"[green]wrote[/] {result.mp3} ({int(minutes)}:{seconds:04.1f}, "
                f"{len(result.chapters)} chapters, engine {result.engine})",
                highlight=False,
            )
    except SawtError as exc:
        _fail(exc)


def _print_script(prepared: object, as_json: bool) -> None:
    from sawt.render import Prepared

    assert isinstance(prepared, Prepared)
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
def engines(config: ConfigOpt = None) -> None:
    """List the speech engines and whether each is usable here."""
    table = Table("engine", "usable", "details")
    for name, info in sorted(available_engines().items()):
        ok, detail = info.check()
        table.add_row(
            name, "[green]yes[/]" if ok else "[red]no[/]", f"{info.description}\n{detail}"
        )
    out.print(table)


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


def main() -> None:
    """Entry point of the ``sawt`` command."""
    app()
