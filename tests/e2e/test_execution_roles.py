"""Execution roles end to end: STS AssumeRole, the temporary credentials it hands out, and what
role sessions may do in Lambda, IAM, STS and CloudWatch Logs (their role's inline and attached
AWS-managed policies, AWS's AccessDenied messages), against the real daemon with boto3 and the AWS
CLI. The account's own (root) keys are never limited.
"""
import datetime
import json
import os
import stat
import subprocess

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import (ACCOUNT, AWS_CLI, HANDLER_ZIP_FILES, REGION, error_of, make_role, make_zip,
                      unique)

ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/"
INVALID_TOKEN = "The security token included in the request is invalid."


def trust(*aws, service=None):
    """A trust policy letting the AWS principals `aws` (and `service`) call sts:AssumeRole."""
    principal = {}
    if aws:
        principal["AWS"] = list(aws) if len(aws) > 1 else aws[0]
    if service:
        principal["Service"] = service
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}


def allow(action, resource="*"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action, resource="*"):
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def denied_message(principal, action, resource, explicit=False):
    """AWS's AccessDenied message for an identity-policy denial."""
    why = ("with an explicit deny in an identity-based policy" if explicit else
           f"because no identity-based policy allows the {action} action")
    return f"User: {principal} is not authorized to perform: {action} on resource: {resource} {why}"


def session_arn(role_name, session):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}"


class Session:
    """Temporary credentials of one role session, with clients that sign with them."""

    def __init__(self, daemon, response):
        self.daemon = daemon
        self.response = response
        creds = response["Credentials"]
        self.access_key = creds["AccessKeyId"]
        self.secret_key = creds["SecretAccessKey"]
        self.token = creds["SessionToken"]
        self.expiration = creds["Expiration"]
        self.arn = response["AssumedRoleUser"]["Arn"]

    def client(self, service, token=None, secret_key=None, **config):
        return boto3.client(
            service, endpoint_url=self.daemon.endpoint, region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            aws_session_token=self.token if token is None else token,
            config=botocore.config.Config(retries={"max_attempts": 0}, **config))


def assume(daemon, role_arn, session="s1", by=None, **kwargs):
    """AssumeRole as the root keys (or as the Session `by`); a Session."""
    sts = by.client("sts") if by else daemon.client("sts")
    return Session(daemon, sts.assume_role(RoleArn=role_arn, RoleSessionName=session, **kwargs))


@pytest.fixture(scope="module")
def iam(daemon):
    return daemon.client("iam")


@pytest.fixture
def new_role(iam):
    """Makes a role (trusting the account root unless told otherwise); returns (name, arn)."""
    made = []

    def make(trust_policy=None, inline=None, managed=(), **kwargs):
        name = unique("role")
        r = iam.create_role(RoleName=name,
                            AssumeRolePolicyDocument=json.dumps(trust_policy or trust(ROOT_ARN)),
                            **kwargs)["Role"]
        if inline:
            iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=inline)
        for arn in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        made.append(name)
        return name, r["Arn"]

    yield make
    for name in made:
        try:
            for p in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                iam.delete_role_policy(RoleName=name, PolicyName=p)
            for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"])
            iam.delete_role(RoleName=name)
        except ClientError:
            pass


@pytest.fixture(scope="module")
def functions(daemon, lam):
    """Two python3.12 functions returning their event: (target, other)."""
    role = make_role(daemon)
    names = []
    for prefix in ("target", "other"):
        name = unique(prefix)
        r = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                Handler="handler.handler",
                                Code={"ZipFile": make_zip(HANDLER_ZIP_FILES)})
        assert r["State"] == "Active"
        names.append(name)
    return tuple(names)


# --- AssumeRole ---------------------------------------------------------------------------

def test_assume_role_with_boto3_returns_a_session_of_the_role_for_an_hour(daemon, iam, new_role):
    name, arn = new_role()
    role_id = iam.get_role(RoleName=name)["Role"]["RoleId"]
    before = datetime.datetime.now(datetime.timezone.utc)
    s = assume(daemon, arn, session="boto3-session")
    assert s.access_key.startswith("ASIA") and len(s.access_key) == 20
    assert len(s.secret_key) == 40
    assert s.token
    assert s.arn == session_arn(name, "boto3-session")
    assert s.response["AssumedRoleUser"]["AssumedRoleId"] == f"{role_id}:boto3-session"
    lifetime = (s.expiration - before).total_seconds()
    assert 3600 - 30 <= lifetime <= 3600 + 5, lifetime

    identity = s.client("sts").get_caller_identity()
    assert identity["Arn"] == session_arn(name, "boto3-session")
    assert identity["UserId"] == f"{role_id}:boto3-session"
    assert identity["Account"] == ACCOUNT


def test_assume_role_with_the_cli_then_get_caller_identity_shows_the_assumed_role(daemon,
                                                                                 new_role):
    name, arn = new_role()
    _, out, _ = daemon.cli("sts", "assume-role", "--role-arn", arn,
                           "--role-session-name", "cli-session", "--duration-seconds", "1800")
    creds = out["Credentials"]
    assert out["AssumedRoleUser"]["Arn"] == session_arn(name, "cli-session")
    expires = datetime.datetime.fromisoformat(creds["Expiration"].replace("Z", "+00:00"))
    lifetime = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 1800 - 30 <= lifetime <= 1800 + 5, lifetime

    env = daemon.cli_env()
    env.update({"AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                "AWS_SESSION_TOKEN": creds["SessionToken"]})
    p = subprocess.run([AWS_CLI, "--endpoint-url", daemon.endpoint, "--output", "json",
                        "sts", "get-caller-identity"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == session_arn(name, "cli-session")


def test_assume_role_duration_seconds_sets_the_expiration(daemon, new_role):
    _, arn = new_role()
    before = datetime.datetime.now(datetime.timezone.utc)
    s = assume(daemon, arn, DurationSeconds=900)
    assert 900 - 30 <= (s.expiration - before).total_seconds() <= 905

    _, long_arn = new_role(MaxSessionDuration=7200)
    s = assume(daemon, long_arn, DurationSeconds=7200)
    assert 7200 - 30 <= (s.expiration - before).total_seconds() <= 7205
    assert s.client("sts").get_caller_identity()["Arn"] == s.arn


def test_assume_role_beyond_the_roles_max_session_duration_is_validation_error(daemon, new_role):
    _, arn = new_role()  # MaxSessionDuration 3600
    with pytest.raises(ClientError) as e:
        assume(daemon, arn, DurationSeconds=3601)
    assert error_of(e) == (
        "ValidationError", 400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

    _, long_arn = new_role(MaxSessionDuration=7200)
    with pytest.raises(ClientError) as e:
        assume(daemon, long_arn, DurationSeconds=7201)
    assert error_of(e)[:2] == ("ValidationError", 400)


def test_assume_role_duration_outside_900_to_43200_is_validation_error(daemon, new_role):
    _, arn = new_role()
    sts = daemon.client("sts", parameter_validation=False)
    for seconds in (899, 43201):
        with pytest.raises(ClientError) as e:
            sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=seconds)
        code, status, message = error_of(e)
        assert (code, status) == ("ValidationError", 400), message
        assert "durationSeconds" in message, message


def test_role_chaining_beyond_one_hour_is_validation_error(daemon, new_role):
    b_name, b_arn = new_role(MaxSessionDuration=7200)
    _, a_arn = new_role(inline=policy(allow("sts:AssumeRole", b_arn)))
    a = assume(daemon, a_arn, session="first")
    with pytest.raises(ClientError) as e:
        assume(daemon, b_arn, session="chained", by=a, DurationSeconds=3601)
    assert error_of(e) == (
        "ValidationError", 400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
        "chaining.")
    # Up to an hour is fine, and the default (an hour) too.
    chained = assume(daemon, b_arn, session="chained", by=a, DurationSeconds=3600)
    assert chained.arn == session_arn(b_name, "chained")
    assert assume(daemon, b_arn, session="chained2", by=a).arn == session_arn(b_name, "chained2")
    assert chained.client("sts").get_caller_identity()["Arn"] == session_arn(b_name, "chained")


def test_assume_missing_role_is_access_denied_403(daemon):
    arn = ROLE_ARN + unique("missing")
    with pytest.raises(ClientError) as e:
        assume(daemon, arn)
    assert error_of(e) == (
        "AccessDenied", 403,
        f"User: {ROOT_ARN} is not authorized to perform: sts:AssumeRole on resource: {arn}")


def test_assume_role_in_another_account_is_access_denied_403(daemon, new_role):
    name, _ = new_role()
    arn = f"arn:aws:iam::111111111111:role/{name}"
    with pytest.raises(ClientError) as e:
        assume(daemon, arn)
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_assume_role_whose_trust_names_only_lambda_is_access_denied_403(daemon, new_role):
    _, arn = new_role(trust(service="lambda.amazonaws.com"))
    with pytest.raises(ClientError) as e:
        assume(daemon, arn)
    assert error_of(e) == (
        "AccessDenied", 403,
        f"User: {ROOT_ARN} is not authorized to perform: sts:AssumeRole on resource: {arn}")


def test_assume_role_whose_trust_names_another_account_is_access_denied_403(daemon, new_role):
    _, arn = new_role(trust("arn:aws:iam::111111111111:root"))
    with pytest.raises(ClientError) as e:
        assume(daemon, arn)
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_assume_role_trusting_the_bare_account_id_works_for_the_root_keys(daemon, new_role):
    name, arn = new_role(trust(ACCOUNT))
    assert assume(daemon, arn).arn == session_arn(name, "s1")


def test_bad_role_session_names_are_validation_errors(daemon, new_role):
    _, arn = new_role()
    sts = daemon.client("sts", parameter_validation=False)
    for bad in ("a", "bad name", "x" * 65, "slash/es", ""):
        with pytest.raises(ClientError) as e:
            sts.assume_role(RoleArn=arn, RoleSessionName=bad)
        code, status, message = error_of(e)
        assert (code, status) == ("ValidationError", 400), (bad, message)
        assert "roleSessionName" in message, message
    # The pattern's whole alphabet is fine.
    assert assume(daemon, arn, session="ok_+=,.@-9").arn.endswith("/ok_+=,.@-9")


def test_session_policy_parameter_is_validation_error(daemon, new_role):
    _, arn = new_role()
    with pytest.raises(ClientError) as e:
        assume(daemon, arn, Policy=policy(allow("s3:*")))
    assert error_of(e) == ("ValidationError", 400,
                           "Lamina does not support session policies (Policy, PolicyArns).")


def test_session_policy_arns_parameter_is_validation_error(daemon, new_role):
    _, arn = new_role()
    with pytest.raises(ClientError) as e:
        assume(daemon, arn, PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}])
    assert error_of(e)[:2] == ("ValidationError", 400)


def test_assume_role_without_required_parameters_is_validation_error(daemon):
    sts = daemon.client("sts", parameter_validation=False)
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleArn=ROLE_ARN + "x")
    assert error_of(e)[:2] == ("ValidationError", 400)
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleSessionName="s1")
    assert error_of(e)[:2] == ("ValidationError", 400)


# --- trust through the account root --------------------------------------------------------

def test_role_session_assuming_a_role_that_trusts_the_account_needs_its_own_permission(
        daemon, iam, new_role):
    b_name, b_arn = new_role(trust(ROOT_ARN))
    a_name, a_arn = new_role()
    a = assume(daemon, a_arn, session="a-session")
    with pytest.raises(ClientError) as e:
        assume(daemon, b_arn, by=a)
    assert error_of(e) == (
        "AccessDenied", 403,
        f"User: {session_arn(a_name, 'a-session')} is not authorized to perform: sts:AssumeRole "
        f"on resource: {b_arn}")

    # A's policy allowing sts:AssumeRole on B is enough, at once, for the session A already has.
    iam.put_role_policy(RoleName=a_name, PolicyName="chain",
                        PolicyDocument=policy(allow("sts:AssumeRole", b_arn)))
    assert assume(daemon, b_arn, session="b-session", by=a).arn == session_arn(b_name, "b-session")

    # An explicit deny beats it.
    iam.put_role_policy(RoleName=a_name, PolicyName="no",
                        PolicyDocument=policy(deny("sts:AssumeRole", b_arn)))
    with pytest.raises(ClientError) as e:
        assume(daemon, b_arn, by=a)
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_role_session_assuming_a_role_that_trusts_the_account_id_needs_its_own_permission(
        daemon, new_role):
    _, b_arn = new_role(trust(ACCOUNT))
    _, a_arn = new_role()
    a = assume(daemon, a_arn)
    with pytest.raises(ClientError) as e:
        assume(daemon, b_arn, by=a)
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_role_session_named_by_role_arn_in_the_trust_policy_needs_no_permission(daemon, new_role):
    a_name, a_arn = new_role()  # no policies at all
    b_name, b_arn = new_role(trust(a_arn))
    a = assume(daemon, a_arn, session="a-session")
    assert assume(daemon, b_arn, session="b-session", by=a).arn == session_arn(b_name, "b-session")
    # The trust names A, not the account: the root keys may not assume B.
    with pytest.raises(ClientError) as e:
        assume(daemon, b_arn)
    assert error_of(e)[:2] == ("AccessDenied", 403)
    # Nor may a session of another role.
    _, c_arn = new_role()
    c = assume(daemon, c_arn)
    with pytest.raises(ClientError) as e:
        assume(daemon, b_arn, by=c)
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_role_session_named_by_session_arn_in_the_trust_policy_may_assume(daemon, new_role):
    a_name, a_arn = new_role()
    b_name, b_arn = new_role(trust(session_arn(a_name, "named")))
    a = assume(daemon, a_arn, session="named")
    assert assume(daemon, b_arn, by=a).arn == session_arn(b_name, "s1")
    other = assume(daemon, a_arn, session="unnamed")
    with pytest.raises(ClientError) as e:
        assume(daemon, b_arn, by=other)
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_role_session_of_a_pathed_role_named_by_its_arn_in_the_trust_policy_may_assume(
        daemon, new_role):
    _, a_arn = new_role(Path="/team/")
    assert ":role/team/" in a_arn
    b_name, b_arn = new_role(trust(a_arn))
    a = assume(daemon, a_arn)
    assert assume(daemon, b_arn, by=a).arn == session_arn(b_name, "s1")


def test_trust_policy_deny_naming_the_caller_wins_over_the_account_allow(daemon, new_role):
    a_name, a_arn = new_role()
    doc = trust(ROOT_ARN)
    doc["Statement"].append({"Effect": "Deny", "Principal": {"AWS": a_arn},
                             "Action": "sts:AssumeRole"})
    _, b_arn = new_role(doc)
    a = assume(daemon, a_arn)
    with pytest.raises(ClientError) as e:
        assume(daemon, b_arn, by=a)
    assert error_of(e)[:2] == ("AccessDenied", 403)


# --- what role sessions may do: Lambda -----------------------------------------------------

def test_get_function_allowed_on_the_named_function_and_denied_on_another_in_aws_words(
        daemon, new_role, functions):
    target, other = functions
    name, arn = new_role(inline=policy(allow("lambda:GetFunction", FN_ARN + target)))
    s = assume(daemon, arn, session="sess")
    lam = s.client("lambda")
    assert lam.get_function(FunctionName=target)["Configuration"]["FunctionName"] == target
    # By ARN too: the resource is the same.
    assert lam.get_function(FunctionName=FN_ARN + target)["Configuration"]["FunctionName"] == target

    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=other)
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "lambda:GetFunction", FN_ARN + other))
    # Other actions on the allowed function are not granted by it.
    with pytest.raises(ClientError) as e:
        lam.get_function_configuration(FunctionName=target)
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "lambda:GetFunctionConfiguration", FN_ARN + target))
    with pytest.raises(ClientError) as e:
        lam.list_functions()
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "lambda:ListFunctions", "*"))


def test_session_without_any_policy_is_denied_everything_but_get_caller_identity(
        daemon, new_role, functions):
    name, arn = new_role()
    s = assume(daemon, arn)
    with pytest.raises(ClientError) as e:
        s.client("lambda").get_function(FunctionName=functions[0])
    assert error_of(e)[:2] == ("AccessDeniedException", 403)
    with pytest.raises(ClientError) as e:
        s.client("lambda").get_account_settings()
    assert error_of(e)[:2] == ("AccessDeniedException", 403)
    assert s.client("sts").get_caller_identity()["Arn"] == session_arn(name, "s1")


def test_explicit_deny_wins_over_allow_with_awss_explicit_deny_message(daemon, new_role,
                                                                       functions):
    target, other = functions
    name, arn = new_role(inline=policy(allow("lambda:*"),
                                       deny("lambda:GetFunction", FN_ARN + target)))
    lam = assume(daemon, arn, session="sess").client("lambda")
    assert lam.get_function(FunctionName=other)["Configuration"]["FunctionName"] == other
    assert lam.get_function_configuration(FunctionName=target)["FunctionName"] == target
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=target)
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "lambda:GetFunction", FN_ARN + target, explicit=True))


def test_invoke_allowed_by_invoke_function_on_one_function_and_denied_on_another(
        daemon, new_role, functions):
    target, other = functions
    name, arn = new_role(inline=policy(allow("lambda:InvokeFunction", FN_ARN + target)))
    lam = assume(daemon, arn, session="sess").client("lambda", read_timeout=60)
    r = lam.invoke(FunctionName=target, Payload=b'{"hello": "roles"}')
    assert r["StatusCode"] == 200
    assert json.loads(r["Payload"].read()) == {"hello": "roles"}
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=other, Payload=b"{}")
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "lambda:InvokeFunction", FN_ARN + other))
    # GetFunction is another action.
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=target)
    assert error_of(e)[:2] == ("AccessDeniedException", 403)


def test_invoke_denied_by_explicit_deny_on_invoke_function(daemon, new_role, functions):
    target, _ = functions
    name, arn = new_role(inline=policy(allow("lambda:*"),
                                       deny("lambda:InvokeFunction", FN_ARN + "target-*")))
    lam = assume(daemon, arn, session="sess").client("lambda")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=target, Payload=b"{}")
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "lambda:InvokeFunction", FN_ARN + target, explicit=True))


def test_attached_aws_lambda_role_allows_invoke_but_nothing_else(daemon, new_role, functions):
    target, other = functions
    _, arn = new_role(managed=["arn:aws:iam::aws:policy/service-role/AWSLambdaRole"])
    lam = assume(daemon, arn).client("lambda", read_timeout=60)
    for fn in (target, other):
        r = lam.invoke(FunctionName=fn, Payload=b'{"n": 1}')
        assert json.loads(r["Payload"].read()) == {"n": 1}
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=target)
    assert error_of(e)[:2] == ("AccessDeniedException", 403)


def test_create_function_needs_create_function_and_pass_role_on_the_execution_role(
        daemon, lam, new_role):
    exec_role = make_role(daemon)
    fn = unique("created")
    name, arn = new_role(inline=policy(allow("lambda:CreateFunction", FN_ARN + fn),
                                       allow("lambda:DeleteFunction", FN_ARN + fn)))
    s = assume(daemon, arn, session="sess")
    session_lam = s.client("lambda")

    def create(function_name=fn):
        return session_lam.create_function(
            FunctionName=function_name, Runtime="python3.12", Role=exec_role,
            Handler="handler.handler", Code={"ZipFile": make_zip(HANDLER_ZIP_FILES)})

    with pytest.raises(ClientError) as e:
        create()
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "iam:PassRole", exec_role))
    # Nothing was made.
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=fn)
    assert error_of(e)[0] == "ResourceNotFoundException"

    # Not a function the policy names: lambda:CreateFunction itself is denied.
    other_fn = unique("created")
    with pytest.raises(ClientError) as e:
        create(other_fn)
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "lambda:CreateFunction", FN_ARN + other_fn))

    daemon.client("iam").put_role_policy(RoleName=name, PolicyName="pass",
                                         PolicyDocument=policy(allow("iam:PassRole", exec_role)))
    assert create()["FunctionName"] == fn
    session_lam.delete_function(FunctionName=fn)


def test_update_function_configuration_with_a_new_role_needs_pass_role(daemon, lam, new_role,
                                                                       functions):
    target, _ = functions
    new_exec_role = make_role(daemon)
    name, arn = new_role(inline=policy(allow("lambda:UpdateFunctionConfiguration",
                                             FN_ARN + target)))
    session_lam = assume(daemon, arn, session="sess").client("lambda")
    with pytest.raises(ClientError) as e:
        session_lam.update_function_configuration(FunctionName=target, Role=new_exec_role)
    assert error_of(e) == ("AccessDeniedException", 403, denied_message(
        session_arn(name, "sess"), "iam:PassRole", new_exec_role))
    # Changes that pass no role need no iam:PassRole.
    r = session_lam.update_function_configuration(FunctionName=target, Description="by a role")
    assert r["Description"] == "by a role"


def test_role_policy_changes_take_effect_on_the_next_request(daemon, iam, new_role, functions):
    target, _ = functions
    name, arn = new_role()
    lam = assume(daemon, arn).client("lambda")
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=target)
    assert error_of(e)[:2] == ("AccessDeniedException", 403)

    iam.put_role_policy(RoleName=name, PolicyName="get",
                        PolicyDocument=policy(allow("lambda:GetFunction")))
    assert lam.get_function(FunctionName=target)["Configuration"]["FunctionName"] == target

    iam.delete_role_policy(RoleName=name, PolicyName="get")
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=target)
    assert error_of(e)[:2] == ("AccessDeniedException", 403)

    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert lam.get_function(FunctionName=target)["Configuration"]["FunctionName"] == target
    iam.detach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=target)
    assert error_of(e)[:2] == ("AccessDeniedException", 403)


def test_session_of_a_deleted_role_may_do_nothing(daemon, iam, new_role, functions):
    name, arn = new_role(inline=policy(allow("lambda:*")))
    lam = assume(daemon, arn).client("lambda")
    assert lam.get_function(FunctionName=functions[0])
    iam.delete_role_policy(RoleName=name, PolicyName="inline")
    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=functions[0])
    assert error_of(e)[:2] == ("AccessDeniedException", 403)


# --- IAM, STS and Logs ---------------------------------------------------------------------

def test_iam_actions_are_denied_without_permission_and_allowed_with_it(daemon, iam, new_role):
    name, arn = new_role()
    other_name, other_arn = new_role()
    session_iam = assume(daemon, arn, session="sess").client("iam")
    with pytest.raises(ClientError) as e:
        session_iam.list_roles()
    code, status, message = error_of(e)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: {session_arn(name, 'sess')} is not authorized to perform: "
                              "iam:ListRoles on resource: "), message
    with pytest.raises(ClientError) as e:
        session_iam.get_role(RoleName=other_name)
    assert error_of(e) == ("AccessDenied", 403, denied_message(
        session_arn(name, "sess"), "iam:GetRole", other_arn))

    iam.put_role_policy(RoleName=name, PolicyName="get-other",
                        PolicyDocument=policy(allow("iam:GetRole", other_arn)))
    assert session_iam.get_role(RoleName=other_name)["Role"]["Arn"] == other_arn
    with pytest.raises(ClientError) as e:
        session_iam.get_role(RoleName=name)
    assert error_of(e)[:2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as e:
        session_iam.list_roles()
    assert error_of(e)[:2] == ("AccessDenied", 403)

    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert any(r["RoleName"] == other_name for r in session_iam.list_roles()["Roles"])
    with pytest.raises(ClientError) as e:
        session_iam.put_role_policy(RoleName=name, PolicyName="escalate",
                                    PolicyDocument=policy(allow("*")))
    assert error_of(e) == ("AccessDenied", 403, denied_message(
        session_arn(name, "sess"), "iam:PutRolePolicy", arn))
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["get-other"]


def test_iam_resource_of_a_pathed_role_is_its_full_arn(daemon, iam, new_role):
    pathed_name, pathed_arn = new_role(Path="/team/")
    name, arn = new_role(inline=policy(allow("iam:GetRole", ROLE_ARN + "team/*")))
    session_iam = assume(daemon, arn).client("iam")
    assert session_iam.get_role(RoleName=pathed_name)["Role"]["Arn"] == pathed_arn
    with pytest.raises(ClientError) as e:
        session_iam.get_role(RoleName=name)
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_get_caller_identity_is_allowed_even_under_a_deny_all_policy(daemon, new_role):
    name, arn = new_role(inline=policy(deny("*")))
    s = assume(daemon, arn, session="sess")
    assert s.client("sts").get_caller_identity()["Arn"] == session_arn(name, "sess")
    with pytest.raises(ClientError) as e:
        s.client("iam").list_roles()
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_logs_actions_are_denied_without_permission_and_allowed_with_it(daemon, iam, new_role):
    name, arn = new_role()
    logs = assume(daemon, arn, session="sess").client("logs")
    with pytest.raises(ClientError) as e:
        logs.describe_log_groups()
    code, _, message = error_of(e)
    assert code == "AccessDeniedException"
    assert message == denied_message(session_arn(name, "sess"), "logs:DescribeLogGroups", "*")

    group = "/test/" + unique("roles")
    with pytest.raises(ClientError) as e:
        logs.create_log_group(logGroupName=group)
    assert error_of(e)[0] == "AccessDeniedException"
    assert error_of(e)[2] == denied_message(
        session_arn(name, "sess"), "logs:CreateLogGroup",
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*")

    iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=policy(
        allow(["logs:DescribeLogGroups", "logs:CreateLogGroup", "logs:DeleteLogGroup"])))
    logs.create_log_group(logGroupName=group)
    assert [g["logGroupName"] for g in
            logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]] == [group]
    logs.delete_log_group(logGroupName=group)


def test_root_keys_are_never_limited(daemon, iam, lam, new_role, functions):
    # Even with roles around that deny everything, the account's own keys may do anything.
    new_role(inline=policy(deny("*")))
    assert daemon.client("sts").get_caller_identity()["Arn"] == ROOT_ARN
    assert lam.get_function(FunctionName=functions[0])["Configuration"]["FunctionName"]
    assert iam.list_roles()["Roles"]
    daemon.client("logs").describe_log_groups()
    r = lam.invoke(FunctionName=functions[0], Payload=b'{"root": true}')
    assert json.loads(r["Payload"].read()) == {"root": True}


def test_function_environment_gets_its_execution_roles_credentials(daemon, iam, lam, functions):
    """The credentials in a function's environment are a session of its role named after it."""
    role_arn = make_role(daemon)
    role_name = role_arn.rsplit("/", 1)[1]
    fn = unique("creds")
    code = ("import os\n"
            "def handler(event, context):\n"
            "    return {k: os.environ.get(k) for k in ('AWS_ACCESS_KEY_ID',\n"
            "            'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN')}\n")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=role_arn,
                        Handler="handler.handler", Code={"ZipFile": make_zip({"handler.py": code})})
    try:
        env = json.loads(lam.invoke(FunctionName=fn)["Payload"].read())
        assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA"), env
        s = Session(daemon, {
            "Credentials": {"AccessKeyId": env["AWS_ACCESS_KEY_ID"],
                            "SecretAccessKey": env["AWS_SECRET_ACCESS_KEY"],
                            "SessionToken": env["AWS_SESSION_TOKEN"], "Expiration": None},
            "AssumedRoleUser": {"Arn": None}})
        assert s.client("sts").get_caller_identity()["Arn"] == session_arn(role_name, fn)
        session_lam = s.client("lambda")
        with pytest.raises(ClientError) as e:
            session_lam.get_function(FunctionName=functions[0])
        assert error_of(e) == ("AccessDeniedException", 403, denied_message(
            session_arn(role_name, fn), "lambda:GetFunction", FN_ARN + functions[0]))
        iam.put_role_policy(RoleName=role_name, PolicyName="get",
                            PolicyDocument=policy(allow("lambda:GetFunction")))
        assert session_lam.get_function(FunctionName=functions[0])
    finally:
        lam.delete_function(FunctionName=fn)


# --- token errors --------------------------------------------------------------------------

def tampered(token):
    """The token with one base64 character in the middle changed."""
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


def test_tampered_session_token_is_unrecognized_client_403(daemon, new_role):
    _, arn = new_role(inline=policy(allow("*")))
    s = assume(daemon, arn)
    bad = tampered(s.token)
    with pytest.raises(ClientError) as e:
        s.client("lambda", token=bad).list_functions()
    assert error_of(e) == ("UnrecognizedClientException", 403, INVALID_TOKEN)
    with pytest.raises(ClientError) as e:
        s.client("iam", token=bad).list_roles()
    assert error_of(e) == ("InvalidClientTokenId", 403, INVALID_TOKEN)
    with pytest.raises(ClientError) as e:
        s.client("sts", token=bad).get_caller_identity()
    assert error_of(e) == ("InvalidClientTokenId", 403, INVALID_TOKEN)
    with pytest.raises(ClientError) as e:
        s.client("logs", token=bad).describe_log_groups()
    assert error_of(e)[0] == "UnrecognizedClientException"
    # The untouched token still works.
    assert s.client("lambda").list_functions() is not None


def test_session_token_of_another_session_or_none_is_refused(daemon, new_role):
    _, arn = new_role(inline=policy(allow("*")))
    first, second = assume(daemon, arn, session="one"), assume(daemon, arn, session="two")
    with pytest.raises(ClientError) as e:
        first.client("sts", token=second.token).get_caller_identity()
    assert error_of(e)[:2] == ("InvalidClientTokenId", 403)
    # A temporary key without its token is no long-term key.
    with pytest.raises(ClientError) as e:
        first.client("lambda", token="").list_functions()
    assert error_of(e)[:2] == ("UnrecognizedClientException", 403)


def test_session_key_with_the_wrong_secret_is_a_signature_mismatch(daemon, new_role):
    _, arn = new_role()
    s = assume(daemon, arn)
    with pytest.raises(ClientError) as e:
        s.client("sts", secret_key="x" * 40).get_caller_identity()
    assert error_of(e)[:2] == ("SignatureDoesNotMatch", 403)
    with pytest.raises(ClientError) as e:
        s.client("lambda", secret_key="x" * 40).list_functions()
    assert error_of(e)[:2] == ("InvalidSignatureException", 403)


def test_altered_tokens_and_other_daemons_tokens_are_refused(daemon_factory):
    one, two = daemon_factory(), daemon_factory()
    for d in (one, two):
        d.client("iam").create_role(RoleName="shared",
                                    AssumeRolePolicyDocument=json.dumps(trust(ROOT_ARN)))
    s = assume(one, ROLE_ARN + "shared")
    assert s.client("sts").get_caller_identity()["Arn"] == session_arn("shared", "s1")
    for bad in (tampered(s.token), s.token[:-8], s.token + "AAAA", "not-a-token"):
        with pytest.raises(ClientError) as e:
            s.client("sts", token=bad).get_caller_identity()
        assert error_of(e)[:2] == ("InvalidClientTokenId", 403), bad
    # The same role in another daemon does not honour this daemon's sessions.
    s.daemon = two
    with pytest.raises(ClientError) as e:
        s.client("sts").get_caller_identity()
    assert error_of(e) == ("InvalidClientTokenId", 403, INVALID_TOKEN)
    with pytest.raises(ClientError) as e:
        s.client("lambda").list_functions()
    assert error_of(e) == ("UnrecognizedClientException", 403, INVALID_TOKEN)


def test_session_credentials_issued_before_a_restart_still_work_after(daemon_factory):
    d = daemon_factory()
    iam = d.client("iam")
    iam.create_role(RoleName="durable", AssumeRolePolicyDocument=json.dumps(trust(ROOT_ARN)))
    iam.put_role_policy(RoleName="durable", PolicyName="list",
                        PolicyDocument=policy(allow("lambda:ListFunctions")))
    s = assume(d, ROLE_ARN + "durable", session="before")
    key_file = os.path.join(d.data_dir, "session-key")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    with open(key_file, "rb") as f:
        key = f.read()

    d.restart()
    s.daemon = d  # same endpoint object, new port
    assert s.client("sts").get_caller_identity()["Arn"] == session_arn("durable", "before")
    assert s.client("lambda").list_functions()["Functions"] == []
    with pytest.raises(ClientError) as e:
        s.client("iam").list_roles()
    assert error_of(e)[:2] == ("AccessDenied", 403)
    with open(key_file, "rb") as f:
        assert f.read() == key


# --- condition keys --------------------------------------------------------------------------

def test_policy_conditions_on_requested_region_and_userid_are_evaluated(daemon, iam, new_role,
                                                                       functions):
    target, _ = functions
    name, arn = new_role()
    role_id = iam.get_role(RoleName=name)["Role"]["RoleId"]
    iam.put_role_policy(RoleName=name, PolicyName="cond", PolicyDocument=policy({
        "Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": REGION},
                      "StringLike": {"aws:userid": f"{role_id}:allowed-*"}}}))
    allowed = assume(daemon, arn, session="allowed-1").client("lambda")
    assert allowed.get_function(FunctionName=target)
    other = assume(daemon, arn, session="other-1").client("lambda")
    with pytest.raises(ClientError) as e:
        other.get_function(FunctionName=target)
    assert error_of(e)[:2] == ("AccessDeniedException", 403)


def test_policy_condition_on_principal_arn_sees_the_role_arn(daemon, iam, new_role, functions):
    target, _ = functions
    name, arn = new_role()
    iam.put_role_policy(RoleName=name, PolicyName="cond", PolicyDocument=policy({
        "Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "*",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": arn}}}))
    lam = assume(daemon, arn).client("lambda")
    assert lam.get_function(FunctionName=target)
