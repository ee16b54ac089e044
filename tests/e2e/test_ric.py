"""Runtime API compatibility with a client nobody here wrote: AWS's own Node.js runtime interface
client (`aws-lambda-ric` from npm, pinned by tests/e2e/ric/package-lock.json) run as the
`bootstrap` of a `provided.al2023` function, the way AWS documents custom runtimes built on it.

Its invocation loop is AWS's native client (aws-lambda-cpp over libcurl, the `rapid-client.node`
addon): `GET /next`, `POST /response` and `POST /error` come from that C++ code; `/init/error` and
streamed responses from node's http. scripts/install-deps.sh builds it into .cache/ric
($LAMINA_RIC_DIR overrides); without it these tests fail (they do not skip).
"""
import base64
import io
import json
import os
import re
import time
import zipfile

import pytest

from conftest import ACCOUNT, REGION, ROOT, InvokeResult, make_role

RIC_DIR = os.environ.get("LAMINA_RIC_DIR", os.path.join(ROOT, ".cache", "ric"))
RIC_PACKAGE = os.path.join(RIC_DIR, "node_modules", "aws-lambda-ric")
PINNED_LOCK = os.path.join(ROOT, "tests", "e2e", "ric", "package-lock.json")
# What the client needs at run time: its entry point, its bundled JavaScript and the native addon.
# Its bundled sources (curl, aws-lambda-cpp, node-addon-api, the addon's C++) stay out.
RIC_RUNTIME_FILES = ["package.json", "bin/index.mjs", "dist/index.mjs", "dist/rapid-client.node"]

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
START_RE = re.compile(rf"^START RequestId: (?P<id>{UUID}) Version: \$LATEST$")
END_RE = re.compile(rf"^END RequestId: (?P<id>{UUID})$")
REPORT_RE = re.compile(rf"^REPORT RequestId: (?P<id>{UUID})\tDuration: [0-9.]+ ms\t")
# The ric's console: "<ISO time>\t<request id>\t<LEVEL>\t<message>".
CONSOLE_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t%s\t%s\t%s$"

# As AWS's docs show for a custom runtime built on the ric: exec node on its entry point with the
# handler; it loads the handler from its working directory, /var/task.
BOOTSTRAP = """#!/bin/sh
exec /usr/bin/node /var/task/node_modules/aws-lambda-ric/bin/index.mjs "$_HANDLER"
"""

HANDLER_JS = r"""
const crypto = require('crypto');
const ENV_ID = crypto.randomBytes(8).toString('hex');
let count = 0;
console.log('init of', ENV_ID);

exports.handler = async (event, context) => {
  count += 1;
  console.log('handling', JSON.stringify(event), 'count', count);
  console.warn('a warning\nwith a second line');
  return {
    event,
    envId: ENV_ID,
    count,
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(),
    clientContext: context.clientContext === undefined ? 'none' : context.clientContext,
    traceId: process.env._X_AMZN_TRACE_ID || null,
    cwd: process.cwd(),
    now: Date.now(),
  };
};

class ValidationFailed extends Error {
  constructor(message) {
    super(message);
    this.name = 'ValidationFailed';
  }
}

exports.fail = async (event) => {
  console.log('about to fail');
  throw new ValidationFailed('bad input: ' + event.why);
};

exports.callback = (event, context, callback) => {
  setTimeout(() => callback(null, {via: 'callback', n: event.n}), 10);
};

exports.callbackError = (event, context, callback) => {
  callback(new TypeError('callback says no'));
};

exports.big = async (event) => (event.pad ? {padLength: event.pad.length} : 'x'.repeat(event.size));

exports.crash = async () => {
  setTimeout(() => { throw new RangeError('thrown outside the handler'); }, 0);
  await new Promise((resolve) => setTimeout(resolve, 5000));
  return 'not reached';
};

exports.streaming = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/plain');
  for (let i = 0; i < 3; i++) {
    responseStream.write('chunk ' + i + ';');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  responseStream.end();
});
"""


def _ric_files():
    """{zip name: (bytes, executable)} of the installed client, or a failure saying how to get it."""
    missing = [f for f in RIC_RUNTIME_FILES if not os.path.isfile(os.path.join(RIC_PACKAGE, f))]
    if missing:
        pytest.fail(f"aws-lambda-ric is not installed in {RIC_PACKAGE} (missing {missing}): run "
                    "scripts/install-deps.sh (`make deps`), which builds the version pinned in "
                    "tests/e2e/ric/, or set LAMINA_RIC_DIR to where it is installed",
                    pytrace=False)
    with open(os.path.join(RIC_PACKAGE, "package.json")) as f:
        installed = json.load(f)["version"]
    with open(PINNED_LOCK) as f:
        pinned = json.load(f)["packages"]["node_modules/aws-lambda-ric"]["version"]
    if installed != pinned:
        pytest.fail(f"aws-lambda-ric {installed} is installed in {RIC_PACKAGE}, but "
                    f"tests/e2e/ric pins {pinned}: rerun scripts/install-deps.sh", pytrace=False)
    files = {}
    for name in RIC_RUNTIME_FILES:
        with open(os.path.join(RIC_PACKAGE, name), "rb") as f:
            files["node_modules/aws-lambda-ric/" + name] = (f.read(), name.endswith(".node"))
    return files


def package(ric_files, handler_js=HANDLER_JS):
    """The function's zip: bootstrap and addon executable (mode 0755), everything else 0644."""
    files = dict(ric_files)
    files["bootstrap"] = (BOOTSTRAP.encode(), True)
    files["index.js"] = (handler_js.encode(), False)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (content, executable) in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3  # unix, so the mode bits are honoured
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    return buf.getvalue()


@pytest.fixture(scope="module")
def ric_files():
    return _ric_files()


@pytest.fixture(scope="module")
def ric_zip(ric_files):
    return package(ric_files)


@pytest.fixture(scope="module")
def lam(daemon):
    return daemon.client("lambda", read_timeout=120)


@pytest.fixture(scope="module")
def exec_role(daemon):
    return make_role(daemon)


def create(lam, role, zip_bytes, handler, timeout=10, **kwargs):
    name = f"ric-{handler.split('.')[-1].lower()}-{os.urandom(4).hex()}"
    r = lam.create_function(FunctionName=name, Runtime="provided.al2023", Role=role,
                            Handler=handler, Code={"ZipFile": zip_bytes}, Timeout=timeout,
                            **kwargs)
    assert r["State"] == "Active"
    return name


class Result(InvokeResult):
    @property
    def cold(self):
        reports = [line for line in self.lines if REPORT_RE.match(line)]
        assert len(reports) == 1, self.log
        return "\tInit Duration: " in reports[0]

    def has_console_line(self, level, message, request_id=None):
        pattern = re.compile(CONSOLE_RE % (re.escape(request_id or self.request_id),
                                           re.escape(level), re.escape(message)))
        return any(pattern.match(line) for line in self.lines)


def invoke(lam, name, event=None, payload=None, **kwargs):
    payload = json.dumps({} if event is None else event) if payload is None else payload
    return Result(lam.invoke(FunctionName=name, Payload=payload, LogType="Tail", **kwargs))


def assert_start_end_report(r):
    starts = [m.group("id") for m in map(START_RE.match, r.lines) if m]
    ends = [m.group("id") for m in map(END_RE.match, r.lines) if m]
    assert starts == [r.request_id] and ends == [r.request_id], r.log
    assert r.lines[-1].startswith(f"REPORT RequestId: {r.request_id}\t"), r.log


# --- success, the context object, warm state, the log --------------------------------------------

def test_ric_success_context_and_warm_state(lam, exec_role, ric_zip):
    name = create(lam, exec_role, ric_zip, "index.handler", timeout=7, MemorySize=256)
    before_ms = time.time() * 1000
    event = {"hello": "ric", "nested": {"list": [1, 2.5, None, True], "unicode": "żółw ✓"}}
    r = invoke(lam, name, event)
    assert r.status == 200 and r.function_error is None, (r.raw, r.log)
    b = r.body
    assert b["event"] == event
    assert b["awsRequestId"] == r.request_id
    assert b["functionName"] == name
    assert b["functionVersion"] == "$LATEST"
    assert b["invokedFunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    assert b["memoryLimitInMB"] == "256"  # the ric passes the environment variable through
    assert b["logGroupName"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", b["logStreamName"])
    # getRemainingTimeInMillis() counts down from the 7 s timeout (from Lambda-Runtime-Deadline-Ms).
    assert 4000 < b["remaining"] <= 7000, b["remaining"]
    assert before_ms + 7000 - 3000 < b["now"] + b["remaining"] < time.time() * 1000 + 7000 + 500
    assert b["clientContext"] == "none"  # no Lambda-Runtime-Client-Context header sent
    assert b["cwd"] == "/var/task"
    assert b["count"] == 1

    # The log tail: the ric's own start-up line, init-time and per-invoke console lines in its
    # "<time>\t<request id>\t<LEVEL>\t<message>" format (a multi-line message stays one record, its
    # newlines turned into \r), and the platform's START/END/REPORT.
    assert r.cold
    assert "Executing 'index.handler' in function directory '/var/task'" in r.lines, r.log
    assert r.has_console_line("INFO", f"init of {b['envId']}", request_id="undefined"), r.log
    as_node_prints = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    assert r.has_console_line("INFO", f"handling {as_node_prints} count 1"), r.log
    assert r.has_console_line("WARN", "a warning\rwith a second line"), r.log
    assert_start_end_report(r)

    # Warm: the same process (module state kept), a fresh request id and context.
    for n in (2, 3):
        w = invoke(lam, name, {"n": n})
        assert w.status == 200 and w.function_error is None, (w.raw, w.log)
        assert not w.cold
        assert w.body["envId"] == b["envId"] and w.body["count"] == n
        assert w.body["event"] == {"n": n}
        assert w.body["awsRequestId"] == w.request_id != r.request_id
        assert w.has_console_line("INFO", f'handling {{"n":{n}}} count {n}'), w.log
        assert not any("init of" in line for line in w.lines), w.log
        assert_start_end_report(w)


def test_ric_client_context_and_trace_header(lam, exec_role, ric_zip):
    name = create(lam, exec_role, ric_zip, "index.handler")
    cc = {"client": {"installation_id": "i-1", "app_title": "t"}, "custom": {"k": "v"},
          "env": {"platform": "lamina"}}
    r = invoke(lam, name, {}, ClientContext=base64.b64encode(json.dumps(cc).encode()).decode())
    assert r.function_error is None, (r.raw, r.log)
    # Lambda-Runtime-Client-Context carries the decoded JSON; the ric parses it.
    assert r.body["clientContext"] == cc
    # Lambda-Runtime-Trace-Id reaches the handler as _X_AMZN_TRACE_ID.
    assert r.body["traceId"] and r.body["traceId"].startswith("Root=1-"), r.body["traceId"]


def test_ric_alternative_next_client(lam, exec_role, ric_zip):
    """AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1 makes the ric fetch /next with node's http
    instead of libcurl: both must see the same invocation."""
    name = create(lam, exec_role, ric_zip, "index.handler",
                  Environment={"Variables": {"AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1": "true"}})
    for n in (1, 2):
        r = invoke(lam, name, {"n": n})
        assert r.function_error is None, (r.raw, r.log)
        assert r.body["event"] == {"n": n} and r.body["count"] == n
        assert r.body["awsRequestId"] == r.request_id


def test_ric_callback_handlers(lam, exec_role, ric_zip):
    name = create(lam, exec_role, ric_zip, "index.callback")
    for n in (1, 2):
        r = invoke(lam, name, {"n": n})
        assert r.function_error is None, (r.raw, r.log)
        assert r.body == {"via": "callback", "n": n}

    name = create(lam, exec_role, ric_zip, "index.callbackError")
    r = invoke(lam, name)
    assert r.function_error == "Unhandled", (r.raw, r.log)
    assert r.body["errorType"] == "TypeError"
    assert r.body["errorMessage"] == "callback says no"
    assert r.body["trace"][0] == "TypeError: callback says no"


def test_ric_large_response(lam, exec_role, ric_zip):
    """A 5 MB event through libcurl's GET /next, a 1 MB response through its POST, and one past
    6 MB: the Runtime API answers that POST with 413 and the caller gets
    Function.ResponseSizeTooLarge."""
    name = create(lam, exec_role, ric_zip, "index.big", MemorySize=512)
    r = invoke(lam, name, {"pad": "y" * (5 * 1024 * 1024)})
    assert r.function_error is None, (r.raw[:200], r.log)
    assert r.body == {"padLength": 5 * 1024 * 1024}

    r = invoke(lam, name, {"size": 1024 * 1024})
    assert r.function_error is None, (r.raw[:200], r.log)
    assert r.body == "x" * (1024 * 1024)

    r = invoke(lam, name, {"size": 7 * 1024 * 1024})
    assert r.function_error == "Unhandled", (r.raw[:200], r.log)
    assert r.body == {"errorMessage": "Response payload size exceeded maximum allowed payload "
                                      "size (6291556 bytes).",
                      "errorType": "Function.ResponseSizeTooLarge"}
    # The client logs the 413 it got; the environment survives and serves the next invoke (the
    # line lands in whichever invoke's log is open when it is written, as on AWS).
    r = invoke(lam, name, {"size": 3})
    assert r.function_error is None and r.body == "xxx", (r.raw, r.log)
    assert not r.cold


# --- errors ----------------------------------------------------------------------------------------

def test_ric_thrown_error(lam, exec_role, ric_zip):
    name = create(lam, exec_role, ric_zip, "index.fail")
    r = invoke(lam, name, {"why": "no reason"})
    assert r.status == 200
    assert r.function_error == "Unhandled", (r.raw, r.log)
    b = r.body
    # The ric's error shape: errorType (the error's name), errorMessage, trace (the stack's lines).
    assert set(b) == {"errorType", "errorMessage", "trace"}, b
    assert b["errorType"] == "ValidationFailed"
    assert b["errorMessage"] == "bad input: no reason"
    assert b["trace"][0] == "ValidationFailed: bad input: no reason"
    assert any("/var/task/index.js" in frame for frame in b["trace"][1:]), b["trace"]
    # The log: the handler's line and the ric's "Invoke Error" record for this request.
    assert r.has_console_line("INFO", "about to fail"), r.log
    invoke_errors = [line for line in r.lines
                     if re.match(rf"^\S+\t{r.request_id}\tERROR\tInvoke Error \t\{{", line)]
    assert len(invoke_errors) == 1, r.log
    logged = json.loads(invoke_errors[0].split("\tInvoke Error \t", 1)[1])
    assert logged["errorType"] == "ValidationFailed"
    assert logged["errorMessage"] == "bad input: no reason"
    assert_start_end_report(r)

    # A handled failure keeps the environment: the next invoke is warm.
    again = invoke(lam, name, {"why": "again"})
    assert again.function_error == "Unhandled"
    assert again.body["errorMessage"] == "bad input: again"
    assert not again.cold


def test_ric_uncaught_exception_exits_and_recovers(lam, exec_role, ric_zip):
    """An exception thrown outside the handler: the ric posts it as the invoke's error, then exits
    (129); the caller gets that error, and the next invoke starts a new environment."""
    name = create(lam, exec_role, ric_zip, "index.crash")
    r = invoke(lam, name)
    assert r.function_error == "Unhandled", (r.raw, r.log)
    assert r.body["errorType"] == "RangeError", r.body
    assert r.body["errorMessage"] == "thrown outside the handler"
    assert any(re.match(rf"^\S+\t{r.request_id}\tERROR\tUncaught Exception \t\{{", line)
               for line in r.lines), r.log
    again = invoke(lam, name)
    assert again.function_error == "Unhandled" and again.body["errorType"] == "RangeError"
    assert again.cold, again.log


def test_ric_handler_not_found_is_an_init_error(lam, exec_role, ric_zip):
    """The ric reports a missing handler on POST /runtime/init/error (Runtime.HandlerNotFound)."""
    name = create(lam, exec_role, ric_zip, "index.nope")
    r = invoke(lam, name)
    assert r.status == 200
    assert r.function_error == "Unhandled", (r.raw, r.log)
    assert r.body["errorType"] == "Runtime.HandlerNotFound", r.body
    assert r.body["errorMessage"] == "index.nope is undefined or not exported"
    assert isinstance(r.body.get("trace"), list) and r.body["trace"], r.body
    # A failed init is not kept: the next invoke initialises again (and fails the same way).
    again = invoke(lam, name)
    assert again.function_error == "Unhandled" and again.body == r.body
    assert "Executing 'index.nope' in function directory '/var/task'" in again.lines, again.log

    name = create(lam, exec_role, ric_zip, "missing.handler")
    r = invoke(lam, name)
    assert r.function_error == "Unhandled", (r.raw, r.log)
    assert r.body["errorType"] == "Runtime.ImportModuleError", r.body
    assert r.body["errorMessage"].startswith("Error: Cannot find module 'missing'"), r.body


# --- response streaming ---------------------------------------------------------------------------

def test_ric_streaming_handler_through_invoke(lam, exec_role, ric_zip):
    """A streamifyResponse handler POSTs its response chunked with
    Lambda-Runtime-Function-Response-Mode: streaming; a plain Invoke returns the whole body."""
    name = create(lam, exec_role, ric_zip, "index.streaming")
    r = invoke(lam, name)
    assert r.function_error is None, (r.raw, r.log)
    assert r.raw == b"chunk 0;chunk 1;chunk 2;"


# --- advanced logging controls --------------------------------------------------------------------

JSON_LOG_JS = r"""
exports.handler = async (event) => {
  console.info('filtered out below WARN');
  console.warn('kept', event.n);
  return 'ok';
};
"""


def test_ric_json_log_format_and_level(lam, exec_role, ric_files):
    """LoggingConfig LogFormat=JSON with ApplicationLogLevel=WARN reaches the runtime as
    AWS_LAMBDA_LOG_FORMAT=JSON and AWS_LAMBDA_LOG_LEVEL=WARN: the ric then writes JSON records
    and drops console.info."""
    name = create(lam, exec_role, package(ric_files, JSON_LOG_JS), "index.handler",
                  LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN"})
    r = invoke(lam, name, {"n": 1})
    assert r.function_error is None and r.body == "ok", (r.raw, r.log)
    assert "filtered out below WARN" not in r.log, r.log
    records = []
    for line in r.lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pass
    kept = [rec for rec in records if rec.get("message") == "kept 1"]
    assert len(kept) == 1, r.log
    assert kept[0]["level"] == "WARN" and kept[0]["requestId"] == r.request_id
