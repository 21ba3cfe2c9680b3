"""The command's shell: help as users expect it, and one line for every failure.

- Help: flags show no metavar (``--dry-run -n``, not ``--dry-run -n <bool>``),
  options show click's type names (``TEXT``, ``INTEGER RANGE``, ``FILE``) and
  arguments their name in capitals (``ARTICLES...``, ``SLUG``), in the usage
  line and in the panel.
- Failures: a ``SawtError`` prints ``error: …`` (and its hint) and exits with its
  code; an ``OSError`` (read-only folder, full disk, a file where a folder
  should be) prints one line naming the path and the cause, exit 1; a bad
  option value or a typo in a command prints one line, exit 2; Ctrl-C or
  SIGTERM prints ``interrupted``, exit 130. Never a traceback.
"""

from __future__ import annotations

import errno
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

import typer
from rich.console import Console
from typer import _click
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.exceptions import Abort

from sawt.console import describe_os_error, say
from sawt.errors import SawtError

# The error console: user text in messages is made safe by sawt.console.line.
err = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)

INTERRUPTED = 130
_TYPE_NAMES = {
    "str": "TEXT",
    "int": "INTEGER",
    "float": "FLOAT",
    "int range": "INTEGER RANGE",
    "float range": "FLOAT RANGE",
    "file": "FILE",
    "path": "PATH",
    "directory": "DIRECTORY",
}


class _Argument(TyperArgument):
    """An argument shown as its name in capitals: ``ARTICLES...``, ``[FOLDER]``."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        return name if self.required else f"[{name}]"

    def display_type_rich(self, ctx: _click.Context) -> str | None:
        """The name says it all (no ``<list[str]>``)."""
        return None


class _Option(TyperOption):
    """A flag shows no metavar; an option with a value shows click's type name."""

    def display_type_rich(self, ctx: _click.Context) -> str | None:
        """``None`` for a flag, else ``TEXT``, ``INTEGER RANGE``, ``FILE``…"""
        if self.is_flag:
            return None
        shown = super().display_type_rich(ctx)
        if shown is None or self.metavar is not None:
            return shown
        dots = "..." if shown.endswith("...") else ""
        label = shown.removesuffix("...").strip("<>")
        return _TYPE_NAMES.get(label, label.upper()) + dots


def _plain_params(params: Sequence[_click.Parameter]) -> None:
    """Give typer's parameters the help display above (in place)."""
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = _Argument
            if param.metavar is None and param.name:
                dots = "..." if param.nargs != 1 else ""
                param.metavar = param.name.upper() + dots
        elif type(param) is TyperOption:
            param.__class__ = _Option


class SawtCommand(TyperCommand):
    """A sawt command: help without ``<bool>``, arguments in capitals."""

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        """The parameters (and --help), with the help display above."""
        params = super().get_params(ctx)
        _plain_params(params)
        return params


class SawtGroup(TyperGroup):
    """The ``sawt`` command: its subcommands' failures end in one line and an exit code."""

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        """The parameters (and --help), with the help display above."""
        params = super().get_params(ctx)
        _plain_params(params)
        return params

    def invoke(self, ctx: _click.Context) -> Any:
        """Run the subcommand; turn every failure into one line and an exit code."""
        try:
            return super().invoke(ctx)
        except SawtError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            say(err, "interrupted")
            raise typer.Exit(INTERRUPTED) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (`sawt episodes | head`)
                raise
            say(err, ("error:", "bold red"), " ", describe_os_error(exc))
            raise typer.Exit(1) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Parse and run; a usage error (bad option value, unknown command) is one line."""
        try:
            code = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except NoArgsIsHelpError as exc:
            exc.show()  # `sawt` alone: the help (and click's usual exit code)
            code = exc.exit_code
        except ClickException as exc:
            context = getattr(exc, "ctx", None)
            where = f" (see `{context.command_path} --help`)" if context is not None else ""
            say(err, ("error:", "bold red"), " ", exc.format_message(), where)
            code = exc.exit_code
        except Abort:
            say(err, "interrupted")
            code = INTERRUPTED
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def report(exc: SawtError) -> None:
    """``error: <message>`` (and its hint) on stderr."""
    say(err, ("error:", "bold red"), " ", str(exc))


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While inside: SIGTERM is handled like Ctrl-C (a KeyboardInterrupt)."""
    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
