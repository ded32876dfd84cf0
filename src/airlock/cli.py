"""The `airlock` command: parse arguments, call the library, format, choose the exit code. No logic here."""

from __future__ import annotations

import os
import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from airlock import __version__
from airlock.analysis import ANALYZER_VERSION
from airlock.config import load_settings
from airlock.errors import AirlockError, OperationalError
from airlock.files import write_atomic
from airlock.model import PackageReport
from airlock.registry.cache import Cache, default_cache_dir
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import load_npm_config
from airlock.report import ToolInfo, get_format
from airlock.report.text import TextFormat
from airlock.scan import Scanner, ScanOptions
from airlock.store import AnalysisStore, default_store_path
from airlock.store.sqlite import MemoryStore, SQLiteStore

app = typer.Typer(
    name="airlock",
    help="Make installing and updating npm dependencies safe: verify, analyse, and gate packages "
    "before they reach node_modules. Static analysis only — package code is never run.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
cache_app = typer.Typer(help="Inspect or clear the download cache and analysis store.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

_stderr = Console(stderr=True, highlight=False)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


class FailOn(StrEnum):
    block = "block"
    review = "review"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"airlock {__version__} (analyzer {ANALYZER_VERSION})")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """airlock: supply-chain safety for npm."""


class _RichProgress:
    """A progress bar on stderr, shown only when stderr is a terminal and there is more than one target."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        if total < 2 or not _stderr.is_terminal:
            return
        self._progress = Progress(
            TextColumn("[bold]scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=_stderr,
            transient=True,
        )
        self._task = self._progress.add_task("", total=total)
        self._progress.start()

    def advance(self, label: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, description=label[:40])

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _open_store(no_store: bool) -> AnalysisStore:
    return MemoryStore() if no_store else SQLiteStore(default_store_path())


def _render(reports: list[PackageReport], fmt: OutputFormat | None, verbose: bool, to_file: bool) -> str:
    chosen = fmt or (OutputFormat.text if sys.stdout.isatty() and not to_file else OutputFormat.json)
    tool = ToolInfo(name="airlock", version=__version__, analyzer=ANALYZER_VERSION)
    if chosen is OutputFormat.text:
        console = Console()
        colour = console.is_terminal and not to_file and "NO_COLOR" not in os.environ
        return TextFormat(color=colour, width=console.width if not to_file else 100).render(
            reports, tool, verbose=verbose
        )
    return get_format(chosen.value).render(reports, tool, verbose=verbose)


def _write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    try:
        write_atomic(output.resolve(), (text if text.endswith("\n") else text + "\n").encode())
    except OSError as exc:
        raise OperationalError(f"cannot write {output}: {exc.strerror}") from None


@app.command(
    epilog="""[bold]Examples[/bold]

  airlock scan left-pad@1.3.0 'express@^4' @babel/core

  airlock scan ./my-package-1.0.0.tgz ./vendor/some-dir --format json -o report.json

  airlock scan lodash --format sarif > airlock.sarif

  airlock scan event-stream@3.3.6 -v

[bold]Exit codes[/bold]: 0 nothing to act on · 1 something blocked (or reached --fail-on) · 2 bad usage or
input · 3 network/registry/store failure.
""",
)
def scan(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="Packages to analyse: name, name@version, name@range, name@tag, @scope/name, ./pkg.tgz, ./dir.",
            show_default=False,
        ),
    ],
    format: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", help="Output format. Default: text on a terminal, json otherwise."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Text format: show evidence and details.")
    ] = False,
    offline: Annotated[
        bool | None, typer.Option("--offline/--online", help="Use only the cache, never the registry.")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Analysis processes (default: cores).")
    ] = None,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="Exit 1 when a package gets this verdict or worse.")
    ] = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Do not read or write the analysis store (always analyse).")
    ] = False,
    project: Annotated[
        Path,
        typer.Option("--project", help="Project directory (airlock.toml and .npmrc are read from here)."),
    ] = Path(),
) -> None:
    """Analyse packages: verified fetch, capability inventory with evidence, findings and a verdict."""
    settings = load_settings(
        project,
        flags={
            "offline": offline,
            "jobs": jobs,
            "fail_on": None if fail_on is None else _verdict(fail_on),
        },
    )
    npm_config = load_npm_config(project.resolve(), env=os.environ, home=Path.home())

    def client_factory() -> RegistryClient:
        return RegistryClient(npm_config, Cache(default_cache_dir()), offline=settings.offline)

    options = ScanOptions(jobs=settings.jobs, rule_severity=settings.rule_severity)
    with (
        _open_store(no_store) as store,
        Scanner(
            client_factory=client_factory, store=store, options=options, progress=_RichProgress()
        ) as scanner,
    ):
        outcome = scanner.scan(targets)
    _write_output(_render(list(outcome.reports), format, verbose, output is not None), output)
    for failure in outcome.failures:
        _stderr.print(Text.assemble(("warning: ", "yellow"), failure.message))
        if failure.hint:
            _stderr.print(Text.assemble(("hint: ", "dim"), failure.hint))
    raise typer.Exit(int(outcome.exit_code(fail_on=settings.fail_on)))


def _verdict(fail_on: FailOn) -> object:
    from airlock.model import Verdict

    return Verdict(fail_on.value)


@cache_app.command("path")
def cache_path() -> None:
    """Print where downloads and the analysis store live."""
    typer.echo(f"downloads: {default_cache_dir()}")
    typer.echo(f"store:     {default_store_path()}")


@cache_app.command("clear")
def cache_clear(
    store: Annotated[bool, typer.Option("--store/--no-store", help="Also delete the analysis store.")] = True,
) -> None:
    """Delete cached downloads (and, by default, stored analyses)."""
    removed: list[Path] = []
    for path in [default_cache_dir(), *([default_store_path()] if store else [])]:
        if path.is_dir():
            shutil.rmtree(path)
            removed.append(path)
        elif path.exists():
            path.unlink()
            removed.append(path)
    typer.echo("removed: " + ", ".join(map(str, removed)) if removed else "nothing to remove")


def main() -> None:
    """Console-script entry point: the only place errors are caught and turned into exit codes.

    Typer's standalone mode already turns usage errors into exit 2 and Ctrl-C into "Aborted!"; what
    reaches here is ours."""
    try:
        app(prog_name="airlock")
    except AirlockError as error:
        _stderr.print(Text.assemble(("error: ", "bold red"), error.message))
        if error.hint:
            _stderr.print(Text.assemble(("hint: ", "dim"), error.hint))
        sys.exit(int(error.exit_code))
