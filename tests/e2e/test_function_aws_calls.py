"""Functions calling AWS from inside their sandboxes: the execution role's temporary credentials in
the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and the platform's
endpoint (AWS_ENDPOINT_URL, 127.0.0.1:9002, relayed by lamina-init to the daemon), used by boto3
and raw HTTP in the function's code: what the role allows and denies, lambda:SourceFunctionArn,
signatures, keep-alive and concurrent connections, and credential rotation by cold starts.

The host's boto3 predates AWS_ENDPOINT_URL, so the function code passes endpoint_url itself.
"""
import base64
import concurrent.futures
import hashlib
import json
import os
import re
import time
import urllib.request

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, InvokeResult, make_role, make_zip, unique

FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
ENDPOINT = "http://127.0.0.1:9002"
REPORT_RE = re.compile(r"^REPORT RequestId: .*$", re.M)
INIT_RE = re.compile(r"\tInit Duration: \d+\.\d\d ms\t")

# A function that makes the AWS calls its event lists and answers with their outcomes, its
# environment's credentials and an id unique to the environment. Steps:
#   {"call": [service, operation, args], "creds": [key, secret, token]?}  one boto3 call
#   {"raw": [method, path], "body"?, "headers"?, "sign_with"?: "env" | [key, secret, token?],
#    "service"?}                                                           one http.client request
#   {"sequential": [service, operation, args, n]}    n calls on one new client (its connections)
#   {"threads": [service, operation, args, threads, each]}   a client per thread, started together
#   {"parallel_raw": [path, connections, rounds]}    signed GETs, one in flight on every connection
#   {"code_of": function}                            GetFunction, then download Code.Location
CALLER_PY = r'''
import concurrent.futures
import hashlib
import http.client
import json
import logging
import os
import threading
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
from botocore.exceptions import ClientError

ENV_ID = os.urandom(8).hex()
ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ["AWS_REGION"]
CONFIG = botocore.config.Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=25,
                                max_pool_connections=32)
VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")


class NewConnections(logging.Handler):
    """Counts the connections urllib3 opens (it logs each one at DEBUG)."""
    count = 0

    def emit(self, record):
        if record.getMessage().startswith("Starting new HTTP connection"):
            NewConnections.count += 1


_pool_log = logging.getLogger("urllib3.connectionpool")
_pool_log.setLevel(logging.DEBUG)
_pool_log.propagate = False
_pool_log.addHandler(NewConnections())


def client(service, creds=None):
    keys = {}
    if creds:
        keys = {"aws_access_key_id": creds[0], "aws_secret_access_key": creds[1],
                "aws_session_token": creds[2] if len(creds) > 2 else None}
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, config=CONFIG, **keys)


def outcome(method, args):
    try:
        r = method(**args)
    except ClientError as e:
        return {"error": [e.response["Error"]["Code"],
                          e.response["ResponseMetadata"]["HTTPStatusCode"],
                          e.response["Error"].get("Message")]}
    r.pop("ResponseMetadata", None)
    if "Payload" in r:
        r["Payload"] = r["Payload"].read().decode()
    return {"ok": json.loads(json.dumps(r, default=str))}


def call(step):
    service, op, args = step["call"]
    return outcome(getattr(client(service, step.get("creds")), op), args)


def signed(method, path, body, headers, creds, service):
    if creds == "env":
        creds = [os.environ[k] for k in VARS[:3]]
    request = botocore.awsrequest.AWSRequest(method=method, url=ENDPOINT + path, data=body,
                                             headers=headers)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(*creds), service,
                            REGION).add_auth(request)
    return dict(request.prepare().headers.items())


def answer(conn):
    r = conn.getresponse()
    return {"status": r.status, "headers": {k.lower(): v for k, v in r.getheaders()},
            "body": r.read().decode(errors="replace")}


def raw(step):
    method, path = step["raw"]
    body = step.get("body", "").encode()
    headers = dict(step.get("headers", {}))
    if "sign_with" in step:
        headers = signed(method, path, body, headers, step["sign_with"],
                         step.get("service", "lambda"))
    conn = http.client.HTTPConnection("127.0.0.1", 9002, timeout=25)
    try:
        conn.request(method, path, body=body, headers=headers)
        return answer(conn)
    finally:
        conn.close()


def tally(results, before):
    errors = [r["error"] for r in results if "error" in r]
    return {"ok": len(results) - len(errors), "errors": errors[:3],
            "connections": NewConnections.count - before}


def sequential(step):
    service, op, args, n = step["sequential"]
    before = NewConnections.count
    method = getattr(client(service), op)
    return tally([outcome(method, args) for _ in range(n)], before)


def threads(step):
    service, op, args, count, each = step["threads"]
    before = NewConnections.count
    methods = [getattr(client(service), op) for _ in range(count)]
    start = threading.Barrier(count)

    def work(method):
        start.wait(timeout=20)
        return [outcome(method, args) for _ in range(each)]

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        results = [r for rs in pool.map(work, methods) for r in rs]
    return tally(results, before)


def parallel_raw(step):
    path, count, rounds = step["parallel_raw"]
    conns = [http.client.HTTPConnection("127.0.0.1", 9002, timeout=25) for _ in range(count)]
    statuses = []
    try:
        for _ in range(rounds):
            # Every connection has its request sent before any answer is read.
            for conn in conns:
                conn.request("GET", path, headers=signed("GET", path, b"", {}, "env", "lambda"))
            statuses += [answer(conn)["status"] for conn in conns]
    finally:
        for conn in conns:
            conn.close()
    return {"statuses": statuses}


def code_of(step):
    got = outcome(client("lambda").get_function, {"FunctionName": step["code_of"]})
    if "ok" not in got:
        return got
    location = got["ok"]["Code"]["Location"]
    with urllib.request.urlopen(location, timeout=25) as r:
        data = r.read()
    return {"location": location, "status": r.status, "sha256": hashlib.sha256(data).hexdigest()}


STEPS = {"call": call, "raw": raw, "sequential": sequential, "threads": threads,
         "parallel_raw": parallel_raw, "code_of": code_of}


def handler(event, context):
    results = []
    for step in event.get("steps", []):
        results.append(STEPS[next(k for k in STEPS if k in step)](step))
    return {"env_id": ENV_ID, "env": {k: os.environ.get(k) for k in VARS}, "results": results}
'''

# A function without boto3 (quick to start): its event, its credentials, its environment's id.
ECHO_PY = '''
import os

ENV_ID = os.urandom(8).hex()


def handler(event, context):
    return {"event": event, "env_id": ENV_ID, "env": {k: os.environ.get(k) for k in (
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}}
'''

# The common pattern: a client made, and used, while the module loads (the init phase), then kept
# for every invocation.
INIT_CALLER_PY = CALLER_PY + """
SHARED_STS = client("sts")
INIT_IDENTITY = SHARED_STS.get_caller_identity()["Arn"]
_run_steps = handler


def handler(event, context):
    before = NewConnections.count
    identity = SHARED_STS.get_caller_identity()["Arn"]
    out = _run_steps(event, context)
    out.update(init_identity=INIT_IDENTITY, identity=identity,
               shared_connections=NewConnections.count - before)
    return out
"""


def allow(action, resource="*", condition=None):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def session_arn(role_name, session):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}"


def denied(principal, action, resource):
    """AWS's AccessDeniedException for an action no identity-based policy allows."""
    return ["AccessDeniedException", 403,
            f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
            f"because no identity-based policy allows the {action} action"]


def role_name(arn):
    return arn.rsplit("/", 1)[1]


def exec_role(daemon, *statements):
    """A role Lambda may assume, with `statements` as its inline policy; (name, arn)."""
    arn = make_role(daemon)
    if statements:
        daemon.client("iam").put_role_policy(RoleName=role_name(arn), PolicyName="inline",
                                             PolicyDocument=policy(*statements))
    return role_name(arn), arn


def create(lam, role_arn, code=CALLER_PY, name=None, timeout=30):
    """A python3.12 function running `code` (index.py, or a zip's bytes); its name."""
    name = name or unique("caller")
    zipped = code if isinstance(code, bytes) else make_zip({"index.py": code})
    r = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role_arn,
                            Handler="index.handler", Timeout=timeout, Code={"ZipFile": zipped})
    assert r["State"] == "Active"
    return name


def call(service, op, creds=None, **args):
    step = {"call": [service, op, args]}
    if creds:
        step["creds"] = creds
    return step


def run(lam, name, *steps):
    """Invokes `name` with `steps`; the answer (an InvokeResult), asserting it did not fail."""
    r = InvokeResult(lam.invoke(FunctionName=name, LogType="Tail",
                                Payload=json.dumps({"steps": list(steps)})))
    assert r.status == 200 and r.function_error is None, (r.raw, r.log)
    return r


def cold(result):
    """Whether the invocation started an environment: its REPORT line has Init Duration."""
    reports = REPORT_RE.findall(result.log)
    assert len(reports) == 1, result.log
    return INIT_RE.search(reports[0] + "\t") is not None


def creds_of(result):
    env = result.body["env"]
    return [env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]]


def outside(daemon, creds, service, **config):
    """A client of the daemon's own endpoint (outside any sandbox) signing with `creds`."""
    return boto3.client(service, endpoint_url=daemon.endpoint, region_name=REGION,
                        aws_access_key_id=creds[0], aws_secret_access_key=creds[1],
                        aws_session_token=creds[2],
                        config=botocore.config.Config(retries={"max_attempts": 0}, **config))


def error_of(error):
    """[code, HTTP status, message] of a ClientError."""
    response = error.response
    return [response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message")]


@pytest.fixture(scope="module")
def lam(daemon):
    return daemon.client("lambda", read_timeout=60, max_pool_connections=16)


@pytest.fixture(scope="module")
def iam(daemon):
    return daemon.client("iam")


# --- credentials and identity ---------------------------------------------------------------

def test_function_env_has_its_roles_session_credentials_and_sts_names_the_function(daemon, lam,
                                                                                  iam):
    name, arn = exec_role(daemon)  # get_caller_identity needs no permission
    role_id = iam.get_role(RoleName=name)["Role"]["RoleId"]
    fn = create(lam, arn)
    r = run(lam, fn, call("sts", "get_caller_identity"))
    env = r.body["env"]
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and len(env["AWS_ACCESS_KEY_ID"]) == 20
    assert len(env["AWS_SECRET_ACCESS_KEY"]) == 40
    assert env["AWS_SESSION_TOKEN"]
    assert env["AWS_ENDPOINT_URL"] == ENDPOINT
    identity = r.body["results"][0]["ok"]
    assert identity == {"Arn": session_arn(name, fn), "Account": ACCOUNT,
                        "UserId": f"{role_id}:{fn}"}


# --- what the role allows ---------------------------------------------------------------------

def test_role_allowing_list_functions_only_denies_the_rest_until_a_policy_is_added_warm(
        daemon, lam, iam):
    name, arn = exec_role(daemon, allow("lambda:ListFunctions"))
    fn = create(lam, arn)
    steps = (call("lambda", "list_functions"), call("lambda", "get_account_settings"),
             call("lambda", "get_function", FunctionName=fn))
    first = run(lam, fn, *steps)
    listed, settings, get = first.body["results"]
    assert fn in [f["FunctionName"] for f in listed["ok"]["Functions"]]
    assert settings["error"] == denied(session_arn(name, fn), "lambda:GetAccountSettings", "*")
    assert get["error"] == denied(session_arn(name, fn), "lambda:GetFunction", FN_ARN + fn)

    iam.put_role_policy(RoleName=name, PolicyName="settings",
                        PolicyDocument=policy(allow("lambda:GetAccountSettings")))
    second = run(lam, fn, *steps)
    # The same environment, with the same credentials, now may.
    assert second.body["env_id"] == first.body["env_id"] and not cold(second)
    assert creds_of(second) == creds_of(first)
    listed, settings, get = second.body["results"]
    assert "ok" in listed
    assert settings["ok"]["AccountLimit"]["ConcurrentExecutions"] > 0
    assert get["error"][:2] == ["AccessDeniedException", 403]


def test_function_invokes_another_through_the_endpoint_where_its_role_allows_and_not_a_third(
        daemon, lam, iam):
    target_role, target_role_arn = exec_role(daemon)
    target_role_id = iam.get_role(RoleName=target_role)["Role"]["RoleId"]
    target = create(lam, target_role_arn, name=unique("target"))  # itself calls out, too
    third = create(lam, make_role(daemon), ECHO_PY, name=unique("third"))
    name, arn = exec_role(daemon, allow("lambda:InvokeFunction", FN_ARN + target))
    fn = create(lam, arn)
    nested = {"steps": [call("sts", "get_caller_identity")]}
    r = run(lam, fn,
            call("lambda", "invoke", FunctionName=target, Payload=json.dumps(nested)),
            call("lambda", "invoke", FunctionName=FN_ARN + target, Payload="{}"),
            call("lambda", "invoke", FunctionName=third, Payload="{}"))
    by_name, by_arn, other = r.body["results"]
    assert by_name["ok"]["StatusCode"] == 200
    assert "FunctionError" not in by_name["ok"]
    answer = json.loads(by_name["ok"]["Payload"])
    # The invoked function called out through its own endpoint, as its own role's session.
    assert answer["results"] == [{"ok": {
        "Arn": session_arn(target_role, target), "Account": ACCOUNT,
        "UserId": f"{target_role_id}:{target}"}}]
    assert answer["env"]["AWS_ACCESS_KEY_ID"] != r.body["env"]["AWS_ACCESS_KEY_ID"]
    assert json.loads(by_arn["ok"]["Payload"])["results"] == []
    assert other["error"] == denied(session_arn(name, fn), "lambda:InvokeFunction",
                                    FN_ARN + third)


# --- lambda:SourceFunctionArn ---------------------------------------------------------------

def test_source_function_arn_condition_allows_the_function_inside_only_not_its_keys_outside(
        daemon, lam):
    fn = unique("source")
    sibling = unique("sibling")
    name, arn = exec_role(daemon, allow("lambda:GetFunction", condition={
        "ArnEquals": {"lambda:SourceFunctionArn": FN_ARN + fn}}))
    code = make_zip({"index.py": CALLER_PY})
    create(lam, arn, code, name=fn)
    create(lam, arn, code, name=sibling)  # the same role, another function

    r = run(lam, fn, call("lambda", "get_function", FunctionName=fn),
            {"code_of": sibling})
    got, download = r.body["results"]
    assert got["ok"]["Configuration"]["FunctionArn"] == FN_ARN + fn
    # GetFunction's Code.Location, signed for the host asked (the endpoint), downloads inside.
    assert download["location"].startswith(ENDPOINT + "/_lamina/code/"), download
    assert download["status"] == 200
    assert download["sha256"] == hashlib.sha256(code).hexdigest()

    # Another function with the same role is not the source the condition names.
    other = run(lam, sibling, call("lambda", "get_function", FunctionName=fn))
    assert other.body["results"][0]["error"] == denied(
        session_arn(name, sibling), "lambda:GetFunction", FN_ARN + fn)

    # The function's own credentials, used outside its sandbox, carry no source function.
    creds = creds_of(r)
    assert outside(daemon, creds, "sts").get_caller_identity()["Arn"] == session_arn(name, fn)
    with pytest.raises(ClientError) as e:
        outside(daemon, creds, "lambda").get_function(FunctionName=fn)
    assert error_of(e.value) == denied(session_arn(name, fn), "lambda:GetFunction", FN_ARN + fn)


def test_deny_unless_source_function_arn_keeps_the_keys_useless_outside_the_sandbox(daemon,
                                                                                   lam):
    """A guard against leaked credentials: deny everything that does not come from a function."""
    fn = unique("guarded")
    name, arn = exec_role(
        daemon, allow(["lambda:GetAccountSettings", "logs:DescribeLogGroups", "iam:GetRole"]),
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"Null": {"lambda:SourceFunctionArn": "true"}}})
    create(lam, arn, name=fn)
    role_arn, role = arn, role_name(arn)
    r = run(lam, fn, call("lambda", "get_account_settings"), call("logs", "describe_log_groups"),
            call("iam", "get_role", RoleName=role))
    settings, groups, got = r.body["results"]
    assert "AccountLimit" in settings["ok"]
    assert "logGroups" in groups["ok"]
    assert got["ok"]["Role"]["Arn"] == role_arn

    creds = creds_of(r)
    principal = session_arn(name, fn)
    why = "with an explicit deny in an identity-based policy"
    # (CloudWatch Logs answers its errors with 400, as AWS does.)
    for service, op, args, code, status, action, resource in (
            ("lambda", "get_account_settings", {}, "AccessDeniedException", 403,
             "lambda:GetAccountSettings", "*"),
            ("logs", "describe_log_groups", {}, "AccessDeniedException", 400,
             "logs:DescribeLogGroups", "*"),
            ("iam", "get_role", {"RoleName": role}, "AccessDenied", 403, "iam:GetRole", role_arn)):
        with pytest.raises(ClientError) as e:
            getattr(outside(daemon, creds, service), op)(**args)
        assert error_of(e.value) == [code, status, f"User: {principal} is not authorized to "
                                                   f"perform: {action} on resource: {resource} "
                                                   f"{why}"]


def test_client_made_during_init_calls_out_and_keeps_its_connection_across_invocations(
        daemon, lam):
    name, arn = exec_role(daemon)
    fn = create(lam, arn, INIT_CALLER_PY)
    first = run(lam, fn)
    assert cold(first)
    assert first.body["init_identity"] == first.body["identity"] == session_arn(name, fn)
    # The connection opened while the module loaded served the first invocation...
    assert first.body["shared_connections"] == 0
    second = run(lam, fn)
    # ...and the next one, warm.
    assert not cold(second) and second.body["env_id"] == first.body["env_id"]
    assert second.body["identity"] == session_arn(name, fn)
    assert second.body["shared_connections"] == 0


def test_changing_the_functions_role_gives_the_next_invocation_the_new_roles_credentials(
        daemon, lam):
    a_name, a_arn = exec_role(daemon, allow("lambda:ListFunctions"))
    b_name, b_arn = exec_role(daemon, allow("lambda:GetAccountSettings"))
    fn = create(lam, a_arn)
    steps = (call("sts", "get_caller_identity"), call("lambda", "list_functions"),
             call("lambda", "get_account_settings"))
    before = run(lam, fn, *steps)
    identity, listed, settings = before.body["results"]
    assert identity["ok"]["Arn"] == session_arn(a_name, fn)
    assert "ok" in listed and settings["error"][:2] == ["AccessDeniedException", 403]

    lam.update_function_configuration(FunctionName=fn, Role=b_arn)
    after = run(lam, fn, *steps)
    assert cold(after) and after.body["env_id"] != before.body["env_id"]
    assert creds_of(after)[0] != creds_of(before)[0]
    identity, listed, settings = after.body["results"]
    assert identity["ok"]["Arn"] == session_arn(b_name, fn)
    assert listed["error"] == denied(session_arn(b_name, fn), "lambda:ListFunctions", "*")
    assert "ok" in settings


def test_role_with_a_path_gives_a_session_arn_without_it_and_its_policies_apply(daemon, lam,
                                                                               iam):
    name = unique("service-role")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, Path="/service-role/",
                          AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    assert ":role/service-role/" in arn
    iam.attach_role_policy(RoleName=name,
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaRole")
    target = create(lam, make_role(daemon), ECHO_PY, name=unique("target"))
    fn = create(lam, arn)
    r = run(lam, fn, call("sts", "get_caller_identity"),
            call("lambda", "invoke", FunctionName=target, Payload='{"via": "AWSLambdaRole"}'),
            call("lambda", "list_functions"))
    identity, invoked, listed = r.body["results"]
    assert identity["ok"]["Arn"] == session_arn(name, fn)
    assert json.loads(invoked["ok"]["Payload"])["event"] == {"via": "AWSLambdaRole"}
    assert listed["error"] == denied(session_arn(name, fn), "lambda:ListFunctions", "*")


# --- signatures ---------------------------------------------------------------------------------

def test_endpoint_inside_the_sandbox_refuses_unsigned_and_made_up_key_requests(daemon, lam):
    _, arn = exec_role(daemon, allow("lambda:*"))
    fn = create(lam, arn)
    list_path = "/2015-03-31/functions"
    sts_body = "Action=GetCallerIdentity&Version=2011-06-15"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    made_up_token = base64.b64encode(os.urandom(96)).decode()
    r = run(lam, fn,
            {"raw": ["GET", list_path]},
            {"raw": ["POST", "/"], "body": sts_body, "headers": form},
            {"raw": ["GET", list_path], "sign_with": ["AKIAIOSFODNN7EXAMPLE", "x" * 40]},
            {"raw": ["GET", list_path],
             "sign_with": ["ASIAIOSFODNN7EXAMPLE", "x" * 40, made_up_token]},
            {"raw": ["POST", "/"], "body": sts_body, "headers": form, "service": "sts",
             "sign_with": ["AKIAIOSFODNN7EXAMPLE", "x" * 40]},
            call("lambda", "list_functions", creds=["AKIAIOSFODNN7EXAMPLE", "x" * 40]),
            {"raw": ["GET", list_path], "sign_with": "env"})
    unsigned, unsigned_sts, made_up, made_up_session, made_up_sts, boto, signed = (
        r.body["results"])
    env_key = r.body["env"]["AWS_ACCESS_KEY_ID"]

    assert unsigned["status"] == 403, unsigned
    assert unsigned["headers"]["x-amzn-errortype"].split(":")[0] == (
        "MissingAuthenticationTokenException")
    assert json.loads(unsigned["body"])["message"] == "Missing Authentication Token"
    assert unsigned_sts["status"] == 403, unsigned_sts
    assert "<Code>MissingAuthenticationToken</Code>" in unsigned_sts["body"]

    for refused in (made_up, made_up_session):
        assert refused["status"] == 403, refused
        assert refused["headers"]["x-amzn-errortype"].split(":")[0] == (
            "UnrecognizedClientException")
        assert json.loads(refused["body"])["message"] == (
            "The security token included in the request is invalid.")
    assert made_up_sts["status"] == 403
    assert "<Code>InvalidClientTokenId</Code>" in made_up_sts["body"]
    assert boto["error"] == ["UnrecognizedClientException", 403,
                             "The security token included in the request is invalid."]

    # The environment's own credentials are what works.
    assert signed["status"] == 200, signed
    assert fn in [f["FunctionName"] for f in json.loads(signed["body"])["Functions"]]
    # And its key with a wrong secret does not.
    wrong = run(lam, fn, {"raw": ["GET", list_path],
                          "sign_with": [env_key, "x" * 40, r.body["env"]["AWS_SESSION_TOKEN"]]})
    assert wrong.body["results"][0]["status"] == 403
    assert wrong.body["results"][0]["headers"]["x-amzn-errortype"].split(":")[0] == (
        "InvalidSignatureException")


# --- many calls ---------------------------------------------------------------------------------

def test_fifty_sequential_calls_keep_one_connection_and_ten_concurrent_connections_succeed(
        daemon, lam):
    _, arn = exec_role(daemon, allow(["lambda:ListFunctions", "lambda:GetAccountSettings"]))
    fn = create(lam, arn)
    r = run(lam, fn,
            {"sequential": ["lambda", "list_functions", {}, 50]},
            {"sequential": ["sts", "get_caller_identity", {}, 10]},
            {"threads": ["lambda", "get_account_settings", {}, 10, 5]},
            {"parallel_raw": ["/2015-03-31/functions", 10, 2]})
    lambda_calls, sts_calls, threaded, parallel = r.body["results"]
    assert lambda_calls == {"ok": 50, "errors": [], "connections": 1}
    assert sts_calls == {"ok": 10, "errors": [], "connections": 1}
    assert threaded == {"ok": 50, "errors": [], "connections": 10}
    assert parallel == {"statuses": [200] * 20}
    # And again, warm: the relay still takes new connections.
    again = run(lam, fn, {"threads": ["lambda", "list_functions", {}, 10, 2]})
    assert again.body["env_id"] == r.body["env_id"]
    assert again.body["results"][0] == {"ok": 20, "errors": [], "connections": 10}


# --- rotation -------------------------------------------------------------------------------------

def test_credentials_rotate_by_a_cold_start_before_expiring_and_the_old_keys_then_expire(
        daemon_factory):
    d = daemon_factory(extra_args=["--credentials-ttl", "12"])
    role = make_role(d)
    lam = d.client("lambda", read_timeout=30)
    fn = create(lam, role, ECHO_PY, timeout=3)

    def invoke():
        return run(lam, fn)

    started = time.monotonic()
    first = invoke()
    first_done = time.monotonic()
    assert cold(first)
    old = creds_of(first)
    warm = invoke()
    assert not cold(warm) and creds_of(warm) == old

    # The environment's credentials, issued during the first call, expire 12 s later. An
    # invocation (3 s, +1 s) that begins 8 s after they were issued would outlive them: from then
    # on it gets a new environment. Poll with warm calls until that happens.
    time.sleep(max(0.0, started + 7.0 - time.monotonic()))
    while True:
        before = time.monotonic()
        r = invoke()
        new = creds_of(r)
        if new != old:
            break
        assert not cold(r) and r.body["env_id"] == first.body["env_id"]
        assert before < first_done + 8.5, "the environment was not retired in time"
        time.sleep(0.2)
    assert before >= started + 8.0 - 0.25, "retired too early"
    assert cold(r) and r.body["env_id"] != first.body["env_id"]
    assert new[0].startswith("ASIA") and new[0] != old[0]
    arn = session_arn(role_name(role), fn)
    # The old credentials are still good until they expire...
    old_sts = outside(d, old, "sts")
    assert old_sts.get_caller_identity()["Arn"] == arn
    while True:
        before = time.monotonic()
        try:
            old_sts.get_caller_identity()
        except ClientError as e:
            assert error_of(e) == [
                "ExpiredToken", 403, "The security token included in the request is expired"]
            break
        assert before < first_done + 12.5, "the old credentials did not expire"
        time.sleep(0.2)
    assert before >= started + 12.0 - 0.25, "expired too early"
    # ...then refused everywhere, while the new ones work.
    with pytest.raises(ClientError) as e:
        outside(d, old, "lambda").list_functions()
    assert error_of(e.value) == ["ExpiredTokenException", 403,
                                 "The security token included in the request is expired"]
    assert outside(d, new, "sts").get_caller_identity()["Arn"] == arn
    assert not cold(invoke())


# --- roles without permissions ----------------------------------------------------------------

def test_function_whose_role_has_no_policies_or_was_deleted_is_denied_and_daemon_serves_on(
        daemon, lam, iam):
    name, arn = exec_role(daemon)
    fn = create(lam, arn)
    steps = (call("lambda", "list_functions"), call("sts", "get_caller_identity"))
    r = run(lam, fn, *steps)
    listed, identity = r.body["results"]
    assert listed["error"] == denied(session_arn(name, fn), "lambda:ListFunctions", "*")
    assert identity["ok"]["Arn"] == session_arn(name, fn)

    iam.delete_role(RoleName=name)
    warm = run(lam, fn, *steps)
    assert warm.body["env_id"] == r.body["env_id"]
    assert warm.body["results"][0]["error"] == denied(session_arn(name, fn),
                                                      "lambda:ListFunctions", "*")

    # A function whose role is gone before its first call starts, and may do nothing.
    gone_name, gone_arn = exec_role(daemon, allow("lambda:*"))
    gone = create(lam, gone_arn)
    iam.delete_role_policy(RoleName=gone_name, PolicyName="inline")
    iam.delete_role(RoleName=gone_name)
    first = run(lam, gone, call("lambda", "list_functions"), call("sts", "get_caller_identity"))
    assert cold(first) and first.body["env"]["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    listed, identity = first.body["results"]
    assert listed["error"] == denied(session_arn(gone_name, gone), "lambda:ListFunctions", "*")
    assert identity["ok"]["Arn"] == session_arn(gone_name, gone)

    # The daemon serves on: its own keys, other functions, the relay.
    assert fn in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    with urllib.request.urlopen(daemon.endpoint + "/_lamina/health", timeout=5) as h:
        assert h.status == 200
    _, ok_arn = exec_role(daemon, allow("lambda:ListFunctions"))
    ok = run(lam, create(lam, ok_arn), call("lambda", "list_functions"))
    assert "ok" in ok.body["results"][0]


def test_role_deleted_and_made_again_gives_new_environments_sessions_of_the_new_role_id(
        daemon, lam, iam):
    name, arn = exec_role(daemon)
    old_id = iam.get_role(RoleName=name)["Role"]["RoleId"]
    fn = create(lam, arn)
    before = run(lam, fn, call("sts", "get_caller_identity"))
    assert before.body["results"][0]["ok"]["UserId"] == f"{old_id}:{fn}"

    iam.delete_role(RoleName=name)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    new_id = iam.create_role(RoleName=name,
                             AssumeRolePolicyDocument=json.dumps(trust))["Role"]["RoleId"]
    assert new_id != old_id
    iam.put_role_policy(RoleName=name, PolicyName="by-id", PolicyDocument=policy(allow(
        "lambda:ListFunctions", condition={"StringLike": {"aws:userid": f"{new_id}:*"}})))
    lam.update_function_configuration(FunctionName=fn, Description="a new environment")
    after = run(lam, fn, call("sts", "get_caller_identity"), call("lambda", "list_functions"))
    assert cold(after)
    identity, listed = after.body["results"]
    assert identity["ok"]["Arn"] == session_arn(name, fn)
    assert identity["ok"]["UserId"] == f"{new_id}:{fn}"  # actual: the old RoleId
    assert "ok" in listed, listed  # actual: AccessDeniedException


# --- per-function credentials -------------------------------------------------------------------

def test_two_functions_with_different_roles_get_different_sessions_and_only_their_own_rights(
        daemon, lam):
    a_name, a_arn = exec_role(daemon, allow("lambda:GetAccountSettings"))
    b_name, b_arn = exec_role(daemon, allow("lambda:ListFunctions"))
    a, b = create(lam, a_arn, name=unique("fn-a")), create(lam, b_arn, name=unique("fn-b"))
    steps = [call("sts", "get_caller_identity"), call("lambda", "get_account_settings"),
             call("lambda", "list_functions")]
    # Both at once: each relayed request is its own function's.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        ra, rb = pool.map(lambda fn: run(lam, fn, *(steps * 5)), (a, b))
    for i in range(0, 15, 3):
        identity, settings, listed = ra.body["results"][i:i + 3]
        assert identity["ok"]["Arn"] == session_arn(a_name, a)
        assert "ok" in settings
        assert listed["error"] == denied(session_arn(a_name, a), "lambda:ListFunctions", "*")
        identity, settings, listed = rb.body["results"][i:i + 3]
        assert identity["ok"]["Arn"] == session_arn(b_name, b)
        assert settings["error"] == denied(session_arn(b_name, b), "lambda:GetAccountSettings",
                                           "*")
        assert "ok" in listed
    assert creds_of(ra)[0] != creds_of(rb)[0]

    # B's credentials do not do what only A's role may, inside A's sandbox or outside.
    stolen = run(lam, a, call("lambda", "get_account_settings", creds=creds_of(rb)))
    assert stolen.body["results"][0]["error"] == denied(
        session_arn(b_name, b), "lambda:GetAccountSettings", "*")
    with pytest.raises(ClientError) as e:
        outside(daemon, creds_of(rb), "lambda").get_account_settings()
    assert error_of(e.value)[:2] == ["AccessDeniedException", 403]
    # Nor does a mix of A's key and B's token.
    mixed = creds_of(ra)[:2] + creds_of(rb)[2:]
    with pytest.raises(ClientError) as e:
        outside(daemon, mixed, "lambda").get_account_settings()
    assert error_of(e.value)[:2] == ["UnrecognizedClientException", 403]
