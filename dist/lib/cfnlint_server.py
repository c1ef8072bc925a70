"""cfn-lint imported once: forked workers share the loaded modules and rules.

Started as `python cfnlint_server.py OPTION...` with cfn-lint's own options (no templates), in the
folder and environment the cfn-lint command would get. It loads cfn-lint and its rules through
cfn-lint's Runner class, exactly as `cfn-lint OPTION...` does, then answers requests read from stdin,
one JSON object a line:

  request  {"id": 1, "paths": ["/abs/a.yaml", ...], "timeout": 30, "input": "optional stdin text"}
  answer   {"id": 1, "exitCode": 2, "stdout": "[...]", "stderr": "..."}
           or, when one template failed: {"id": 1, "failedAt": 3,
            "exitCode": 1 | "signal": "SIGSEGV" | "timedOut": true, "stdout": "[...]", "stderr": "..."}

Requests are run by workers forked after the import. A worker stays for further requests, one at a
time, so the resource schemas and validators cfn-lint loads on first use are loaded once per worker,
not once per request. The worker checks a request's templates one at a time: for each it gives the
Runner a config for that path (cfn-lint's own argument parsing, `OPTION... -- PATH`) and runs its
`cli()`, so its output is the command's. The answer joins their JSON reports (exit codes ORed, as
cfn-lint's are bit flags); "timeout" is per template. When one template crashes the worker, kills it
or passes the time limit, the answer names it by its index (`failedAt`) and carries the reports of
the templates before it; the worker is replaced by a fresh fork on the next request, and the server
itself stays up. A worker that has grown past MAX_WORKER_RSS_KIB leaves after its answer. The first
line on stdout is {"ready": VERSION}.
"""

import fcntl
import io
import json
import os
import resource
import selectors
import signal
import sys
import time
import traceback

# The script's own folder (the bundle's) must not shadow any module cfn-lint imports.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

MAX_INPUT_BYTES = 16 * 1024  # stdin text is only for the one-resource probe: it fits a pipe
MAX_NATIVE_BYTES = 1 << 20  # of what a worker writes to its file descriptors during one template
MAX_WORKER_RSS_KIB = 512 * 1024  # a worker this large leaves: the next request gets a fresh fork
MAX_OUTPUT_CHARS = 64 << 20  # of a request's reports: the template past it fails, named


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
        self.workers = {}  # pid -> Worker
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
        while not (self.closed and not any(w.request for w in self.workers.values())):
            for key, _ in self.selector.select(self.wait_seconds()):
                kind, worker = key.data
                if kind == "requests":
                    self.read_requests()
                else:
                    self.read_output(key.fd, worker, kind)
            self.reap()
        for worker in list(self.workers.values()):
            self.retire(worker)

    def wait_seconds(self):
        now = time.monotonic()
        busy = [w for w in self.workers.values() if w.request]
        waits = [w.deadline - now for w in busy]
        if any(w.gone for w in self.workers.values()):
            waits.append(0.02)  # its pipes closed: the exit status follows shortly
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
        if isinstance(data, str) and len(data.encode("utf-8")) > MAX_INPUT_BYTES:
            self.send({"id": request["id"], "exitCode": 1, "stdout": "", "stderr": "input too large"})
            return
        worker = next((w for w in self.workers.values() if not w.request and not w.gone), None)
        if worker is None:
            worker = self.fork()
        worker.begin(request)
        os.write(worker.requests, (json.dumps(request) + "\n").encode("utf-8"))

    def fork(self):
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        native_r, native_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self.work(requests_r, answers_w, native_w)
        for fd in (requests_r, answers_w, native_w):
            os.close(fd)
        worker = Worker(pid, requests_w)
        self.workers[pid] = worker
        for fd, kind in ((answers_r, "answers"), (native_r, "native")):
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ, (kind, worker))
        return worker

    def work(self, requests_r, answers_w, native_w):
        """In the forked worker: answers requests until its pipe closes; never returns."""
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            die_with_parent()
            # Copies above every descriptor in use, so moving them to 1-4 overwrites none of them.
            requests_r, answers_w, native_w = (
                fcntl.fcntl(fd, fcntl.F_DUPFD, 64) for fd in (requests_r, answers_w, native_w)
            )
            # Whatever writes to the file descriptors directly reaches the server as the run's stderr.
            os.dup2(native_w, 1)
            os.dup2(native_w, 2)
            os.dup2(requests_r, 3)
            os.dup2(answers_w, 4)
            os.closerange(5, 1 << 16)
            requests = os.fdopen(3, "rb")
            answers = os.fdopen(4, "w", encoding="utf-8")
            for line in requests:
                request = json.loads(line)
                for paths in [[p] for p in request["paths"]] or [[]]:  # none: the stdin probe
                    answers.write(json.dumps(self.run(request, paths)) + "\n")
                    answers.flush()
                if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > MAX_WORKER_RSS_KIB:
                    break
        finally:
            os._exit(0)

    def run(self, request, paths):
        """One template in the worker: what the cfn-lint command prints for it and its exit code."""
        signal.alarm(int(request["timeout"]) + 5)  # a backstop should the server be gone
        stdin_r, stdin_w = os.pipe()
        data = request.get("input")
        if isinstance(data, str) and data:
            os.write(stdin_w, data.encode("utf-8"))
        os.close(stdin_w)
        os.dup2(stdin_r, 0)
        os.close(stdin_r)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
        sys.argv = ["cfn-lint"]
        code = 1
        try:
            self.lint(paths)
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except BaseException:  # noqa: BLE001 - the command would print the traceback and exit 1
            traceback.print_exc()
        signal.alarm(0)
        out, err = sys.stdout.getvalue(), sys.stderr.getvalue()[-MAX_NATIVE_BYTES:]
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        if len(out) > MAX_OUTPUT_CHARS:
            limit = f"cfn-lint printed more than {MAX_OUTPUT_CHARS >> 20} MiB for this template"
            return {"exitCode": 1, "stdout": "", "stderr": limit}
        return {"exitCode": code, "stdout": out, "stderr": err}

    def read_output(self, fd, worker, kind):
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            self.selector.unregister(fd)
            os.close(fd)
            worker.open -= 1
            worker.gone = True
            return
        if kind == "native":
            if worker.request and sum(map(len, worker.native)) < MAX_NATIVE_BYTES:
                worker.native.append(chunk)
            return
        worker.answer += chunk
        if len(worker.answer) > 2 * MAX_OUTPUT_CHARS:  # not the worker we forked any more
            os.kill(worker.pid, signal.SIGKILL)
            return
        while b"\n" in worker.answer and worker.request:
            line, worker.answer = worker.answer.split(b"\n", 1)
            self.template_done(worker, json.loads(line))

    def template_done(self, worker, part):
        """One template's answer: the next template gets its own time; the last ends the request."""
        part["stderr"] = self.native_text(worker) + part["stderr"]
        worker.native = []
        try:
            report = json.loads(part["stdout"])
        except ValueError:
            report = None
        if not isinstance(report, list):  # no report: this template failed the run
            self.fail(worker, {"exitCode": part["exitCode"] or 1, "stderr": part["stderr"]})
            return
        worker.report_chars += len(part["stdout"])
        if worker.report_chars > MAX_OUTPUT_CHARS:
            limit = f"cfn-lint printed more than {MAX_OUTPUT_CHARS >> 20} MiB for these templates"
            self.fail(worker, {"exitCode": 1, "stderr": limit})
            return
        worker.reports.extend(report)
        worker.exit_code |= part["exitCode"]
        worker.stderr.append(part["stderr"])
        worker.deadline = time.monotonic() + worker.request["timeout"]
        worker.done += 1
        if worker.done < max(1, len(worker.request["paths"])):
            return
        text = "".join(worker.stderr)[-MAX_NATIVE_BYTES:]
        out = {"exitCode": worker.exit_code, "stdout": json.dumps(worker.reports), "stderr": text}
        self.answer(worker, out)

    def fail(self, worker, outcome, alive=True):
        """The template at the worker's place failed: the reports before it go with the answer.

        A worker still alive is killed: it would go on with the request's other templates.
        """
        if alive:
            os.kill(worker.pid, signal.SIGKILL)
            worker.gone = True
        self.answer(worker, {"failedAt": worker.done, "stdout": json.dumps(worker.reports), **outcome})

    def native_text(self, worker):
        return b"".join(worker.native).decode("utf-8", "replace")

    def answer(self, worker, outcome):
        request = worker.request
        worker.begin(None)
        self.send({"id": request["id"], **outcome})

    def reap(self):
        now = time.monotonic()
        for worker in list(self.workers.values()):
            if worker.request and now >= worker.deadline:
                self.fail(worker, {"timedOut": True, "stderr": self.native_text(worker)})
                self.retire(worker)
                continue
            if not worker.gone or worker.open:
                continue
            done, status = os.waitpid(worker.pid, os.WNOHANG)
            if not done:
                continue
            self.forget(worker)
            if worker.request:  # died during a run: crashed or killed
                stderr = self.native_text(worker)
                if os.WIFSIGNALED(status):
                    outcome = {"signal": signal.Signals(os.WTERMSIG(status)).name}
                else:
                    outcome = {"exitCode": os.WEXITSTATUS(status) or 1}
                self.fail(worker, {**outcome, "stderr": stderr}, alive=False)

    def retire(self, worker):
        """Close a worker's pipes (it leaves when its request pipe closes) and wait for its end."""
        self.forget(worker)
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass

    def forget(self, worker):
        self.workers.pop(worker.pid, None)
        for key in list(self.selector.get_map().values()):
            if key.data[1] is worker:
                self.selector.unregister(key.fd)
                os.close(key.fd)
        if worker.requests is not None:
            os.close(worker.requests)
            worker.requests = None


class Worker:
    def __init__(self, pid, requests):
        self.pid = pid
        self.requests = requests  # our end of its request pipe
        self.answer = b""
        self.open = 2
        self.gone = False
        self.begin(None)

    def begin(self, request):
        """The request it runs from now (None: idle), with nothing of it answered yet."""
        self.request = request
        self.deadline = time.monotonic() + request["timeout"] if request else 0.0
        self.native = []  # what it wrote to its own stdout/stderr during the current template
        self.done = 0  # the request's templates answered so far
        self.reports = []  # their cfn-lint reports, joined
        self.report_chars = 0
        self.stderr = []
        self.exit_code = 0


def die_with_parent():
    """Linux: the kernel kills the worker when the server dies (SIGKILL included)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere the alarm above ends an orphan


if __name__ == "__main__":
    main()
