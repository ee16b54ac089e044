"""CloudWatch Logs end to end: the real daemon driven by boto3, the AWS CLI v2 and raw HTTP.

Events are written with PutLogEvents; `aws logs tail` (with and without --follow) reads them the
way it reads a Lambda function's logs.
"""
import json
import os
import subprocess
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import AWS_CLI, error_of, make_role, make_zip, unique

ACCOUNT = "000000000000"
REGION = "us-east-1"


def now_ms():
    return int(time.time() * 1000)


def raw(daemon, operation, body, target_prefix="Logs_20140328."):
    """A signed JSON 1.1 request with any body; returns (status, headers, parsed body or None)."""
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if operation is not None:
        headers["X-Amz-Target"] = target_prefix + operation
    status, response_headers, data = daemon.request("POST", "/", body, headers, service="logs")
    return status, response_headers, json.loads(data) if data else None


@pytest.fixture
def logs(daemon):
    return daemon.client("logs")


@pytest.fixture
def loose_logs(daemon):
    """A client that skips botocore's own parameter checks, so the daemon's are exercised."""
    return daemon.client("logs", parameter_validation=False)


def make_stream(logs, group=None, stream="s"):
    group = group or unique("/test/group")
    try:
        logs.create_log_group(logGroupName=group)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    return group, stream


def put(logs, group, stream, messages, start=None, step=1):
    start = now_ms() if start is None else start
    events = [{"timestamp": start + i * step, "message": m} for i, m in enumerate(messages)]
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


# --- log groups -------------------------------------------------------------------------------

def test_log_group_lifecycle(logs):
    group = unique("/aws/lambda/fn")
    before = now_ms()
    logs.create_log_group(logGroupName=group)
    with pytest.raises(ClientError) as e:
        logs.create_log_group(logGroupName=group)
    assert error_of(e) == ("ResourceAlreadyExistsException", 400,
                           "The specified log group already exists")

    [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["logGroupName"] == group
    assert described["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"
    assert described["storedBytes"] == 0
    assert described["metricFilterCount"] == 0
    assert before - 1000 <= described["creationTime"] <= now_ms() + 1000
    assert "retentionInDays" not in described

    logs.put_retention_policy(logGroupName=group, retentionInDays=14)
    [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["retentionInDays"] == 14
    logs.delete_retention_policy(logGroupName=group)
    [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert "retentionInDays" not in described

    logs.delete_log_group(logGroupName=group)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    for call in (lambda: logs.delete_log_group(logGroupName=group),
                 lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=1),
                 lambda: logs.delete_retention_policy(logGroupName=group),
                 lambda: logs.create_log_stream(logGroupName=group, logStreamName="s")):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == ("ResourceNotFoundException", 400,
                               "The specified log group does not exist.")


def test_describe_log_groups_prefix_pattern_and_pages(logs):
    base = unique("/pages")
    names = [f"{base}/g{i:02d}" for i in range(7)] + [f"{base}/Other-X"]
    for name in names:
        logs.create_log_group(logGroupName=name)
    listed = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=base)
              ["logGroups"]]
    assert listed == sorted(names)

    paginator = logs.get_paginator("describe_log_groups")
    pages = list(paginator.paginate(logGroupNamePrefix=base, PaginationConfig={"PageSize": 3}))
    assert [len(p["logGroups"]) for p in pages] == [3, 3, 2]
    assert "nextToken" in pages[0] and "nextToken" not in pages[-1]
    assert [g["logGroupName"] for p in pages for g in p["logGroups"]] == sorted(names)

    # The pattern matches anywhere in the name, ignoring case.
    matched = logs.describe_log_groups(logGroupNamePattern="other-x")["logGroups"]
    assert [g["logGroupName"] for g in matched] == [f"{base}/Other-X"]

    with pytest.raises(ClientError) as e:
        logs.describe_log_groups(logGroupNamePrefix=base, logGroupNamePattern="x")
    assert error_of(e)[:2] == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as e:
        logs.describe_log_groups(nextToken="garbage")
    assert error_of(e) == ("InvalidParameterException", 400,
                           "The specified nextToken is invalid.")


def test_parameter_errors(loose_logs):
    with pytest.raises(ClientError) as e:
        loose_logs.create_log_group(logGroupName="bad name")
    assert error_of(e) == (
        "InvalidParameterException", 400,
        "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
    with pytest.raises(ClientError) as e:
        loose_logs.describe_log_groups(limit=51)
    assert error_of(e) == (
        "InvalidParameterException", 400,
        "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 50")
    with pytest.raises(ClientError) as e:
        loose_logs.put_retention_policy(logGroupName="g", retentionInDays=2)
    code, status, message = error_of(e)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90" in message
    with pytest.raises(ClientError) as e:
        loose_logs.describe_log_groups(limit="ten")
    assert error_of(e)[:2] == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as e:
        loose_logs.create_log_stream(logGroupName="g", logStreamName="a:b")
    assert "at 'logStreamName'" in error_of(e)[2]


def test_wire_protocol_errors(daemon):
    status, headers, body = raw(daemon, "CreateLogGroup", "{not json")
    assert status == 400
    assert body["__type"] == "SerializationException"
    assert headers["x-amzn-errortype"] == "SerializationException"
    assert headers["content-type"] == "application/x-amz-json-1.1"

    status, headers, body = raw(daemon, "DescribeLogGroups", "")
    assert status == 200 and "logGroups" in body

    status, _, body = raw(daemon, "NoSuchOperation", "{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"

    status, headers, body = raw(daemon, "DeleteLogGroup", json.dumps({"logGroupName": "nope"}))
    assert (status, body) == (400, {"__type": "ResourceNotFoundException",
                                    "message": "The specified log group does not exist."})
    assert headers["x-amzn-errortype"] == "ResourceNotFoundException"

    status, headers, body = raw(daemon, "CreateLogGroup",
                                json.dumps({"logGroupName": unique("/raw")}))
    assert status == 200 and body is None  # operations without output answer with no body


def test_unsigned_requests_are_refused(daemon):
    status, headers, body = daemon.request(
        "POST", "/", "{}", {"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                            "Content-Type": "application/x-amz-json-1.1"}, sign=False)
    assert status == 400
    assert json.loads(body)["__type"] == "MissingAuthenticationTokenException"


# --- log streams ------------------------------------------------------------------------------

def test_log_stream_lifecycle_and_order(logs, loose_logs):
    group = unique("/streams")
    logs.create_log_group(logGroupName=group)
    base = now_ms()
    for name, offset in (("b", 3000), ("a", 1000), ("c", 2000)):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        put(logs, group, name, [f"in {name}"], start=base + offset)
    logs.create_log_stream(logGroupName=group, logStreamName="empty")
    with pytest.raises(ClientError) as e:
        logs.create_log_stream(logGroupName=group, logStreamName="a")
    assert error_of(e) == ("ResourceAlreadyExistsException", 400,
                           "The specified log stream already exists")

    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a", "b", "c", "empty"]
    a = streams[0]
    assert a["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:log-stream:a"
    assert a["firstEventTimestamp"] == a["lastEventTimestamp"] == base + 1000
    assert a["lastIngestionTime"] >= a["creationTime"]
    assert len(a["uploadSequenceToken"]) == 56
    assert "firstEventTimestamp" not in streams[3] and "uploadSequenceToken" not in streams[3]

    by_time = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime",
                                        descending=True)["logStreams"]
    assert [s["logStreamName"] for s in by_time] == ["b", "c", "a", "empty"]
    desc = logs.describe_log_streams(logGroupName=group, descending=True)["logStreams"]
    assert [s["logStreamName"] for s in desc] == ["empty", "c", "b", "a"]
    prefixed = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="e")
    assert [s["logStreamName"] for s in prefixed["logStreams"]] == ["empty"]

    paginator = logs.get_paginator("describe_log_streams")
    pages = list(paginator.paginate(logGroupName=group, orderBy="LastEventTime",
                                    PaginationConfig={"PageSize": 3}))
    assert [[s["logStreamName"] for s in p["logStreams"]] for p in pages] == \
        [["empty", "a", "c"], ["b"]]

    with pytest.raises(ClientError) as e:
        logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime",
                                  logStreamNamePrefix="a")
    assert error_of(e) == ("InvalidParameterException", 400,
                           "Cannot order by LastEventTime with a logStreamNamePrefix.")

    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
    # The system botocore's model still requires logGroupName here; newer ones do not.
    by_arn = loose_logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]
    assert len(by_arn) == 4

    logs.delete_log_stream(logGroupName=group, logStreamName="a")
    with pytest.raises(ClientError) as e:
        logs.delete_log_stream(logGroupName=group, logStreamName="a")
    assert error_of(e) == ("ResourceNotFoundException", 400,
                           "The specified log stream does not exist.")
    remaining = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in remaining] == ["b", "c", "empty"]
    with pytest.raises(ClientError) as e:
        logs.describe_log_streams(logGroupName=unique("/missing"))
    assert error_of(e)[0] == "ResourceNotFoundException"


# --- events -----------------------------------------------------------------------------------

def test_put_and_get_log_events(logs, loose_logs):
    group, stream = make_stream(logs)
    start = now_ms() - 10_000
    first = put(logs, group, stream, [f"line {i}" for i in range(10)], start=start)
    assert len(first["nextSequenceToken"]) == 56
    assert "rejectedLogEventsInfo" not in first
    second = put(logs, group, stream, ["later"], start=start + 100)
    assert second["nextSequenceToken"] > first["nextSequenceToken"]

    [group_info] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert group_info["storedBytes"] == sum(len(f"line {i}") + 26 for i in range(10)) + 5 + 26

    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    messages = [e["message"] for e in got["events"]]
    assert messages == [f"line {i}" for i in range(10)] + ["later"]
    assert all(e["ingestionTime"] >= start for e in got["events"])
    assert got["nextForwardToken"].startswith("f/")
    assert got["nextBackwardToken"].startswith("b/")

    # The newest events by default; tokens walk back and stay put at the end.
    tail = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=3)
    assert [e["message"] for e in tail["events"]] == ["line 8", "line 9", "later"]
    end = logs.get_log_events(logGroupName=group, logStreamName=stream,
                              nextToken=tail["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == tail["nextForwardToken"]
    back = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=3,
                               nextToken=tail["nextBackwardToken"])
    assert [e["message"] for e in back["events"]] == ["line 5", "line 6", "line 7"]

    ranged = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True,
                                 startTime=start + 2, endTime=start + 5)
    assert [e["message"] for e in ranged["events"]] == ["line 2", "line 3", "line 4"]

    # A follower polling nextForwardToken sees new events.
    put(logs, group, stream, ["newest"], start=start + 200)
    polled = logs.get_log_events(logGroupName=group, logStreamName=stream,
                                 nextToken=end["nextForwardToken"])
    assert [e["message"] for e in polled["events"]] == ["newest"]

    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
    by_arn = loose_logs.get_log_events(logGroupIdentifier=arn, logStreamName=stream, limit=1)
    assert [e["message"] for e in by_arn["events"]] == ["newest"]

    with pytest.raises(ClientError) as e:
        logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken="f/1")
    assert error_of(e) == ("InvalidParameterException", 400,
                           "The specified nextToken is invalid.")
    with pytest.raises(ClientError) as e:
        logs.get_log_events(logGroupName=group, logStreamName="nope")
    assert error_of(e) == ("ResourceNotFoundException", 400,
                           "The specified log stream does not exist.")


def test_put_log_events_batch_rules(logs, loose_logs):
    group, stream = make_stream(logs)
    now = now_ms()
    with pytest.raises(ClientError) as e:
        logs.put_log_events(logGroupName=group, logStreamName=stream,
                            logEvents=[{"timestamp": now, "message": "b"},
                                       {"timestamp": now - 1, "message": "a"}])
    assert error_of(e) == ("InvalidParameterException", 400,
                           "Log events in a single PutLogEvents request must be in "
                           "chronological order.")
    with pytest.raises(ClientError) as e:
        logs.put_log_events(logGroupName=group, logStreamName=stream,
                            logEvents=[{"timestamp": now - 25 * 3600 * 1000, "message": "a"},
                                       {"timestamp": now, "message": "b"}])
    assert "cannot span more than 24 hours" in error_of(e)[2]
    with pytest.raises(ClientError) as e:
        logs.put_log_events(logGroupName=group, logStreamName=stream,
                            logEvents=[{"timestamp": now, "message": "x" * 600_000},
                                       {"timestamp": now, "message": "y" * 100}])
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        loose_logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[])
    assert "at 'logEvents'" in error_of(e)[2]
    with pytest.raises(ClientError) as e:
        logs.put_log_events(logGroupName=group, logStreamName="nope",
                            logEvents=[{"timestamp": now, "message": "x"}])
    assert error_of(e) == ("ResourceNotFoundException", 400,
                           "The specified log stream does not exist.")

    day = 86_400_000
    old = logs.put_log_events(logGroupName=group, logStreamName=stream,
                              logEvents=[{"timestamp": now - 15 * day, "message": "old"},
                                         {"timestamp": now - 15 * day + 5, "message": "old"}])
    assert old["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    future = logs.put_log_events(logGroupName=group, logStreamName=stream,
                                 logEvents=[{"timestamp": now, "message": "kept"},
                                            {"timestamp": now + 3 * 3600 * 1000,
                                             "message": "future"}])
    assert future["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    expired = logs.put_log_events(logGroupName=group, logStreamName=stream,
                                  logEvents=[{"timestamp": now - 2 * day, "message": "gone"},
                                             {"timestamp": now - 2 * day + 9, "message": "gone"}])
    assert expired["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}
    # Sequence tokens are accepted and ignored, as on CloudWatch today.
    logs.put_log_events(logGroupName=group, logStreamName=stream, sequenceToken="whatever",
                        logEvents=[{"timestamp": now, "message": "with token"}])
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert [e["message"] for e in got["events"]] == ["kept", "with token"]


def test_filter_log_events(logs, loose_logs):
    group = unique("/filter")
    logs.create_log_group(logGroupName=group)
    base = now_ms() - 60_000
    lines = {
        "web-1": ["GET /index 200", "ERROR timeout talking to db", '{"level":"ERROR","ms":900}'],
        "web-2": ["GET /health 200", '{"level":"INFO","ms":12}', "WARN slow request"],
        "worker": ["ERROR disk full", "job done"],
    }
    for stream, messages in lines.items():
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    # Interleave timestamps across streams.
    for i in range(3):
        for j, (stream, messages) in enumerate(lines.items()):
            if i < len(messages):
                put(logs, group, stream, [messages[i]], start=base + i * 10 + j)

    def messages(**kwargs):
        events = logs.filter_log_events(logGroupName=group, **kwargs)["events"]
        return [e["message"] for e in events]

    everything = logs.filter_log_events(logGroupName=group, interleaved=True)["events"]
    assert [e["message"] for e in everything] == [
        "GET /index 200", "GET /health 200", "ERROR disk full",
        "ERROR timeout talking to db", '{"level":"INFO","ms":12}', "job done",
        '{"level":"ERROR","ms":900}', "WARN slow request"]
    assert [e["logStreamName"] for e in everything[:3]] == ["web-1", "web-2", "worker"]
    assert len({e["eventId"] for e in everything}) == len(everything)
    assert all(set(e) >= {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}
               for e in everything)

    assert messages(filterPattern="ERROR") == [
        "ERROR disk full", "ERROR timeout talking to db", '{"level":"ERROR","ms":900}']
    assert messages(filterPattern="ERROR db") == ["ERROR timeout talking to db"]
    assert messages(filterPattern='"disk full"') == ["ERROR disk full"]
    assert messages(filterPattern="?WARN ?done") == ["job done", "WARN slow request"]
    assert messages(filterPattern="ERROR -db -level") == ["ERROR disk full"]
    assert messages(filterPattern='{ $.level = "ERROR" }') == ['{"level":"ERROR","ms":900}']
    assert messages(filterPattern='{ $.level != "ERROR" }') == ['{"level":"INFO","ms":12}']
    assert messages(filterPattern="{ $.ms > 100 }") == ['{"level":"ERROR","ms":900}']
    assert messages(filterPattern="{ $.ms = 12 }") == ['{"level":"INFO","ms":12}']
    assert messages(filterPattern="error") == []

    assert messages(logStreamNames=["worker", "web-2"], filterPattern="ERROR") == [
        "ERROR disk full"]
    assert messages(logStreamNamePrefix="web-", filterPattern="200") == [
        "GET /index 200", "GET /health 200"]
    assert messages(startTime=base + 10, endTime=base + 12) == [
        "ERROR timeout talking to db", '{"level":"INFO","ms":12}', "job done"]

    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
    by_arn = loose_logs.filter_log_events(logGroupIdentifier=arn, filterPattern="job")["events"]
    assert [e["message"] for e in by_arn] == ["job done"]

    paginator = logs.get_paginator("filter_log_events")
    pages = list(paginator.paginate(logGroupName=group, PaginationConfig={"PageSize": 3}))
    assert [len(p["events"]) for p in pages] == [3, 3, 2]
    assert [e["eventId"] for p in pages for e in p["events"]] == \
        [e["eventId"] for e in everything]

    for bad in ({"filterPattern": "{ $.level = "},
                {"filterPattern": '"unterminated'},
                {"logStreamNames": ["web-1"], "logStreamNamePrefix": "web"},
                {"nextToken": "bogus"}):
        with pytest.raises(ClientError) as e:
            logs.filter_log_events(logGroupName=group, **bad)
        assert error_of(e)[:2] == ("InvalidParameterException", 400), bad
    with pytest.raises(ClientError) as e:
        logs.filter_log_events(logGroupName=unique("/missing"))
    assert error_of(e) == ("ResourceNotFoundException", 400,
                           "The specified log group does not exist.")


def test_filter_log_events_pages_across_many_events(logs):
    group, stream = make_stream(logs)
    base = now_ms() - 120_000
    for batch in range(3):
        put(logs, group, stream, [f"event {batch * 1000 + i}" for i in range(1000)],
            start=base + batch * 1000)
    paginator = logs.get_paginator("filter_log_events")
    seen = [e["message"] for p in paginator.paginate(logGroupName=group,
                                                      PaginationConfig={"PageSize": 700})
            for e in p["events"]]
    assert seen == [f"event {i}" for i in range(3000)]


# --- the AWS CLI v2 -----------------------------------------------------------------------------

def test_cli_reads_logs(daemon, logs):
    group, stream = make_stream(logs, group=unique("/aws/lambda/cli"))
    put(logs, group, stream, ["hello from the cli", "ERROR in the cli"])

    _, out, _ = daemon.cli("logs", "describe-log-groups", "--log-group-name-prefix", group)
    assert [g["logGroupName"] for g in out["logGroups"]] == [group]
    _, out, _ = daemon.cli("logs", "describe-log-streams", "--log-group-name", group)
    assert [s["logStreamName"] for s in out["logStreams"]] == [stream]
    _, out, _ = daemon.cli("logs", "get-log-events", "--log-group-name", group,
                     "--log-stream-name", stream, "--start-from-head")
    assert [e["message"] for e in out["events"]] == ["hello from the cli", "ERROR in the cli"]
    _, out, _ = daemon.cli("logs", "filter-log-events", "--log-group-name", group,
                     "--filter-pattern", "ERROR")
    assert [e["message"] for e in out["events"]] == ["ERROR in the cli"]
    code, _, err = daemon.cli("logs", "get-log-events", "--log-group-name", unique("/none"),
                        "--log-stream-name", "s", check=False)
    assert code != 0 and "ResourceNotFoundException" in err


def test_cli_tail(daemon, logs):
    group = unique("/aws/lambda/tail")
    logs.create_log_group(logGroupName=group)
    for stream in ("2024/01/01/[$LATEST]aaaa", "2024/01/01/[$LATEST]bbbb"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    base = now_ms() - 5000
    put(logs, group, "2024/01/01/[$LATEST]aaaa", ["START RequestId: 1", "first"], start=base)
    put(logs, group, "2024/01/01/[$LATEST]bbbb", ["second"], start=base + 5)
    put(logs, group, "2024/01/01/[$LATEST]aaaa", ["an old line"], start=now_ms() - 3_600_000)

    _, out, _ = daemon.cli("logs", "tail", group)
    lines = out.strip().splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == ["START RequestId: 1", "first", "second"]
    assert lines[2].split(" ")[1] == "2024/01/01/[$LATEST]bbbb"

    _, out, _ = daemon.cli("logs", "tail", group, "--since", "2h", "--format", "short",
                     "--filter-pattern", "old")
    assert out.strip().endswith("an old line")


def test_cli_tail_follow_shows_new_events(daemon, logs):
    group, stream = make_stream(logs, group=unique("/aws/lambda/follow"))
    put(logs, group, stream, ["before the tail"])
    cmd = [AWS_CLI, "--endpoint-url", daemon.endpoint, "logs", "tail", group, "--follow",
           "--format", "short"]
    env = dict(daemon.cli_env(), PYTHONUNBUFFERED="1")  # lines must arrive before the kill
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    output = []
    reader = threading.Thread(target=lambda: output.extend(iter(proc.stdout.readline, "")),
                              daemon=True)
    reader.start()
    try:
        deadline = time.time() + 20
        while not any("before the tail" in line for line in output) and time.time() < deadline:
            time.sleep(0.1)
        assert any("before the tail" in line for line in output), proc.stderr
        put(logs, group, stream, ["followed one", "followed two"])
        # The CLI polls every five seconds.
        deadline = time.time() + 20
        while not any("followed two" in line for line in output) and time.time() < deadline:
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait(timeout=10)
        reader.join(timeout=5)
    messages = [line.rstrip("\n").split(" ", 1)[1] for line in output]
    assert messages == ["before the tail", "followed one", "followed two"], output


# --- what the invoke path writes ----------------------------------------------------------------

def test_function_logs_are_readable(daemon, logs):
    lam = daemon.client("lambda", read_timeout=120)
    name = unique("logged")
    handler = ("import json\n"
               "def handler(event, context):\n"
               "    print('hello from', context.function_name)\n"
               "    print(json.dumps({'level': 'ERROR', 'n': event['n']}))\n"
               "    return event['n']\n")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=make_role(daemon),
                        Handler="index.handler", Code={"ZipFile": make_zip({"index.py": handler})})
    for n in (1, 2):
        response = lam.invoke(FunctionName=name, Payload=json.dumps({"n": n}))
        if response.get("FunctionError") or response["StatusCode"] != 200:
            pytest.skip("functions cannot run on this host: " + response["Payload"].read().decode())
    group = f"/aws/lambda/{name}"
    [stream] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert "[$LATEST]" in stream["logStreamName"]
    got = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"],
                              startFromHead=True)
    messages = [e["message"] for e in got["events"]]
    assert [m for m in messages if m.startswith("hello")] == [f"hello from {name}"] * 2
    assert sum(m.startswith("START RequestId: ") for m in messages) == 2
    assert sum(m.startswith("REPORT RequestId: ") for m in messages) == 2
    found = logs.filter_log_events(logGroupName=group, filterPattern="{ $.n = 2 }")["events"]
    assert [json.loads(e["message"]) for e in found] == [{"level": "ERROR", "n": 2}]
    _, out, _ = daemon.cli("logs", "tail", group, "--format", "short")
    assert out.count(f"hello from {name}") == 2


# --- durability -------------------------------------------------------------------------------

def test_logs_survive_restart_and_kill9(daemon_factory):
    d = daemon_factory()
    logs = d.client("logs")
    group, stream = make_stream(logs, group="/aws/lambda/durable")
    logs.put_retention_policy(logGroupName=group, retentionInDays=30)
    put(logs, group, stream, ["before restart"])
    assert d.stop() == 0
    d.start()
    logs = d.client("logs")
    put(logs, group, stream, ["after restart"])
    assert d.kill9() == -9
    d.start()
    logs = d.client("logs")
    [info] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert info["retentionInDays"] == 30
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert [e["message"] for e in got["events"]] == ["before restart", "after restart"]
    assert os.path.exists(os.path.join(d.data_dir, "logs.db"))
