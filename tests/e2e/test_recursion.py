"""The recursion guard end to end: every invocation carries an X-Amzn-Trace-Id whose Lineage field
counts how often each function ran in one chain; a function's own boto3 forwards it (botocore sends
_X_AMZN_TRACE_ID on). A function that keeps invoking itself asynchronously is stopped after 16
invocations in one chain (the 17th event goes to its OnFailure destination with condition
RecursiveInvocationDetected) unless PutFunctionRecursionConfig set RecursiveLoop=Allow; a
synchronous invoke arriving with more than 16 in its lineage is refused with
RecursiveInvocationException. Plus Get/PutFunctionRecursionConfig themselves.

What ran is read back from the functions' log groups, every wait a poll with a deadline.
"""
import json
import re
import time

import pytest
from botocore.exceptions import ClientError

from conftest import error_of, log_events, make_role, unique, function_arn as arn, wait_until
from test_invoke import create

START_RE = re.compile(r"^START RequestId: (\S+) Version: (\S+)$")
ROOT_RE = re.compile(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}")
LINEAGE_RE = re.compile(r"(?:^|;)Lineage=([^;]*)")
LIMIT = 16

# A hop of a chain: prints what it saw, then (unless the chain is at its "stop") invokes the next
# function of the event's "ring" (itself by default) asynchronously through the platform's
# endpoint with its role's credentials. It never raises, so no retry slows a test: what went
# wrong is printed.
LOOPER_PY = r'''
import json, os

import boto3
import botocore.config

LAMBDA = boto3.client("lambda", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                      region_name=os.environ["AWS_REGION"],
                      config=botocore.config.Config(retries={"max_attempts": 0},
                                                    read_timeout=20))


def handler(event, context):
    n = event.get("n", 0) + 1
    ring = event.get("ring") or [context.function_name]
    hop = {"n": n, "function": context.function_name, "request_id": context.aws_request_id,
           "trace": os.environ.get("_X_AMZN_TRACE_ID")}
    if n < event.get("stop", 1000):
        target = ring[n % len(ring)]
        try:
            r = LAMBDA.invoke(FunctionName=target, InvocationType="Event",
                              Payload=json.dumps(dict(event, n=n)))
            hop["sent"] = {"to": target, "status": r["StatusCode"],
                           "request_id": r["ResponseMetadata"]["RequestId"]}
        except Exception as e:
            hop["error"] = repr(e)
    print("HOP " + json.dumps(hop))
    return hop
'''

# A function that only reports the trace header it was invoked with.
TRACE_PY = r'''
import os


def handler(event, context):
    return {"trace": os.environ.get("_X_AMZN_TRACE_ID")}
'''

# A destination: prints each record it receives.
RECORDER_PY = r'''
import json


def handler(event, context):
    print("RECORD " + json.dumps(event))
    return "recorded"
'''


@pytest.fixture(scope="module")
def invoker_role(daemon):
    """An execution role whose functions may invoke any function."""
    role_arn = make_role(daemon)
    daemon.client("iam").put_role_policy(
        RoleName=role_arn.rsplit("/", 1)[1], PolicyName="invoke",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]}))
    return role_arn


def looper(lam, role, name=None):
    return create(lam, role, {"index.py": LOOPER_PY}, name=name or unique("loop"), Timeout=30)


@pytest.fixture
def recorder(lam, invoker_role):
    return create(lam, invoker_role, {"index.py": RECORDER_PY}, name=unique("recorder"))


def log_messages(logs, name):
    """Every message of /aws/lambda/<name>, oldest first ([] while the group does not exist)."""
    return [e["message"] for e in log_events(logs, name)]


def printed(logs, name, prefix):
    return [json.loads(m[len(prefix):]) for m in log_messages(logs, name) if m.startswith(prefix)]


def hops(logs, *names):
    """The HOP lines of the functions `names`, by hop number."""
    return sorted((h for name in names for h in printed(logs, name, "HOP ")), key=lambda h: h["n"])


def starts(logs, name):
    return [m for m in log_messages(logs, name) if START_RE.match(m)]


def lineage(trace):
    """{function hash: count} of a trace header's Lineage field."""
    m = LINEAGE_RE.search(trace or "")
    assert m, trace
    out = {}
    for entry in m.group(1).split("|"):
        key, _, count = entry.rpartition(":")
        out[key] = int(count)
    return out


def root(trace):
    m = ROOT_RE.search(trace or "")
    assert m, trace
    return m.group(0)


def start_chain(lam, name, **event):
    r = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
    assert r["StatusCode"] == 202
    return r["ResponseMetadata"]["RequestId"]


def assert_chain(found, names, count):
    """`found` are hops 1..count, in a ring over `names`, each but the last handing on."""
    assert [h["n"] for h in found] == list(range(1, count + 1)), [h["n"] for h in found]
    for h in found:
        assert "error" not in h, h
        assert h["function"] == names[(h["n"] - 1) % len(names)], h
    # One chain: one trace root throughout.
    assert len({root(h["trace"]) for h in found}) == 1, [h["trace"] for h in found]


# --- Get/PutFunctionRecursionConfig ----------------------------------------------------------

def test_recursion_config_defaults_to_terminate_and_put_changes_it(lam, invoker_role):
    name = create(lam, invoker_role, {"index.py": TRACE_PY})
    got = lam.get_function_recursion_config(FunctionName=name)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["RecursiveLoop"] == "Terminate"
    put = lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["RecursiveLoop"] == "Allow"
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Allow"
    assert lam.get_function_recursion_config(FunctionName=arn(name))["RecursiveLoop"] == "Allow"
    put = lam.put_function_recursion_config(FunctionName=arn(name), RecursiveLoop="Terminate")
    assert put["RecursiveLoop"] == "Terminate"
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"


def test_bad_recursion_configs_are_refused(loose, invoker_role):
    name = create(loose, invoker_role, {"index.py": TRACE_PY})
    for value in ("Sometimes", "allow", ""):
        with pytest.raises(ClientError) as e:
            loose.put_function_recursion_config(FunctionName=name, RecursiveLoop=value)
        code_, status, message = error_of(e)
        assert (code_, status) == ("ValidationException", 400), (value, message)
        assert "recursiveLoop" in message, message
    with pytest.raises(ClientError) as e:
        loose.put_function_recursion_config(FunctionName=name)
    assert error_of(e)[:2] == ("ValidationException", 400)
    assert loose.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"
    missing = unique("missing")
    with pytest.raises(ClientError) as e:
        loose.put_function_recursion_config(FunctionName=missing, RecursiveLoop="Allow")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {arn(missing)}")
    with pytest.raises(ClientError) as e:
        loose.get_function_recursion_config(FunctionName=missing)
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    # The setting is the function's: a version's or alias's name is refused.
    loose.publish_version(FunctionName=name)
    with pytest.raises(ClientError) as e:
        loose.put_function_recursion_config(FunctionName=f"{name}:1", RecursiveLoop="Allow")
    assert error_of(e)[1] == 400 and error_of(e)[0] in ("ValidationException",
                                                        "InvalidParameterValueException")
    assert loose.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"


def test_recursion_config_survives_a_restart(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda")
    name = create(lam, make_role(d), {"index.py": TRACE_PY})
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    d.kill9()
    d.start()
    assert d.client("lambda").get_function_recursion_config(
        FunctionName=name)["RecursiveLoop"] == "Allow"


# --- the trace header and its lineage --------------------------------------------------------

def trace_client(daemon, header):
    """A Lambda client whose Invoke calls carry X-Amzn-Trace-Id: `header`."""
    client = daemon.client("lambda", read_timeout=60)

    def add(request, **kwargs):
        request.headers["X-Amzn-Trace-Id"] = header

    client.meta.events.register("before-sign.lambda.Invoke", add)
    return client


def test_each_invocation_gets_a_trace_header_with_its_lineage(lam, invoker_role):
    name = create(lam, invoker_role, {"index.py": TRACE_PY})
    traces = [json.loads(lam.invoke(FunctionName=name)["Payload"].read())["trace"]
              for _ in range(2)]
    for trace in traces:
        assert trace.startswith("Root=1-"), trace
        root(trace)
        [(key, count)] = lineage(trace).items()
        assert count == 1 and re.fullmatch(r"[0-9a-f]{8}", key), trace
    assert root(traces[0]) != root(traces[1]), "each invoke from outside starts its own chain"
    assert lineage(traces[0]) == lineage(traces[1]), "one key per function"
    other = create(lam, invoker_role, {"index.py": TRACE_PY})
    other_trace = json.loads(lam.invoke(FunctionName=other)["Payload"].read())["trace"]
    assert lineage(other_trace).keys() != lineage(traces[0]).keys()


def test_sync_invoke_arriving_with_more_than_16_in_its_lineage_is_refused(daemon, lam,
                                                                         invoker_role):
    name = create(lam, invoker_role, {"index.py": TRACE_PY})
    first = json.loads(lam.invoke(FunctionName=name)["Payload"].read())["trace"]
    [key] = lineage(first)
    chain_root = "Root=1-5759e988-bd862e3fe1be46a994272793"

    # Arriving with 15: this is the 16th, which runs; the caller's root is kept, and what the
    # lineage says of other functions too.
    header = f"{chain_root};Lineage={key}:{LIMIT - 1}|0badf00d:3"
    r = trace_client(daemon, header).invoke(FunctionName=name, Payload=b"{}")
    assert r["StatusCode"] == 200 and "FunctionError" not in r
    seen = json.loads(r["Payload"].read())["trace"]
    assert root(seen) == chain_root, seen
    assert lineage(seen) == {key: LIMIT, "0badf00d": 3}, seen

    # Arriving with 16: the 17th is refused and does not run.
    with pytest.raises(ClientError) as e:
        trace_client(daemon, f"{chain_root};Lineage={key}:{LIMIT}").invoke(
            FunctionName=name, Payload=b"{}")
    code_, status, message = error_of(e)
    assert (code_, status) == ("RecursiveInvocationException", 400), message
    assert "recursive loop" in message, message
    # Another function's count does not matter.
    other_header = f"{chain_root};Lineage=0badf00d:{LIMIT + 10}"
    r = trace_client(daemon, other_header).invoke(FunctionName=name, Payload=b"{}")
    assert lineage(json.loads(r["Payload"].read())["trace"]) == {key: 1, "0badf00d": LIMIT + 10}

    # With RecursiveLoop=Allow it runs.
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    r = trace_client(daemon, f"{chain_root};Lineage={key}:{LIMIT + 5}").invoke(
        FunctionName=name, Payload=b"{}")
    assert r["StatusCode"] == 200 and "FunctionError" not in r
    assert lineage(json.loads(r["Payload"].read())["trace"]) == {key: LIMIT + 6}


# --- asynchronous loops ----------------------------------------------------------------------

def test_function_invoking_itself_is_stopped_after_16_and_the_17th_goes_to_on_failure(
        lam, logs, invoker_role, recorder):
    name = looper(lam, invoker_role)
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": arn(recorder)}})
    first = start_chain(lam, name, tag="loop")
    [record] = wait_until(lambda: printed(logs, recorder, "RECORD "), 90,
                          "the stopped event's record at the OnFailure destination")
    found = hops(logs, name)
    assert_chain(found, [name], LIMIT)
    assert found[0]["request_id"] == first
    # Each hop's lineage counts it.
    assert [lineage(h["trace"]) for h in found] == \
        [{next(iter(lineage(found[0]["trace"]))): n} for n in range(1, LIMIT + 1)]
    # The 16th sent the 17th, which was accepted, then dropped without running.
    last = found[-1]
    assert last["sent"]["status"] == 202, last
    dropped_id = last["sent"]["request_id"]
    assert record["requestContext"]["condition"] == "RecursiveInvocationDetected", record
    assert record["requestContext"]["requestId"] == dropped_id, record
    assert record["requestContext"]["functionArn"] == arn(name, "$LATEST"), record
    assert record["requestPayload"] == {"tag": "loop", "n": LIMIT}, record
    assert "responsePayload" not in record and "responseContext" not in record, record
    # Nothing more ran, and no other record came.
    time.sleep(2)
    assert len(hops(logs, name)) == LIMIT
    assert len(starts(logs, name)) == LIMIT
    assert len(printed(logs, recorder, "RECORD ")) == 1

    # The guard stops a chain, not the function: a new chain runs from 1 again.
    start_chain(lam, name, tag="again", stop=2)
    again = wait_until(lambda: (lambda h: h if len(h) >= 2 else None)(
        [h for h in printed(logs, name, "HOP ") if root(h["trace"]) != root(found[0]["trace"])]),
        30, "the new chain's two hops")
    # By hop number: two environments' lines may carry the same millisecond.
    again.sort(key=lambda h: h["n"])
    assert [h["n"] for h in again] == [1, 2]
    assert [list(lineage(h["trace"]).values()) for h in again] == [[1], [2]]


def test_a_loop_through_an_alias_counts_as_the_function_and_is_stopped(lam, logs, invoker_role,
                                                                      recorder):
    name = looper(lam, invoker_role)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lam.put_function_event_invoke_config(
        FunctionName=name, Qualifier="live",
        DestinationConfig={"OnFailure": {"Destination": arn(recorder)}})
    start_chain(lam, f"{name}:live", ring=[f"{name}:live"])
    [record] = wait_until(lambda: printed(logs, recorder, "RECORD "), 90,
                          "the stopped event's record at the alias's OnFailure destination")
    found = hops(logs, name)
    assert_chain(found, [name], LIMIT)
    assert record["requestContext"]["condition"] == "RecursiveInvocationDetected", record
    assert record["requestContext"]["functionArn"] == arn(name, "live"), record
    assert record["requestContext"]["requestId"] == found[-1]["sent"]["request_id"], record


def test_event_arriving_with_more_than_16_in_its_lineage_is_dropped_unless_allowed(
        daemon, lam, logs, invoker_role, recorder):
    name = create(lam, invoker_role, {"index.py": TRACE_PY})
    [key] = lineage(json.loads(lam.invoke(FunctionName=name)["Payload"].read())["trace"])
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": arn(recorder)}})
    header = f"Root=1-5759e988-bd862e3fe1be46a994272793;Lineage={key}:{LIMIT}"
    r = trace_client(daemon, header).invoke(FunctionName=name, InvocationType="Event",
                                            Payload=b'{"too": "deep"}')
    assert r["StatusCode"] == 202, "accepted: the guard acts when the event is dispatched"
    dropped = r["ResponseMetadata"]["RequestId"]
    [record] = wait_until(lambda: printed(logs, recorder, "RECORD "), 30,
                          "the dropped event's record")
    assert record["requestContext"]["requestId"] == dropped
    assert record["requestContext"]["condition"] == "RecursiveInvocationDetected"
    assert record["requestPayload"] == {"too": "deep"}
    assert len(starts(logs, name)) == 1, "only the first, plain invoke ran"

    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    r = trace_client(daemon, header).invoke(FunctionName=name, InvocationType="Event",
                                            Payload=b"{}")
    allowed = r["ResponseMetadata"]["RequestId"]
    wait_until(lambda: any(allowed in m for m in starts(logs, name)), 30, "the allowed event to run")
    assert len(printed(logs, recorder, "RECORD ")) == 1


def test_recursive_loop_allow_lets_a_function_keep_invoking_itself(lam, logs, invoker_role):
    name = looper(lam, invoker_role)
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    stop = LIMIT + 4
    start_chain(lam, name, stop=stop)
    found = wait_until(lambda: (lambda h: h if len(h) >= stop else None)(hops(logs, name)), 90,
                       f"{stop} hops")
    assert_chain(found, [name], stop)
    assert list(lineage(found[-1]["trace"]).values()) == [stop]
    assert "sent" not in found[-1], "the last hop stopped by itself"
    time.sleep(1)
    assert len(hops(logs, name)) == stop


def test_a_loop_through_two_functions_is_stopped_too(lam, logs, invoker_role, recorder):
    """A -> B -> A -> ...: each function's count rises by one a round, so A's 17th is stopped:
    16 runs of each. (The chain stops itself after 60 hops should the guard miss it.)"""
    a, b = looper(lam, invoker_role), looper(lam, invoker_role)
    lam.put_function_event_invoke_config(
        FunctionName=a, DestinationConfig={"OnFailure": {"Destination": arn(recorder)}})
    cap = 60
    start_chain(lam, a, ring=[a, b], stop=cap)

    def settled():
        if printed(logs, recorder, "RECORD "):
            return "stopped"
        return "ran to the cap" if len(hops(logs, a, b)) >= cap else None

    outcome = wait_until(settled, 120, "the loop to be stopped or reach its cap")
    found = hops(logs, a, b)
    assert_chain(found, [a, b], len(found))
    counts = [lineage(h["trace"]) for h in found]
    assert outcome == "stopped", (
        f"{len(found)} hops ran; the lineage each saw: {[h['trace'] for h in found[:4]]} ...")
    assert len(found) == 2 * LIMIT, counts
