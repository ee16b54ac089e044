"""Asynchronous invocation end to end: Invoke with InvocationType=Event (boto3 and the AWS CLI), the
durable event queue, the dispatcher's retries, throttle back-off and event age, the
event-invoke-config operations, and the invocation records delivered to destination functions.

What ran is read back from the functions' own log groups (/aws/lambda/<name>): the START line of
each attempt, and the lines the test functions print. A destination "recorder" function prints
every record it receives. Every wait is a poll with a deadline.
"""
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from conftest import (ACCOUNT, REGION, Daemon, error_of, log_events, make_role, make_zip,
                      unique, function_arn as arn, wait_until)
from test_invoke import create

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
START_RE = re.compile(rf"^START RequestId: ({UUID}) Version: (\S+)$")
END_RE = re.compile(rf"^END RequestId: ({UUID})$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# The daemon most tests share: retries 0.3 s and 0.6 s after a function error, throttle back-off
# capped at 1 s.
FAST_RETRY_MS = (300, 600)
FAST_ARGS = ["--async-retry-delays", ",".join(map(str, FAST_RETRY_MS)),
             "--async-backoff-max", "1000"]

# One function for every behaviour an event asks for.
WORKER_PY = r'''
import json, os, time

TAG = "%s"


def handler(event, context):
    print("EVENT " + json.dumps({"request_id": context.aws_request_id, "event": event,
                                 "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
                                 "tag": TAG}))
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("crash"):
        os._exit(7)
    if event.get("fail"):
        raise Exception("asked to fail: %%s" %% event["fail"])
    return {"echo": event, "tag": TAG}
'''

# A destination: prints each record it receives, and how it was invoked.
RECORDER_PY = r'''
import json, os


def handler(event, context):
    print("RECORD " + json.dumps({"record": event, "request_id": context.aws_request_id,
                                  "invoked": context.invoked_function_arn,
                                  "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}))
    return "recorded"
'''


def worker_zip(tag="v1"):
    return make_zip({"index.py": WORKER_PY % tag})


# --- fixtures and helpers -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def daemon():
    """A daemon with short retry delays and back-off, shared by the module."""
    tmp = tempfile.mkdtemp(prefix="lamina-e2e-")
    d = Daemon(os.path.join(tmp, "data"), extra_args=FAST_ARGS).start()
    yield d
    d.stop()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def role(daemon):
    return make_role(daemon)


@pytest.fixture
def worker(lam, role):
    return create(lam, role, zip_bytes=worker_zip(), Timeout=10)


@pytest.fixture
def recorder(lam, role):
    return create(lam, role, {"index.py": RECORDER_PY})


def starts(logs, name, request_id=None):
    """(timestamp ms, request id, version) of each START line, oldest first."""
    found = []
    for e in log_events(logs, name):
        m = START_RE.match(e["message"])
        if m and request_id in (None, m.group(1)):
            found.append((e["timestamp"], m.group(1), m.group(2)))
    return found


def ends(logs, name, request_id):
    """The timestamps of the END lines of `request_id`, oldest first."""
    return [e["timestamp"] for e in log_events(logs, name)
            if (m := END_RE.match(e["message"])) and m.group(1) == request_id]


def printed(logs, name, prefix):
    """What the function printed after `prefix` (a JSON document per line), oldest first."""
    return [json.loads(e["message"][len(prefix):]) for e in log_events(logs, name)
            if e["message"].startswith(prefix)]


def runs(logs, name):
    return printed(logs, name, "EVENT ")


def records(logs, name):
    return printed(logs, name, "RECORD ")


def wait_records(logs, name, count, timeout=30):
    return wait_until(lambda: (lambda r: r if len(r) >= count else None)(records(logs, name)),
                      timeout, f"{count} record(s) delivered to {name}")


def queued(daemon, request_id=None):
    """Rows of the daemon's event queue (events.db), all or those of one request id."""
    db = sqlite3.connect(f"file:{daemon.data_dir}/events.db?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        if request_id is None:
            return [dict(r) for r in db.execute("SELECT * FROM events")]
        return [dict(r) for r in db.execute("SELECT * FROM events WHERE request_id = ?",
                                            (request_id,))]
    finally:
        db.close()


def send(lam, name, event, **kwargs):
    """An Event invoke that must be accepted; returns its request id."""
    r = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event), **kwargs)
    assert r["StatusCode"] == 202, r
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert r["Payload"].read() == b""
    assert "FunctionError" not in r
    return r["ResponseMetadata"]["RequestId"]


def wait_finished(daemon, request_id, timeout=30):
    """Until the event left the queue: it ran for the last time or was dropped."""
    wait_until(lambda: not queued(daemon, request_id), timeout, f"event {request_id} to finish")


def assert_record(record, request_id, function_arn, condition, count, request_payload,
                  response_payload=None, executed_version="$LATEST", function_error=None,
                  ran=True, sent_at=None):
    """A destination record, exactly as AWS shapes it."""
    assert set(record) == ({"version", "timestamp", "requestContext", "requestPayload"} |
                           ({"responseContext", "responsePayload"} if ran else set())), record
    assert record["version"] == "1.0"
    assert TIMESTAMP_RE.match(record["timestamp"]), record["timestamp"]
    if sent_at is not None:
        when = datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
        when = when.replace(tzinfo=timezone.utc).timestamp()
        assert sent_at - 1 <= when <= time.time() + 1, (record["timestamp"], sent_at)
    assert record["requestContext"] == {"requestId": request_id, "functionArn": function_arn,
                                        "condition": condition, "approximateInvokeCount": count}
    assert record["requestPayload"] == request_payload
    if ran:
        context = {"statusCode": 200, "executedVersion": executed_version}
        if function_error:
            context["functionError"] = function_error
        assert record["responseContext"] == context
        if response_payload is not None:
            assert record["responsePayload"] == response_payload


def put_config(lam, name, qualifier=None, **config):
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    return lam.put_function_event_invoke_config(FunctionName=name, **kwargs, **config)


def destinations(on_success=None, on_failure=None):
    config = {}
    if on_success:
        config["OnSuccess"] = {"Destination": on_success}
    if on_failure:
        config["OnFailure"] = {"Destination": on_failure}
    return {"DestinationConfig": config}


# --- Invoke with InvocationType=Event --------------------------------------------------------------

def test_event_invoke_answers_202_and_runs_the_event_once_with_its_request_id(daemon, lam, logs,
                                                                               worker):
    event = {"hello": "async", "n": 1}
    status, headers, body = daemon.request(
        "POST", f"/2015-03-31/functions/{worker}/invocations", json.dumps(event),
        {"X-Amz-Invocation-Type": "Event"})
    assert (status, body) == (202, b"")
    assert "x-amz-function-error" not in headers
    request_id = headers["x-amzn-requestid"]
    assert re.fullmatch(UUID, request_id)
    second = send(lam, worker, {"hello": "boto3"})
    assert second != request_id
    # A function ARN, a partial ARN and an explicit $LATEST name the same function.
    others = [send(lam, arn(worker), {"by": "arn"}),
              send(lam, f"{ACCOUNT}:function:{worker}", {"by": "partial arn"}),
              send(lam, worker, {"by": "qualifier"}, Qualifier="$LATEST")]

    ran = wait_until(lambda: (lambda r: r if len(r) >= 5 else None)(runs(logs, worker)), 30,
                     "the events to run")
    by_id = {r["request_id"]: r for r in ran}
    assert by_id[request_id]["event"] == event
    assert by_id[second]["event"] == {"hello": "boto3"}
    assert [by_id[rid]["event"]["by"] for rid in others] == ["arn", "partial arn", "qualifier"]
    assert {r["version"] for r in ran} == {"$LATEST"}
    for rid in [request_id, second, *others]:
        wait_finished(daemon, rid)
        # A success is not retried: one START each, naming the 202's request id.
        assert [s[1:] for s in starts(logs, worker, rid)] == [(rid, "$LATEST")]
    assert len(runs(logs, worker)) == 5


def test_event_invoke_with_an_empty_body_runs_an_empty_object(daemon, logs, worker):
    status, headers, body = daemon.request(
        "POST", f"/2015-03-31/functions/{worker}/invocations", b"",
        {"X-Amz-Invocation-Type": "Event"})
    assert (status, body) == (202, b"")
    [ran] = wait_until(lambda: runs(logs, worker), 30, "the event to run")
    assert ran == {"request_id": headers["x-amzn-requestid"], "event": {}, "version": "$LATEST",
                   "tag": "v1"}


def test_cli_invoke_event(daemon, logs, worker, tmp_path):
    out = tmp_path / "out.json"
    _, result, _ = daemon.cli("lambda", "invoke", "--function-name", worker,
                            "--invocation-type", "Event", "--cli-binary-format",
                            "raw-in-base64-out", "--payload", '{"via": "cli"}', str(out))
    assert result == {"StatusCode": 202}
    assert out.read_bytes() == b""
    [ran] = wait_until(lambda: runs(logs, worker), 30, "the CLI's event to run")
    assert ran["event"] == {"via": "cli"}
    wait_finished(daemon, ran["request_id"])
    assert len(starts(logs, worker, ran["request_id"])) == 1


def test_event_payload_limit_is_1_mib(daemon, lam, logs, role, tmp_path):
    name = create(lam, role, {"index.py": "def handler(event, context):\n"
                                          "    print('SIZE', len(event['p']))\n"})
    limit = 1_048_576
    exactly = ('{"p":"' + "x" * (limit - 8) + '"}').encode()
    assert len(exactly) == limit
    before = len(queued(daemon))
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=exactly + b" ")
    assert error_of(e) == ("RequestTooLargeException", 413,
                           "Request must be smaller than 1048576 bytes for the InvokeFunction "
                           "operation")
    big = tmp_path / "big.json"
    big.write_bytes(exactly + b" ")
    code, _, err = daemon.cli("lambda", "invoke", "--function-name", name, "--invocation-type",
                            "Event", "--payload", f"fileb://{big}", str(tmp_path / "out"),
                            check=False)
    assert code != 0
    assert "RequestTooLargeException" in err
    assert "Request must be smaller than 1048576 bytes for the InvokeFunction operation" in err
    assert len(queued(daemon)) == before, "a refused event was queued"
    # The limit itself is allowed, and runs.
    request_id = lam.invoke(FunctionName=name, InvocationType="Event",
                            Payload=exactly)["ResponseMetadata"]["RequestId"]
    wait_until(lambda: any(e["message"] == f"SIZE {limit - 8}" for e in log_events(logs, name)),
               30, "the 1 MiB event to run")
    assert [s[1] for s in starts(logs, name)] == [request_id]


def test_event_invoke_errors(daemon, lam, worker):
    before = len(queued(daemon))
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=worker, InvocationType="Event", Payload=b'{"not json')
    code, status, message = error_of(e)
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json"), message
    missing = unique("missing")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=missing, InvocationType="Event", Payload=b"{}")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {arn(missing)}")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=worker, Qualifier="nope", InvocationType="Event", Payload=b"{}")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=worker, Qualifier="7", InvocationType="Event", Payload=b"{}")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    assert len(queued(daemon)) == before, "a refused event was queued"
    code, _, err = daemon.cli("lambda", "invoke", "--function-name", missing, "--invocation-type",
                            "Event", "/dev/null", check=False)
    assert code != 0 and "ResourceNotFoundException" in err


def test_event_is_stored_before_the_202_and_survives_kill_9(daemon_factory):
    d = daemon_factory(extra_args=FAST_ARGS)
    lam, logs = d.client("lambda", read_timeout=60), d.client("logs")
    name = create(lam, make_role(d), zip_bytes=worker_zip())
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    put_config(lam, name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=3600)
    request_id = send(lam, name, {"kept": True})
    # Right after the 202, before anything could run: the event is in events.db.
    [row] = queued(d, request_id)
    assert row["function"] == name
    assert row["qualifier"] in ("", "$LATEST")
    assert json.loads(row["payload"]) == {"kept": True}
    assert row["attempts"] == 0
    d.kill9()
    d.start()
    lam, logs = d.client("lambda", read_timeout=60), d.client("logs")
    assert len(queued(d, request_id)) == 1
    kept = lam.get_function_event_invoke_config(FunctionName=name)
    assert (kept["MaximumRetryAttempts"], kept["MaximumEventAgeInSeconds"]) == (1, 3600)
    lam.delete_function_concurrency(FunctionName=name)
    [ran] = wait_until(lambda: runs(logs, name), 30, "the event to run after the restart")
    assert ran["request_id"] == request_id and ran["event"] == {"kept": True}
    wait_finished(d, request_id)
    assert len(starts(logs, name, request_id)) == 1


# --- retries after function errors ------------------------------------------------------------------

def test_function_error_is_retried_twice_after_the_configured_delays(daemon_factory):
    delays = (1500, 3000)
    d = daemon_factory(extra_args=["--async-retry-delays", f"{delays[0]},{delays[1]}"])
    lam, logs = d.client("lambda", read_timeout=60), d.client("logs")
    name = create(lam, make_role(d), zip_bytes=worker_zip())
    request_id = send(lam, name, {"fail": "always"})
    wait_finished(d, request_id, timeout=60)
    attempts = starts(logs, name, request_id)
    # The first attempt and MaximumRetryAttempts' default of 2 retries, under one request id.
    assert len(attempts) == 3, attempts
    assert all(a[1:] == (request_id, "$LATEST") for a in attempts)
    assert [r["event"] for r in runs(logs, name)] == [{"fail": "always"}] * 3
    assert {r["request_id"] for r in runs(logs, name)} == {request_id}
    finished = ends(logs, name, request_id)
    assert len(finished) == 3
    for i, delay in enumerate(delays):
        gap = attempts[i + 1][0] - attempts[i][0]
        assert gap >= delay, (i, gap, attempts)
        # Not much later than the delay after the attempt before ended either.
        assert attempts[i + 1][0] - finished[i] <= delay + 3000, (i, attempts, finished)
    assert len(starts(logs, name)) == 3


def test_default_retry_delay_is_one_minute(daemon_factory):
    d = daemon_factory()
    lam, logs = d.client("lambda", read_timeout=60), d.client("logs")
    name = create(lam, make_role(d), zip_bytes=worker_zip())
    request_id = send(lam, name, {"fail": "once"})
    [row] = wait_until(lambda: [r for r in queued(d, request_id) if r["attempts"] == 1], 30,
                       "the first attempt to fail and be rescheduled")
    [first] = starts(logs, name, request_id)
    # The retry is due a minute after the first attempt ended (AWS: 1 minute, then 2).
    assert 60_000 - 5_000 <= row["next_attempt_ms"] - first[0] <= 60_000 + 5_000, (row, first)
    assert row["next_attempt_ms"] - int(time.time() * 1000) > 50_000
    assert len(starts(logs, name, request_id)) == 1


FAILURES = {
    "exception": ({"fail": "kind"}, {}),
    "timeout": ({"sleep": 5}, {"Timeout": 1}),
    "crash": ({"crash": True}, {}),
}


@pytest.mark.parametrize("kind", list(FAILURES))
def test_each_kind_of_function_error_is_retried_then_sent_to_on_failure(daemon, lam, logs, role,
                                                                         recorder, kind):
    event, config = FAILURES[kind]
    name = create(lam, role, zip_bytes=worker_zip(), **config)
    put_config(lam, name, **destinations(on_failure=arn(recorder)))
    sent_at = time.time()
    request_id = send(lam, name, event)
    [delivered] = wait_records(logs, recorder, 1, timeout=60)
    record = delivered["record"]
    if kind == "exception":
        payload = record["responsePayload"]
        assert set(payload) == {"errorMessage", "errorType", "requestId", "stackTrace"}, payload
        assert payload["errorMessage"] == "asked to fail: kind"
        assert payload["errorType"] == "Exception"
        assert payload["requestId"] == request_id
        expected = None
    elif kind == "timeout":
        expected = {"errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
                                    "1.00 seconds"}
    else:
        expected = {"errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: "
                                    "exit status 7"}
    assert_record(record, request_id, arn(name, "$LATEST"), "RetriesExhausted", 3, event,
                  response_payload=expected, function_error="Unhandled", sent_at=sent_at)
    # The record is an event of its own to the destination, with its own request id.
    assert delivered["request_id"] != request_id
    assert delivered["invoked"] == arn(recorder)
    assert len(starts(logs, name, request_id)) == 3
    assert not queued(daemon, request_id)


@pytest.mark.parametrize("retries", [0, 1])
def test_maximum_retry_attempts(daemon, lam, logs, worker, recorder, retries):
    put_config(lam, worker, MaximumRetryAttempts=retries,
               **destinations(on_failure=arn(recorder)))
    event = {"fail": f"retries {retries}"}
    request_id = send(lam, worker, event)
    [delivered] = wait_records(logs, recorder, 1)
    assert_record(delivered["record"], request_id, arn(worker, "$LATEST"), "RetriesExhausted",
                  retries + 1, event, function_error="Unhandled")
    assert delivered["record"]["responsePayload"]["errorMessage"] == \
        f"asked to fail: retries {retries}"
    assert not queued(daemon, request_id)
    assert len(starts(logs, worker, request_id)) == retries + 1
    assert len(starts(logs, worker)) == retries + 1


def test_a_retry_that_succeeds_goes_to_on_success_with_its_invoke_count(daemon, lam, logs, role,
                                                                         recorder):
    # Fails on its first attempt only: the marker file lives in the warm environment's /tmp.
    code = ("import os\n"
            "def handler(event, context):\n"
            "    if not os.path.exists('/tmp/seen'):\n"
            "        open('/tmp/seen', 'w').close()\n"
            "        raise Exception('first time')\n"
            "    return {'second': event}\n")
    name = create(lam, role, {"index.py": code})
    put_config(lam, name, **destinations(on_success=arn(recorder), on_failure=arn(recorder)))
    request_id = send(lam, name, {"try": "again"})
    [delivered] = wait_records(logs, recorder, 1)
    assert_record(delivered["record"], request_id, arn(name, "$LATEST"), "Success", 2,
                  {"try": "again"}, response_payload={"second": {"try": "again"}})
    wait_finished(daemon, request_id)
    assert len(starts(logs, name, request_id)) == 2


# --- destinations ------------------------------------------------------------------------------------

def test_success_and_failure_records_go_to_their_own_destinations(daemon, lam, logs, worker, role):
    on_success = create(lam, role, {"index.py": RECORDER_PY})
    on_failure = create(lam, role, {"index.py": RECORDER_PY})
    put_config(lam, worker, MaximumRetryAttempts=0,
               **destinations(on_success=arn(on_success), on_failure=arn(on_failure)))
    # Synchronous invocations have no destinations.
    sync = lam.invoke(FunctionName=worker, Payload=b'{"sync": true}')
    assert sync["StatusCode"] == 200 and "FunctionError" not in sync
    sent_at = time.time()
    ok = send(lam, worker, {"n": 1, "nested": {"list": [1, "two", None]}})
    bad = send(lam, worker, {"fail": "on purpose"})

    [succeeded] = wait_records(logs, on_success, 1)
    assert_record(succeeded["record"], ok, arn(worker, "$LATEST"), "Success", 1,
                  {"n": 1, "nested": {"list": [1, "two", None]}},
                  response_payload={"echo": {"n": 1, "nested": {"list": [1, "two", None]}},
                                    "tag": "v1"},
                  sent_at=sent_at)
    assert succeeded["invoked"] == arn(on_success)
    assert succeeded["request_id"] not in (ok, bad)

    [failed] = wait_records(logs, on_failure, 1)
    record = failed["record"]
    assert_record(record, bad, arn(worker, "$LATEST"), "RetriesExhausted", 1,
                  {"fail": "on purpose"}, function_error="Unhandled", sent_at=sent_at)
    assert record["responsePayload"]["errorType"] == "Exception"
    assert record["responsePayload"]["errorMessage"] == "asked to fail: on purpose"
    assert record["responsePayload"]["requestId"] == bad
    assert isinstance(record["responsePayload"]["stackTrace"], list)

    for rid in (ok, bad):
        wait_finished(daemon, rid)
    # Each destination got its one record, and the synchronous invoke none.
    assert len(records(logs, on_success)) == 1
    assert len(records(logs, on_failure)) == 1


def test_payloads_that_are_not_objects_are_carried_as_their_json(daemon, lam, logs, role, recorder):
    # An array event, and a string response (python JSON-encodes the handler's str).
    name = create(lam, role, {"index.py": "def handler(event, context):\n    return 'plain'\n"})
    put_config(lam, name, **destinations(on_success=arn(recorder)))
    request_id = send(lam, name, [1, 2, 3])
    [delivered] = wait_records(logs, recorder, 1)
    assert_record(delivered["record"], request_id, arn(name, "$LATEST"), "Success", 1, [1, 2, 3],
                  response_payload="plain")


# --- throttles and concurrency -----------------------------------------------------------------------

def test_throttled_events_wait_and_all_run_once_the_reservation_is_lifted(daemon, lam, logs,
                                                                          worker, recorder):
    lam.put_function_concurrency(FunctionName=worker, ReservedConcurrentExecutions=0)
    put_config(lam, worker, MaximumRetryAttempts=0, **destinations(on_success=arn(recorder),
                                                                   on_failure=arn(recorder)))
    sent = {send(lam, worker, {"i": i}): i for i in range(5)}
    # Synchronous invokes are throttled by the same reservation.
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=worker, Payload=b"{}")
    assert error_of(e)[:2] == ("TooManyRequestsException", 429)
    assert e.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    # Throttled, several back-offs long: none runs, none is given up on, none is retried away.
    time.sleep(3)
    assert starts(logs, worker) == []
    assert records(logs, recorder) == []
    assert len([r for r in queued(daemon) if r["request_id"] in sent]) == 5
    assert all(r["attempts"] == 0 for r in queued(daemon) if r["request_id"] in sent)

    lifted = time.time()
    lam.delete_function_concurrency(FunctionName=worker)
    ran = wait_until(lambda: (lambda r: r if len(r) == 5 else None)(runs(logs, worker)), 30,
                     "the five events to run")
    # The back-off is capped at 1 s: they ran soon after the reservation was lifted.
    assert time.time() - lifted < 5
    assert sorted(r["event"]["i"] for r in ran) == list(range(5))
    delivered = wait_records(logs, recorder, 5)
    assert len(delivered) == 5
    for d in delivered:
        record = d["record"]
        rid = record["requestContext"]["requestId"]
        # Throttles are not attempts: each ran once and succeeded at its first invoke.
        assert_record(record, rid, arn(worker, "$LATEST"), "Success", 1, {"i": sent[rid]},
                      response_payload={"echo": {"i": sent[rid]}, "tag": "v1"})
    assert {d["record"]["requestContext"]["requestId"] for d in delivered} == set(sent)
    for rid in sent:
        wait_finished(daemon, rid)
        assert len(starts(logs, worker, rid)) == 1
    assert len(starts(logs, worker)) == 5


def throttled_sync_invoke(lam, name, event):
    """Invokes synchronously: the Reason of the 429 it gets, or None when it ran."""
    try:
        r = lam.invoke(FunctionName=name, Payload=json.dumps(event))
        assert r["StatusCode"] == 200 and "FunctionError" not in r, r
        return None
    except ClientError as err:
        assert error_of_response(err) == ("TooManyRequestsException", 429), err.response
        return err.response["Reason"]


def error_of_response(err):
    return err.response["Error"]["Code"], err.response["ResponseMetadata"]["HTTPStatusCode"]


def test_async_and_sync_share_the_reserved_concurrency(daemon, lam, logs, worker):
    # A function's log lines reach its log group when its invocation ends, so what holds the slot
    # is probed with synchronous invokes and checked against the log's timestamps afterwards.
    lam.put_function_concurrency(FunctionName=worker, ReservedConcurrentExecutions=1)
    lam.invoke(FunctionName=worker, Payload=b"{}")  # warm
    slow = send(lam, worker, {"sleep": 3, "who": "async"})
    # While the event runs it holds the one slot: a synchronous invoke is throttled. (A probe that
    # runs first only delays the event by a back-off of at most 1 s.)
    reason = wait_until(lambda: throttled_sync_invoke(lam, worker, {"who": "probe"}), 6,
                        "a synchronous invoke to be throttled while the event runs")
    throttled_at = time.time() * 1000
    assert reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    [slow_end] = wait_until(lambda: ends(logs, worker, slow), 30, "the event to end")
    [(slow_start, _, _)] = starts(logs, worker, slow)
    assert slow_start <= throttled_at <= slow_end + 50
    # The slot comes back when the event ends.
    wait_until(lambda: throttled_sync_invoke(lam, worker, {"who": "after"}) is None, 10,
               "the slot to be free again")

    # The other way round: while a synchronous invoke holds the slot, an event waits for it.
    answers = []

    def hold_the_slot():
        # Retried while a probe of the main thread holds the slot for a moment.
        deadline = time.time() + 20
        while time.time() < deadline:
            if throttled_sync_invoke(lam, worker, {"sleep": 3, "who": "sync-slow"}) is None:
                answers.append("ran")
                return
            time.sleep(0.05)

    thread = threading.Thread(target=hold_the_slot)
    thread.start()
    try:
        # Only the thread's invoke can throttle a probe now.
        wait_until(lambda: throttled_sync_invoke(lam, worker, {"who": "probe"}), 10,
                   "the synchronous invoke to hold the slot")
        waiting = send(lam, worker, {"who": "queued"})
        [(waiting_start, _, _)] = wait_until(lambda: starts(logs, worker, waiting), 30,
                                             "the queued event to run")
    finally:
        thread.join(timeout=30)
    assert answers == ["ran"]
    [sync_run] = [r for r in runs(logs, worker) if r["event"].get("who") == "sync-slow"]
    [sync_end] = ends(logs, worker, sync_run["request_id"])
    assert waiting_start >= sync_end, "the event ran beside the synchronous invoke"
    wait_finished(daemon, waiting)
    # Throttles were waited out, not counted as attempts or dropped: it ran exactly once.
    assert len(starts(logs, worker, waiting)) == 1
    assert len([r for r in runs(logs, worker) if r["event"].get("who") == "async"]) == 1


def test_events_of_a_deleted_function_are_dropped(daemon, lam, logs, role, recorder):
    name = create(lam, role, zip_bytes=worker_zip())
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    put_config(lam, name, **destinations(on_failure=arn(recorder)))
    sent = [send(lam, name, {"i": i}) for i in range(3)]
    assert len([r for r in queued(daemon) if r["request_id"] in sent]) == 3
    lam.delete_function(FunctionName=name)
    for rid in sent:
        wait_finished(daemon, rid, timeout=15)
    # A new function of the same name does not inherit them.
    create(lam, role, zip_bytes=worker_zip("new"), name=name)
    r = lam.invoke(FunctionName=name, Payload=b'{"sync": 1}')
    assert json.loads(r["Payload"].read()) == {"echo": {"sync": 1}, "tag": "new"}
    assert [s[1] for s in starts(logs, name)] == [r["ResponseMetadata"]["RequestId"]]
    assert [x["event"] for x in runs(logs, name)] == [{"sync": 1}]
    assert records(logs, recorder) == []
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert error_of(e)[0] == "ResourceNotFoundException", "the deleted function's config stayed"


def test_events_of_a_deleted_version_are_dropped(daemon, lam, logs, role):
    name = create(lam, role, zip_bytes=worker_zip())
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    put_config(lam, name, "1", MaximumRetryAttempts=0)
    for_version = send(lam, name, {"to": "version"}, Qualifier="1")
    for_latest = send(lam, name, {"to": "latest"})
    lam.delete_function(FunctionName=name, Qualifier="1")
    wait_finished(daemon, for_version, timeout=15)
    assert lam.list_function_event_invoke_configs(
        FunctionName=name)["FunctionEventInvokeConfigs"] == []
    assert len(queued(daemon, for_latest)) == 1
    lam.delete_function_concurrency(FunctionName=name)
    [ran] = wait_until(lambda: runs(logs, name), 30, "the $LATEST event to run")
    assert ran["request_id"] == for_latest
    wait_finished(daemon, for_latest)
    assert [s[1:] for s in starts(logs, name)] == [(for_latest, "$LATEST")]


# --- versions and aliases ------------------------------------------------------------------------------

def test_alias_and_version_qualifiers(daemon, lam, logs, role, tmp_path):
    name = create(lam, role, zip_bytes=worker_zip("v1"))
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.update_function_code(FunctionName=name, ZipFile=worker_zip("v2"))
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    via_alias = create(lam, role, {"index.py": RECORDER_PY})
    via_version = create(lam, role, {"index.py": RECORDER_PY})

    put = put_config(lam, name, "live", MaximumRetryAttempts=0,
                     **destinations(on_success=arn(via_alias), on_failure=arn(via_alias)))
    assert put["FunctionArn"] == arn(name, "live")
    for kwargs in [{"FunctionName": f"{name}:live"}, {"FunctionName": name, "Qualifier": "live"},
                   {"FunctionName": arn(name, "live")}]:
        got = lam.get_function_event_invoke_config(**kwargs)
        assert got["FunctionArn"] == arn(name, "live"), kwargs
        assert got["MaximumRetryAttempts"] == 0, kwargs
        assert got["DestinationConfig"] == put["DestinationConfig"], kwargs
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert error_of(e) == ("ResourceNotFoundException", 404,
                           f"The function {arn(name, '$LATEST')} doesn't have an "
                           "EventInvokeConfig")
    put_config(lam, name, "1", **destinations(on_success=arn(via_version)))

    ok = send(lam, name, {"to": "alias"}, Qualifier="live")
    bad = send(lam, f"{name}:live", {"fail": "alias"})
    delivered = wait_records(logs, via_alias, 2)
    by_id = {d["record"]["requestContext"]["requestId"]: d["record"] for d in delivered}
    assert_record(by_id[ok], ok, arn(name, "live"), "Success", 1, {"to": "alias"},
                  response_payload={"echo": {"to": "alias"}, "tag": "v1"}, executed_version="1")
    # The alias' MaximumRetryAttempts of 0, not $LATEST's default of 2.
    assert_record(by_id[bad], bad, arn(name, "live"), "RetriesExhausted", 1, {"fail": "alias"},
                  function_error="Unhandled", executed_version="1")
    wait_finished(daemon, bad)
    assert [s[1:] for s in starts(logs, name, bad)] == [(bad, "1")]
    assert [s[1:] for s in starts(logs, name, ok)] == [(ok, "1")]

    # The version's own config applies when the version is named.
    direct = send(lam, name, {"to": "version"}, Qualifier="1")
    [record] = wait_records(logs, via_version, 1)
    assert_record(record["record"], direct, arn(name, "1"), "Success", 1, {"to": "version"},
                  response_payload={"echo": {"to": "version"}, "tag": "v1"},
                  executed_version="1")

    # $LATEST has no config: a success there is delivered nowhere; it runs the newer code.
    latest = send(lam, name, {"to": "latest"})
    ran = wait_until(lambda: [r for r in runs(logs, name) if r["request_id"] == latest], 30,
                     "the $LATEST event to run")
    assert ran[0]["tag"] == "v2" and ran[0]["version"] == "$LATEST"

    # The CLI through the alias.
    _, out, _ = daemon.cli("lambda", "invoke", "--function-name", name, "--qualifier", "live",
                         "--invocation-type", "Event", "--cli-binary-format", "raw-in-base64-out",
                         "--payload", '{"to": "cli"}', str(tmp_path / "out"))
    assert out == {"StatusCode": 202}
    delivered = wait_records(logs, via_alias, 3)
    [cli] = [d["record"] for d in delivered if d["record"]["requestPayload"] == {"to": "cli"}]
    assert cli["requestContext"]["functionArn"] == arn(name, "live")
    assert cli["responseContext"] == {"statusCode": 200, "executedVersion": "1"}
    wait_finished(daemon, latest)
    assert len(records(logs, via_version)) == 1
    assert len(records(logs, via_alias)) == 3

    # A record may go to a qualified destination: the alias of the recorder runs it.
    assert lam.publish_version(FunctionName=via_version)["Version"] == "1"
    lam.create_alias(FunctionName=via_version, Name="prod", FunctionVersion="1")
    put_config(lam, name, "1", **destinations(on_success=arn(via_version, "prod")))
    again = send(lam, name, {"to": "qualified destination"}, Qualifier="1")
    delivered = wait_records(logs, via_version, 2)
    [last] = [d for d in delivered if d["record"]["requestContext"]["requestId"] == again]
    assert last["invoked"] == arn(via_version, "prod") and last["version"] == "1"


# --- event-invoke-config operations ----------------------------------------------------------------

def test_event_invoke_config_lifecycle(lam, worker, recorder):
    latest = arn(worker, "$LATEST")
    missing = f"The function {latest} doesn't have an EventInvokeConfig"
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=worker)
    assert error_of(e) == ("ResourceNotFoundException", 404, missing)
    with pytest.raises(ClientError) as e:
        lam.update_function_event_invoke_config(FunctionName=worker, MaximumRetryAttempts=1)
    assert error_of(e) == ("ResourceNotFoundException", 404, missing)
    with pytest.raises(ClientError) as e:
        lam.delete_function_event_invoke_config(FunctionName=worker)
    assert error_of(e) == ("ResourceNotFoundException", 404, missing)
    # A failed update creates nothing.
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=worker)
    assert error_of(e)[0] == "ResourceNotFoundException"
    assert lam.list_function_event_invoke_configs(
        FunctionName=worker)["FunctionEventInvokeConfigs"] == []

    before = time.time()
    put = lam.put_function_event_invoke_config(
        FunctionName=worker, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=100,
        DestinationConfig={"OnFailure": {"Destination": arn(recorder)}})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["FunctionArn"] == latest
    assert put["MaximumRetryAttempts"] == 1 and put["MaximumEventAgeInSeconds"] == 100
    assert put["DestinationConfig"] == {"OnSuccess": {},
                                        "OnFailure": {"Destination": arn(recorder)}}
    assert before - 5 <= put["LastModified"].timestamp() <= time.time() + 5
    got = lam.get_function_event_invoke_config(FunctionName=worker)
    for key in ("FunctionArn", "MaximumRetryAttempts", "MaximumEventAgeInSeconds",
                "DestinationConfig", "LastModified"):
        assert got[key] == put[key], key
    # $LATEST named explicitly is the same config.
    assert lam.get_function_event_invoke_config(
        FunctionName=worker, Qualifier="$LATEST")["FunctionArn"] == latest

    # Update merges what it names into the config.
    updated = lam.update_function_event_invoke_config(
        FunctionName=worker, MaximumRetryAttempts=0,
        DestinationConfig={"OnSuccess": {"Destination": arn(recorder)}})
    assert updated["FunctionArn"] == latest
    assert updated["LastModified"] >= put["LastModified"]
    assert updated["MaximumRetryAttempts"] == 0 and updated["MaximumEventAgeInSeconds"] == 100
    assert updated["DestinationConfig"]["OnSuccess"] == {"Destination": arn(recorder)}
    got = lam.get_function_event_invoke_config(FunctionName=worker)
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (0, 100)
    assert got["DestinationConfig"] == updated["DestinationConfig"]
    updated = lam.update_function_event_invoke_config(FunctionName=worker,
                                                      MaximumEventAgeInSeconds=21600)
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 21600)
    assert updated["DestinationConfig"] == got["DestinationConfig"]

    # Put replaces the whole config: what it leaves out is gone.
    put = lam.put_function_event_invoke_config(FunctionName=worker, MaximumEventAgeInSeconds=60)
    assert put["MaximumEventAgeInSeconds"] == 60
    got = lam.get_function_event_invoke_config(FunctionName=worker)
    assert "MaximumRetryAttempts" not in got
    assert got["MaximumEventAgeInSeconds"] == 60
    assert got["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}

    [listed] = lam.list_function_event_invoke_configs(
        FunctionName=worker)["FunctionEventInvokeConfigs"]
    assert listed["FunctionArn"] == latest and listed["MaximumEventAgeInSeconds"] == 60

    deleted = lam.delete_function_event_invoke_config(FunctionName=worker)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=worker)
    assert error_of(e) == ("ResourceNotFoundException", 404, missing)
    assert lam.list_function_event_invoke_configs(
        FunctionName=worker)["FunctionEventInvokeConfigs"] == []


def test_event_invoke_configs_per_qualifier_and_list_pages(lam, loose, worker):
    assert lam.publish_version(FunctionName=worker)["Version"] == "1"
    lam.create_alias(FunctionName=worker, Name="live", FunctionVersion="1")
    put_config(lam, worker, MaximumRetryAttempts=2)
    put_config(lam, worker, "1", MaximumRetryAttempts=1)
    put_config(lam, worker, "live", MaximumRetryAttempts=0)
    for qualifier, retries in [(None, 2), ("$LATEST", 2), ("1", 1), ("live", 0)]:
        kwargs = {"Qualifier": qualifier} if qualifier else {}
        got = lam.get_function_event_invoke_config(FunctionName=worker, **kwargs)
        assert got["FunctionArn"] == arn(worker, qualifier or "$LATEST")
        assert got["MaximumRetryAttempts"] == retries, qualifier

    configs = lam.list_function_event_invoke_configs(
        FunctionName=worker)["FunctionEventInvokeConfigs"]
    assert {c["FunctionArn"]: c["MaximumRetryAttempts"] for c in configs} == {
        arn(worker, "$LATEST"): 2, arn(worker, "1"): 1, arn(worker, "live"): 0}
    # The list is the function's; a qualified ARN names the same function.
    by_arn = lam.list_function_event_invoke_configs(FunctionName=arn(worker))
    assert len(by_arn["FunctionEventInvokeConfigs"]) == 3

    seen, marker = [], None
    for _ in range(10):
        kwargs = {"Marker": marker} if marker else {}
        page = lam.list_function_event_invoke_configs(FunctionName=worker, MaxItems=1, **kwargs)
        assert len(page["FunctionEventInvokeConfigs"]) == 1
        seen += [c["FunctionArn"] for c in page["FunctionEventInvokeConfigs"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert sorted(seen) == sorted(c["FunctionArn"] for c in configs)
    paginated = [c["FunctionArn"] for page in lam.get_paginator(
        "list_function_event_invoke_configs").paginate(FunctionName=worker,
                                                       PaginationConfig={"PageSize": 2})
                 for c in page["FunctionEventInvokeConfigs"]]
    assert sorted(paginated) == sorted(seen)
    for kwargs, error in [
            ({"MaxItems": 0}, ("ValidationException", 400, "1 validation error detected: " +
                               validation("maxItems", 0, "Member must have value greater than "
                                                         "or equal to 1"))),
            ({"MaxItems": 10001}, ("ValidationException", 400, "1 validation error detected: " +
                                   validation("maxItems", 10001, "Member must have value less "
                                                                 "than or equal to 10000"))),
            ({"Marker": "not-a-marker"}, ("InvalidParameterValueException", 400,
                                          "Invalid marker: not-a-marker"))]:
        with pytest.raises(ClientError) as e:
            loose.list_function_event_invoke_configs(FunctionName=worker, **kwargs)
        assert error_of(e) == error, kwargs

    # Deleting one leaves the others.
    lam.delete_function_event_invoke_config(FunctionName=worker, Qualifier="1")
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=worker, Qualifier="1")
    assert error_of(e) == ("ResourceNotFoundException", 404,
                           f"The function {arn(worker, '1')} doesn't have an EventInvokeConfig")
    assert lam.get_function_event_invoke_config(FunctionName=worker,
                                                Qualifier="live")["MaximumRetryAttempts"] == 0
    assert len(lam.list_function_event_invoke_configs(
        FunctionName=worker)["FunctionEventInvokeConfigs"]) == 2

    # Unknown functions, versions and aliases.
    nobody = unique("nobody")
    for kwargs in [{"FunctionName": nobody}, {"FunctionName": worker, "Qualifier": "9"},
                   {"FunctionName": worker, "Qualifier": "nope"}]:
        with pytest.raises(ClientError) as e:
            lam.put_function_event_invoke_config(MaximumRetryAttempts=1, **kwargs)
        assert error_of(e)[:2] == ("ResourceNotFoundException", 404), kwargs
        with pytest.raises(ClientError) as e:
            lam.get_function_event_invoke_config(**kwargs)
        assert error_of(e)[:2] == ("ResourceNotFoundException", 404), kwargs
    with pytest.raises(ClientError) as e:
        lam.list_function_event_invoke_configs(FunctionName=nobody)
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)


def validation(member, value, constraint):
    return f"Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"


@pytest.mark.parametrize("config,message", [
    ({"MaximumRetryAttempts": 3}, "1 validation error detected: " + validation(
        "maximumRetryAttempts", 3, "Member must have value less than or equal to 2")),
    ({"MaximumRetryAttempts": -1}, "1 validation error detected: " + validation(
        "maximumRetryAttempts", -1, "Member must have value greater than or equal to 0")),
    ({"MaximumEventAgeInSeconds": 59}, "1 validation error detected: " + validation(
        "maximumEventAgeInSeconds", 59, "Member must have value greater than or equal to 60")),
    ({"MaximumEventAgeInSeconds": 21601}, "1 validation error detected: " + validation(
        "maximumEventAgeInSeconds", 21601, "Member must have value less than or equal to 21600")),
    ({"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 1},
     "2 validation errors detected: " + validation(
         "maximumRetryAttempts", 5, "Member must have value less than or equal to 2") + "; " +
     validation("maximumEventAgeInSeconds", 1,
                "Member must have value greater than or equal to 60")),
])
def test_event_invoke_config_range_validation(lam, loose, worker, config, message):
    for operation in (loose.put_function_event_invoke_config,
                      loose.update_function_event_invoke_config):
        with pytest.raises(ClientError) as e:
            operation(FunctionName=worker, **config)
        assert error_of(e) == ("ValidationException", 400, message), operation
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=worker)
    assert error_of(e)[0] == "ResourceNotFoundException", "an invalid config was stored"


def test_event_invoke_config_boundaries_are_accepted(lam, worker):
    for retries, age in [(0, 60), (2, 21600)]:
        put = put_config(lam, worker, MaximumRetryAttempts=retries, MaximumEventAgeInSeconds=age)
        assert (put["MaximumRetryAttempts"], put["MaximumEventAgeInSeconds"]) == (retries, age)


@pytest.mark.parametrize("destination,code", [
    (f"arn:aws:sqs:{REGION}:{ACCOUNT}:a-queue", "InvalidParameterValueException"),
    (f"arn:aws:sns:{REGION}:{ACCOUNT}:a-topic", "InvalidParameterValueException"),
    (f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default", "InvalidParameterValueException"),
    ("arn:aws:s3:::a-bucket", "InvalidParameterValueException"),
    ("not-an-arn", "ValidationException"),
    (f"arn:aws:lambda:{REGION}:{ACCOUNT}", "ValidationException"),
])
@pytest.mark.parametrize("which", ["OnSuccess", "OnFailure"])
def test_only_function_destinations_are_supported(lam, loose, worker, destination, code, which):
    with pytest.raises(ClientError) as e:
        loose.put_function_event_invoke_config(
            FunctionName=worker, DestinationConfig={which: {"Destination": destination}})
    assert error_of(e)[:2] == (code, 400)
    if code == "ValidationException":
        member = "destinationConfig." + ("onSuccess" if which == "OnSuccess" else "onFailure") + \
                 ".destination"
        assert error_of(e)[2].startswith(
            "1 validation error detected: " +
            validation(member, destination, "Member must satisfy regular expression pattern: ")), \
            error_of(e)[2]
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=worker)
    assert error_of(e)[0] == "ResourceNotFoundException", "an invalid config was stored"


def test_cli_event_invoke_config(daemon, lam, worker, recorder):
    code, _, err = daemon.cli("lambda", "get-function-event-invoke-config", "--function-name",
                            worker, check=False)
    assert code != 0 and "ResourceNotFoundException" in err
    assert f"The function {arn(worker, '$LATEST')} doesn't have an EventInvokeConfig" in err

    _, put, _ = daemon.cli(
        "lambda", "put-function-event-invoke-config", "--function-name", worker,
        "--maximum-retry-attempts", "1", "--maximum-event-age-in-seconds", "3600",
        "--destination-config", json.dumps({"OnFailure": {"Destination": arn(recorder)}}))
    assert put["FunctionArn"] == arn(worker, "$LATEST")
    assert put["MaximumRetryAttempts"] == 1 and put["MaximumEventAgeInSeconds"] == 3600
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": arn(recorder)}

    _, updated, _ = daemon.cli("lambda", "update-function-event-invoke-config", "--function-name",
                             worker, "--maximum-retry-attempts", "0")
    assert updated["MaximumRetryAttempts"] == 0 and updated["MaximumEventAgeInSeconds"] == 3600

    _, got, _ = daemon.cli("lambda", "get-function-event-invoke-config", "--function-name", worker,
                         "--qualifier", "$LATEST")
    assert got["MaximumRetryAttempts"] == 0
    assert got["DestinationConfig"]["OnFailure"] == {"Destination": arn(recorder)}

    _, listed, _ = daemon.cli("lambda", "list-function-event-invoke-configs", "--function-name",
                            worker)
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == \
        [arn(worker, "$LATEST")]

    code, _, err = daemon.cli("lambda", "put-function-event-invoke-config", "--function-name",
                            worker, "--maximum-retry-attempts", "3", check=False)
    assert code != 0 and "ValidationException" in err
    assert validation("maximumRetryAttempts", 3,
                      "Member must have value less than or equal to 2") in err
    code, _, err = daemon.cli(
        "lambda", "put-function-event-invoke-config", "--function-name", worker,
        "--destination-config",
        json.dumps({"OnSuccess": {"Destination": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"}}),
        check=False)
    assert code != 0 and "InvalidParameterValueException" in err
    # Neither failure touched the stored config.
    assert lam.get_function_event_invoke_config(FunctionName=worker)["MaximumRetryAttempts"] == 0

    daemon.cli("lambda", "delete-function-event-invoke-config", "--function-name", worker)
    code, _, err = daemon.cli("lambda", "get-function-event-invoke-config", "--function-name",
                            worker, check=False)
    assert code != 0 and "ResourceNotFoundException" in err


# --- event age (last: the one slow test) -------------------------------------------------------

def age_of(record, sent_at):
    when = datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return when.replace(tzinfo=timezone.utc).timestamp() - sent_at


def test_events_older_than_their_maximum_age_go_to_on_failure(daemon_factory, daemon, lam, logs,
                                                              worker, recorder):
    """The one slow test (the shortest maximum age is 60 s), with two events aging side by side:
    one throttled all along on the shared daemon, and one whose first attempt failed on a daemon
    that retries only after 61 s."""
    lam.put_function_concurrency(FunctionName=worker, ReservedConcurrentExecutions=0)
    put_config(lam, worker, MaximumEventAgeInSeconds=60, **destinations(on_failure=arn(recorder)))
    slow = daemon_factory(extra_args=["--async-retry-delays", "61000,61000",
                                      "--async-backoff-max", "1000"])
    slow_lam, slow_logs = slow.client("lambda", read_timeout=60), slow.client("logs")
    slow_role = make_role(slow)
    failing = create(slow_lam, slow_role, zip_bytes=worker_zip())
    slow_recorder = create(slow_lam, slow_role, {"index.py": RECORDER_PY})
    put_config(slow_lam, failing, MaximumEventAgeInSeconds=60,
               **destinations(on_failure=arn(slow_recorder)))

    sent_at = time.time()
    throttled = send(lam, worker, {"too": "late"})
    failed_once = send(slow_lam, failing, {"fail": "late"})
    [first_attempt] = wait_until(lambda: starts(slow_logs, failing, failed_once), 30,
                                 "the first attempt to run")
    [delivered] = wait_records(logs, recorder, 1, timeout=90)
    [delivered_after_a_run] = wait_records(slow_logs, slow_recorder, 1, timeout=30)
    assert time.time() - sent_at >= 60

    # Never ran: no response in the record, and no invoke counted.
    record = delivered["record"]
    assert_record(record, throttled, arn(worker, "$LATEST"), "EventAgeExceeded", 0,
                  {"too": "late"}, ran=False, sent_at=sent_at)
    assert 60 <= age_of(record, sent_at) <= 60 + 5, record["timestamp"]
    assert starts(logs, worker) == []
    assert not queued(daemon, throttled)

    # Ran once and failed, then aged out waiting for its retry: the record counts the attempt
    # and carries the response of that attempt.
    assert starts(slow_logs, failing) == [first_attempt]
    assert not queued(slow, failed_once)
    record = delivered_after_a_run["record"]
    assert 60 <= age_of(record, sent_at) <= 61 + 5, record["timestamp"]
    assert_record(record, failed_once, arn(failing, "$LATEST"), "EventAgeExceeded", 1,
                  {"fail": "late"}, function_error="Unhandled", sent_at=sent_at)
    assert record["responsePayload"]["errorMessage"] == "asked to fail: late"
    assert record["responsePayload"]["requestId"] == failed_once


# --- dead-letter targets --------------------------------------------------------------------------

def test_a_failed_event_goes_itself_to_a_function_dead_letter_target_beside_on_failure(
        daemon, lam, logs, worker, recorder, role):
    dead_letters = create(lam, role, {"index.py": RECORDER_PY})
    lam.update_function_configuration(FunctionName=worker,
                                      DeadLetterConfig={"TargetArn": arn(dead_letters)})
    lam.get_waiter("function_updated").wait(FunctionName=worker)
    put_config(lam, worker, MaximumRetryAttempts=0, **destinations(on_failure=arn(recorder)))
    event = {"fail": "to the dead letters"}
    request_id = send(lam, worker, event)
    [dead] = wait_records(logs, dead_letters, 1)
    assert dead["record"] == event, "the dead-letter target gets the event itself"
    [record] = wait_records(logs, recorder, 1)
    assert record["record"]["requestContext"]["requestId"] == request_id
    assert not queued(daemon, request_id)
    # A success goes to neither.
    ok = send(lam, worker, {"fine": True})
    wait_until(lambda: not queued(daemon, ok), 30, "the successful event to finish")
    assert len(records(logs, dead_letters)) == 1


def test_a_dead_letter_target_lamina_does_not_have_is_kept_and_reported(daemon, lam, logs,
                                                                        worker, recorder):
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dead-letters"
    lam.update_function_configuration(FunctionName=worker, DeadLetterConfig={"TargetArn": queue})
    lam.get_waiter("function_updated").wait(FunctionName=worker)
    assert lam.get_function_configuration(
        FunctionName=worker)["DeadLetterConfig"] == {"TargetArn": queue}
    put_config(lam, worker, MaximumRetryAttempts=0, **destinations(on_failure=arn(recorder)))
    request_id = send(lam, worker, {"fail": "nowhere to go"})
    wait_records(logs, recorder, 1)
    assert not queued(daemon, request_id)
    wait_until(lambda: "cannot deliver a failed event to its dead-letter target" in
               daemon.read_log(), 10, "the daemon to report the undeliverable dead letter")
