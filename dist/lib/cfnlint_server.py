"""cfn-lint imported once: forked workers share the loaded modules and rules.

Started as `python cfnlint_server.py OPTION...` with cfn-lint's own options (no templates), in the
folder and environment the cfn-lint command would get. It loads cfn-lint and its rules through
cfn-lint's Runner class, exactly as `cfn-lint OPTION...` does, then answers requests read from stdin,
one JSON object a line:

  request  {"id": 1, "paths": ["/abs/a.yaml", ...], "timeout": 300, "input": "optional stdin text"}
  answer   {"id": 1, "exitCode": 2 | "signal": "SIGSEGV" | "timedOut": true,
            "stdout": "...", "stderr": "..."}

Each request is run by a worker forked after the import: the worker gives the Runner a config for
its paths (cfn-lint's own argument parsing, `OPTION... -- PATH...`) and runs its `cli()`, so its
output and exit code are the command's. A worker that crashes, is killed or passes its time limit
is reported as such; the server itself stays up. The first line on stdout is {"ready": VERSION}.
"""

import json
import os
import selectors
import signal
import sys
import time

# The script's own folder (the bundle's) must not shadow any module cfn-lint imports.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

MAX_INPUT_BYTES = 16 * 1024  # stdin text is only for the one-resource probe: it fits a pipe


def main():
    options = sys.argv[1:]
    # Our answers go out on a private copy of stdout; anything cfn-lint prints goes to stderr.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    try:
        from cfnlint.config import ConfigMixIn
        from cfnlint.rules import Match
        from cfnlint.rules.errors import ConfigError
        from cfnlint.runner import Runner
        from cfnlint.version import __version__

        runner = Runner(ConfigMixIn(options))
    except BaseException as error:  # noqa: BLE001 - any failure: the caller runs the command
        print(f"cfn-lint could not be loaded: {error!r}", file=sys.stderr)
        sys.exit(3)

    def lint(paths):
        """What `cfn-lint OPTION... -- PATH...` does after its Runner is built."""
        config = ConfigMixIn([*options, "--", *paths])
        runner.config = config
        try:
            config.templates
        except ValueError as error:
            runner._cli_output([Match(str(error), ConfigError(), None)])
        runner.cli()

    Server(answers, lint).serve()


class Server:
    def __init__(self, answers, lint):
        self.answers = answers
        self.lint = lint
        self.selector = selectors.DefaultSelector()
        self.workers = {}  # pid -> worker state
        self.pending = b""
        self.closed = False
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def stop(self, signum, _frame):
        for pid in self.workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os._exit(128 + signum)

    def send(self, answer):
        self.answers.write(json.dumps(answer) + "\n")
        self.answers.flush()

    def serve(self):
        from cfnlint.version import __version__

        self.send({"ready": __version__})
        os.set_blocking(0, False)
        self.selector.register(0, selectors.EVENT_READ, ("requests", None))
        while not (self.closed and not self.workers):
            for key, _ in self.selector.select(self.wait_seconds()):
                kind, pid = key.data
                if kind == "requests":
                    self.read_requests()
                else:
                    self.read_output(key.fd, pid, kind)
            self.reap()

    def wait_seconds(self):
        now = time.monotonic()
        waits = [w["deadline"] - now for w in self.workers.values()]
        if any(w["open"] == 0 for w in self.workers.values()):
            waits.append(0.02)  # output closed: the exit status follows shortly
        return max(0, min(waits)) if waits else None

    def read_requests(self):
        chunk = os.read(0, 1 << 16)
        if not chunk:
            self.closed = True
            self.selector.unregister(0)
            return
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            if line.strip():
                self.start(json.loads(line))

    def start(self, request):
        data = request.get("input")
        data = data.encode("utf-8") if isinstance(data, str) else None
        if data is not None and len(data) > MAX_INPUT_BYTES:
            self.send({"id": request["id"], "exitCode": 1, "stdout": "", "stderr": "input too large"})
            return
        stdin_r, stdin_w = os.pipe()
        if data:
            os.write(stdin_w, data)
        os.close(stdin_w)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self.work(request["paths"], stdin_r, out_w, err_w, request["timeout"])
        for fd in (stdin_r, out_w, err_w):
            os.close(fd)
        self.workers[pid] = {
            "id": request["id"],
            "deadline": time.monotonic() + request["timeout"],
            "open": 2,
            "stdout": [],
            "stderr": [],
        }
        for fd, kind in ((out_r, "stdout"), (err_r, "stderr")):
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ, (kind, pid))

    def work(self, paths, stdin_r, out_w, err_w, timeout):
        """In the forked worker: never returns."""
        code = 1
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            die_with_parent()
            signal.alarm(int(timeout) + 5)  # a backstop should the server be gone
            os.dup2(stdin_r, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.closerange(3, 1 << 16)
            sys.stdin = open(0, encoding="utf-8", closefd=False)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
            sys.argv = ["cfn-lint"]
            self.lint(paths)
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except BaseException:  # noqa: BLE001 - the command would print the traceback and exit 1
            import traceback

            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    def read_output(self, fd, pid, kind):
        worker = self.workers[pid]
        chunk = os.read(fd, 1 << 20)
        if chunk:
            worker[kind].append(chunk)
            return
        self.selector.unregister(fd)
        os.close(fd)
        worker["open"] -= 1

    def reap(self):
        now = time.monotonic()
        for pid, worker in list(self.workers.items()):
            if now >= worker["deadline"]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                self.finish(pid, {"timedOut": True})
                continue
            if worker["open"]:
                continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done:
                continue
            if os.WIFSIGNALED(status):
                self.finish(pid, {"signal": signal.Signals(os.WTERMSIG(status)).name})
            else:
                self.finish(pid, {"exitCode": os.WEXITSTATUS(status)})

    def finish(self, pid, outcome):
        worker = self.workers.pop(pid)
        for key in list(self.selector.get_map().values()):
            if key.data[1] == pid:
                self.selector.unregister(key.fd)
                os.close(key.fd)
        text = {k: b"".join(worker[k]).decode("utf-8", "replace") for k in ("stdout", "stderr")}
        self.send({"id": worker["id"], **outcome, **text})


def die_with_parent():
    """Linux: the kernel kills the worker when the server dies (SIGKILL included)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere the alarm above ends an orphan


if __name__ == "__main__":
    main()
