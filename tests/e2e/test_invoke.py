"""Running functions end to end: synchronous Invoke against the real daemon, with boto3 and the AWS
CLI, asserting AWS's behaviour (aws-wire.md b.2 Invoke, b.7 Runtime API, b.9 environment variables,
b.10 log format): the sandbox, the log tail, function errors, timeouts, OOM, crashes, init failures,
custom runtimes, warm reuse, concurrency, reaping, shutdown and bad input.
"""
import base64
import concurrent.futures
import io
import json
import math
import os
import re
import signal
import time
import zipfile

import botocore.exceptions
import pytest

from conftest import ACCOUNT, REGION, InvokeResult, make_role, make_zip, unique  # noqa: F401

ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
INIT_START_RE = re.compile(
    r"^INIT_START Runtime Version: [a-z]+:[0-9a-z.]+\.v\d+\t"
    rf"Runtime Version ARN: arn:aws:lambda:{REGION}::runtime:[0-9a-f]{{64}}$")
START_RE = re.compile(rf"^START RequestId: (?P<id>{UUID}) Version: \$LATEST$")
END_RE = re.compile(rf"^END RequestId: (?P<id>{UUID})$")
REPORT_RE = re.compile(
    rf"^REPORT RequestId: (?P<id>{UUID})\tDuration: (?P<duration>\d+\.\d\d) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: (?P<memory>\d+) MB\t"
    r"Max Memory Used: (?P<max_memory>\d+) MB\t(?:Init Duration: (?P<init>\d+\.\d\d) ms\t)?"
    r"(?:Status: (?P<status>timeout|error)\t(?:Error Type: (?P<error_type>[A-Za-z.]+)\t)?)?$")
TIMEOUT_LINE_RE = re.compile(
    rf"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z (?P<id>{UUID}) Task timed out after "
    r"(?P<seconds>\d+\.\d\d) seconds$")


def zip_with_modes(files, executable=()):
    """A zip whose entries named in `executable` carry mode 0755 (a custom runtime's bootstrap)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 if name in executable else 0o100644) << 16
            info.create_system = 3  # unix, so the mode is honoured
            z.writestr(info, content)
    return buf.getvalue()


@pytest.fixture(scope="module")
def lam(daemon):
    return daemon.client("lambda", read_timeout=120, max_pool_connections=64)


@pytest.fixture(scope="module")
def exec_role(daemon):
    return make_role(daemon)


def create(lam, role, files=None, zip_bytes=None, runtime="python3.12", handler="index.handler",
           name=None, **kwargs):
    name = name or unique()
    r = lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler=handler,
                            Code={"ZipFile": zip_bytes or make_zip(files)}, **kwargs)
    assert r["State"] == "Active"
    return name


class Result(InvokeResult):
    """InvokeResult with the REPORT line checked against AWS's format."""

    def report(self):
        """The REPORT line's fields (asserting the line is exactly AWS's format)."""
        reports = [m for m in map(REPORT_RE.match, self.lines) if m]
        assert len(reports) == 1, self.log
        return reports[0]

    @property
    def cold(self):
        return self.report().group("init") is not None


def invoke(lam, name, event=None, payload=None, tail=True, **kwargs):
    if payload is None:
        payload = json.dumps({} if event is None else event)
    if tail:
        kwargs["LogType"] = "Tail"
    return Result(lam.invoke(FunctionName=name, Payload=payload, **kwargs))


def assert_platform_lines(result, memory=128, cold=None, status=None, error_type=None,
                          timeout_ms=None):
    """START, END and REPORT for this request, in AWS's exact format and order."""
    lines = result.lines
    assert lines, "no log tail"
    starts = [i for i, l in enumerate(lines) if START_RE.match(l)]
    ends = [i for i, l in enumerate(lines) if END_RE.match(l)]
    assert len(starts) == 1 and len(ends) == 1, result.log
    assert START_RE.match(lines[starts[0]]).group("id") == result.request_id
    assert END_RE.match(lines[ends[0]]).group("id") == result.request_id
    assert ends[0] == len(lines) - 2 and starts[0] < ends[0]
    report = result.report()
    assert report.group("id") == result.request_id
    assert lines[-1] == report.group(0)
    assert int(report.group("memory")) == memory
    assert 0 < int(report.group("max_memory")) <= memory
    duration = float(report.group("duration"))
    init = float(report.group("init") or 0)
    billed = int(report.group("billed"))
    # Billed in 1 ms steps (since August 2025 the init phase too), never past the timeout.
    if status == "timeout":
        assert abs(billed - (timeout_ms + math.ceil(init))) <= 1, report.group(0)
    else:
        assert abs(billed - math.ceil(duration + init)) <= 1, report.group(0)
    if cold is not None:
        assert (report.group("init") is not None) == cold, result.log
        init_starts = [l for l in lines if l.startswith("INIT_START")]
        if cold:
            assert len(init_starts) == 1 and INIT_START_RE.match(init_starts[0]), result.log
            assert lines.index(init_starts[0]) < starts[0]
        else:
            assert not init_starts, result.log
    assert report.group("status") == status, report.group(0)
    assert report.group("error_type") == error_type, report.group(0)
    return report


# --- python: success, the sandbox, the environment variables ------------------------------------

SANDBOX_PY = r'''
import json, os, socket, sys

ENV_ID = os.urandom(8).hex()
print("init of", ENV_ID)


def handler(event, context):
    print("hello from", event.get("who"))
    try:
        open("/var/task/scribble", "w").close()
        task_write = "written"
    except OSError as e:
        task_write = e.errno
    with open("/tmp/scribble", "w") as f:
        f.write("scratch")
    with open("/tmp/scribble") as f:
        tmp_read = f.read()
    status = dict(l.split(":\t", 1) for l in open("/proc/self/status").read().splitlines()
                  if ":\t" in l)
    try:
        s = socket.create_connection(("127.0.0.1", event["daemon_port"]), timeout=1)
        s.close()
        reach_daemon = True
    except OSError:
        reach_daemon = False
    cc = context.client_context
    return {
        "event": event,
        "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "pid": os.getpid(),
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "oom_score_adj": open("/proc/self/oom_score_adj").read().strip(),
        "hostname": socket.gethostname(),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "task_write": task_write, "tmp_read": tmp_read,
        "exists": {p: os.path.exists(p) for p in event["paths"]},
        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "cap_eff": status.get("CapEff", "").strip(),
        "no_new_privs": status.get("NoNewPrivs", "").strip(),
        "reach_daemon": reach_daemon,
        "env_id": ENV_ID,
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "client_custom": cc.custom if cc else None,
    }
'''


@pytest.fixture(scope="module")
def sandbox_fn(lam, exec_role):
    return create(lam, exec_role, {"index.py": SANDBOX_PY}, MemorySize=256, Timeout=7,
                  Environment={"Variables": {"GREETING": "hi there", "LANG": "C.UTF-8"}})


def sandbox_event(daemon, who):
    return {"who": who, "daemon_port": daemon.port,
            "paths": ["/work", "/root", "/home", "/etc/shadow", daemon.data_dir,
                      "/usr/bin/python3", "/var/task/index.py", "/var/runtime"]}


def assert_sandboxed(daemon, name, out, event):
    assert out["event"] == event
    # An unprivileged user, PID 2 of its own pid namespace (lamina-init is PID 1), nothing else.
    assert out["uid"] != 0 and out["euid"] != 0 and out["gid"] != 0
    assert out["pid"] < 10
    assert all(p < 10 for p in out["pids"]), out["pids"]
    assert out["cap_eff"] == "0000000000000000"
    assert out["no_new_privs"] == "1"
    # Spares are spawned as niced background work; the function itself runs at normal priority.
    assert out["nice"] == 0
    # The kernel's OOM killer takes functions first and never the daemon (which needs
    # CAP_SYS_RESOURCE, which some hosts' root lacks, to lower its own score).
    assert out["oom_score_adj"] == "1000"
    with open(f"/proc/{daemon.proc.pid}/status") as f:
        caps = int(next(l for l in f if l.startswith("CapEff:")).split()[1], 16)
    with open(f"/proc/{daemon.proc.pid}/oom_score_adj") as f:
        assert f.read().strip() == ("-1000" if caps & (1 << 24) else "0")
    assert out["hostname"] != os.uname().nodename
    assert out["cwd"] == "/var/task"
    # /var/task is read-only (EROFS), /tmp is the writable scratch.
    assert out["task_write"] == 30
    assert out["tmp_read"] == "scratch"
    assert out["exists"] == {"/work": False, "/root": False, "/home": False, "/etc/shadow": False,
                             daemon.data_dir: False, "/usr/bin/python3": True,
                             "/var/task/index.py": True, "/var/runtime": True}
    # Its own network namespace: the daemon's port on the host's loopback is out of reach.
    assert out["reach_daemon"] is False
    env = out["env"]
    expected = {
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "_HANDLER": "index.handler",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "TZ": ":UTC",
        "GREETING": "hi there",
        "LANG": "C.UTF-8",  # an unreserved default the function may override
    }
    assert {k: env.get(k) for k in expected} == expected
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}",
                        env["AWS_LAMBDA_LOG_STREAM_NAME"])
    # X-Ray's header: the root's first field is the epoch second it began, in 8 hex digits.
    # Lineage: the recursion guard's count of this function in the chain (one: a new chain).
    trace = re.fullmatch(r"Root=1-([0-9a-f]{8})-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0"
                         r";Lineage=[0-9a-f]{8}:1",
                         env["_X_AMZN_TRACE_ID"])
    assert trace, env["_X_AMZN_TRACE_ID"]
    assert abs(int(trace.group(1), 16) - time.time()) < 300
    assert out["function_name"] == name
    assert out["function_version"] == "$LATEST"
    assert out["invoked_function_arn"] == ARN_PREFIX + name
    assert int(out["memory_limit_in_mb"]) == 256
    assert out["log_group_name"] == f"/aws/lambda/{name}"
    assert out["log_stream_name"] == env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert 0 < out["remaining_ms"] <= 7000


def test_python_success_boto3(daemon, lam, sandbox_fn):
    event = sandbox_event(daemon, "boto3")
    custom = {"custom": {"tenant": "blue"}, "env": {"platform": "test"}, "client": {}}
    r = invoke(lam, sandbox_fn, event,
               ClientContext=base64.b64encode(json.dumps(custom).encode()).decode())
    assert r.status == 200
    assert r.function_error is None
    assert r.executed_version == "$LATEST"
    assert r.response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/json"
    out = r.body
    assert_sandboxed(daemon, sandbox_fn, out, event)
    # One request id everywhere: the HTTP response, the function's context, the log.
    assert out["request_id"] == r.request_id
    assert out["client_custom"] == {"tenant": "blue"}
    assert "hello from boto3" in r.lines


def test_python_success_cli(daemon, lam, sandbox_fn, tmp_path):
    event = sandbox_event(daemon, "cli")
    outfile = tmp_path / "out.json"
    rc, out, err = daemon.cli("lambda", "invoke", "--function-name", sandbox_fn,
                              "--payload", json.dumps(event),
                              "--cli-binary-format", "raw-in-base64-out", str(outfile))
    assert rc == 0, err
    assert out == {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
    assert_sandboxed(daemon, sandbox_fn, json.loads(outfile.read_text()), event)

    # The CLI's own log tail option.
    rc, out, err = daemon.cli("lambda", "invoke", "--function-name", sandbox_fn,
                              "--payload", json.dumps(event), "--log-type", "Tail",
                              "--cli-binary-format", "raw-in-base64-out", str(outfile))
    assert set(out) == {"StatusCode", "ExecutedVersion", "LogResult"}
    assert "hello from cli" in base64.b64decode(out["LogResult"]).decode().split("\n")


# --- the log tail ---------------------------------------------------------------------------------

LOGGING_PY = r'''
import os, sys
ENV_ID = os.urandom(8).hex()
print("module loaded")


def handler(event, context):
    print("line one")
    print("line two", event["n"])
    sys.stderr.write("to stderr\n")
    print("line three")
    return {"env_id": ENV_ID}
'''


def test_log_tail_cold_then_warm(lam, exec_role):
    name = create(lam, exec_role, {"index.py": LOGGING_PY})
    cold = invoke(lam, name, {"n": 1})
    assert cold.status == 200 and cold.function_error is None
    report = assert_platform_lines(cold, cold=True)
    lines = cold.lines
    start = next(i for i, l in enumerate(lines) if l.startswith("START "))
    # The init's output comes before START, the handler's between START and END.
    assert lines.index("module loaded") < start
    body = lines[start + 1:-2]
    # stdout and stderr in the order written.
    assert body == ["line one", "line two 1", "to stderr", "line three"], cold.log
    assert float(report.group("init")) > 0

    warm = invoke(lam, name, {"n": 2})
    assert warm.body == cold.body  # the same environment
    assert_platform_lines(warm, cold=False)
    assert warm.lines[1:-2] == ["line one", "line two 2", "to stderr", "line three"], warm.log

    # Without LogType there is no LogResult.
    plain = lam.invoke(FunctionName=name, Payload=b'{"n": 3}')
    assert "LogResult" not in plain
    assert "x-amz-log-result" not in plain["ResponseMetadata"]["HTTPHeaders"]


def test_log_tail_is_last_4kb(lam, exec_role):
    code = ("def handler(event, context):\n"
            "    for i in range(200):\n"
            "        print('%03d ' % i + 'x' * 60)\n"
            "    return 1\n")
    name = create(lam, exec_role, {"index.py": code})
    r = invoke(lam, name)
    assert len(r.log.encode()) == 4096
    assert r.lines[-1].startswith("REPORT RequestId: " + r.request_id)
    assert r.lines[-2] == "END RequestId: " + r.request_id
    assert r.lines[-3] == "199 " + "x" * 60


def test_json_log_format_and_level(lam, exec_role):
    # LoggingConfig reaches the runtime as AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL (b.9).
    code = ("import logging, os\n"
            "def handler(event, context):\n"
            "    logging.getLogger().info('below the level')\n"
            "    logging.getLogger().warning('kept %d', event['n'])\n"
            "    return [os.environ.get('AWS_LAMBDA_LOG_FORMAT'),\n"
            "            os.environ.get('AWS_LAMBDA_LOG_LEVEL')]\n")
    name = create(lam, exec_role, {"index.py": code},
                  LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN"})
    r = invoke(lam, name, {"n": 1})
    assert r.function_error is None and r.body == ["JSON", "WARN"], r.body
    assert "below the level" not in r.log
    records = []
    for line in r.lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pass
    kept = [rec for rec in records if isinstance(rec, dict) and rec.get("message") == "kept 1"]
    assert len(kept) == 1, r.log
    assert kept[0]["requestId"] == r.request_id

    text = create(lam, exec_role, {"index.py": code})
    assert invoke(lam, text, {"n": 1}).body == [None, None]


# --- function errors ------------------------------------------------------------------------------

ERROR_PY = r'''
class PaymentDeclined(Exception):
    pass


def fail_deeper(amount):
    raise PaymentDeclined("card declined for %d" % amount)


def handler(event, context):
    print("about to fail")
    fail_deeper(event["amount"])
'''


def test_function_error(daemon, lam, exec_role, tmp_path):
    name = create(lam, exec_role, {"index.py": ERROR_PY})
    r = invoke(lam, name, {"amount": 42})
    assert r.status == 200
    assert r.function_error == "Unhandled"
    assert r.executed_version == "$LATEST"
    assert r.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-function-error"] == "Unhandled"
    assert r.body["errorMessage"] == "card declined for 42"
    assert r.body["errorType"] == "PaymentDeclined"
    assert r.body["requestId"] == r.request_id
    trace = r.body["stackTrace"]
    assert isinstance(trace, list) and len(trace) == 2
    assert 'File "/var/task/index.py"' in trace[0] and "in handler" in trace[0]
    assert "in fail_deeper" in trace[1]
    assert_platform_lines(r, cold=True)
    assert "about to fail" in r.lines
    assert any(l.startswith("[ERROR] PaymentDeclined: card declined for 42") for l in r.lines)

    # A handled-by-nobody error leaves the environment usable: the next invoke is warm.
    again = invoke(lam, name, {"amount": 7})
    assert again.function_error == "Unhandled" and not again.cold

    rc, out, _ = daemon.cli("lambda", "invoke", "--function-name", name,
                            "--payload", '{"amount": 1}',
                            "--cli-binary-format", "raw-in-base64-out",
                            str(tmp_path / "err.json"))
    assert rc == 0
    assert out == {"StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST"}
    assert json.loads((tmp_path / "err.json").read_text())["errorType"] == "PaymentDeclined"


# --- timeout --------------------------------------------------------------------------------------

SLEEPY_PY = r'''
import os, time
ENV_ID = os.urandom(8).hex()


def handler(event, context):
    print("sleeping", event.get("sleep", 0))
    time.sleep(event.get("sleep", 0))
    return {"env_id": ENV_ID}
'''


def test_timeout(lam, exec_role):
    name = create(lam, exec_role, {"index.py": SLEEPY_PY}, Timeout=1)
    first = invoke(lam, name, {"sleep": 0})
    assert first.function_error is None and first.cold
    env_before = first.body["env_id"]

    started = time.monotonic()
    r = invoke(lam, name, {"sleep": 5})
    elapsed = time.monotonic() - started
    assert elapsed < 3.5, elapsed
    assert r.status == 200
    assert r.function_error == "Unhandled"
    assert r.body == {"errorType": "Sandbox.Timedout",
                      "errorMessage": f"RequestId: {r.request_id} Error: Task timed out after "
                                      "1.00 seconds"}
    report = assert_platform_lines(r, cold=False, status="timeout", timeout_ms=1000)
    assert float(report.group("duration")) >= 1000
    timeouts = [m for m in map(TIMEOUT_LINE_RE.match, r.lines) if m]
    assert len(timeouts) == 1 and timeouts[0].group("id") == r.request_id
    assert timeouts[0].group("seconds") == "1.00"
    assert "sleeping 5" in r.lines

    # The timed-out environment is gone: the next invoke is a cold start in a new one.
    after = invoke(lam, name, {"sleep": 0})
    assert after.function_error is None
    assert after.cold
    assert after.body["env_id"] != env_before


# --- out of memory --------------------------------------------------------------------------------

HOG_PY = r'''
def handler(event, context):
    print("allocating", event["mb"], "MB")
    blocks = []
    for _ in range(event["mb"] // 8):
        blocks.append(b"\x01" * (8 << 20))  # written, so really resident
    return len(blocks)
'''


def test_out_of_memory(lam, exec_role):
    name = create(lam, exec_role, {"index.py": HOG_PY}, MemorySize=128, Timeout=20)
    small = invoke(lam, name, {"mb": 16})
    assert small.function_error is None and small.body == 2

    started = time.monotonic()
    r = invoke(lam, name, {"mb": 512})
    assert time.monotonic() - started < 15
    assert r.status == 200
    assert r.function_error == "Unhandled"
    assert r.body == {"errorType": "Runtime.OutOfMemory",
                      "errorMessage": f"RequestId: {r.request_id} Error: Runtime exited with "
                                      "error: signal: killed"}
    report = assert_platform_lines(r, cold=False, status="error",
                                   error_type="Runtime.OutOfMemory")
    assert int(report.group("max_memory")) >= 120
    assert "allocating 512 MB" in r.lines

    # The daemon keeps serving, in a fresh environment.
    after = invoke(lam, name, {"mb": 8})
    assert after.function_error is None and after.body == 1 and after.cold


# --- crashes --------------------------------------------------------------------------------------

CRASH_PY = r'''
import os, signal
ENV_ID = os.urandom(8).hex()


def handler(event, context):
    print("crashing by", event["how"])
    if event["how"] == "exit":
        os._exit(3)
    if event["how"] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if event["how"] == "abort":
        os.abort()
    return {"env_id": ENV_ID}
'''


@pytest.mark.parametrize("how,message", [
    ("exit", "exit status 3"),
    ("kill", "signal: killed"),
    ("abort", "signal: aborted"),
])
def test_runtime_crash(lam, exec_role, how, message):
    name = create(lam, exec_role, {"index.py": CRASH_PY})
    ok = invoke(lam, name, {"how": "nothing"})
    assert ok.function_error is None

    r = invoke(lam, name, {"how": how})
    assert r.status == 200
    assert r.function_error == "Unhandled"
    assert r.body == {"errorType": "Runtime.ExitError",
                      "errorMessage": f"RequestId: {r.request_id} Error: Runtime exited with "
                                      f"error: {message}"}
    assert_platform_lines(r, cold=False, status="error", error_type="Runtime.ExitError")
    assert f"crashing by {how}" in r.lines

    after = invoke(lam, name, {"how": "nothing"})
    assert after.function_error is None and after.cold
    assert after.body["env_id"] != ok.body["env_id"]


# --- init failures --------------------------------------------------------------------------------

INIT_FAILURES = {
    "missing-module": (
        "nosuch.handler", {"index.py": "def handler(e, c):\n    return 1\n"},
        "Runtime.ImportModuleError",
        lambda m: m == "Unable to import module 'nosuch': No module named 'nosuch'"),
    "missing-handler": (
        "index.nothere", {"index.py": "print('index imported')\n"
                                      "def handler(e, c):\n    return 1\n"},
        "Runtime.HandlerNotFound",
        lambda m: m == "Handler 'nothere' missing on module 'index'"),
    "syntax-error": (
        "index.handler", {"index.py": "def handler(event, context:\n    return 1\n"},
        "Runtime.UserCodeSyntaxError",
        lambda m: m.startswith("Syntax error in module 'index': ")),
    "exception-at-import": (
        "index.handler", {"index.py": "class ConfigMissing(Exception):\n    pass\n"
                                      "print('index imported')\n"
                                      "raise ConfigMissing('no TABLE_NAME set')\n"
                                      "def handler(e, c):\n    return 1\n"},
        "ConfigMissing",
        lambda m: m == "no TABLE_NAME set"),
}


@pytest.mark.parametrize("case", list(INIT_FAILURES))
def test_init_failure(lam, exec_role, case):
    handler, files, error_type, message_ok = INIT_FAILURES[case]
    name = create(lam, exec_role, files, handler=handler)
    for attempt in range(2):
        r = invoke(lam, name, {"attempt": attempt})
        assert r.status == 200
        assert r.function_error == "Unhandled"
        assert r.body["errorType"] == error_type, r.body
        assert message_ok(r.body["errorMessage"]), r.body
        assert r.body["requestId"] == ""  # awslambdaric: init errors belong to no request
        assert isinstance(r.body["stackTrace"], list)
        # Never reused: every invoke starts (and fails) a new environment's init.
        assert [l for l in r.lines if l.startswith("INIT_START")], r.log
        assert_platform_lines(r, status="error", error_type=error_type)
        assert any(l.startswith(f"[ERROR] {error_type}: ") for l in r.lines), r.log
        if "print('index imported')" in files["index.py"]:
            assert "index imported" in r.lines


def test_init_failure_then_fixed_code(lam, exec_role):
    name = create(lam, exec_role, {"index.py": "import nosuchdependency\n"})
    assert invoke(lam, name).body["errorType"] == "Runtime.ImportModuleError"
    lam.update_function_code(FunctionName=name,
                             ZipFile=make_zip({"index.py": "def handler(e, c):\n    return 'ok'\n"}))
    r = invoke(lam, name)
    assert r.function_error is None and r.body == "ok"


# --- custom runtimes (provided.*) -----------------------------------------------------------------

CURL_BOOTSTRAP = r'''#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
echo "custom runtime starting, handler ${_HANDLER}"
echo "execution env: ${AWS_EXECUTION_ENV:-unset}"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -LD "$HEADERS" "$API/invocation/next")"
  ID="$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  ARN="$(grep -Fi Lambda-Runtime-Invoked-Function-Arn "$HEADERS" | tr -d '[:space:]' | cut -d: -f2-)"
  DEADLINE="$(grep -Fi Lambda-Runtime-Deadline-Ms "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  rm -f "$HEADERS"
  echo "got $ID"
  case "$EVENT" in
    *fail*)
      curl -sS -X POST "$API/invocation/$ID/error" \
        -H "Lambda-Runtime-Function-Error-Type: Custom.Failure" \
        -d '{"errorMessage":"asked to fail","errorType":"Custom.Failure"}' >/dev/null ;;
    *)
      curl -sS -X POST "$API/invocation/$ID/response" \
        -d "{\"echo\":$EVENT,\"id\":\"$ID\",\"arn\":\"$ARN\",\"deadline\":$DEADLINE,\"uid\":$(id -u)}" \
        >/dev/null ;;
  esac
done
'''


def test_provided_runtime_shell_bootstrap(lam, exec_role):
    zip_bytes = zip_with_modes({"bootstrap": CURL_BOOTSTRAP}, executable={"bootstrap"})
    name = create(lam, exec_role, zip_bytes=zip_bytes, runtime="provided.al2023",
                  handler="function.handler", Timeout=5)
    before_ms = time.time() * 1000
    r = invoke(lam, name, {"hello": "shell"})
    assert r.status == 200 and r.function_error is None, r.body
    assert r.body["echo"] == {"hello": "shell"}
    assert r.body["id"] == r.request_id
    assert r.body["arn"] == ARN_PREFIX + name
    assert r.body["uid"] != 0
    # Deadline-Ms is true to the 5 s timeout.
    assert before_ms + 3000 < r.body["deadline"] < time.time() * 1000 + 5000 + 1000
    assert_platform_lines(r, cold=True)
    assert "custom runtime starting, handler function.handler" in r.lines
    # AWS leaves AWS_EXECUTION_ENV undefined for the OS-only runtimes.
    assert "execution env: unset" in r.lines
    assert f"got {r.request_id}" in r.lines

    warm = invoke(lam, name, {"n": 2})
    assert warm.body["echo"] == {"n": 2} and not warm.cold

    failed = invoke(lam, name, {"please": "fail"})
    assert failed.function_error == "Unhandled"
    assert failed.body == {"errorMessage": "asked to fail", "errorType": "Custom.Failure"}


def test_runtime_exiting_after_its_answer_never_fails_the_next_caller(lam, exec_role):
    # A one-shot runtime: answers one event, then exits. The next invoke may arrive before the
    # exit is seen; it must still run (in a new environment), never inherit the exit.
    bootstrap = (
        "#!/bin/sh\n"
        "API=\"http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation\"\n"
        "H=\"$(mktemp)\"\n"
        "EVENT=\"$(curl -sS -D \"$H\" \"$API/next\")\"\n"
        "ID=\"$(grep -Fi Lambda-Runtime-Aws-Request-Id \"$H\" | tr -d '[:space:]' | cut -d: -f2)\"\n"
        "curl -sS -X POST \"$API/$ID/response\" -d \"$EVENT\" >/dev/null\n"
        "exit 0\n")
    name = create(lam, exec_role, runtime="provided.al2023", handler="x",
                  zip_bytes=zip_with_modes({"bootstrap": bootstrap}, executable={"bootstrap"}))
    for i in range(6):
        r = invoke(lam, name, {"i": i})
        assert r.function_error is None, (i, r.body, r.log)
        assert r.body == {"i": i}


def test_environment_stays_warm_past_the_timeout_after_its_answer(lam, exec_role):
    # After answering, a runtime that asks for its next event is free again; one that does not
    # is killed when the invocation's timeout passes. Lamina's python runtime asks in the same
    # write as its answer (pipelined), and lamina-init says so with the answer: the environment
    # must still be warm once the 1 s timeout has long passed.
    name = create(lam, exec_role, {"index.py": SLEEPY_PY}, Timeout=1)
    first = invoke(lam, name)
    time.sleep(1.6)
    second = invoke(lam, name)
    assert first.cold and not second.cold
    assert second.body["env_id"] == first.body["env_id"]


def test_provided_bootstrap_that_never_calls_next(lam, exec_role):
    bootstrap = "#!/bin/sh\necho 'warming up forever'\nexec sleep 600\n"
    zip_bytes = zip_with_modes({"bootstrap": bootstrap}, executable={"bootstrap"})
    name = create(lam, exec_role, zip_bytes=zip_bytes, runtime="provided.al2023",
                  handler="x", Timeout=1)
    started = time.monotonic()
    r = invoke(lam, name)
    elapsed = time.monotonic() - started
    # AWS gives init 10 s, then retries it within the invoke's own timeout (1 s here).
    assert elapsed < 13, elapsed
    assert r.status == 200
    assert r.function_error == "Unhandled"
    assert r.body == {"errorType": "Sandbox.Timedout",
                      "errorMessage": f"RequestId: {r.request_id} Error: Task timed out after "
                                      "1.00 seconds"}
    assert "warming up forever" in r.lines
    assert_platform_lines(r, status="timeout", timeout_ms=1000)


def test_provided_bootstrap_missing_or_not_executable(lam, exec_role):
    # No bootstrap in the package: the runtime cannot start (AWS: Runtime.InvalidEntrypoint).
    name = create(lam, exec_role, zip_bytes=zip_with_modes({"README": "nothing here"}),
                  runtime="provided.al2023", handler="x")
    r = invoke(lam, name)
    assert r.status == 200 and r.function_error == "Unhandled"
    assert r.body["errorType"] == "Runtime.InvalidEntrypoint", r.body
    # And the daemon is unharmed.
    name2 = create(lam, exec_role, zip_bytes=zip_with_modes({"bootstrap": "#!/bin/sh\nexit 5\n"},
                                                            executable={"bootstrap"}),
                   runtime="provided.al2023", handler="x")
    r = invoke(lam, name2)
    assert r.function_error == "Unhandled"
    assert r.body == {"errorType": "Runtime.ExitError",
                      "errorMessage": f"RequestId: {r.request_id} Error: Runtime exited with "
                                      "error: exit status 5"}


# --- warm state and code updates ------------------------------------------------------------------

COUNTER_PY = r'''
import os
ENV_ID = os.urandom(8).hex()
COUNT = 0


def handler(event, context):
    global COUNT
    COUNT += 1
    if event.get("sleep"):
        import time
        time.sleep(event["sleep"])
    return {"version": "%s", "count": COUNT, "env_id": ENV_ID, "color": os.environ.get("COLOR")}
'''


def test_module_state_kept_while_warm(lam, exec_role):
    name = create(lam, exec_role, {"index.py": COUNTER_PY % "v1"})
    results = [invoke(lam, name) for _ in range(3)]
    assert [r.body["count"] for r in results] == [1, 2, 3]
    assert len({r.body["env_id"] for r in results}) == 1
    assert [r.cold for r in results] == [True, False, False]


def test_update_retires_environments(lam, exec_role):
    name = create(lam, exec_role, {"index.py": COUNTER_PY % "v1"}, Timeout=10,
                  Environment={"Variables": {"COLOR": "red"}})
    first = invoke(lam, name)
    assert first.body["version"] == "v1" and first.body["count"] == 1

    # An invoke in flight when the code changes finishes on the old code.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(invoke, lam, name, {"sleep": 2})
        time.sleep(0.7)
        lam.update_function_code(FunctionName=name, ZipFile=make_zip({"index.py": COUNTER_PY % "v2"}))
        after_code = invoke(lam, name)
        old = in_flight.result()
    assert old.body["version"] == "v1" and old.body["env_id"] == first.body["env_id"]
    assert old.body["count"] == 2
    assert after_code.body["version"] == "v2"
    assert after_code.body["count"] == 1 and after_code.cold
    assert after_code.body["env_id"] != first.body["env_id"]
    # The retired environment is not used again.
    again = invoke(lam, name)
    assert again.body["env_id"] == after_code.body["env_id"] and again.body["count"] == 2

    lam.update_function_configuration(FunctionName=name,
                                      Environment={"Variables": {"COLOR": "blue"}})
    after_config = invoke(lam, name)
    assert after_config.body["color"] == "blue" and after_config.body["count"] == 1
    assert after_config.cold


def test_update_during_cold_start(lam, exec_role):
    slow_init = "import time\ntime.sleep(1.5)\n" + COUNTER_PY
    name = create(lam, exec_role, {"index.py": slow_init % "v1"})
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(invoke, lam, name)
        time.sleep(0.5)  # the environment is still initialising
        lam.update_function_code(FunctionName=name, ZipFile=make_zip({"index.py": COUNTER_PY % "v2"}))
        r = in_flight.result()
    assert r.function_error is None, r.body
    assert r.body["version"] == "v1" and r.cold
    after = invoke(lam, name)
    assert after.body["version"] == "v2" and after.cold


def test_delete_function_retires_environments(daemon, lam, exec_role):
    zip_bytes = make_zip({"index.py": COUNTER_PY % "v1" + f"# {unique()}\n"})
    name = create(lam, exec_role, zip_bytes=zip_bytes)
    env_ids = {invoke(lam, name).body["env_id"] for _ in range(2)}
    assert len(env_ids) == 1
    assert len(function_inits(daemon, name)) == 1
    lam.delete_function(FunctionName=name)
    assert wait_for(lambda: not function_inits(daemon, name), 5)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Same name, new function: nothing of the old one runs it.
    create(lam, exec_role, {"index.py": COUNTER_PY % "v9"}, name=name)
    r = invoke(lam, name)
    assert r.body["version"] == "v9" and r.cold and r.body["env_id"] not in env_ids


# --- concurrency ----------------------------------------------------------------------------------

def test_concurrent_invokes_use_distinct_environments(lam, exec_role):
    name = create(lam, exec_role, {"index.py": SLEEPY_PY}, Timeout=30)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        results = list(pool.map(lambda i: invoke(lam, name, {"sleep": 1}, tail=False), range(50)))
    elapsed = time.monotonic() - started
    assert all(r.status == 200 and r.function_error is None for r in results), \
        [r.body for r in results if r.function_error][:3]
    assert len({r.body["env_id"] for r in results}) == 50
    assert len({r.request_id for r in results}) == 50
    assert elapsed < 15, elapsed
    # The 50 environments are now warm: a second wave starts none.
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        again = list(pool.map(lambda i: invoke(lam, name, {"sleep": 1}), range(50)))
    assert time.monotonic() - started < 10
    assert {r.body["env_id"] for r in again} == {r.body["env_id"] for r in results}
    assert not any(r.cold for r in again)


# --- processes: reaping and shutdown --------------------------------------------------------------

def process_table():
    """pid -> (ppid, cmdline) for every process on the host."""
    table = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                stat = f.read()
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        table[int(p)] = (ppid, cmd)
    return table


def sandbox_pids(daemon_pid):
    """Every descendant of the daemon: its sandboxes' lamina-init and whatever they run."""
    table = process_table()
    found, frontier = set(), {daemon_pid}
    while frontier:
        children = {pid for pid, (ppid, _) in table.items() if ppid in frontier}
        children -= found
        found |= children
        frontier = children
    return found


def daemon_inits(daemon):
    """pid -> the pids of its children, for every lamina-init of the daemon's sandboxes."""
    table = process_table()
    pids = sandbox_pids(daemon.proc.pid)
    inits = {p: set() for p in pids if "lamina-init" in table.get(p, (0, ""))[1]}
    for p in pids:
        if table.get(p, (0, ""))[0] in inits:
            inits[table[p][0]].add(p)
    return inits


def function_inits(daemon, name):
    """The lamina-init processes whose runtime runs function `name` (by its environment)."""
    found = []
    for init, children in daemon_inits(daemon).items():
        for child in children:
            try:
                with open(f"/proc/{child}/environ", "rb") as f:
                    env = f.read().split(b"\0")
            except OSError:
                continue
            if f"AWS_LAMBDA_FUNCTION_NAME={name}".encode() in env:
                found.append(init)
    return found


def spare_inits(daemon):
    """The daemon's blank sandboxes: a lamina-init that runs nothing yet."""
    return [init for init, children in daemon_inits(daemon).items() if not children]


def env_cgroups_of(pids):
    """The lamina/d<pid>/env-* cgroup directories the given processes live in, as host paths."""
    dirs = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cgroup") as f:
                text = f.read()
        except OSError:
            continue
        for line in text.splitlines():
            _, controllers, path = line.split(":", 2)
            if not re.search(r"/lamina/d\d+/env-", path):
                continue
            base = "/sys/fs/cgroup/" + (controllers.split(",")[0] if controllers else "")
            dirs.add(base.rstrip("/") + path)
    return dirs


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_idle_environments_are_reaped(daemon_factory):
    d = daemon_factory(extra_args=["--keep-alive", "1"])
    lam = d.client("lambda", read_timeout=60)
    name = create(lam, make_role(d), {"index.py": SLEEPY_PY})
    first = invoke(lam, name)
    assert first.cold
    [init] = function_inits(d, name)
    pids = {init} | daemon_inits(d)[init]
    cgroups = env_cgroups_of(pids)
    assert cgroups and all(os.path.isdir(c) for c in cgroups)
    warm = invoke(lam, name)
    assert not warm.cold and warm.body["env_id"] == first.body["env_id"]

    # ~1 s keep-alive: the idle environment, its processes and cgroups go away. Only the spare
    # blank sandboxes, which are no function's, stay.
    assert wait_for(lambda: not any(os.path.exists(f"/proc/{p}") for p in pids), 4), pids
    assert wait_for(lambda: not any(os.path.exists(c) for c in cgroups), 2), cgroups
    assert set(daemon_inits(d)) == set(spare_inits(d))
    after = invoke(lam, name)
    assert after.cold and after.body["env_id"] != first.body["env_id"]


def test_spare_sandboxes_serve_cold_starts_and_are_replaced(daemon_factory):
    d = daemon_factory(extra_args=["--spare-sandboxes", "2"])
    lam = d.client("lambda", read_timeout=60)
    assert wait_for(lambda: len(spare_inits(d)) == 2, 10), daemon_inits(d)
    spares = set(spare_inits(d))
    # No function has run: the spares belong to none, and nothing else runs.
    assert set(daemon_inits(d)) == spares
    name = create(lam, make_role(d), {"index.py": SLEEPY_PY})
    r = invoke(lam, name)
    assert r.cold and r.function_error is None
    # The cold start took a spare (its lamina-init now runs the function) ...
    [init] = function_inits(d, name)
    assert init in spares
    # ... and a new spare replaced it.
    assert wait_for(lambda: len(spare_inits(d)) == 2, 10), daemon_inits(d)
    assert init not in spare_inits(d)


def test_without_spare_sandboxes_cold_starts_build_their_own(daemon_factory):
    d = daemon_factory(extra_args=["--spare-sandboxes", "0"])
    lam = d.client("lambda", read_timeout=60)
    name = create(lam, make_role(d), {"index.py": SLEEPY_PY})
    r = invoke(lam, name)
    assert r.cold and r.function_error is None
    assert daemon_inits(d).keys() == set(function_inits(d, name))
    assert not spare_inits(d)


def test_shutdown_leaves_nothing_behind(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda", read_timeout=60, max_pool_connections=8)
    role = make_role(d)
    name = create(lam, role, {"index.py": SLEEPY_PY})
    custom = create(lam, role, runtime="provided.al2023", handler="x",
                    zip_bytes=zip_with_modes({"bootstrap": CURL_BOOTSTRAP},
                                             executable={"bootstrap"}))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: invoke(lam, name, {"sleep": 0.5}), range(4)))
    assert len({r.body["env_id"] for r in results}) == 4
    assert invoke(lam, custom).function_error is None
    assert len(function_inits(d, name)) == 4 and len(function_inits(d, custom)) == 1
    assert wait_for(lambda: spare_inits(d), 10)  # spares too, which must go as well
    pids = sandbox_pids(d.proc.pid)
    cgroups = env_cgroups_of(pids)
    assert len(cgroups) >= 6

    assert d.stop(signal.SIGTERM) == 0
    alive = [p for p in pids if os.path.exists(f"/proc/{p}")]
    assert not alive, alive
    assert not [c for c in cgroups if os.path.exists(c)]
    with open("/proc/self/mountinfo") as f:
        mounts = f.read()
    assert d.data_dir not in mounts
    assert "sandbox-root" not in mounts
    # The daemon's own group (lamina/d<pid>) went with it.
    assert not [c for c in {os.path.dirname(c) for c in cgroups} if os.path.exists(c)]


def test_cgroups_of_a_killed_daemon_are_removed_by_the_next(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda")
    name = create(lam, make_role(d), {"index.py": SLEEPY_PY})
    assert invoke(lam, name).function_error is None
    pids = sandbox_pids(d.proc.pid)
    cgroups = env_cgroups_of(pids)
    instances = {os.path.dirname(c) for c in cgroups}
    assert all(os.path.basename(i) == f"d{d.proc.pid}" for i in instances), instances
    d.kill9()
    # Its sandboxes end with it (their PID 1 loses the daemon's socket); its groups stay.
    assert wait_for(lambda: not [p for p in pids if os.path.exists(f"/proc/{p}")], 10)
    assert all(os.path.exists(c) for c in instances)
    daemon_factory()
    assert not [c for c in cgroups | instances if os.path.exists(c)]


# --- bad input ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def echo_fn(lam, exec_role):
    code = ("def handler(event, context):\n"
            "    if isinstance(event, dict) and 'size' in event:\n"
            "        return 'x' * event['size']\n"
            "    return event\n")
    return create(lam, exec_role, {"index.py": code}, MemorySize=512, Timeout=20)


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    err = e.value.response
    return err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Code"], err["Error"]["Message"]


def test_invalid_json_payload(lam, echo_fn):
    status, code, message = client_error(
        lambda: lam.invoke(FunctionName=echo_fn, Payload=b"{not json"))
    assert (status, code) == (400, "InvalidRequestContentException")
    assert message.startswith("Could not parse request body into json")


def test_payload_json_values(lam, echo_fn):
    # Any JSON value is an event: a string, a number, a list, null; an empty body is {}.
    for payload in (b'"text"', b"17", b"[1, 2]", b"null"):
        r = Result(lam.invoke(FunctionName=echo_fn, Payload=payload))
        assert r.function_error is None and r.body == json.loads(payload)
    r = Result(lam.invoke(FunctionName=echo_fn))
    assert r.function_error is None and r.body == {}


def test_request_too_large(lam, echo_fn):
    payload = b'"' + b"a" * (6 * 1024 * 1024) + b'"'
    status, code, _ = client_error(lambda: lam.invoke(FunctionName=echo_fn, Payload=payload))
    assert (status, code) == (413, "RequestTooLargeException")


def test_response_sizes(lam, echo_fn):
    r = Result(lam.invoke(FunctionName=echo_fn, Payload=json.dumps({"size": 5 << 20})))
    assert r.status == 200 and r.function_error is None
    assert len(r.raw) == (5 << 20) + 2 and r.body == "x" * (5 << 20)

    # The limit is AWS's 6,291,556 bytes (6 MB + 100): a 6,291,556-byte JSON string is fine.
    r = Result(lam.invoke(FunctionName=echo_fn, Payload=json.dumps({"size": 6291556 - 2})))
    assert r.function_error is None and len(r.raw) == 6291556

    r = invoke(lam, echo_fn, {"size": 6291556 - 1})
    assert r.status == 200
    assert r.function_error == "Unhandled"
    assert r.body == {"errorMessage": "Response payload size exceeded maximum allowed payload "
                                      "size (6291556 bytes).",
                      "errorType": "Function.ResponseSizeTooLarge"}
    assert_platform_lines(r, memory=512)
    # AWS's runtimes exit when their response is refused; the environment is not reused, so
    # the next invoke is not caught by that exit.
    ok = invoke(lam, echo_fn, {"a": 1})
    assert ok.body == {"a": 1} and ok.cold


def test_bad_client_context(lam, echo_fn):
    status, code, _ = client_error(
        lambda: lam.invoke(FunctionName=echo_fn, Payload=b"{}", ClientContext="%%% not base64"))
    assert status == 400 and code == "InvalidRequestContentException"
    not_json = base64.b64encode(b"plain text").decode()
    status, code, _ = client_error(
        lambda: lam.invoke(FunctionName=echo_fn, Payload=b"{}", ClientContext=not_json))
    assert status == 400 and code == "InvalidRequestContentException"


def test_dry_run(lam, echo_fn):
    r = lam.invoke(FunctionName=echo_fn, InvocationType="DryRun", Payload=b"{}")
    assert r["StatusCode"] == 204
    assert r["Payload"].read() == b""
    assert "FunctionError" not in r


def test_unknown_function(lam):
    status, code, message = client_error(
        lambda: lam.invoke(FunctionName="no-such-function", Payload=b"{}"))
    assert (status, code) == (404, "ResourceNotFoundException")
    assert message == f"Function not found: {ARN_PREFIX}no-such-function"


def test_qualifier(lam, echo_fn):
    r = Result(lam.invoke(FunctionName=echo_fn, Qualifier="$LATEST", Payload=b'{"q": 1}'))
    assert r.body == {"q": 1} and r.executed_version == "$LATEST"
    status, code, _ = client_error(
        lambda: lam.invoke(FunctionName=echo_fn, Qualifier="7", Payload=b"{}"))
    assert (status, code) == (404, "ResourceNotFoundException")


# --- node -----------------------------------------------------------------------------------------

NODE_BOOTSTRAP = os.path.join(os.path.dirname(os.environ.get("LAMINA_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build",
    "lamina")), "runtimes", "nodejs", "bootstrap.js")
needs_node = pytest.mark.skipif(
    not (os.path.exists(NODE_BOOTSTRAP) and os.path.exists("/usr/bin/node")),
    reason=f"no node runtime: {NODE_BOOTSTRAP} or /usr/bin/node missing")

NODE_JS = r'''
const crypto = require('crypto');
const ENV_ID = crypto.randomBytes(8).toString('hex');
let count = 0;
console.log('node module loaded');

exports.handler = async (event, context) => {
  count += 1;
  console.log('node handling', JSON.stringify(event));
  if (event.fail) {
    throw new TypeError('node says no');
  }
  return {
    event, count, envId: ENV_ID, uid: process.getuid(), pid: process.pid,
    requestId: context.awsRequestId, functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
  };
};
'''


@needs_node
def test_node_success_and_error(lam, exec_role):
    node_major = os.popen("/usr/bin/node --version").read().strip().lstrip("v").split(".")[0]
    name = create(lam, exec_role, {"index.js": NODE_JS}, runtime=f"nodejs{node_major}.x")
    r = invoke(lam, name, {"hello": "node"})
    assert r.status == 200 and r.function_error is None, r.body
    assert r.body["event"] == {"hello": "node"}
    assert r.body["count"] == 1 and r.body["uid"] != 0 and r.body["pid"] < 10
    assert r.body["requestId"] == r.request_id and r.body["functionName"] == name
    assert 0 < r.body["remaining"] <= 3000
    assert_platform_lines(r, cold=True)
    assert any(l.endswith("\tINFO\tnode handling {\"hello\":\"node\"}") for l in r.lines), r.log

    warm = invoke(lam, name, {"n": 2})
    assert warm.body["count"] == 2 and warm.body["envId"] == r.body["envId"] and not warm.cold

    failed = invoke(lam, name, {"fail": True})
    assert failed.function_error == "Unhandled"
    assert failed.body["errorType"] == "TypeError"
    assert failed.body["errorMessage"] == "node says no"
    assert failed.body["trace"][0] == "TypeError: node says no"
    assert_platform_lines(failed, cold=False)


def test_unpacked_code_of_replaced_packages_is_removed_at_start(daemon_factory):
    # While the daemon runs, an unpacked package may be bound into a live environment, so old
    # packages are removed when the daemon next starts; the function still runs afterwards.
    d = daemon_factory()
    lam = d.client("lambda")
    role = make_role(d)
    name = create(lam, role, {"index.py": "def handler(e, c):\n    return 'v1'\n"})
    assert invoke(lam, name).body == "v1"
    code_dir = os.path.join(d.data_dir, "code")
    first = set(os.listdir(code_dir))
    assert len(first) == 1
    lam.update_function_code(FunctionName=name,
                             ZipFile=make_zip({"index.py": "def handler(e, c):\n    return 'v2'\n"}))
    assert invoke(lam, name).body == "v2"
    assert set(os.listdir(code_dir)) > first  # both unpacked while running
    d.restart()
    assert not (set(os.listdir(code_dir)) & first)  # the replaced package is gone
    assert invoke(d.client("lambda"), name).body == "v2"
