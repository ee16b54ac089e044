"""Tests of Lamina's Python runtime client (src/runtimes/python/bootstrap.py).

Each test runs the real bootstrap as a subprocess, the way lamina-init will, against a Runtime API
test double (runtime_api_double.py) and a temporary task root.

    /usr/bin/python3 -m pytest -q tests/runtimes/python
    LAMINA_TEST_PYTHON=/path/to/python3.8 /usr/bin/python3 -m pytest -q tests/runtimes/python
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runtime_api_double import RuntimeAPIDouble  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BOOTSTRAP = os.path.join(REPO, "src", "runtimes", "python", "bootstrap.py")
PYTHON = os.environ.get("LAMINA_TEST_PYTHON", "/usr/bin/python3")
PY_VERSION = tuple(
    int(x)
    for x in subprocess.check_output(
        [PYTHON, "-c", "import sys; print('%d %d' % sys.version_info[:2])"]
    ).split()
)


class Runtime(object):
    """A running bootstrap process plus its Runtime API double."""

    def __init__(self, tmp_path, files, handler, env=None, pass_fds=()):
        self.api = RuntimeAPIDouble()
        self.task_root = str(tmp_path / "task")
        os.makedirs(self.task_root, exist_ok=True)
        for name, text in files.items():
            path = os.path.join(self.task_root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(textwrap.dedent(text))
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": self.task_root,
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]0123456789abcdef",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        port = self.api.address.rpartition(":")[2]
        environment.update((k, v.replace("{port}", port) if v else v) for k, v in (env or {}).items())
        environment = {k: v for k, v in environment.items() if v is not None}
        self.start_time = time.time()
        self.proc = subprocess.Popen(
            [PYTHON, "-S", "-B", BOOTSTRAP],
            env=environment,
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=pass_fds,
        )
        self.stdout = []
        self.stderr = []
        self.cond = threading.Condition()
        self.readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for t in self.readers:
            t.start()

    def _read(self, stream, lines):
        for line in iter(stream.readline, b""):
            with self.cond:
                lines.append(line.decode("utf-8", "replace"))
                self.cond.notify_all()
        stream.close()

    def invoke(self, event=None, timeout=10.0, **kwargs):
        inv = self.api.invoke(event, **kwargs)
        return self.api.wait_result(inv.request_id, timeout)

    def ok(self, event=None, **kwargs):
        posted = self.invoke(event, **kwargs)
        assert posted.kind == "response", (posted, self.stdout, self.stderr)
        return posted.json()

    def wait_stdout(self, predicate, timeout=10.0):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for line in self.stdout:
                    if predicate(line):
                        return line
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise AssertionError("stdout: %r stderr: %r" % (self.stdout, self.stderr))
                self.cond.wait(remaining)

    def wait_exit(self, timeout=10.0):
        code = self.proc.wait(timeout)
        for t in self.readers:
            t.join(5)
        return code

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for t in self.readers:
            t.join(5)
        self.api.stop()


@pytest.fixture
def runtime(tmp_path):
    started = []

    def start(files, handler="app.handler", env=None, **kwargs):
        rt = Runtime(tmp_path, files, handler, env, **kwargs)
        started.append(rt)
        return rt

    yield start
    for rt in started:
        rt.close()


# ------------------------------------------------------------------------------ invocations

ECHO = {
    "app.py": """
        def handler(event, context):
            return {"got": event, "rid": context.aws_request_id}
    """
}


def test_success_and_keep_alive(runtime):
    rt = runtime(ECHO)
    for i in range(3):
        posted = rt.invoke({"n": i, "s": "x"}, request_id="req-%d" % i)
        assert posted.kind == "response"
        assert posted.headers["Content-Type"] == "application/json"
        assert posted.json() == {"got": {"n": i, "s": "x"}, "rid": "req-%d" % i}
        assert posted.body == json.dumps({"got": {"n": i, "s": "x"}, "rid": "req-%d" % i}).encode()
    # One persistent connection carries every request.
    ports = {r[3] for r in rt.api.requests}
    assert len(ports) == 1, rt.api.requests
    assert rt.proc.poll() is None


def test_handler_error_with_stack_trace(runtime):
    rt = runtime(
        {
            "app.py": """
                def helper(x):
                    raise ValueError("bad value: %s" % x)

                def handler(event, context):
                    return helper(event["x"])
            """
        }
    )
    posted = rt.invoke({"x": 42}, request_id="err-1")
    assert posted.kind == "error"
    assert posted.headers["Lambda-Runtime-Function-Error-Type"] == "ValueError"
    app = os.path.join(rt.task_root, "app.py")
    assert posted.json() == {
        "errorMessage": "bad value: 42",
        "errorType": "ValueError",
        "requestId": "err-1",
        "stackTrace": [
            '  File "%s", line 6, in handler\n    return helper(event["x"])\n' % app,
            '  File "%s", line 3, in helper\n    raise ValueError("bad value: %%s" %% x)\n' % app,
        ],
    }
    cause = json.loads(posted.headers["Lambda-Runtime-Function-XRay-Error-Cause"])
    assert cause["exceptions"][0]["type"] == "ValueError"
    assert cause["exceptions"][0]["stack"][0] == {"label": "handler", "path": app, "line": 6}
    assert cause["working_directory"] == rt.task_root
    # The error is logged as one record: lines joined by \r, indentation as NO-BREAK SPACEs.
    line = rt.wait_stdout(lambda l: l.startswith("[ERROR]"))
    assert line == (
        "[ERROR] ValueError: bad value: 42\rTraceback (most recent call last):\r"
        '\u00a0\u00a0File "%s", line 6, in handler\r\u00a0\u00a0\u00a0\u00a0return helper(event["x"])\r'
        '\u00a0\u00a0File "%s", line 3, in helper\r'
        '\u00a0\u00a0\u00a0\u00a0raise ValueError("bad value: %%s" %% x)\n' % (app, app)
    )
    # The runtime keeps serving after a handler error.
    assert rt.invoke({"x": 1}).kind == "error"


def test_module_state_persists_across_invocations(runtime):
    rt = runtime(
        {
            "app.py": """
                import os
                COUNT = 0
                def handler(event, context):
                    global COUNT
                    COUNT += 1
                    return {"count": COUNT, "pid": os.getpid()}
            """
        }
    )
    results = [rt.ok({}) for _ in range(3)]
    assert [r["count"] for r in results] == [1, 2, 3]
    assert len({r["pid"] for r in results}) == 1


CONTEXT_APP = {
    "app.py": """
        import os, time
        def handler(event, context):
            first = context.get_remaining_time_in_millis()
            time.sleep(0.05)
            second = context.get_remaining_time_in_millis()
            cc = context.client_context
            return {
                "aws_request_id": context.aws_request_id,
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "tenant_id": context.tenant_id,
                "remaining": [first, second],
                "identity": [context.identity.cognito_identity_id,
                             context.identity.cognito_identity_pool_id],
                "client_context": None if cc is None else {
                    "custom": cc.custom, "env": cc.env,
                    "client": None if cc.client is None else {
                        "installation_id": cc.client.installation_id,
                        "app_title": cc.client.app_title,
                        "app_version_name": cc.client.app_version_name,
                        "app_version_code": cc.client.app_version_code,
                        "app_package_name": cc.client.app_package_name,
                    },
                },
                "trace": os.environ.get("_X_AMZN_TRACE_ID"),
                "cwd": os.getcwd(),
                "repr": repr(context),
            }
    """
}


def test_context_fields_and_remaining_time(runtime):
    rt = runtime(CONTEXT_APP)
    deadline = int(time.time() * 1000) + 3000
    r = rt.ok({}, request_id="ctx-1", deadline_ms=deadline)
    assert r["aws_request_id"] == "ctx-1"
    assert r["function_name"] == "fn"
    assert r["function_version"] == "$LATEST"
    assert r["invoked_function_arn"] == "arn:aws:lambda:us-east-1:000000000000:function:fn"
    assert r["memory_limit_in_mb"] == "256"  # a string on AWS too (awslambdaric)
    assert r["log_group_name"] == "/aws/lambda/fn"
    assert r["log_stream_name"] == "2024/01/01/[$LATEST]0123456789abcdef"
    assert r["tenant_id"] is None
    assert r["identity"] == [None, None]
    assert r["client_context"] is None
    assert r["trace"] == "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
    assert r["cwd"] == rt.task_root
    first, second = r["remaining"]
    assert 0 < second < first <= 3000
    assert first - second >= 40
    assert r["repr"].startswith("LambdaContext([aws_request_id=ctx-1,log_group_name=/aws/lambda/fn,")

    # A deadline in the past gives 0; a missing trace header removes _X_AMZN_TRACE_ID.
    r = rt.ok(
        {},
        deadline_ms=int(time.time() * 1000) - 10,
        headers={"Lambda-Runtime-Trace-Id": None, "Lambda-Runtime-Aws-Tenant-Id": "tenant-7"},
    )
    assert r["remaining"] == [0, 0]
    assert r["trace"] is None
    assert r["tenant_id"] == "tenant-7"


def test_client_context_and_cognito_identity(runtime):
    rt = runtime(CONTEXT_APP)
    client_context = {
        "client": {
            "installation_id": "inst-1",
            "app_title": "My App",
            "app_version_name": "1.0",
            "app_version_code": "100",
            "app_package_name": "com.example",
        },
        "custom": {"k": "v", "n": 1},
        "env": {"platform": "Android", "locale": "en_US"},
    }
    identity = {"cognitoIdentityId": "us-east-1:abc", "cognitoIdentityPoolId": "us-east-1:pool"}
    r = rt.ok(
        {},
        headers={
            "Lambda-Runtime-Client-Context": json.dumps(client_context),
            "Lambda-Runtime-Cognito-Identity": json.dumps(identity),
        },
    )
    assert r["client_context"] == client_context
    assert r["identity"] == ["us-east-1:abc", "us-east-1:pool"]

    # Client context without a "client" member: client is None, like awslambdaric.
    r = rt.ok({}, headers={"Lambda-Runtime-Client-Context": '{"custom": {"a": "b"}}'})
    assert r["client_context"] == {"custom": {"a": "b"}, "env": None, "client": None}

    # Unparseable client context is a Runtime.LambdaContextUnmarshalError for that invocation.
    posted = rt.invoke({}, headers={"Lambda-Runtime-Client-Context": "{nope"})
    assert posted.kind == "error"
    body = posted.json()
    assert body["errorType"] == "Runtime.LambdaContextUnmarshalError"
    assert body["errorMessage"].startswith("Unable to parse Client Context JSON: Expecting")
    assert body["stackTrace"] == []


def test_none_result_unicode_and_special_results(runtime):
    rt = runtime(
        {
            "app.py": """
                from decimal import Decimal
                def handler(event, context):
                    kind = event["kind"]
                    if kind == "none":
                        return None
                    if kind == "echo":
                        return event
                    if kind == "bytes":
                        return b"\\x00raw\\xff"
                    if kind == "decimal":
                        return {"a": Decimal("1.10"), "b": [Decimal("-2E+3"), Decimal("NaN")],
                                "c": "\\u0000lamina-decimal-0\\u0000", "f": 1.5}
                    if kind == "floats":
                        return [float("nan"), float("inf"), -float("inf"), 1e100, 10**30]
            """
        }
    )
    posted = rt.invoke({"kind": "none"})
    assert posted.kind == "response" and posted.body == b"null"

    event = {"kind": "echo", "text": "h\u00e9llo \u2603 \U0001F600 \u4e2d\u6587", "q": '"\\'}
    posted = rt.invoke(event)
    assert posted.json() == event
    # Without AWS_EXECUTION_ENV=AWS_Lambda_python3.12+ non-ASCII is escaped, like awslambdaric.
    assert posted.body.isascii()

    posted = rt.invoke({"kind": "bytes"})
    assert posted.body == b"\x00raw\xff"
    assert posted.headers["Content-Type"] == "application/unknown"

    posted = rt.invoke({"kind": "decimal"})
    assert posted.body == (
        b'{"a": 1.10, "b": [-2E+3, NaN], "c": "\\u0000lamina-decimal-0\\u0000", "f": 1.5}'
    )

    posted = rt.invoke({"kind": "floats"})
    assert posted.body == b"[NaN, Infinity, -Infinity, 1e+100, 1000000000000000000000000000000]"


def test_unicode_unescaped_on_python312_plus_runtimes(runtime):
    rt = runtime(ECHO, env={"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"})
    text = "h\u00e9llo \u2603 \U0001F600"
    posted = rt.invoke(text)
    assert text.encode("utf-8") in posted.body
    assert posted.json()["got"] == text


def test_marshal_error(runtime):
    rt = runtime(
        {
            "app.py": """
                def handler(event, context):
                    return {"s": {1, 2}}
            """
        }
    )
    posted = rt.invoke({}, request_id="m-1")
    assert posted.kind == "error"
    assert posted.headers["Lambda-Runtime-Function-Error-Type"] == "Runtime.MarshalError"
    assert posted.json() == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": "m-1",
        "stackTrace": [],
    }
    rt.wait_stdout(
        lambda l: l
        == "[ERROR] Runtime.MarshalError: Unable to marshal response: Object of type set is not "
        "JSON serializable\rTraceback (most recent call last):\n"
    )


def test_unmarshal_error_and_raw_content_type(runtime):
    rt = runtime(
        {
            "app.py": """
                def handler(event, context):
                    return {"type": type(event).__name__, "len": len(event)}
            """
        }
    )
    posted = rt.invoke(b"{not json")
    assert posted.kind == "error"
    assert posted.json()["errorType"] == "Runtime.UnmarshalError"
    assert posted.json()["errorMessage"] == (
        "Unable to unmarshal input: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)"
    )
    posted = rt.invoke(b"[1, 2] x")
    assert posted.json()["errorMessage"].startswith("Unable to unmarshal input: Extra data")
    # Whitespace around JSON is fine; a BOM-prefixed UTF-8 body is decoded like json.loads does.
    assert rt.ok(b" \r\n[1, 2, 3]\n ") == {"type": "list", "len": 3}
    assert rt.ok(b"\xef\xbb\xbf[1]") == {"type": "list", "len": 1}
    # A non-JSON content type hands the raw bytes to the handler, as awslambdaric does.
    r = rt.ok(b"abc", headers={"Content-Type": "application/octet-stream"})
    assert r == {"type": "bytes", "len": 3}


def test_large_event_and_response(runtime):
    rt = runtime(
        {
            "app.py": """
                def handler(event, context):
                    return {"echo": event["data"], "big": "y" * (5 * 1024 * 1024)}
            """
        }
    )
    data = "x" * (5 * 1024 * 1024)
    for chunked in (False, True):
        posted = rt.invoke({"data": data}, chunked=chunked, timeout=30)
        assert posted.kind == "response"
        assert len(posted.body) > 10 * 1024 * 1024
        result = posted.json()
        assert result["echo"] == data
        assert result["big"] == "y" * (5 * 1024 * 1024)


def test_chunked_next_and_reconnect_after_close(runtime):
    rt = runtime(ECHO)
    assert rt.ok({"a": 1}, chunked=True)["got"] == {"a": 1}
    # The platform closes the connection after this /next: the runtime reconnects.
    assert rt.ok({"a": 2}, close=True)["got"] == {"a": 2}
    assert rt.ok({"a": 3})["got"] == {"a": 3}
    assert rt.ok({"a": 4}, chunked=True, close=True)["got"] == {"a": 4}
    assert rt.ok({"a": 5})["got"] == {"a": 5}
    # A body delimited by the end of the connection (no Content-Length, not chunked).
    assert rt.ok({"a": 6}, no_length=True)["got"] == {"a": 6}
    assert rt.ok({"a": 7})["got"] == {"a": 7}
    ports = [r[3] for r in rt.api.requests]
    assert len(set(ports)) == 4, rt.api.requests


def test_runtime_api_address_by_host_name(runtime):
    rt = runtime(ECHO, env={"AWS_LAMBDA_RUNTIME_API": "localhost:{port}"})
    assert rt.ok({"h": 1})["got"] == {"h": 1}


def test_next_failure_exits(runtime):
    rt = runtime(ECHO)
    assert rt.ok({})["got"] == {}
    rt.api.next_status = 500
    assert rt.wait_exit() != 0
    assert any("Failed to get next invocation" in l for l in rt.stderr)


# ------------------------------------------------------------------------------ init errors


@pytest.mark.parametrize(
    "files, handler, error_type, message",
    [
        (
            {},
            "app.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'app'",
        ),
        (
            {"app.py": "import not_installed_dependency\n"},
            "app.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'not_installed_dependency'",
        ),
        (
            {"app.py": "def handler(e, c):\n    return 1\n"},
            "app.nope",
            "Runtime.HandlerNotFound",
            "Handler 'nope' missing on module 'app'",
        ),
        (
            {"app.py": "x = 1\nx = = 2\n"},
            "app.handler",
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module 'app': invalid syntax (app.py, line 2)",
        ),
        (
            {},
            "x",
            "Runtime.MalformedHandlerName",
            "Bad handler 'x': not enough values to unpack (expected 2, got 1)",
        ),
        (
            {},
            "sys.handler",
            "Runtime.BuiltInModuleConflict",
            "Cannot use built-in module sys as a handler module",
        ),
        (
            {"pkg/__init__.py": "", "pkg/mod.py": "def f(e, c):\n    return 1\n"},
            "pkg/missing.f",
            "Runtime.ImportModuleError",
            "Unable to import module 'pkg/missing': No module named 'pkg.missing'",
        ),
    ],
    ids=["no-module", "missing-dependency", "no-handler", "syntax", "malformed", "builtin", "nested"],
)
def test_init_errors(runtime, files, handler, error_type, message):
    rt = runtime(files, handler=handler)
    posted = rt.api.wait_init_error()
    assert rt.wait_exit() == 1
    assert posted.headers["Lambda-Runtime-Function-Error-Type"] == error_type
    body = posted.json()
    assert body["errorType"] == error_type
    assert body["errorMessage"] == message
    assert body["requestId"] == ""
    if error_type == "Runtime.UserCodeSyntaxError":
        app = os.path.join(rt.task_root, "app.py")
        assert body["stackTrace"] == ['  File "%s" Line 2\n    x = = 2\n' % app]
    else:
        assert body["stackTrace"] == []
    # No GET /next before or after an init error.
    assert not [r for r in rt.api.requests if r[1] == "GET"]
    out = "".join(rt.stdout)
    assert re.search(r"^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\tLAMBDA_WARNING: "
                     r"Unhandled exception\. ", out, re.M), out
    assert ("[ERROR] %s: %s\rTraceback (most recent call last):" % (error_type, message)) in out


def test_init_error_from_exception_at_import_time(runtime):
    rt = runtime(
        {
            "app.py": """
                SETTINGS = {}
                CONFIG = SETTINGS["MISSING_SETTING"]
                def handler(event, context):
                    return 1
            """
        }
    )
    posted = rt.api.wait_init_error()
    assert rt.wait_exit() == 1
    assert posted.headers["Lambda-Runtime-Function-Error-Type"] == "KeyError"
    body = posted.json()
    assert body["errorType"] == "KeyError"
    assert body["errorMessage"] == "'MISSING_SETTING'"
    assert body["requestId"] == ""
    app = os.path.join(rt.task_root, "app.py")
    # The runtime's own frame is dropped; the import machinery's frames remain, as on AWS.
    assert "lamina_runtime" not in "".join(body["stackTrace"])
    assert body["stackTrace"][-1] == (
        '  File "%s", line 3, in <module>\n    CONFIG = SETTINGS["MISSING_SETTING"]\n' % app
    )
    assert any("<frozen importlib._bootstrap>" in f for f in body["stackTrace"])


# ---------------------------------------------------------------------- handler resolution


NESTED = {
    "pkg/__init__.py": "",
    "pkg/sub/__init__.py": "",
    "pkg/sub/mod.py": """
        import sys
        def func(event, context):
            return {"module": __name__, "path": sys.path[:3]}
    """,
    "handlerpkg/__init__.py": """
        def handler(event, context):
            return {"module": __name__}
    """,
}


@pytest.mark.parametrize(
    "handler, module",
    [("pkg/sub/mod.func", "pkg.sub.mod"), ("pkg.sub.mod.func", "pkg.sub.mod"),
     ("handlerpkg.handler", "handlerpkg")],
)
def test_handler_resolution(runtime, handler, module):
    rt = runtime(NESTED, handler=handler)
    r = rt.ok({})
    assert r["module"] == module
    if "path" in r:
        assert r["path"] == [
            rt.task_root,
            "/opt/python/lib/python%d.%d/site-packages" % PY_VERSION,
            "/opt/python",
        ]


def test_sys_path_pth_and_pythonpath(runtime, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "extramod.py").write_text("VALUE = 'from pth'\n")
    files = {
        "app.py": """
            import os, sys, extramod
            def handler(event, context):
                return {"path": sys.path, "value": extramod.VALUE,
                        "pythonpath": os.environ.get("PYTHONPATH"),
                        "runtime_dir_hidden": not any(p.endswith("runtimes/python") for p in sys.path)}
        """,
        "deps.pth": str(extra) + "\n",
    }
    rt = runtime(files)
    r = rt.ok({})
    assert r["path"][:3] == [
        rt.task_root,
        "/opt/python/lib/python%d.%d/site-packages" % PY_VERSION,
        "/opt/python",
    ]
    assert str(extra) in r["path"]
    assert r["value"] == "from pth"
    assert r["pythonpath"] == "/var/runtime"  # AWS sets PYTHONPATH to LAMBDA_RUNTIME_DIR
    assert r["runtime_dir_hidden"]

    # With PYTHONPATH set by the function, /opt paths are not added (AWS behaviour).
    rt2 = runtime(files, env={"PYTHONPATH": str(tmp_path / "pp")})
    r = rt2.ok({})
    assert "/opt/python" not in r["path"]
    assert r["path"][0] == rt2.task_root
    assert str(tmp_path / "pp") in r["path"]
    assert r["pythonpath"] == str(tmp_path / "pp")


# ------------------------------------------------------------------------- stdout, logging


def test_print_lines_are_flushed_per_line(runtime):
    rt = runtime(
        {
            "app.py": """
                import sys, time
                def handler(event, context):
                    print("first line")
                    sys.stdout.write("partial ")
                    sys.stdout.write("second line\\n")
                    print("to stderr", file=sys.stderr)
                    context.log("via context.log\\n")
                    time.sleep(event.get("sleep", 0))
                    return "done"
            """
        }
    )
    inv = rt.api.invoke({"sleep": 1})
    # The lines are visible while the handler is still running (nothing sits in a buffer).
    rt.wait_stdout(lambda l: l == "first line\n", timeout=0.8)
    rt.wait_stdout(lambda l: l == "partial second line\n", timeout=0.8)
    rt.wait_stdout(lambda l: l == "via context.log\n", timeout=0.8)
    with rt.cond:
        rt.cond.wait_for(lambda: "to stderr\n" in rt.stderr, 0.8)
    assert "to stderr\n" in rt.stderr
    assert rt.api.wait_result(inv.request_id).json() == "done"


LOGGING_APP = {
    "app.py": """
        import sys
        LOGGING_AT_START = "logging" in sys.modules
        JSON_AT_START = "json" in sys.modules
        import logging
        logger = logging.getLogger()
        def handler(event, context):
            logger.debug("debug message")
            logger.info("info message")
            logger.warning("warn %s", "message")
            logging.getLogger("child").error("child error")
            return {"logging_at_start": LOGGING_AT_START, "json_at_start": JSON_AT_START,
                    "handlers": len(logger.handlers), "level": logger.level}
    """
}

LOG_LINE = re.compile(r"^\[(\w+)\]\t(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t([^\t]*)\t(.*)\n$")


def test_logging_format_and_default_level(runtime):
    rt = runtime(LOGGING_APP)
    r = rt.ok({}, request_id="log-1")
    # The runtime imported neither logging nor json before the function did.
    assert r == {"logging_at_start": False, "json_at_start": False, "handlers": 1, "level": 30}
    warn = rt.wait_stdout(lambda l: "warn message" in l)
    m = LOG_LINE.match(warn)
    assert m, warn
    assert m.group(1) == "WARNING" and m.group(3) == "log-1" and m.group(4) == "warn message"
    stamp = time.strptime(m.group(2)[:19], "%Y-%m-%dT%H:%M:%S")
    assert abs(time.mktime(stamp) - time.mktime(time.gmtime())) < 60  # UTC
    child = rt.wait_stdout(lambda l: "child error" in l)
    assert LOG_LINE.match(child).group(1) == "ERROR"
    out = "".join(rt.stdout)
    assert "info message" not in out and "debug message" not in out


def test_logging_level_from_environment(runtime):
    rt = runtime(LOGGING_APP, env={"AWS_LAMBDA_LOG_LEVEL": "DEBUG"})
    r = rt.ok({}, request_id="log-2")
    assert r["level"] == 10
    line = rt.wait_stdout(lambda l: "debug message" in l)
    m = LOG_LINE.match(line)
    assert (m.group(1), m.group(3), m.group(4)) == ("DEBUG", "log-2", "debug message")
    rt.wait_stdout(lambda l: "info message" in l)


def test_logging_json_format(runtime):
    rt = runtime(LOGGING_APP, env={"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "INFO"})
    rt.ok({}, request_id="log-3")
    line = rt.wait_stdout(lambda l: "warn message" in l)
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["message"] == "warn message"
    assert record["logger"] == "root"
    assert record["requestId"] == "log-3"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", record["timestamp"])
    assert "debug message" not in "".join(rt.stdout)


def test_telemetry_log_fd_framing(runtime):
    read_fd, write_fd = os.pipe()
    try:
        rt = runtime(
            {
                "app.py": """
                    import logging
                    def handler(event, context):
                        logging.warning("framed\\nmulti-line")
                        raise RuntimeError("boom")
                """
            },
            env={"_LAMBDA_TELEMETRY_LOG_FD": str(write_fd)},
            pass_fds=(write_fd,),
        )
        os.close(write_fd)
        write_fd = None
        assert rt.invoke({}).kind == "error"
        rt.close()
        data = b""
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(read_fd)
        if write_fd is not None:
            os.close(write_fd)
    frames = []
    while data:
        ftype, length = data[:4], int.from_bytes(data[4:8], "big")
        frames.append((ftype, data[16 : 16 + length].decode()))
        data = data[16 + length :]
    assert frames[0][0] == b"\xa5\x5a\x00\x03"
    assert frames[0][1].endswith("\tframed\nmulti-line\n")
    assert frames[1][0] == b"\xa5\x5a\x00\x17"
    assert frames[1][1].startswith("[ERROR] RuntimeError: boom\nTraceback (most recent call last):\n")
