"""The Node.js bootstrap against a Runtime API double: handlers, errors, context, logs.

Run: /usr/bin/python3 -m pytest -q tests/runtimes/nodejs
"""
import base64
import json
import os
import re
import subprocess
import time

import pytest

from node_harness import BOOTSTRAP, NODE, NODE_FLAGS, Bootstrap

LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t([^\t]+)\t([A-Z]+)\t(.*)$")


def log_records(b):
    return [LOG_LINE.match(line.rstrip("\n")) for line in b.stdout if LOG_LINE.match(line)]


def wait_for(pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


# --------------------------------------------------------------------------------------------
# Handler styles


def test_async_handler_success(api, runtime):
    runtime({"index.js": """
        exports.handler = async (event, context) => ({ got: event, id: context.awsRequestId });
    """})
    r = api.invoke({"x": 1}, request_id="req-1")
    assert r.kind == "response"
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"got": {"x": 1}, "id": "req-1"}


def test_undefined_result_is_null_and_event_kinds(api, runtime):
    runtime({"index.js": """
        exports.handler = async (event) => event === 'nothing' ? undefined : event;
    """})
    assert api.invoke("nothing").body == b"null"
    assert api.invoke([1, "two", None]).json() == [1, "two", None]
    assert api.invoke("str").json() == "str"


def test_callback_success(api, runtime):
    runtime({"index.js": """
        exports.handler = (event, context, callback) => {
          setTimeout(() => callback(null, { doubled: event.n * 2 }), 10);
        };
    """})
    r = api.invoke({"n": 21})
    assert r.kind == "response" and r.json() == {"doubled": 42}


def test_callback_error(api, runtime):
    b = runtime({"index.js": """
        exports.handler = (event, context, callback) => callback(new RangeError('too far'));
    """})
    r = api.invoke({})
    assert r.kind == "error"
    assert r.headers["lambda-runtime-function-error-type"] == "RangeError"
    body = r.json()
    assert body["errorType"] == "RangeError"
    assert body["errorMessage"] == "too far"
    assert body["trace"][0] == "RangeError: too far"
    assert any("index.js" in line for line in body["trace"][1:])
    # AWS logs the failure as `Invoke Error \t{json}` at ERROR level.
    assert wait_for(lambda: "Invoke Error" in b.out())
    rec = [m for m in log_records(b) if "Invoke Error" in m.group(4)][0]
    assert rec.group(3) == "ERROR"
    logged = json.loads(rec.group(4).split("\t", 1)[1])
    assert logged["errorType"] == "RangeError" and logged["errorMessage"] == "too far"


def test_callback_error_non_error_values(api, runtime):
    runtime({"index.js": """
        exports.handler = (event, context, callback) => {
          if (event === 'str') callback('plain failure');
          else context.fail();
        };
    """})
    body = api.invoke("str").json()
    assert body == {"errorType": "string", "errorMessage": "plain failure", "trace": []}
    body = api.invoke("none").json()
    assert body == {"errorType": "string", "errorMessage": "handled", "trace": []}


def test_thrown_error_with_trace(api, runtime):
    runtime({"index.js": """
        class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } }
        function deep() { throw new MyError('deep trouble'); }
        exports.handler = async (event) => {
          if (event.sync) { null.boom; }
          deep();
        };
    """})
    r = api.invoke({})
    assert r.kind == "error"
    body = r.json()
    assert r.headers["lambda-runtime-function-error-type"] == "MyError"
    assert body["errorType"] == "MyError" and body["errorMessage"] == "deep trouble"
    assert body["trace"][0] == "MyError: deep trouble"
    assert re.search(r"at deep \(.*index\.js:\d+:\d+\)", body["trace"][1])
    body = api.invoke({"sync": True}).json()
    assert body["errorType"] == "TypeError"
    assert "Cannot read properties of null" in body["errorMessage"]


def test_sync_throw_in_non_async_handler(api, runtime):
    runtime({"index.js": """
        exports.handler = (event, context, callback) => { throw new Error('sync ' + event); };
    """})
    body = api.invoke("x").json()
    assert body["errorType"] == "Error" and body["errorMessage"] == "sync x"


def test_context_succeed_fail_done(api, runtime):
    runtime({"index.js": """
        exports.handler = (event, context) => {
          if (event.m === 'succeed') context.succeed({ ok: 1 });
          if (event.m === 'fail') context.fail(new Error('failed'));
          if (event.m === 'done-ok') context.done(null, 'fine');
          if (event.m === 'done-err') context.done(new TypeError('done bad'));
          if (event.m === 'twice') { context.succeed('first'); context.succeed('second'); }
        };
    """})
    assert api.invoke({"m": "succeed"}).json() == {"ok": 1}
    assert api.invoke({"m": "fail"}).json()["errorMessage"] == "failed"
    assert api.invoke({"m": "done-ok"}).json() == "fine"
    assert api.invoke({"m": "done-err"}).json()["errorType"] == "TypeError"
    assert api.invoke({"m": "twice"}).json() == "first"


def test_sync_handler_without_callback_returns_null(api, runtime):
    runtime({"index.js": "exports.handler = (event) => 'ignored, as on AWS';"})
    assert api.invoke({}).body == b"null"


def test_async_handler_never_settling_is_nodejs_exit(api, runtime):
    runtime({"index.js": "exports.handler = async () => new Promise(() => {});"})
    r = api.invoke({})
    assert r.kind == "error" and r.json()["errorType"] == "Runtime.NodeJsExit"
    # The environment stays usable.
    r2 = api.invoke({})
    assert r2.kind == "error"


def test_unserializable_result(api, runtime):
    runtime({"index.js": """
        exports.handler = async () => { const o = {}; o.self = o; return o; };
    """})
    body = api.invoke({}).json()
    assert body["errorType"] == "Error"
    assert body["errorMessage"] == "Unable to stringify response body"


# --------------------------------------------------------------------------------------------
# Module formats and handler paths


def test_esm_mjs_handler(api, runtime):
    runtime({
        "index.mjs": """
            import { helper } from './lib.mjs';
            export const handler = async (event) => ({ esm: helper(event.v),
                                                       meta: typeof import.meta.url });
        """,
        "lib.mjs": "export const helper = (v) => v + '!';",
    })
    assert api.invoke({"v": "hi"}).json() == {"esm": "hi!", "meta": "string"}


def test_esm_js_with_package_type_module(api, runtime):
    runtime({
        "package.json": '{"type": "module"}',
        "app.js": "export async function handler() { return 'esm via package.json'; }",
    }, handler="app.handler")
    assert api.invoke({}).json() == "esm via package.json"


def test_cjs_extension(api, runtime):
    runtime({"index.cjs": "module.exports.handler = async () => 'cjs';"})
    assert api.invoke({}).json() == "cjs"


def test_nested_handler_path_and_nested_export(api, runtime):
    runtime({
        "src/app.js": """
            const util = require('./util');
            exports.handlers = { api: { get: async (e) => util.tag(e) } };
        """,
        "src/util.js": "exports.tag = (e) => ({ tagged: e, file: __filename });",
    }, handler="src/app.handlers.api.get")
    body = api.invoke(7).json()
    assert body["tagged"] == 7 and body["file"].endswith("/src/util.js")


def test_handler_resolved_through_node_modules(api, runtime):
    runtime({"node_modules/pkg/index.js": "exports.handler = async () => 'from node_modules';"},
            handler="pkg.handler")
    assert api.invoke({}).json() == "from node_modules"


# --------------------------------------------------------------------------------------------
# Init errors


def expect_init_error(api, b, error_type, exit_code=129):
    e = api.init_error()
    assert e.headers["lambda-runtime-function-error-type"] == error_type
    body = e.json()
    assert body["errorType"] == error_type
    assert isinstance(body["trace"], list)
    assert b.wait_exit() == exit_code
    assert api.next_calls == 0
    return body


def test_init_error_import_module(api, runtime):
    b = runtime({"index.js": "exports.handler = async () => 1;"}, handler="app.handler")
    body = expect_init_error(api, b, "Runtime.ImportModuleError")
    assert body["errorMessage"].startswith("Error: Cannot find module 'app'\nRequire stack:\n- ")
    assert body["trace"][0] == "Runtime.ImportModuleError: Error: Cannot find module 'app'"
    # Logged as AWS does: `Uncaught Exception \t{json}` with request id "undefined".
    rec = [m for m in log_records(b) if m.group(4).startswith("Uncaught Exception")][0]
    assert rec.group(2) == "undefined" and rec.group(3) == "ERROR"


def test_init_error_missing_dependency_of_handler(api, runtime):
    b = runtime({"index.js": "require('left-pad'); exports.handler = async () => 1;"})
    body = expect_init_error(api, b, "Runtime.ImportModuleError")
    assert body["errorMessage"].startswith("Error: Cannot find module 'left-pad'")


def test_init_error_handler_not_found(api, runtime):
    b = runtime({"index.js": "exports.handler = async () => 1;"}, handler="index.nope")
    body = expect_init_error(api, b, "Runtime.HandlerNotFound")
    assert body["errorMessage"] == "index.nope is undefined or not exported"


def test_init_error_handler_not_a_function(api, runtime):
    b = runtime({"index.js": "exports.handler = 42;"})
    body = expect_init_error(api, b, "Runtime.HandlerNotFound")
    assert body["errorMessage"] == "index.handler is not a function"


@pytest.mark.parametrize("handler,message", [
    ("index", "Bad handler"),
    ("../index.handler", "'../index.handler' is not a valid handler name. Use absolute paths "
                         "when specifying root directories in handler names."),
])
def test_init_error_malformed_handler_name(api, runtime, handler, message):
    b = runtime({"index.js": "exports.handler = async () => 1;"}, handler=handler)
    body = expect_init_error(api, b, "Runtime.MalformedHandlerName")
    assert body["errorMessage"] == message


@pytest.mark.parametrize("files", [
    {"index.js": "exports.handler = async () => { return 1 }}"},
    {"index.mjs": "export const handler = async () => { return 1 }}"},
])
def test_init_error_user_code_syntax_error(api, runtime, files):
    b = runtime(files)
    body = expect_init_error(api, b, "Runtime.UserCodeSyntaxError")
    assert body["errorMessage"].startswith("SyntaxError: Unexpected token")


def test_esm_syntax_in_plain_js_is_a_syntax_error(api, runtime):
    # As on AWS's nodejs20.x/22.x (run with --no-experimental-require-module and
    # --no-experimental-detect-module): ESM needs .mjs or "type": "module".
    b = runtime({"index.js": "export const handler = async () => 1;"})
    body = expect_init_error(api, b, "Runtime.UserCodeSyntaxError")
    assert body["errorMessage"] == "SyntaxError: Unexpected token 'export'"


def test_init_error_thrown_by_module_code(api, runtime):
    b = runtime({"index.js": "throw new TypeError('bad config');"})
    body = expect_init_error(api, b, "TypeError")
    assert body["errorMessage"] == "bad config"


# --------------------------------------------------------------------------------------------
# Crashes during an invoke


def test_uncaught_exception_during_invoke(api, runtime):
    b = runtime({"index.js": """
        exports.handler = async () => {
          setTimeout(() => { throw new SyntaxError('late boom'); }, 5);
          return new Promise(() => {});
        };
    """})
    r = api.invoke({})
    assert r.kind == "error"
    assert r.json()["errorType"] == "SyntaxError" and r.json()["errorMessage"] == "late boom"
    assert b.wait_exit() == 129
    assert "Uncaught Exception" in b.out()


def test_unhandled_rejection_during_invoke(api, runtime):
    b = runtime({"index.js": """
        exports.handler = async () => {
          Promise.reject(new Error('nobody listens'));
          await new Promise((r) => setTimeout(r, 200));
          return 'not reached';
        };
    """})
    r = api.invoke({})
    body = r.json()
    assert r.headers["lambda-runtime-function-error-type"] == "Runtime.UnhandledPromiseRejection"
    assert body["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert body["errorMessage"] == "Error: nobody listens"
    assert b.wait_exit() == 128
    assert "Unhandled Promise Rejection" in b.out()


def test_uncaught_exception_while_waiting_for_next_event(api, runtime):
    # The runtime is parked in GET /next when the timer throws: the report must not queue
    # behind that request on the single keep-alive connection.
    b = runtime({"index.js": """
        exports.handler = (event, context, callback) => {
          context.callbackWaitsForEmptyEventLoop = false;
          setTimeout(() => { throw new Error('after the response'); }, 300);
          callback(null, 'answered');
        };
    """})
    first = api.queue({}, request_id="first")
    assert api.result(first).json() == "answered"
    api.wait_next_calls(2)
    late = api.wait(lambda p: p.kind == "error")
    assert late.request_id == "first" and late.json()["errorMessage"] == "after the response"
    assert b.wait_exit() == 129


def test_unhandled_rejection_during_init(api, runtime):
    b = runtime({"index.js": """
        Promise.reject(new Error('init rejection'));
        exports.handler = async () => 1;
    """})
    e = api.init_error()
    assert e.json()["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert b.wait_exit() == 128


# --------------------------------------------------------------------------------------------
# State, context, event loop


def test_module_state_persists_over_invocations(api, runtime):
    runtime({"index.js": """
        let count = 0;
        const started = Date.now();
        exports.handler = async () => ({ count: ++count, started });
    """})
    results = [api.invoke({}).json() for _ in range(3)]
    assert [r["count"] for r in results] == [1, 2, 3]
    assert len({r["started"] for r in results}) == 1


def test_context_fields(api, runtime):
    runtime({"index.js": """
        exports.handler = async (event, context) => {
          const first = context.getRemainingTimeInMillis();
          await new Promise((r) => setTimeout(r, 120));
          const second = context.getRemainingTimeInMillis();
          return {
            keys: Object.keys(context),
            awsRequestId: context.awsRequestId,
            functionName: context.functionName,
            functionVersion: context.functionVersion,
            invokedFunctionArn: context.invokedFunctionArn,
            memoryLimitInMB: context.memoryLimitInMB,
            logGroupName: context.logGroupName,
            logStreamName: context.logStreamName,
            clientContext: context.clientContext === undefined ? 'undef' : context.clientContext,
            identity: context.identity === undefined ? 'undef' : context.identity,
            waits: context.callbackWaitsForEmptyEventLoop,
            trace: process.env._X_AMZN_TRACE_ID === undefined ? 'unset' : process.env._X_AMZN_TRACE_ID,
            first, second, now: Date.now(),
          };
        };
    """})
    deadline_ms = int(time.time() * 1000) + 5000
    client_context = {"client": {"installation_id": "i-1"}, "custom": {"k": "v"}, "env": {}}
    identity = {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}
    r = api.invoke({}, request_id="ctx-req", headers={
        "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:fn:prod",
        "Lambda-Runtime-Client-Context": json.dumps(client_context),
        "Lambda-Runtime-Cognito-Identity": json.dumps(identity),
        "Lambda-Runtime-Trace-Id": "Root=1-abc;Parent=def;Sampled=0",
    })
    c = r.json()
    assert c["keys"] == [
        "callbackWaitsForEmptyEventLoop", "succeed", "fail", "done", "functionVersion",
        "functionName", "memoryLimitInMB", "logGroupName", "logStreamName", "clientContext",
        "identity", "invokedFunctionArn", "awsRequestId", "tenantId", "getRemainingTimeInMillis"]
    assert c["awsRequestId"] == "ctx-req"
    assert c["functionName"] == "fn" and c["functionVersion"] == "$LATEST"
    assert c["invokedFunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn:prod"
    assert c["memoryLimitInMB"] == "256"  # a string, as on AWS
    assert c["logGroupName"] == "/aws/lambda/fn"
    assert c["logStreamName"] == "2024/01/01/[$LATEST]0123456789abcdef"
    assert c["clientContext"] == client_context and c["identity"] == identity
    assert c["waits"] is True
    assert c["trace"] == "Root=1-abc;Parent=def;Sampled=0"
    assert 0 < c["first"] <= 5000
    assert c["first"] - c["second"] >= 100
    assert abs((deadline_ms - c["now"]) - c["second"]) <= 5

    # Without the optional headers: undefined fields and no trace id in the environment.
    c = api.invoke({}, headers={"Lambda-Runtime-Client-Context": None,
                                "Lambda-Runtime-Cognito-Identity": None,
                                "Lambda-Runtime-Trace-Id": None}).json()
    assert c["clientContext"] == "undef" and c["identity"] == "undef"
    assert c["trace"] == "unset"


CALLBACK_TIMER = """
    let fired = 0;
    exports.handler = (event, context, callback) => {
      context.callbackWaitsForEmptyEventLoop = event.wait;
      setTimeout(() => { fired++; }, event.delay);
      callback(null, { firedBeforeResponse: fired });
    };
    exports.check = async () => ({ fired });
"""


def test_callback_waits_for_empty_event_loop_true(api, runtime):
    runtime({"index.js": CALLBACK_TIMER})
    rid = api.queue({"wait": True, "delay": 600})
    r = api.result(rid)
    elapsed = r.time - api.invocations[rid].delivered_at
    assert r.kind == "response" and r.json() == {"firedBeforeResponse": 0}
    assert elapsed >= 0.55, f"responded after {elapsed:.3f}s, before the timer fired"


def test_callback_waits_for_empty_event_loop_false(api, runtime):
    runtime({"index.js": CALLBACK_TIMER})
    rid = api.queue({"wait": False, "delay": 1000})
    r = api.result(rid)
    elapsed = r.time - api.invocations[rid].delivered_at
    assert r.kind == "response" and r.json() == {"firedBeforeResponse": 0}
    assert elapsed < 0.7, f"responded after {elapsed:.3f}s: it waited for the timer"
    # The timer still fires later, in the same process (a later invoke sees it).
    time.sleep(max(0.0, 1.3 - (time.monotonic() - api.invocations[rid].delivered_at)))
    assert api.invoke({"wait": False, "delay": 1}).json() == {"firedBeforeResponse": 1}


def test_async_handler_does_not_wait_for_timers(api, runtime):
    runtime({"index.js": """
        exports.handler = async () => { setTimeout(() => {}, 3000); return 'now'; };
    """})
    rid = api.queue({})
    r = api.result(rid)
    assert r.json() == "now"
    assert r.time - api.invocations[rid].delivered_at < 1.5


def test_large_response_5mb(api, runtime):
    runtime({"index.js": """
        exports.handler = async (event) => ({ blob: 'x'.repeat(event.size), tail: 'end' });
    """})
    size = 5 * 1024 * 1024
    r = api.invoke({"size": size}, timeout=20)
    assert r.kind == "response"
    assert int(r.headers["content-length"]) == len(r.body)
    body = r.json()
    assert len(body["blob"]) == size and body["tail"] == "end"
    # The keep-alive connection is still healthy afterwards.
    assert api.invoke({"size": 3}).json()["blob"] == "xxx"


def test_large_event(api, runtime):
    runtime({"index.js": "exports.handler = async (event) => event.data.length;"})
    assert api.invoke({"data": "é" * 3_000_000}, timeout=20).json() == 3_000_000


# --------------------------------------------------------------------------------------------
# Logging


def test_console_log_format(api, runtime):
    b = runtime({"index.js": """
        console.log('cold', 'start');
        exports.handler = async (event) => {
          console.log('log %s %d', 'fmt', 42, { a: 1 });
          console.info('info');
          console.warn('warn');
          console.error('error', new Error('shown'));
          console.debug('debug');
          console.trace('trace');
          console.log('line1\\nline2');
          process.stdout.write('raw\\n');
          return 1;
        };
    """})
    api.invoke({}, request_id="log-req")
    assert wait_for(lambda: any("raw" in line for line in b.stdout))
    records = log_records(b)
    assert records[0].group(2) == "undefined" and records[0].group(4) == "cold start"
    by_msg = {m.group(4).split("\r")[0].split("\t")[0]: m for m in records[1:]}
    assert by_msg["log fmt 42 { a: 1 }"].group(3) == "INFO"
    assert by_msg["info"].group(3) == "INFO"
    assert by_msg["warn"].group(3) == "WARN"
    assert by_msg["debug"].group(3) == "DEBUG"
    assert by_msg["trace"].group(3) == "TRACE"
    err = [m for m in records if m.group(4).startswith("error Error: shown")][0]
    assert err.group(3) == "ERROR" and "\r    at " in err.group(4)
    multi = [m for m in records if m.group(4).startswith("line1")][0]
    assert multi.group(4) == "line1\rline2"  # one record, one line
    for m in records[1:]:
        assert m.group(2) == "log-req"
    assert "raw\n" in b.stdout
    assert b.err() == ""


def test_logs_are_flushed_before_a_fatal_exit(api, runtime):
    # 400 KB of logs fill the pipe (64 KB) while nobody reads it; the exit must wait for them.
    b = runtime({"index.js": """
        for (let i = 0; i < 400; i++) console.log(i + ' ' + 'x'.repeat(1000));
        throw new Error('after the logs');
    """}, read_delay=1.0)
    assert api.init_error().json()["errorMessage"] == "after the logs"
    assert b.wait_exit() == 129
    assert wait_for(lambda: "Uncaught Exception" in b.out())
    assert sum(1 for m in log_records(b) if m.group(4).endswith("x" * 1000)) == 400


def test_json_log_format_and_level(api, runtime):
    b = runtime({"index.js": """
        exports.handler = async () => {
          console.debug('filtered out');
          console.info('hello', 'json');
          console.warn({ structured: true });
          return 1;
        };
    """}, env={"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "INFO"})
    api.invoke({}, request_id="json-req")
    assert wait_for(lambda: len(b.stdout) >= 2)
    lines = [json.loads(line) for line in b.stdout]
    assert [x["level"] for x in lines] == ["INFO", "WARN"]
    assert lines[0]["message"] == "hello json" and lines[0]["requestId"] == "json-req"
    assert lines[1]["message"] == {"structured": True}
    assert re.match(r"\d{4}-\d\d-\d\dT.*Z$", lines[0]["timestamp"])


def test_telemetry_log_fd_inherited(api, runtime, tmp_path):
    log_file = tmp_path / "telemetry.bin"
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    b = Bootstrap(api, {"index.js": """
        exports.handler = async () => { console.warn('framed', 1); return process.env._LAMBDA_TELEMETRY_LOG_FD || 'gone'; };
    """}, env={"_LAMBDA_TELEMETRY_LOG_FD": str(fd)})
    b.proc = subprocess.Popen([NODE, *NODE_FLAGS, str(BOOTSTRAP)], cwd=b.task, env=b.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(fd,))
    try:
        assert api.invoke({}, request_id="tel-req").json() == "gone"
        data = log_file.read_bytes()
        frame_type = int.from_bytes(data[0:4], "big")
        length = int.from_bytes(data[4:8], "big")
        micros = int.from_bytes(data[8:16], "big")
        assert frame_type == 0xa55a0003 | 0b10000
        assert abs(micros / 1e6 - time.time()) < 60
        text = data[16:16 + length].decode()
        assert re.match(r"^\S+Z\ttel-req\tWARN\tframed 1\n$", text)
    finally:
        os.close(fd)
        b.stop()


# --------------------------------------------------------------------------------------------
# Environment set-up, streaming, nodejs24.x


def test_environment_defaults(api, runtime):
    runtime({"index.js": """
        exports.handler = async () => ({
          nodePath: process.env.NODE_PATH,
          execEnv: process.env.AWS_EXECUTION_ENV,
          awslambda: typeof awslambda.streamifyResponse,
          cwd: process.cwd(),
        });
    """}, env={"AWS_EXECUTION_ENV": None})
    body = api.invoke({}).json()
    assert body["nodePath"] == ("/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:"
                                "/var/runtime/node_modules:/var/runtime:/var/task")
    assert body["execEnv"] == "AWS_Lambda_nodejs20.x"
    assert body["awslambda"] == "function"


def test_streaming_handler(api, runtime):
    runtime({"index.mjs": """
        export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
          if (event.fail) {
            responseStream.write('partial');
            throw new Error('stream broke');
          }
          const stream = awslambda.HttpResponseStream.from(responseStream,
                                                           { statusCode: 201, headers: { a: 'b' } });
          stream.write('hello ');
          await new Promise((r) => setTimeout(r, 20));
          stream.write(context.awsRequestId);
          stream.end();
        });
    """})
    r = api.invoke({}, request_id="s-1")
    assert r.kind == "response"
    assert r.headers["lambda-runtime-function-response-mode"] == "streaming"
    assert r.headers["transfer-encoding"] == "chunked"
    assert r.headers["content-type"] == "application/vnd.awslambda.http-integration-response"
    prelude, _, payload = r.body.partition(b"\0" * 8)
    assert json.loads(prelude) == {"statusCode": 201, "headers": {"a": "b"}}
    assert payload == b"hello s-1"

    r = api.invoke({"fail": True})
    assert r.body == b"partial"
    assert r.trailers["lambda-runtime-function-error-type"] == "Error"
    err = json.loads(base64.b64decode(r.trailers["lambda-runtime-function-error-body"]))
    assert err["errorMessage"] == "stream broke"


NODE24 = {"AWS_EXECUTION_ENV": "AWS_Lambda_nodejs24.x"}


def test_nodejs24_rejects_callback_handlers(api, runtime):
    b = runtime({"index.js": "exports.handler = (event, context, callback) => callback(null, 1);"},
                env=NODE24, flags=[])
    e = api.init_error()
    body = e.json()
    assert body["errorType"] == "Runtime.CallbackHandlerDeprecated"
    assert "removed support for callback-based function handlers" in body["errorMessage"]
    assert b.wait_exit() != 0
    assert "Init Error" in b.out()


def test_nodejs24_async_handler_and_context(api, runtime):
    runtime({
        "index.mjs": """
            let n = 0;
            export const handler = async (event, context) => {
              if (event.fail) throw new Error('v4 failure');
              return { n: ++n, keys: Object.keys(context), rid: context.awsRequestId };
            };
        """}, env=NODE24, flags=[])
    body = api.invoke({}, request_id="r24").json()
    assert body["n"] == 1 and body["rid"] == "r24"
    assert "callbackWaitsForEmptyEventLoop" not in body["keys"]
    assert "succeed" not in body["keys"] and "getRemainingTimeInMillis" in body["keys"]
    assert api.invoke({}).json()["n"] == 2
    err = api.invoke({"fail": True}).json()
    assert err["errorType"] == "Error" and err["errorMessage"] == "v4 failure"
    assert err["trace"][0] == "Error: v4 failure"
    assert api.invoke({}).json()["n"] == 3


def test_nodejs24_commonjs_handler_via_import(api, runtime):
    runtime({"index.js": "exports.handler = async () => 'cjs on 24';"}, env=NODE24, flags=[])
    assert api.invoke({}).json() == "cjs on 24"


def test_nodejs24_never_settling_promise(api, runtime):
    runtime({"index.mjs": """
        export const handler = async (event) => event.hang ? new Promise(() => {}) : 'ok';
    """}, env=NODE24, flags=[])
    r = api.invoke({"hang": True})
    assert r.kind == "error" and r.json()["errorType"] == "Runtime.NodeJsExit"
    assert api.invoke({}).json() == "ok"
