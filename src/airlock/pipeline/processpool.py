"""Analysis in a local process pool: CPU-bound work on every core while fetch threads keep downloading."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import forkserver
from pathlib import Path

from airlock.memory import limit_heap_growth
from airlock.model import PackageAnalysis
from airlock.pipeline.executor import AnalysisJob, analyze_job

_TERMINATE_WAIT = 0.5
_MAIN_WATCH_SECONDS = 0.25
_QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def _start_worker(main_pid: int) -> None:
    # Ctrl-C reaches the whole process group; the main process decides what it means and stops the
    # workers itself, so a worker must not die mid-job with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_heap_growth()
    threading.Thread(target=_exit_after, args=(main_pid,), name="airlock-main-watch", daemon=True).start()


def _exit_after(main_pid: int) -> None:
    """End this worker once the main process is gone. A worker is the forkserver's child, not the main
    process's, so nothing else tells it: one started while the main process was being interrupted would
    wait for jobs forever (and keep the forkserver alive with it)."""
    while _alive(main_pid):
        time.sleep(_MAIN_WATCH_SECONDS)
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = _stat_fields(Path(f"/proc/{pid}"))
    return fields is None or fields[0] != "Z"  # Z: exited, not yet reaped by its parent


def _start_forkserver() -> None:
    """Start multiprocessing's helper processes (resource tracker, forkserver) with SIGINT ignored: an
    ignored signal stays ignored across fork and exec, and Python keeps it so at startup, so neither they
    nor the workers forked later turn a Ctrl-C into a KeyboardInterrupt traceback of their own (they
    would, while still importing). The main process's handler is back a few milliseconds later; a Ctrl-C
    inside that window is lost, not misreported."""
    # The resource tracker (started here, with our -W options) unlinks the pool's named semaphores when
    # we exit without cleaning up (Ctrl-C ends the process at once); that is its job, and its warning
    # about "leaked semaphore objects" would only be noise after "interrupted".
    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)
    if threading.current_thread() is not threading.main_thread():
        _ensure_running_with_a_safe_path()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _ensure_running_with_a_safe_path()
    finally:
        signal.signal(signal.SIGINT, previous)


def _ensure_running_with_a_safe_path() -> None:
    """Both helpers start as `python -c …`, which puts the working directory first on their import path:
    a `copy.py` in the project being checked would run in them. PYTHONSAFEPATH keeps it off (3.11+), for
    their start only (the workers fork from the forkserver and inherit its path); the variable is put back
    as it was, so nothing else this process starts is affected."""
    previous = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        forkserver.ensure_running()
    finally:
        if previous is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = previous


def _stop_forkserver() -> None:
    """Kill the forkserver and every worker it forked, including one the pool has not registered yet (an
    interrupt can land while a worker is being started). Stopped first, so it forks nothing meanwhile.
    Linux (/proc); elsewhere the workers' own watch on the main process ends them."""
    server: int | None = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if server is None or not Path("/proc").is_dir():
        return
    try:
        os.kill(server, signal.SIGSTOP)
    except OSError:
        return
    for child in _children(server):
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(server, signal.SIGKILL)


def _children(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(entry)) is not None and int(fields[1]) == parent:
            children.append(int(entry.name))
    return children


def _stat_fields(process: Path) -> list[str] | None:
    """A /proc/PID/stat's fields after the parenthesised command name (state, ppid, …); None when the
    process is gone or the file unreadable."""
    try:
        fields = (process / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields if len(fields) >= 2 else None


class ProcessPoolAnalysisExecutor:
    def __init__(self, workers: int) -> None:
        self._workers = workers
        # Made on the first job: a warm run whose analyses all come from the store starts no process.
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, job: AnalysisJob) -> Future[PackageAnalysis]:
        if self._pool is None:
            # forkserver: forking a process that runs fetch threads is unsafe; spawn would re-import per
            # worker. Preloaded once in the server, so every worker starts with the parsers (and the shell
            # parser, which airlock imports lazily elsewhere) already imported.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(
                ["airlock.pipeline.executor", "airlock.analysis.analyzer", "bashlex"]
            )
            _start_forkserver()  # before the pool, whose queues start the resource tracker otherwise
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._pool.submit(analyze_job, job)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def abort(self) -> None:
        pool = self._pool
        if pool is None:
            return
        # Python 3.14 has ProcessPoolExecutor.terminate_workers(); before it, the processes are only
        # reachable through this private mapping. A running analysis cannot be cancelled otherwise, and
        # shutdown() would wait for it.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        _stop_forkserver()
        for process in processes:
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(_TERMINATE_WAIT)
            if process.is_alive():
                process.kill()
