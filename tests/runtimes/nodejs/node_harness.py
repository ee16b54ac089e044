"""Runs the Node.js bootstrap as a subprocess against the Runtime API double (node_runtime_api)."""
import os
import pathlib
import shutil
import subprocess
import tempfile
import textwrap
import threading
import time


REPO = pathlib.Path(__file__).resolve().parents[3]
BOOTSTRAP = REPO / "src" / "runtimes" / "nodejs" / "bootstrap.js"
NODE = os.environ.get("NODE", shutil.which("node") or "node")
# The flags the launcher passes for nodejs18.x-22.x (see the header of bootstrap.js).
NODE_FLAGS = ["--expose-gc", "--max-http-header-size=81920",
              "--no-experimental-require-module", "--no-experimental-detect-module",
              "--max-semi-space-size=12", "--max-old-space-size=231"]


class Bootstrap:
    """One run of `node bootstrap.js` with a temp task dir and Lambda's environment."""

    def __init__(self, api, files, handler="index.handler", env=None, flags=None,
                 read_delay=0.0):
        self.api = api
        self.read_delay = read_delay  # seconds before stdout/stderr are read (a slow platform)
        self.task = pathlib.Path(tempfile.mkdtemp(prefix="lamina-node-task-"))
        for name, content in files.items():
            p = self.task / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(content))
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "AWS_LAMBDA_RUNTIME_API": api.address,
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": str(self.task),
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]0123456789abcdef",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EXECUTION_ENV": "AWS_Lambda_nodejs20.x",
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
        }
        self.env.update(env or {})
        self.env = {k: v for k, v in self.env.items() if v is not None}
        self.flags = NODE_FLAGS if flags is None else flags
        self.stdout = []
        self.stderr = []
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([NODE, *self.flags, str(BOOTSTRAP)], cwd=self.task,
                                     env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        for stream, sink in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()
        return self

    def _pump(self, stream, sink):
        time.sleep(self.read_delay)
        for line in iter(stream.readline, b""):
            sink.append(line.decode("utf-8", "replace"))

    def out(self):
        return "".join(self.stdout)

    def err(self):
        return "".join(self.stderr)

    def wait_exit(self, timeout=10):
        return self.proc.wait(timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.task, ignore_errors=True)
