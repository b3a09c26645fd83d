"""``mockserver run --reload``: restart the server when a spec, a fixture or the code changes.

The process ``mockserver run --reload`` starts is a small supervisor that never imports the web
stack (``.importlinter`` checks it). It opens the listening socket itself and hands it to a child,
``python -m mockserver run <the same options> --listen-fd N --control-fd M`` (``cli.serve_inherited``),
which serves on it. It watches the specs and fixtures folders and the package's code (watchfiles;
``.py``, ``.yaml``, ``.yml`` and ``.json`` files only).

On a change a new child builds the whole server *on standby* (reads and validates every spec, seeds
the data, restores the state) without serving, and says ``ready`` on its control pipe, or why it
failed: a failure is printed and the old child keeps serving. Once ready, the old child is stopped
gracefully (SIGTERM: requests in flight are answered, the state written, its folder let go) and only
then is the new one told to serve: it accepts on the same socket. Connections made meanwhile wait
in the socket's backlog: none is refused. A spare child, its modules imported, waits for the next
change of the specs or fixtures (a change of the code makes it stale: a new child then starts).

The state: the old child holds the state folder's lock (``engine.persistence``) until it stops, so
the standby builds on a copy of the state file, to find whatever would refuse or break the state
while the old version still serves, and builds again on the folder itself once it is free (a few
tenths of a second, the pause between the two servers). Without ``--state-dir`` the children keep
the state in a folder of the supervisor's, deleted when it exits, so that a reload keeps what clients
made anyway; when that state no longer fits (a spec's ``info.version`` changed, which
``engine.persistence`` refuses), it starts afresh, whereas a user's folder refuses the reload.

The control protocol, one JSON object a line. The child writes ``{"event": ...}`` on its control
pipe: ``loaded``, ``ready``, ``serving``, ``stopped`` (it serves no more and let the state folder
go) or ``failed`` (with ``error``); the supervisor writes ``{"command": "build"}`` and then
``{"command": "serve", "banner": true}`` on the child's stdin. A child whose stdin closes stops: one
not serving yet exits, one serving stops as on SIGTERM (the supervisor is gone, even killed).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any

from mockserver.engine import paths
from mockserver.settings import Settings

#: The package's own folder: a change of its code reloads too.
PACKAGE_DIR = Path(__file__).resolve().parent
#: Only these files count as a change (not editors' swap files, bytecode, logs, ...).
WATCHED_SUFFIXES = (".py", ".yaml", ".yml", ".json")
#: watchfiles' grouping of changes, in ms: a change is reported once nothing else changed for
#: ``STEP_MS`` (editors write a file in several steps), at most ``DEBOUNCE_MS`` after the first.
STEP_MS = 50
DEBOUNCE_MS = 300
#: Seconds a new child may take to build the server before it counts as failed.
BUILD_TIMEOUT = 120.0
#: Seconds a stopped child gets beyond ``Settings.shutdown_timeout`` (writing its state) before
#: it is killed.
STOP_MARGIN = 10.0
#: The state folder the supervisor made for its children when none is set (its children may start
#: it afresh when it does not fit a new version; a folder of the user's, never).
PRIVATE_STATE_ENV = "MOCKSERVER_RELOAD_PRIVATE_STATE"
#: The hidden ``run`` options of a child (``cli``).
LISTEN_FD_OPTION = "--listen-fd"
CONTROL_FD_OPTION = "--control-fd"


def child_arguments(argv: Sequence[str], port: int) -> list[str]:
    """The child's ``mockserver run`` arguments: the supervisor's without ``--reload`` (or an
    abbreviation argparse accepted) and on the port the supervisor listens on (``--port 0`` picks
    one: every child must serve that one)."""
    kept = [arg for arg in argv if not (arg.startswith("--r") and "--reload".startswith(arg))]
    return [*kept, "--port", str(port)]


def watched_folders(settings: Settings) -> list[Path]:
    """The specs and fixtures folders the server reads, the folders of the specs it serves from the
    spec alone (``--spec``), and the package's code."""
    folders: list[Path] = []
    served = [Path(file).expanduser().resolve().parent for file in settings.spec_files]
    for folder in (paths.specs_dir(settings).resolve(), paths.fixtures_dir(settings).resolve(), *served, PACKAGE_DIR):
        if not any(folder == known or folder.is_relative_to(known) for known in folders):
            folders = [known for known in folders if not known.is_relative_to(folder)] + [folder]
    return folders


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket every child serves on, bound like uvicorn binds its own."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    return sock


def describe(changes: Iterable[str]) -> str:
    """``specs/portal.yaml`` (relative to the current folder where it can be), a few at most."""
    names = sorted({_shown(Path(path)) for path in changes})
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    return str(path)


class _Child:
    """One ``mockserver run`` child: its process, the read end of its control pipe, its stdin."""

    def __init__(self, command: Sequence[str], listener: socket.socket, env: dict[str, str]) -> None:
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [*command, LISTEN_FD_OPTION, str(listener.fileno()), CONTROL_FD_OPTION, str(write)],
                stdin=subprocess.PIPE,
                pass_fds=(listener.fileno(), write),
                env=env,
                # Ctrl-C reaches the supervisor only: it stops its children in order.
                start_new_session=True,
            )
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self._control = read
        self._pending = b""
        self._closed = False

    def expect(self, event: str, deadline: float, stopping: Callable[[], bool]) -> dict[str, Any] | None:
        """The child's message ``event``, or ``failed``; ``None`` once it closed its pipe (it
        exited), at the deadline or when the supervisor is stopping."""
        while True:
            message = self._message(deadline, stopping)
            if message is None or message.get("event") in (event, "failed"):
                return message

    def _message(self, deadline: float, stopping: Callable[[], bool]) -> dict[str, Any] | None:
        while b"\n" not in self._pending:
            if self._closed or stopping() or time.monotonic() >= deadline:
                return None
            readable, _, _ = select.select([self._control], [], [], 0.05)
            if readable:
                chunk = os.read(self._control, 65536)
                self._pending += chunk
                self._closed = not chunk
        line, _, self._pending = self._pending.partition(b"\n")
        try:
            message: dict[str, Any] = json.loads(line)
        except ValueError:
            return {"event": "failed", "error": line.decode(errors="replace")}
        return message

    def send(self, **command: Any) -> bool:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(command).encode() + b"\n")
            self.process.stdin.flush()
        except (OSError, ValueError):
            return False
        return True

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float) -> None:
        """SIGTERM; returns once the child stopped serving and let its state go (it says so before
        its interpreter winds down), or exited; killed after ``timeout`` seconds."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        if self.expect("stopped", time.monotonic() + timeout, lambda: False) is None and self.alive():
            try:
                self.process.wait(0.5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def finish(self, timeout: float = 5.0) -> int:
        """Waits for the child to exit (killed after ``timeout`` seconds); its exit code."""
        self.close()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def close(self) -> None:
        """Closes its stdin (a child that does not serve yet then exits) and its control pipe."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        if self._control >= 0:
            os.close(self._control)
            self._control = -1
            self._closed = True


class Supervisor:
    """Runs the server in a child and replaces it on every change (module docstring). A spare child
    waits, its modules imported, for the next change of the specs or fixtures (a change of the
    code makes it stale: a new one then starts)."""

    def __init__(self, settings: Settings, argv: Sequence[str], out: IO[str] | None = None) -> None:
        self.settings = settings
        self.argv = list(argv)
        self.out = out or sys.stderr
        self.folders = watched_folders(settings)
        self.current: _Child | None = None
        self._spare: _Child | None = None
        #: Children stopped, not reaped yet.
        self._retired: list[_Child] = []
        self._served_once = False
        self._stopping = threading.Event()
        self._changes: queue.Queue[set[str]] = queue.Queue()
        self._private_state: str | None = None
        self.command: list[str] = []
        self.env: dict[str, str] = {}

    def say(self, text: str) -> None:
        print(f"mockserver: {text}", file=self.out, flush=True)

    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self) -> int:
        try:
            self.listener = listening_socket(self.settings.host, self.settings.port)
        except OSError as exc:
            self.say(f"cannot listen on {self.settings.host}:{self.settings.port}: {exc.strerror or exc}")
            return 1
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        watcher = threading.Thread(target=self._watch, name="mockserver-reload-watch", daemon=True)
        try:
            arguments = child_arguments(self.argv, self.listener.getsockname()[1])
            self.env = self._child_env()
            if not self.settings.state_dir:
                # What clients made would go with each restart: the children keep it in a folder of
                # the supervisor's, deleted when it exits.
                self._private_state = tempfile.mkdtemp(prefix="mockserver-reload-state-")
                arguments += ["--state-dir", self._private_state]
                self.env[PRIVATE_STATE_ENV] = self._private_state
            self.command = [sys.executable, "-m", "mockserver", *arguments]
            watcher.start()
            kept = "kept across reloads" if self._private_state else f"kept in {self.settings.state_dir}"
            folders = ", ".join(_shown(folder) + "/" for folder in self.folders)
            self.say(f"reloading on changes in {folders}; what clients change is {kept}")
            self._replace(reason=None, code_changed=True)
            while not self.stopping():
                try:
                    changed = self._changes.get(timeout=0.2)
                except queue.Empty:
                    self._check_children()
                    continue
                with contextlib.suppress(queue.Empty):
                    while True:
                        changed |= self._changes.get_nowait()
                self._check_children()
                self._replace(reason=describe(changed), code_changed=any(path.endswith(".py") for path in changed))
        finally:
            self._stopping.set()
            if self.current is not None:
                self.current.stop(self.settings.shutdown_timeout + STOP_MARGIN)
                self._retired.append(self.current)
                self.current = None
            if self._spare is not None:
                self._retired.append(self._spare)
                self._spare = None
            for child in self._retired:
                child.finish()
            self.listener.close()
            watcher.join(timeout=2)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if self._private_state:
                shutil.rmtree(self._private_state, ignore_errors=True)
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stopping.set()

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Off loopback the control plane's token (``cli.with_admin_token``) is made once, here:
        # a reload must not change it under the clients.
        if self.settings.admin_token:
            env["ADMIN_TOKEN"] = self.settings.admin_token
        return env

    def _watch(self) -> None:
        import watchfiles

        class Watched(watchfiles.DefaultFilter):
            def __call__(self, change: watchfiles.Change, path: str) -> bool:
                return path.endswith(WATCHED_SUFFIXES) and super().__call__(change, path)

        try:
            for changes in watchfiles.watch(
                *self.folders,
                watch_filter=Watched(),
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self._stopping,
                raise_interrupt=False,
            ):
                self._changes.put({path for _, path in changes})
        except Exception as exc:  # a folder gone, too many watches (inotify's limit), ...
            self.say(f"no more reloads: cannot watch {', '.join(map(str, self.folders))}: {exc}")

    def _spawn(self) -> _Child:
        return _Child(self.command, self.listener, self.env)

    def _check_children(self) -> None:
        if self.current is not None and not self.current.alive():
            code = self.current.process.returncode
            self.current.close()
            self.current = None
            self.say(f"the server exited on its own (exit code {code}); the next change starts it again")
        for child in [child for child in self._retired if not child.alive()]:
            child.finish()
            self._retired.remove(child)

    def _take_spare(self, code_changed: bool) -> _Child:
        """The spare child, unless the code changed since it imported it (or it is gone): a new one."""
        spare, self._spare = self._spare, None
        if spare is not None and not code_changed and spare.alive():
            return spare
        if spare is not None:
            self._retired.append(spare)
            spare.close()
        return self._spawn()

    def _replace(self, reason: str | None, code_changed: bool) -> None:
        """A child builds the server; once it is ready, the current one stops and it serves."""
        started = time.monotonic()
        child = self._take_spare(code_changed)
        try:
            self._bring_up(child, reason, started)
        finally:
            if not self.stopping():
                self._spare = self._spawn()

    def _bring_up(self, child: _Child, reason: str | None, started: float) -> None:
        child.send(command="build")
        message = child.expect("ready", started + BUILD_TIMEOUT, self.stopping)
        if message is None or message.get("event") != "ready":
            self._retired.append(child)
            child.close()
            if message is None and child.alive() and not self.stopping():
                child.process.kill()
                message = {"error": f"the server took more than {BUILD_TIMEOUT:.0f} s to build"}
            if not self.stopping():
                self._report_failure(reason, message, child)
            return
        if self.current is not None:
            self.current.stop(self.settings.shutdown_timeout + STOP_MARGIN)
            self._retired.append(self.current)
            self.current = None
        child.send(command="serve", banner=not self._served_once)
        message = child.expect("serving", time.monotonic() + BUILD_TIMEOUT, self.stopping)
        if message is None or message.get("event") != "serving":
            if self.stopping() and child.alive():
                self.current = child  # stopped with the rest
                return
            self._retired.append(child)
            child.close()
            self._report_failure(None, message, child)
            return
        self.current = child
        self._served_once = True
        if reason is not None:
            self.say(f"reloaded ({reason} changed) in {time.monotonic() - started:.2f} s")

    def _report_failure(self, reason: str | None, message: dict[str, Any] | None, child: _Child) -> None:
        error = (message or {}).get("error")
        if not error:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(1)
            error = f"the server exited (exit code {child.process.poll()}); its output is above"
        if self.current is not None and self.current.alive():
            self.say(f"reload failed, still serving the previous version:\n{error}")
        elif reason is None and not self._served_once:
            self.say(f"the server did not start; the next change tries again:\n{error}")
        else:
            self.say(f"reload failed, nothing is serving until the next change:\n{error}")


def supervise(settings: Settings, argv: Sequence[str]) -> int:
    """``mockserver run --reload``: ``argv`` is the command line's arguments (``run ...``)."""
    return Supervisor(settings, argv).run()


# The child's side (``cli.serve_inherited``).


class ChildChannel:
    """A child's control pipe to its supervisor and the supervisor's commands on its stdin."""

    def __init__(self, control_fd: int) -> None:
        self._out = os.fdopen(control_fd, "w", encoding="utf-8", buffering=1)

    def _send(self, event: str, **fields: Any) -> None:
        with contextlib.suppress(OSError):
            self._out.write(json.dumps({"event": event, **fields}) + "\n")
            self._out.flush()

    def failed(self, error: str) -> None:
        self._send("failed", error=error)

    def loaded(self) -> bool:
        """Says the modules are imported and waits for the supervisor's order to build the server;
        ``False`` when the supervisor dropped this child (its stdin closed)."""
        self._send("loaded")
        return self._command("build") is not None

    def ready(self) -> dict[str, Any] | None:
        """Says the server is built and waits for the supervisor's go: its command, or ``None``
        when the supervisor dropped this child."""
        self._send("ready")
        return self._command("serve")

    def _command(self, name: str) -> dict[str, Any] | None:
        line = b""
        # Unbuffered reads of fd 0: a buffered ``sys.stdin`` read by ``stop_with_supervisor``'s
        # thread would still hold its lock at the interpreter's exit, a fatal error.
        while not line.endswith(b"\n"):
            chunk = os.read(0, 1)
            if not chunk:
                return None
            line += chunk
        command: dict[str, Any] = json.loads(line)
        return command if command.get("command") == name else None

    def serving(self) -> None:
        self._send("serving")

    def stopped(self) -> None:
        """Says this child serves no more and let its state folder go."""
        self._send("stopped")

    def stop_with_supervisor(self) -> None:
        """Stops this process like SIGTERM would once the supervisor's end of stdin closes."""

        def wait() -> None:
            with contextlib.suppress(OSError):
                while os.read(0, 65536):
                    pass
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=wait, name="mockserver-reload-supervisor", daemon=True).start()


def build_standby(settings: Settings, build: Callable[[Settings], Any]) -> tuple[Any | None, bool]:
    """The standby child's build (``build`` is ``create_app``): ``(server, False)`` without a state
    folder. With one, whose lock the server serving now holds, the server is built on a copy of the
    state (SQLite's backup of it), so that what would refuse or break the state fails now, while the
    old version still serves; that build is dropped and ``(None, fresh)`` returned: the server is
    built on the folder itself once the old one let it go. ``fresh``: the state does not fit the new
    version (another seed, a spec's ``info.version`` changed, ...) and, the supervisor's own folder,
    is to start afresh (a user's folder refuses the reload instead, with the reason)."""
    if not settings.state_dir:
        return build(settings), False
    from mockserver.engine.persistence import StateRefused

    with tempfile.TemporaryDirectory(prefix="mockserver-standby-") as copy:
        copy_state(settings.state_dir, copy)
        try:
            probe = build(settings.replace(state_dir=copy))
        except StateRefused as exc:
            if not private_state(settings):
                raise StateRefused(str(exc).replace(copy, settings.state_dir)) from None
            build(settings.replace(state_dir=""))  # everything else must build
            return None, True
        probe.runtime.close()
    del probe
    gc.collect()  # the probe's garbage now, not in the pause between the two servers
    return None, False


def private_state(settings: Settings) -> bool:
    """Whether the state folder is the supervisor's own (``PRIVATE_STATE_ENV``), not a user's."""
    return bool(settings.state_dir) and settings.state_dir == os.environ.get(PRIVATE_STATE_ENV)


def copy_state(folder: str, into: str) -> None:
    """A consistent copy of the state file in ``folder`` (if any) into the folder ``into``, while a
    server may write it."""
    import sqlite3

    from mockserver.engine.persistence import FILE

    source = Path(folder).expanduser() / FILE
    if not source.is_file():
        return
    with (
        contextlib.closing(sqlite3.connect(source)) as db,
        contextlib.closing(sqlite3.connect(Path(into) / FILE)) as to,
    ):
        db.backup(to)


def forget_state(folder: str) -> None:
    """Deletes the state file in ``folder`` (the supervisor's own folder, to start afresh)."""
    from mockserver.engine.persistence import FILE

    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            (Path(folder) / (FILE + suffix)).unlink()


def describe_failure(exc: BaseException, settings: Settings) -> str:
    """Why a child could not build the server: for a spec or fixture that does not parse, or a spec
    that does not validate, the file and the error; for anything else the traceback."""
    try:
        from mockserver.apis import APIS

        names = [name for name in settings.apis or ([] if settings.spec_files else APIS) if name in APIS]
        spec_files = [paths.specs_dir(settings) / APIS[name].spec_file.name for name in names]
        spec_files += [Path(file).expanduser() for file in settings.spec_files]
        problem = file_problem(spec_files, [paths.fixtures_dir(settings)])
    except Exception:  # only a better message was at stake (the code may be what is broken)
        problem = None
    if problem:
        return problem
    if isinstance(exc, ValueError) and type(exc).__module__.startswith("mockserver."):
        return str(exc)  # ours say what is wrong and what to do (a state refused, a folder missing)
    message = getattr(exc, "message", None)  # an invalid spec as Connexion words it (jsonschema's error)
    path = getattr(exc, "json_path", None)
    if isinstance(message, str) and isinstance(path, str):
        return f"a spec does not validate: {message} (at {path})"
    return "".join(traceback.format_exception(exc)).rstrip()


def file_problem(spec_files: Iterable[Path], fixture_dirs: Iterable[Path]) -> str | None:
    """The first spec or fixture that does not parse, or spec that breaks the OpenAPI schema."""
    import yaml
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    from mockserver.engine.fixtures import SafeLoader

    specs = sorted(set(spec_files))
    fixtures = sorted({path for folder in fixture_dirs for path in folder.rglob("*.y*ml")})
    parsed: dict[Path, Any] = {}
    for path in [*specs, *fixtures]:
        try:
            parsed[path] = yaml.load(path.read_bytes(), Loader=SafeLoader)
        except OSError as exc:
            return f"{_shown(path)}: {exc.strerror or exc}"
        except yaml.YAMLError as exc:
            return f"{_shown(path)}: {str(exc).replace('<byte string>', _shown(path))}"
    for path in specs:
        spec = parsed[path]
        if not isinstance(spec, dict):
            return f"{_shown(path)}: not an OpenAPI document (no mapping at the top)"
        version = str(spec.get("openapi", ""))
        # The OpenAPI schema Connexion checks a spec against, with jsonschema as Connexion runs it.
        schema = dict(schema_v31 if version.startswith("3.1") else schema_v30)
        error = best_match(validator_for(schema)(schema).iter_errors(spec))
        if error is not None:
            return f"{_shown(path)}: {error.message} (at {error.json_path})"
    return None
