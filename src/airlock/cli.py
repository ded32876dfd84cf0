"""The `airlock` command: parse arguments, call the library, format, choose the exit code. No logic here."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from airlock import __version__
from airlock.cli_parsing import FLAG, Command, Group
from airlock.errors import AirlockError, OperationalError, UsageError
from airlock.files import write_output
from airlock.interrupt import ctrl_c_ends_the_run
from airlock.revision import ANALYZER_VERSION

if TYPE_CHECKING:
    from airlock.check.project import ProjectCheck as _Checked
    from airlock.check.run import CheckOutcome
    from airlock.exit import ExitCode
    from airlock.install.ci import ScriptsStep
    from airlock.model import Verdict
    from airlock.pipeline import RunOutcome
    from airlock.policy.document import Policy
    from airlock.report.document import ReportDocument, ToolInfo

app = typer.Typer(
    name="airlock",
    help="Make installing and updating npm dependencies safe: verify, analyse, and gate packages "
    "before they reach node_modules. Static analysis only — package code is never run.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=Group,
)
cache_app = typer.Typer(
    help="Inspect or clear the download cache and analysis store.", no_args_is_help=True, cls=Group
)
app.add_typer(cache_app, name="cache")

_stderr = Console(stderr=True, highlight=False, soft_wrap=True)
"""Warnings, hints and status lines: never wrapped by rich (a terminal wraps what it must; a log file or CI
output keeps each message on one line, never split mid-word)."""


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    html = "html"


class FailOn(StrEnum):
    block = "block"
    review = "review"


# Options both commands take, declared once.
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help=f"{', '.join(OutputFormat)}. Default: text on a terminal, json otherwise.",
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write the report to this file.")
]
OfflineOption = Annotated[
    bool | None,
    typer.Option("--offline/--online", metavar=FLAG, help="Use only the cache, never the registry."),
]
JobsOption = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, metavar="N", help="Analysis processes (default: cores).")
]
FailOnOption = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on",
        metavar="VERDICT",
        help="block or review: exit 1 when a package gets this verdict or worse.",
    ),
]


class CheckFailOn(StrEnum):
    block = "block"
    review = "review"
    policy = "policy"


CheckFailOnOption = Annotated[
    list[CheckFailOn] | None,
    typer.Option(
        "--fail-on",
        metavar="WHAT",
        help="block, review or policy (repeatable): exit 1 when a package gets this verdict or worse; "
        "policy: when a package exceeds its airlock-policy.json grants.",
    ),
]
ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project", metavar="DIR", help="Project directory (airlock.toml and .npmrc are read from here)."
    ),
]
ProductionOption = Annotated[
    bool,
    typer.Option("--production", metavar=FLAG, help="Skip packages that only dev dependencies pull in."),
]
NoStoreOption = Annotated[
    bool,
    typer.Option(
        "--no-store", metavar=FLAG, help="Do not read or write the analysis store (always analyse)."
    ),
]
# Shared by `ci` and `install`: both end in the same sandboxed scripts step.
AllowNetworkOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-network",
        metavar="PKG",
        help="Let this package's install scripts reach the network (repeatable; loud in every report).",
    ),
]
UnsandboxedScriptsOption = Annotated[
    bool,
    typer.Option(
        "--unsandboxed-scripts",
        metavar=FLAG,
        help="Run the allowed install scripts without the sandbox, with your full authority (loud).",
    ),
]
ScriptTimeoutOption = Annotated[
    float,
    typer.Option("--script-timeout", min=1, metavar="SECONDS", help="Time limit per install script."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"airlock {__version__} (analyzer {ANALYZER_VERSION})")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, metavar=FLAG, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """airlock: supply-chain safety for npm."""


class _RichProgress:
    """A progress bar on stderr, shown only when stderr is a terminal and there is more than one target:
    packages analysed of the total, how many were downloaded and how many MB."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._fetched = 0
        self._bytes = 0

    def start(self, total: int) -> None:
        if total < 2 or not _stderr.is_terminal:
            return
        self._progress = Progress(
            TextColumn("[bold]analysing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("· fetched {task.fields[fetched]} ({task.fields[megabytes]:.1f} MB)"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=_stderr,
            transient=True,
        )
        self._task = self._progress.add_task("", total=total, fetched=0, megabytes=0.0)
        self._progress.start()

    def fetched(self, label: str, size: int) -> None:
        if self._progress is not None and self._task is not None:
            self._fetched += 1
            self._bytes += size
            self._progress.update(self._task, fetched=self._fetched, megabytes=self._bytes / 2**20)

    def advance(self, label: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, description=label[:40])

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _chosen_format(fmt: OutputFormat | None, to_file: bool) -> str:
    return (fmt or (OutputFormat.text if sys.stdout.isatty() and not to_file else OutputFormat.json)).value


def _colour(to_file: bool) -> bool:
    return Console().is_terminal and not to_file and "NO_COLOR" not in os.environ


def _tool() -> ToolInfo:
    from airlock.report.document import ToolInfo

    return ToolInfo(name="airlock", version=__version__, analyzer=ANALYZER_VERSION)


def _render(document: ReportDocument, fmt: OutputFormat | None, verbose: bool, to_file: bool) -> str:
    from airlock.report import get_format
    from airlock.report.text import TextFormat

    chosen = _chosen_format(fmt, to_file)
    if chosen == "text":
        # The terminal's width; piped or into a file no width at all, so no line is ever wrapped mid-word.
        width = Console().width if sys.stdout.isatty() and not to_file else None
        return TextFormat(color=_colour(to_file), width=width).render(document, verbose=verbose)
    return get_format(chosen).render(document, verbose=verbose)


def _print_failures(failures: Sequence[AirlockError]) -> None:
    for failure in failures:
        _stderr.print(Text.assemble(("warning: ", "yellow"), failure.message))
        if failure.hint:
            _stderr.print(Text.assemble(("hint: ", "dim"), failure.hint))


def _print_warnings(warnings: Sequence[str]) -> None:
    for warning in warnings:
        _stderr.print(Text.assemble(("warning: ", "yellow"), warning))


def _write_output(
    text: str, output: Path | None, document: ReportDocument, exit_code: ExitCode, fail_on: Verdict
) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    try:
        write_output(output, (text if text.endswith("\n") else text + "\n").encode())
    except OSError as exc:
        raise OperationalError(f"cannot write {output}: {exc.strerror}") from None
    from airlock.report.summary import summarize, written_line

    # Nothing else reaches the terminal: say what the file holds and why the command exits as it does.
    summary = written_line(
        summarize(document.packages), written=str(output), exit_code=exit_code, fail_on=fail_on
    )
    _stderr.print(Text(summary))


@app.command(
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock scan left-pad@1.3.0 'express@^4' @babel/core

  airlock scan ./my-package-1.0.0.tgz ./vendor/some-dir --format json -o report.json

  airlock scan lodash --format sarif > airlock.sarif

  airlock scan esbuild@0.25.0 -v

  airlock scan express --with-deps       # the package and its whole dependency tree

[bold]Exit codes[/bold]: 0 nothing to act on · 1 something blocked (or reached --fail-on) · 2 bad usage or
input · 3 network/registry/store failure.
""",
)
def scan(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="TARGET...",
            help="Packages to analyse: name, name@version, name@range, name@tag, @scope/name, ./pkg.tgz, ./dir, "
            "https://host/pkg.tgz.",
            show_default=False,
        ),
    ],
    format: FormatOption = None,
    output: OutputOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", metavar=FLAG, help="Text format: show evidence and details.")
    ] = False,
    offline: OfflineOption = None,
    jobs: JobsOption = None,
    fail_on: FailOnOption = None,
    no_store: NoStoreOption = False,
    project: ProjectOption = Path(),
    with_deps: Annotated[
        bool,
        typer.Option(
            "--with-deps",
            metavar=FLAG,
            help="Also analyse every dependency, resolved by npm as an install would (scripts never run); "
            "reported like check.",
        ),
    ] = False,
) -> None:
    """Analyse packages: verified fetch, capability inventory with evidence, findings and a verdict."""
    from airlock.compose import Runtime
    from airlock.config import load_settings
    from airlock.report.document import ReportDocument, ReportKind
    from airlock.scan import scan as scan_targets
    from airlock.scan import scan_with_deps

    _check_output_path(output)
    settings = load_settings(
        project,
        flags={
            "offline": offline,
            "jobs": jobs,
            "fail_on": None if fail_on is None else _verdict(fail_on),
        },
    )
    runtime = Runtime.for_project(project, settings, no_store=no_store)
    outcome: RunOutcome | CheckOutcome
    if with_deps:
        document, outcome = scan_with_deps(
            runtime, project, targets, _tool(), _RichProgress(), status=_status
        )
    else:
        with runtime.pipeline(_RichProgress()) as pipeline:
            outcome = scan_targets(pipeline, targets)
        accepted_notes = runtime.acceptances.notes(outcome.reports, whole_project=False)
        document = ReportDocument(
            ReportKind.SCAN, _tool(), outcome.reports, (*outcome.notes, *accepted_notes)
        )
    code = outcome.exit_code(fail_on=settings.fail_on)
    _write_output(
        _render(document, format, verbose, output is not None), output, document, code, settings.fail_on
    )
    _print_failures(outcome.failures)
    _print_warnings(runtime.acceptances.expired_warnings())
    raise typer.Exit(int(code))


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


@app.command(
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock diff event-stream@3.3.5 event-stream@3.3.6

  airlock diff ./left-pad-1.2.0.tgz ./left-pad-1.3.0.tgz --format json -o diff.json

  airlock diff ./vendor/lib-old ./vendor/lib-new --fail-on review

  airlock diff left-pad@1.2.0 left-pad@1.3.0 --format markdown -o comment.md   # a pull-request comment

  airlock diff --lockfile old/package-lock.json package-lock.json

  airlock diff --base main --format markdown   # the work tree's lockfile against main's, for the PR

[bold]Exit codes[/bold]: 0 nothing to act on · 1 the change is blocked (or reached --fail-on) · 2 bad usage
or input · 3 network/registry/store failure.
""",
)
def diff(
    old: Annotated[
        str | None,
        typer.Argument(
            metavar="OLD",
            help="The version updated from (any target `scan` takes); with --lockfile the old lockfile; "
            "with --base the project directory or lockfile (default: .).",
            show_default=False,
        ),
    ] = None,
    new: Annotated[
        str | None,
        typer.Argument(
            metavar="NEW",
            help="The version updated to; with --lockfile the new lockfile.",
            show_default=False,
        ),
    ] = None,
    lockfile: Annotated[
        bool,
        typer.Option(
            "--lockfile",
            metavar=FLAG,
            help="OLD and NEW are two lockfiles: review every package that changed between them.",
        ),
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="REV",
            help="Review the work tree's lockfile against the one committed at REV (e.g. main, HEAD~1).",
        ),
    ] = None,
    production: ProductionOption = False,
    format: Annotated[
        DiffFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=f"{', '.join(DiffFormat)}. Default: text on a terminal, json otherwise.",
        ),
    ] = None,
    output: OutputOption = None,
    offline: OfflineOption = None,
    jobs: JobsOption = None,
    fail_on: FailOnOption = None,
    no_store: NoStoreOption = False,
    project: ProjectOption = Path(),
) -> None:
    """Review an update: what NEW can do that OLD could not, what it runs at install, who published it,
    the dependencies it adds (each scanned) and how much there is to read, riskiest change first."""
    from airlock.compose import Runtime
    from airlock.config import load_settings
    from airlock.diff.gather import diff_targets
    from airlock.diff.json import render_json
    from airlock.diff.markdown import render_markdown
    from airlock.diff.sarif import render_sarif
    from airlock.diff.text import render_text
    from airlock.diff.trees import diff_lockfiles, requested_pair

    _check_output_path(output)
    settings = load_settings(
        project,
        flags={"offline": offline, "jobs": jobs, "fail_on": None if fail_on is None else _verdict(fail_on)},
    )
    pair = requested_pair(old, new, lockfile=lockfile, base=base, production=production)
    runtime = Runtime.for_project(project, settings, no_store=no_store)
    with runtime.pipeline() as pipeline:
        if pair is None:
            assert old is not None and new is not None  # requested_pair checked
            document = diff_targets(pipeline, old, new)
        else:
            document = diff_lockfiles(
                pipeline,
                pair.old,
                pair.new,
                production=production,
                labels=(pair.old_label, pair.new_label),
            )
    code = document.exit_code(fail_on=settings.fail_on)
    to_file = output is not None
    chosen = format.value if format is not None else _chosen_format(None, to_file)
    if chosen == "text":
        width = Console().width if sys.stdout.isatty() and not to_file else None
        text = render_text(document, color=_colour(to_file), width=width)
    elif chosen == "markdown":
        text = render_markdown(document)
    elif chosen == "sarif":
        text = render_sarif(document, _tool())
    else:
        text = render_json(document, _tool())
    text = text if text.endswith("\n") else text + "\n"
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            write_output(output, text.encode())
        except OSError as exc:
            raise OperationalError(f"cannot write {output}: {exc.strerror}") from None
        _stderr.print(Text(f"wrote the diff to {output}: {document.verdict.value} (exit {int(code)})"))
    _print_failures(document.failures)
    raise typer.Exit(int(code))


@app.command(
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock check                      # the project in this directory, from its lockfile

  airlock check ./web --production --fail-on review

  airlock check --format sarif -o airlock.sarif   # locations point into the lockfile

[bold]Exit codes[/bold]: 0 nothing to act on · 1 something blocked (or reached --fail-on) · 2 bad usage or
input (a malformed lockfile) · 3 network/registry/store failure.
""",
)
def check(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="Project directory (or a lockfile). Without a lockfile, npm resolves one in a temporary "
            "copy of package.json — scripts never run.",
        ),
    ] = Path(),
    production: ProductionOption = False,
    format: FormatOption = None,
    output: OutputOption = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", metavar=FLAG, help="Text format: every package, with evidence and details."
        ),
    ] = False,
    offline: OfflineOption = None,
    jobs: JobsOption = None,
    fail_on: CheckFailOnOption = None,
    min_age: Annotated[
        float | None,
        typer.Option(
            "--min-release-age-days",
            "--min-age",
            min=0,
            metavar="DAYS",
            help="Versions younger than this many days are noted, and go to review when they also bring a new "
            "maintainer, install script or dependency (default 7).",
        ),
    ] = None,
    public_registry: Annotated[
        str | None,
        typer.Option(
            "--public-registry",
            metavar="URL",
            help="Where to ask whether names from a private registry also exist publicly; 'none' to skip.",
        ),
    ] = None,
    all_platforms: Annotated[
        bool,
        typer.Option(
            "--all-platforms",
            metavar=FLAG,
            help="Also check optional packages for other platforms (every esbuild/rollup/swc binary), "
            "which npm would not install here.",
        ),
    ] = False,
    target_platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            metavar="OS/CPU[/LIBC]",
            help="Check the tree npm would install on this platform (e.g. darwin/arm64, linux/x64/musl) "
            "instead of this machine's.",
        ),
    ] = None,
    no_store: NoStoreOption = False,
) -> None:
    """Analyse a project's whole dependency tree: lockfile tampering, registry metadata signals and every
    package's capabilities and findings, each with the dependency path that pulls it in."""
    from airlock.check.document import check_document
    from airlock.exit import ExitCode

    _check_output_path(output)
    wanted = set(fail_on or ())
    verdict_fail_on = next(
        (FailOn(w.value) for w in (CheckFailOn.review, CheckFailOn.block) if w in wanted), None
    )
    if CheckFailOn.policy in wanted:
        _require_policy(path if path.is_dir() else path.parent)
    checked = _run_check(
        path,
        production=production,
        offline=offline,
        jobs=jobs,
        no_store=no_store,
        all_platforms=all_platforms,
        target_platform=target_platform,
        fail_on=verdict_fail_on,
        min_age=min_age,
        public_registry=public_registry,
    )
    outcome, runtime, settings = checked.outcome, checked.runtime, checked.settings
    outcome, policy_notes, violations = _enforce_policy(checked)
    accepted_notes = runtime.acceptances.notes(outcome.reports, whole_project=True)
    document = check_document(
        outcome,
        _tool(),
        notes=(*checked.lockfile_notes, *policy_notes, *accepted_notes),
        lockfile_uri=_relative_uri(checked.lockfile_path),
    )
    code = outcome.exit_code(fail_on=settings.fail_on)
    if code is ExitCode.OK and violations and CheckFailOn.policy in wanted:
        code = ExitCode.ACTION
    _write_output(
        _render(document, format, verbose, output is not None), output, document, code, settings.fail_on
    )
    _print_failures(outcome.failures)
    _print_warnings(runtime.acceptances.expired_warnings())
    raise typer.Exit(int(code))


class CiFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock ci                          # instead of npm ci: check, then install the checked bytes

  airlock ci ./web --fail-on review

  airlock ci --allow-network puppeteer   # its install script may download (shown in every report)

[bold]Exit codes[/bold]: 0 installed · 1 blocked, policy exceeded, --fail-on reached, bytes differing from
the checked ones, or a failed install script (nothing changed) · 2 bad usage or input · 3 network/registry
or npm failure (nothing changed).
""",
)
def ci(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Project directory (with package-lock.json).")
    ] = Path(),
    fail_on: CheckFailOnOption = None,
    allow_network: AllowNetworkOption = None,
    unsandboxed_scripts: UnsandboxedScriptsOption = False,
    script_timeout: ScriptTimeoutOption = 300.0,
    format: Annotated[
        CiFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text or json. Default: text on a terminal, json otherwise.",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", metavar=FLAG, help="Text format: the whole check report.")
    ] = False,
    jobs: JobsOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Install exactly what package-lock.json pins, like npm ci, but only after the check passed: the bytes
    installed are the bytes analysed, allowed install scripts run sandboxed, and node_modules is swapped in
    atomically (an interrupted or failed run leaves the previous one untouched)."""
    from airlock.check.document import check_document
    from airlock.check.project import CheckSettings
    from airlock.install.ci import CiRequest, run_ci
    from airlock.install.summary import summary_json, summary_text

    wanted = set(fail_on or ())
    verdict = _fail_on_verdict(wanted)
    request = CiRequest(
        path,
        check=CheckSettings(jobs=jobs, no_store=no_store, fail_on=verdict),
        allow_network=frozenset(allow_network or ()),
        unsandboxed_scripts=unsandboxed_scripts,
        script_timeout=script_timeout,
    )
    outcome = run_ci(
        request, _step, check_progress=_RichProgress(), scripts_step=_scripts_step(), notice=_notice
    )
    checked = outcome.checked
    document = check_document(
        outcome.outcome,
        _tool(),
        notes=(*checked.lockfile_notes, *outcome.policy.notes),
        lockfile_uri=_relative_uri(checked.lockfile_path),
    )
    chosen = (format or (CiFormat.text if sys.stdout.isatty() else CiFormat.json)).value
    if chosen == "json":
        from airlock.report import get_format

        text = summary_json(outcome, get_format("json").render(document, verbose=verbose))
    else:
        summary = summary_text(outcome, checked.settings.fail_on, verbose=verbose)
        # The check's report when it stopped the run (what to act on), or with -v.
        text = (
            _render(document, OutputFormat.text, verbose, False) + "\n" + summary
            if verbose or outcome.install is None
            else summary
        )
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
    _print_warnings(outcome.policy.warnings)
    _print_failures(outcome.outcome.failures)
    raise typer.Exit(int(outcome.exit_code))


def _scripts_step() -> ScriptsStep:
    """Allowed lifecycle scripts, in the sandbox (or unsandboxed, loudly, when asked)."""
    from airlock.install.scripts_step import sandboxed_scripts_step

    return sandboxed_scripts_step


def _warn_lost_refusals(policy: Policy, override: Policy | None) -> None:
    """Say so when an override refusal has no effect under LavaMoat's merge (a parent stays granted)."""
    from airlock.policy.merge import lost_refusals

    if override is not None:
        _print_warnings(lost_refusals(policy, override))


def _require_policy(project: Path) -> None:
    from airlock.policy.document import POLICY_FILENAME

    if not (project / POLICY_FILENAME).is_file():
        raise UsageError(
            f"--fail-on policy: {project / POLICY_FILENAME} does not exist",
            hint=f"create it with `airlock policy init {project}`, or drop --fail-on policy",
        )


def _enforce_policy(checked: _Checked) -> tuple[CheckOutcome, tuple[str, ...], int]:
    """The outcome with `policy-exceeded` findings when the project has an airlock-policy.json (beside the
    lockfile), a note saying what the policy found, and how many packages exceed their grants."""
    from airlock.check.project import enforce_project_policy

    enforced = enforce_project_policy(checked)
    _print_warnings(enforced.warnings)
    return enforced.outcome, enforced.notes, enforced.violations


def _run_check(
    path: Path,
    *,
    production: bool,
    offline: bool | None,
    jobs: int | None,
    no_store: bool,
    all_platforms: bool,
    target_platform: str | None,
    fail_on: FailOn | None = None,
    min_age: float | None = None,
    public_registry: str | None = None,
    check_public_registry: bool = True,
) -> _Checked:
    """The wiring of `airlock check`, shared with `airlock policy`: settings, lockfile, platforms, run."""
    from airlock.check.project import CheckSettings, run_project_check
    from airlock.model import Verdict

    wanted = CheckSettings(
        production=production,
        offline=offline,
        jobs=jobs,
        no_store=no_store,
        all_platforms=all_platforms,
        target_platform=target_platform,
        fail_on=None if fail_on is None else Verdict(fail_on.value),
        min_age=min_age,
        public_registry=public_registry,
        check_public_registry=check_public_registry,
    )
    return run_project_check(path, wanted, progress=_RichProgress(), status=_status)


def _relative_uri(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _status(line: str) -> None:
    """A long step that prints nothing otherwise: say what is happening, on stderr."""
    _stderr.print(Text(line, style="dim"))


def _step(line: str) -> None:
    """A step of `ci`/`install` (npm started, check passed, a script running, the swap): progress, shown
    where the check's progress bar is (stderr a terminal) and nowhere else; the summary tells the rest."""
    if _stderr.is_terminal:
        _stderr.print(Text(line, style="dim"))


def _notice(line: str) -> None:
    """What a run did that must be heard even when nobody watches (always on stderr)."""
    _stderr.print(Text.assemble(("note: ", "yellow"), line))


def _check_output_path(output: Path | None) -> None:
    """Before any work: a report that cannot be written is a usage error, not a failure after the run."""
    if output is None:
        return
    if output.is_dir():
        raise UsageError(f"--output {output} is a directory", hint="give a file name, e.g. -o report.json")
    parent = output.parent
    if not parent.is_dir():
        raise UsageError(
            f"--output {output}: the directory {parent} does not exist",
            hint=f"create it first (mkdir -p {parent}) or write the report elsewhere",
        )


def _verdict(fail_on: FailOn) -> object:
    from airlock.model import Verdict

    return Verdict(fail_on.value)


def _fail_on_verdict(wanted: set[CheckFailOn]) -> Verdict | None:
    """The strictest verdict `--fail-on` names (policy is not a verdict; callers handle it)."""
    from airlock.model import Verdict

    return next((Verdict(w.value) for w in (CheckFailOn.review, CheckFailOn.block) if w in wanted), None)


policy_app = typer.Typer(
    help="The project's least-authority policy (airlock-policy.json): per-package grants from the analysis, "
    "drift checks, LavaMoat export.",
    no_args_is_help=True,
    cls=Group,
)
app.add_typer(policy_app, name="policy")

PolicyPathArgument = Annotated[
    Path,
    typer.Argument(
        metavar="PATH",
        help="Project directory (or its lockfile); airlock-policy.json lives beside the lockfile.",
    ),
]
AllPlatformsOption = Annotated[
    bool,
    typer.Option("--all-platforms", metavar=FLAG, help="Also cover optional packages for other platforms."),
]
PlatformOption = Annotated[
    str | None,
    typer.Option("--platform", metavar="OS/CPU[/LIBC]", help="The tree npm would install on this platform."),
]


class PolicyFormat(StrEnum):
    text = "text"
    json = "json"


@dataclass(frozen=True, slots=True)
class _PolicyRun:
    checked: _Checked
    project: Path
    names: Mapping[str, str]


def _policy_run(
    path: Path,
    *,
    production: bool,
    offline: bool | None,
    jobs: int | None,
    no_store: bool,
    all_platforms: bool,
    target_platform: str | None,
) -> _PolicyRun:
    """The tree checked as `airlock check` checks it (no public-registry look-ups: they do not change any
    grant), and its LavaMoat canonical names."""
    from airlock.policy.naming import canonical_names, project_dependency_names

    checked = _run_check(
        path,
        production=production,
        offline=offline,
        jobs=jobs,
        no_store=no_store,
        all_platforms=all_platforms,
        target_platform=target_platform,
        check_public_registry=False,
    )
    _print_failures(checked.outcome.failures)
    names = canonical_names(checked.outcome.tree, declared=project_dependency_names(checked.manifest))
    return _PolicyRun(checked, checked.lockfile_path.parent, names)


@policy_app.command(
    "init",
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock policy init                 # writes ./airlock-policy.json from the analysis of the whole tree

  airlock policy init ./web --force   # start over
""",
)
def policy_init(
    path: PolicyPathArgument = Path(),
    force: Annotated[
        bool, typer.Option("--force", metavar=FLAG, help="Overwrite an existing airlock-policy.json.")
    ] = False,
    production: ProductionOption = False,
    offline: OfflineOption = None,
    jobs: JobsOption = None,
    no_store: NoStoreOption = False,
    all_platforms: AllPlatformsOption = False,
    target_platform: PlatformOption = None,
) -> None:
    """Write airlock-policy.json: every package's builtin modules, globals, dependencies and native code as
    the analysis observes them (LavaMoat's resources format), install scripts kept off."""
    from airlock.policy.document import POLICY_FILENAME, PolicyError
    from airlock.policy.files import write_policy
    from airlock.policy.generate import generate, observe_tree
    from airlock.policy.render import init_summary

    project = path if path.is_dir() else path.parent
    if (project / POLICY_FILENAME).exists() and not force:
        raise PolicyError(
            f"{project / POLICY_FILENAME} already exists",
            hint="`airlock policy check --update` brings it up to date with the tree; --force writes a new one",
        )
    run = _policy_run(
        path,
        production=production,
        offline=offline,
        jobs=jobs,
        no_store=no_store,
        all_platforms=all_platforms,
        target_platform=target_platform,
    )
    observed = observe_tree(run.checked.outcome, run.names)
    policy = generate(observed)
    written = write_policy(run.project, policy)
    typer.echo(init_summary(policy, observed, str(written)))
    raise typer.Exit(0)


@policy_app.command(
    "check",
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock policy check                # exit 1 when a package exceeds its grants

  airlock policy check --update       # show the change, then write it into airlock-policy.json

[bold]Exit codes[/bold]: 0 within the policy (narrowings and denials are reported) · 1 a package exceeds its
grants · 2 bad input (a missing or invalid policy) · 3 network/registry/store failure.
""",
)
def policy_check(
    path: PolicyPathArgument = Path(),
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            metavar=FLAG,
            help="Accept the drift: write each excess's line (install scripts as false) and take narrowed "
            "grants out. The override file is never written.",
        ),
    ] = False,
    format: Annotated[
        PolicyFormat | None, typer.Option("--format", "-f", metavar="FORMAT", help="text (default) or json.")
    ] = None,
    production: ProductionOption = False,
    offline: OfflineOption = None,
    jobs: JobsOption = None,
    no_store: NoStoreOption = False,
    all_platforms: AllPlatformsOption = False,
    target_platform: PlatformOption = None,
) -> None:
    """Compare every package's capabilities with its grants (airlock-policy.json with
    airlock-policy-override.json applied): a new builtin, global, dependency, native code or install
    script exceeds them."""
    from airlock.exit import ExitCode
    from airlock.policy.files import read_override, read_policy, write_policy
    from airlock.policy.generate import drifts, observe_tree, updated
    from airlock.policy.render import check_json, check_text

    project = path if path.is_dir() else path.parent
    policy, override = read_policy(project), read_override(project)
    run = _policy_run(
        path,
        production=production,
        offline=offline,
        jobs=jobs,
        no_store=no_store,
        all_platforms=all_platforms,
        target_platform=target_platform,
    )
    _warn_lost_refusals(policy, override)
    observed = observe_tree(run.checked.outcome, run.names)
    found = drifts(observed, policy, override)
    written = None
    if update:
        written = str(write_policy(run.project, updated(policy, found)))
    if format is PolicyFormat.json:
        typer.echo(check_json(found, observed))
    else:
        typer.echo(check_text(found, observed, updated=written))
    exceeds = any(d.exceeds for d in found) and not update
    failed = run.checked.outcome.failures
    code = ExitCode.ACTION if exceeds else (max((f.exit_code for f in failed), default=ExitCode.OK))
    raise typer.Exit(int(code))


@policy_app.command(
    "export",
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock policy export --lavamoat    # lavamoat/node/policy.json and policy-override.json, then: lavamoat index.js
""",
)
def policy_export(
    path: PolicyPathArgument = Path(),
    lavamoat: Annotated[
        bool, typer.Option("--lavamoat", metavar=FLAG, help="LavaMoat's format (the only one so far).")
    ] = False,
) -> None:
    """Write the policy for LavaMoat's runtime: lavamoat/node/policy.json from airlock-policy.json and
    lavamoat/node/policy-override.json from airlock-policy-override.json."""
    from airlock.policy.files import export_lavamoat, read_override, read_policy

    if not lavamoat:
        raise UsageError("say which format to export", hint="airlock policy export --lavamoat")
    project = path if path.is_dir() else path.parent
    policy, override = read_policy(project), read_override(project)
    _warn_lost_refusals(policy, override)
    primary, secondary = export_lavamoat(project, project, policy, override)
    typer.echo(f"wrote {primary} ({len(policy.resources)} packages) and {secondary}")
    if policy.allow_scripts:
        typer.echo(
            "allowScripts is not part of LavaMoat's policy: @lavamoat/allow-scripts reads it from package.json "
            '"lavamoat": {"allowScripts": …}'
        )
    raise typer.Exit(0)


@policy_app.command(
    "scripts",
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock policy scripts                   # every install script, allowed or not, and what it does

  airlock policy scripts --accept-benign   # allow those the analysis finds nothing in (your decision)
""",
)
def policy_scripts(
    path: PolicyPathArgument = Path(),
    accept_benign: Annotated[
        bool,
        typer.Option(
            "--accept-benign",
            metavar=FLAG,
            help="Allow (true) the install scripts of every package the analysis finds benign (verdict allow).",
        ),
    ] = False,
    production: ProductionOption = False,
    offline: OfflineOption = None,
    jobs: JobsOption = None,
    no_store: NoStoreOption = False,
    all_platforms: AllPlatformsOption = False,
    target_platform: PlatformOption = None,
) -> None:
    """Every package with install-time code: whether the policy lets it run, the commands, and what the
    analysis found in that code."""
    from airlock.lifecycle import registry_install_scripts
    from airlock.policy.drift import GrantKind, PolicyLine
    from airlock.policy.files import read_override, read_policy, write_policy
    from airlock.policy.generate import observe_tree
    from airlock.policy.merge import merge
    from airlock.policy.render import benign, scripts_text
    from airlock.policy.widen import widen

    project = path if path.is_dir() else path.parent
    policy, override = read_policy(project), read_override(project)
    run = _policy_run(
        path,
        production=production,
        offline=offline,
        jobs=jobs,
        no_store=no_store,
        all_platforms=all_platforms,
        target_platform=target_platform,
    )
    packages = observe_tree(run.checked.outcome, run.names).packages
    merged = merge(policy, override) if override is not None else policy
    accepted = []
    if accept_benign:
        accepted = [
            p
            for p in packages
            if p.observed is not None
            and p.version
            and registry_install_scripts(p.report.install_scripts)
            and benign(p.report)
            and merged.scripts_decision(p.name, p.version) is not True
            and (override is None or override.scripts_decision(p.name, p.version) is not False)
        ]
        lines = [
            PolicyLine((GrantKind.INSTALL_SCRIPT.value, f"{p.name}#{p.version}"), True) for p in accepted
        ]
        policy = widen(policy, lines)
        write_policy(run.project, policy)
        merged = merge(policy, override) if override is not None else policy
    typer.echo(scripts_text(packages, merged, accepted=accepted))
    raise typer.Exit(0)


@app.command(
    "install",
    cls=Command,
    epilog="""[bold]Examples[/bold]

  airlock install left-pad              # resolve, show what changes, ask, then install as airlock ci does

  airlock install -D -E typescript@5    # --save-dev, --save-exact, as npm install takes them

  airlock install esbuild --yes         # CI: accept without asking (blocked trees still stop)

  airlock install                       # bring the lockfile in line with package.json, then install

[bold]Exit codes[/bold]: 0 installed, or declined at the question · 1 blocked, --fail-on reached, the policy exceeded
or an install script failed: nothing changed · 2 bad usage (not a terminal and no --yes) · 3 npm/network/registry
failure.
""",
)
def install(
    packages: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PKG...",
            help="Packages to add or update, as npm install takes them (name, name@version, name@range, "
            "name@tag). None: the lockfile brought in line with package.json.",
            show_default=False,
        ),
    ] = None,
    project: Annotated[
        Path,
        typer.Option("--project", "-C", metavar="DIR", help="Project directory (holds package.json)."),
    ] = Path(),
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            metavar=FLAG,
            help="Accept without asking (CI); refusals (blocked, --fail-on) stand.",
        ),
    ] = False,
    save_dev: Annotated[
        bool, typer.Option("--save-dev", "-D", metavar=FLAG, help="Record them under devDependencies.")
    ] = False,
    save_exact: Annotated[
        bool,
        typer.Option("--save-exact", "-E", metavar=FLAG, help="Record exact versions, not ^ranges."),
    ] = False,
    fail_on: CheckFailOnOption = None,
    allow_network: AllowNetworkOption = None,
    unsandboxed_scripts: UnsandboxedScriptsOption = False,
    script_timeout: ScriptTimeoutOption = 300.0,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", metavar=FLAG, help="Show every script's output.")
    ] = False,
    jobs: JobsOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Add or update packages as `npm install` does (package.json and the lockfile), but only after the new
    tree passes the check: npm resolves in a temporary copy with scripts off, airlock shows what changes,
    what the new packages can do and what their install scripts would run, asks, then installs as
    `airlock ci` does. The install scripts accepted are recorded (airlock-policy.json, else package.json
    lavamoat.allowScripts) and run in the sandbox."""
    from airlock.diff.text import render_lines
    from airlock.exit import ExitCode
    from airlock.install.add import InstallRequest, install_accepted, prepare_install
    from airlock.install.present import outcome_text, question, refusal_lines, render_plan
    from airlock.install.resolve import SaveOptions

    if not yes and not sys.stdin.isatty():
        raise UsageError(
            "airlock install asks before it installs, and standard input is not a terminal",
            hint="pass --yes to accept without asking (CI); blocked trees and --fail-on still stop it",
        )
    wanted = set(fail_on or ())
    verdict = _fail_on_verdict(wanted)
    if CheckFailOn.policy in wanted:
        _require_policy(project)  # install enforces a policy whenever there is one, as ci does
    request = InstallRequest(
        project=project,
        specs=tuple(packages or ()),
        save=SaveOptions(dev=save_dev, exact=save_exact),
        fail_on=verdict,
        allow_network=frozenset(allow_network or ()),
        unsandboxed_scripts=unsandboxed_scripts,
        jobs=jobs,
        no_store=no_store,
        script_timeout=script_timeout,
    )
    plan = prepare_install(request, status=_status, progress=_RichProgress())
    color = _colour(False)
    width = Console().width if sys.stdout.isatty() else None
    typer.echo(render_plan(plan, color=color, width=width), nl=False)
    code = plan.exit_code()
    if code is not ExitCode.OK:
        typer.echo(render_lines(refusal_lines(plan), color=color, width=width), nl=False)
        _print_failures(plan.outcome.failures)
        raise typer.Exit(int(code))
    if not yes and plan.changes_anything and not typer.confirm(question(plan), default=False):
        typer.echo("declined: nothing was installed and nothing changed")
        raise typer.Exit(int(ExitCode.OK))
    outcome = install_accepted(
        plan, request, status=_step, scripts_step=_scripts_step(), check_progress=_RichProgress()
    )
    typer.echo(outcome_text(plan, outcome, verbose=verbose))
    _print_warnings(outcome.policy.warnings)
    _print_failures(outcome.outcome.failures)
    raise typer.Exit(int(outcome.exit_code))


@cache_app.command("path", cls=Command)
def cache_path() -> None:
    """Print where downloads and the analysis store live."""
    from airlock.registry.cache import default_cache_dir
    from airlock.store import default_store_path

    typer.echo(f"downloads: {default_cache_dir()}")
    typer.echo(f"store:     {default_store_path()}")


@cache_app.command("clear", cls=Command)
def cache_clear(
    store: Annotated[
        bool, typer.Option("--store/--no-store", metavar=FLAG, help="Also delete the analysis store.")
    ] = True,
) -> None:
    """Delete cached downloads (and, by default, stored analyses)."""
    from airlock.registry.cache import default_cache_dir
    from airlock.store import default_store_path

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

    Typer's standalone mode already turns usage errors into exit 2; what reaches here is ours, and Ctrl-C
    (one line, exit 130)."""
    from airlock.memory import limit_heap_growth

    limit_heap_growth()
    with ctrl_c_ends_the_run():
        try:
            app(prog_name="airlock")
        except AirlockError as error:
            _stderr.print(Text.assemble(("error: ", "bold red"), error.message))
            if error.hint:
                _stderr.print(Text.assemble(("hint: ", "dim"), error.hint))
            sys.exit(int(error.exit_code))
