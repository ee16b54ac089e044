"""IAM and STS end to end: the real daemon driven by boto3, the AWS CLI and raw HTTP."""
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.exceptions import ClientError

from conftest import error_of, unique

ACCOUNT = "000000000000"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
LOGS_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:PutLogEvents"],
    "Resource": "*"}]}


@pytest.fixture
def iam(daemon):
    return daemon.client("iam")


@pytest.fixture
def loose_iam(daemon):
    """A client that skips botocore's own parameter checks, so the daemon's are exercised."""
    return daemon.client("iam", parameter_validation=False)


def create_role(iam, name=None, **kwargs):
    name = name or unique("role")
    kwargs.setdefault("AssumeRolePolicyDocument", json.dumps(LAMBDA_TRUST))
    return iam.create_role(RoleName=name, **kwargs)["Role"]


def http_post(daemon, body, headers=None, query=""):
    url = daemon.endpoint + "/" + ("?" + query if query else "")
    request = urllib.request.Request(url, data=body.encode() if body is not None else None,
                                     headers=headers or {}, method="POST")
    return open_url(request)


def open_url(request):
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def signed(daemon, method, params, service="iam", secret_key=None, in_query=False):
    """Sends a SigV4-signed query-protocol request built by hand."""
    encoded = urllib.parse.urlencode(params)
    url = daemon.endpoint + "/" + ("?" + encoded if in_query else "")
    body = None if in_query else encoded
    headers = {} if in_query else {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
    credentials = botocore.credentials.Credentials(daemon.access_key,
                                                   secret_key or daemon.secret_key)
    botocore.auth.SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    data = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    raw = urllib.request.Request(prepared.url, data=data,
                                 headers=dict(prepared.headers.items()), method=method)
    return open_url(raw)


def parse_error(body, ns=IAM_NS):
    root = ET.fromstring(body)
    assert root.tag == f"{{{ns}}}ErrorResponse", body
    error = root.find(f"{{{ns}}}Error")
    return {child.tag.split("}")[1]: child.text for child in error}, \
        root.find(f"{{{ns}}}RequestId").text


# --- roles ---------------------------------------------------------------------------------

def test_role_lifecycle_with_boto3(iam):
    name = unique("life")
    created = create_role(iam, name, Path="/service-role/", Description="for <tests> & more",
                          MaxSessionDuration=7200, Tags=[{"Key": "team", "Value": "platform"}])
    assert created["RoleName"] == name
    assert created["Path"] == "/service-role/"
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/service-role/{name}"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", created["RoleId"])
    assert created["AssumeRolePolicyDocument"] == LAMBDA_TRUST  # URL-encoded on the wire
    assert created["Description"] == "for <tests> & more"
    assert created["MaxSessionDuration"] == 7200
    assert created["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert created["CreateDate"].year >= 2024

    got = iam.get_role(RoleName=name)["Role"]
    for key in ("RoleName", "RoleId", "Arn", "Path", "CreateDate", "AssumeRolePolicyDocument",
                "Description", "MaxSessionDuration", "Tags"):
        assert got[key] == created[key], key
    assert "RoleLastUsed" not in got

    listed = [r for r in iam.list_roles(PathPrefix="/service-role/")["Roles"]
              if r["RoleName"] == name]
    assert len(listed) == 1
    assert listed[0]["RoleId"] == created["RoleId"]
    assert "Tags" not in listed[0]  # ListRoles leaves tags out, as AWS does

    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as e:
        iam.get_role(RoleName=name)
    assert error_of(e) == ("NoSuchEntity", 404, f"The role with name {name} cannot be found.")


def test_role_defaults_and_case_insensitive_names(iam):
    name = unique("Mixed")
    created = create_role(iam, name)
    assert created["Path"] == "/"
    assert created["MaxSessionDuration"] == 3600
    assert "Description" not in created
    assert iam.get_role(RoleName=name.lower())["Role"]["RoleName"] == name
    with pytest.raises(ClientError) as e:
        create_role(iam, name.upper())
    assert error_of(e) == ("EntityAlreadyExists", 409,
                           f"Role with name {name.upper()} already exists.")


def test_roles_with_the_cli(daemon, tmp_path):
    name = unique("cli")
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(LAMBDA_TRUST))
    _, out, _ = daemon.cli("iam", "create-role", "--role-name", name,
                           "--assume-role-policy-document", f"file://{trust}",
                           "--description", "made by the CLI")
    assert out["Role"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/{name}"
    assert out["Role"]["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    _, out, _ = daemon.cli("iam", "get-role", "--role-name", name)
    assert out["Role"]["Description"] == "made by the CLI"
    _, out, _ = daemon.cli("iam", "list-roles")
    assert name in [r["RoleName"] for r in out["Roles"]]

    daemon.cli("iam", "attach-role-policy", "--role-name", name, "--policy-arn", BASIC_EXECUTION)
    _, out, _ = daemon.cli("iam", "list-attached-role-policies", "--role-name", name)
    assert out["AttachedPolicies"] == [{"PolicyName": "AWSLambdaBasicExecutionRole",
                                        "PolicyArn": BASIC_EXECUTION}]
    daemon.cli("iam", "put-role-policy", "--role-name", name, "--policy-name", "logs",
               "--policy-document", json.dumps(LOGS_POLICY))
    _, out, _ = daemon.cli("iam", "get-role-policy", "--role-name", name, "--policy-name", "logs")
    assert out["PolicyDocument"] == LOGS_POLICY

    code, _, err = daemon.cli("iam", "delete-role", "--role-name", name, check=False)
    assert code != 0 and "DeleteConflict" in err
    daemon.cli("iam", "detach-role-policy", "--role-name", name, "--policy-arn", BASIC_EXECUTION)
    daemon.cli("iam", "delete-role-policy", "--role-name", name, "--policy-name", "logs")
    daemon.cli("iam", "delete-role", "--role-name", name)
    code, _, err = daemon.cli("iam", "get-role", "--role-name", name, check=False)
    assert code != 0 and "NoSuchEntity" in err


def test_list_roles_paginates(iam):
    prefix = f"/{unique('page')}/"
    names = sorted(unique(f"p{i}") for i in range(5))
    for name in names:
        create_role(iam, name, Path=prefix)

    seen, marker, pages = [], None, 0
    while True:
        kwargs = {"PathPrefix": prefix, "MaxItems": 2}
        if marker:
            kwargs["Marker"] = marker
        page = iam.list_roles(**kwargs)
        pages += 1
        assert len(page["Roles"]) <= 2
        seen += [r["RoleName"] for r in page["Roles"]]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        marker = page["Marker"]
    assert pages == 3
    assert seen == names

    paginated = [r["RoleName"]
                 for p in iam.get_paginator("list_roles").paginate(
                     PathPrefix=prefix, PaginationConfig={"PageSize": 2})
                 for r in p["Roles"]]
    assert paginated == names
    assert iam.list_roles(PathPrefix=prefix + "none/")["Roles"] == []


# --- policies ------------------------------------------------------------------------------

def test_inline_role_policies(iam):
    name = create_role(iam)["RoleName"]
    iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=json.dumps(LOGS_POLICY))
    iam.put_role_policy(RoleName=name, PolicyName="other", PolicyDocument="{}")
    got = iam.get_role_policy(RoleName=name, PolicyName="logs")
    assert got["RoleName"] == name
    assert got["PolicyName"] == "logs"
    assert got["PolicyDocument"] == LOGS_POLICY  # URL-encoded on the wire
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["logs", "other"]
    page = iam.list_role_policies(RoleName=name, MaxItems=1)
    assert page["PolicyNames"] == ["logs"] and page["IsTruncated"]
    page = iam.list_role_policies(RoleName=name, MaxItems=1, Marker=page["Marker"])
    assert page["PolicyNames"] == ["other"] and not page["IsTruncated"]

    # Replacing a policy keeps one policy of that name.
    iam.put_role_policy(RoleName=name, PolicyName="other", PolicyDocument=json.dumps(LOGS_POLICY))
    assert iam.get_role_policy(RoleName=name, PolicyName="other")["PolicyDocument"] == LOGS_POLICY
    assert len(iam.list_role_policies(RoleName=name)["PolicyNames"]) == 2

    iam.delete_role_policy(RoleName=name, PolicyName="other")
    with pytest.raises(ClientError) as e:
        iam.get_role_policy(RoleName=name, PolicyName="other")
    assert error_of(e) == ("NoSuchEntity", 404, "The role policy with name other cannot be found.")
    with pytest.raises(ClientError) as e:
        iam.delete_role_policy(RoleName=name, PolicyName="other")
    assert error_of(e)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as e:
        iam.put_role_policy(RoleName=unique("ghost"), PolicyName="p", PolicyDocument="{}")
    assert error_of(e)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as e:
        iam.list_role_policies(RoleName=unique("ghost"))
    assert error_of(e)[:2] == ("NoSuchEntity", 404)


def test_attached_role_policies(iam):
    name = create_role(iam)["RoleName"]
    custom = f"arn:aws:iam::{ACCOUNT}:policy/team/custom"
    iam.attach_role_policy(RoleName=name, PolicyArn=BASIC_EXECUTION)
    iam.attach_role_policy(RoleName=name, PolicyArn=BASIC_EXECUTION)  # twice is fine
    iam.attach_role_policy(RoleName=name, PolicyArn=custom)
    attached = iam.list_attached_role_policies(RoleName=name)
    assert sorted(attached["AttachedPolicies"], key=lambda p: p["PolicyArn"]) == [
        {"PolicyName": "custom", "PolicyArn": custom},
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC_EXECUTION},
    ]
    assert attached["IsTruncated"] is False
    by_path = iam.list_attached_role_policies(RoleName=name, PathPrefix="/service-role/")
    assert [p["PolicyArn"] for p in by_path["AttachedPolicies"]] == [BASIC_EXECUTION]
    page = iam.list_attached_role_policies(RoleName=name, MaxItems=1)
    assert len(page["AttachedPolicies"]) == 1 and page["IsTruncated"]

    iam.detach_role_policy(RoleName=name, PolicyArn=custom)
    with pytest.raises(ClientError) as e:
        iam.detach_role_policy(RoleName=name, PolicyArn=custom)
    assert error_of(e) == ("NoSuchEntity", 404, f"Policy {custom} was not found.")
    with pytest.raises(ClientError) as e:
        iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:s3:::my-bucket-is-no-policy")
    assert error_of(e) == ("InvalidInput", 400,
                           "ARN arn:aws:s3:::my-bucket-is-no-policy is not valid.")
    with pytest.raises(ClientError) as e:
        iam.attach_role_policy(RoleName=unique("ghost"), PolicyArn=BASIC_EXECUTION)
    assert error_of(e)[:2] == ("NoSuchEntity", 404)


def test_delete_role_conflicts_while_policies_remain(iam):
    name = create_role(iam)["RoleName"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument="{}")
    with pytest.raises(ClientError) as e:
        iam.delete_role(RoleName=name)
    assert error_of(e) == ("DeleteConflict", 409,
                           "Cannot delete entity, must delete policies first.")
    iam.delete_role_policy(RoleName=name, PolicyName="p")
    iam.attach_role_policy(RoleName=name, PolicyArn=BASIC_EXECUTION)
    with pytest.raises(ClientError) as e:
        iam.delete_role(RoleName=name)
    assert error_of(e)[:2] == ("DeleteConflict", 409)
    iam.detach_role_policy(RoleName=name, PolicyArn=BASIC_EXECUTION)
    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as e:
        iam.delete_role(RoleName=name)
    assert error_of(e)[:2] == ("NoSuchEntity", 404)


# --- errors --------------------------------------------------------------------------------

def test_missing_required_parameters(loose_iam):
    with pytest.raises(ClientError) as e:
        loose_iam.get_role()
    assert error_of(e) == ("ValidationError", 400,
                           "1 validation error detected: Value null at 'roleName' failed to "
                           "satisfy constraint: Member must not be null")
    with pytest.raises(ClientError) as e:
        loose_iam.create_role()
    code, status, message = error_of(e)
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("2 validation errors detected: ")
    assert "'assumeRolePolicyDocument'" in message


def test_invalid_parameters(loose_iam):
    cases = [
        ({"RoleName": "has space"}, "Member must satisfy regular expression pattern"),
        ({"RoleName": "x" * 65}, "Member must have length less than or equal to 64"),
        ({"RoleName": "ok", "Path": "no-slashes"}, "at 'path'"),
        ({"RoleName": "ok", "MaxSessionDuration": 100},
         "Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have "
         "value greater than or equal to 3600"),
        ({"RoleName": "ok", "MaxSessionDuration": 50000},
         "Member must have value less than or equal to 43200"),
    ]
    for params, fragment in cases:
        with pytest.raises(ClientError) as e:
            loose_iam.create_role(AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST), **params)
        code, status, message = error_of(e)
        assert (code, status) == ("ValidationError", 400), params
        assert fragment in message, (params, message)
    with pytest.raises(ClientError) as e:
        loose_iam.list_roles(MaxItems=0)
    assert error_of(e)[:2] == ("ValidationError", 400)


def test_malformed_policy_documents(iam):
    with pytest.raises(ClientError) as e:
        iam.create_role(RoleName=unique("bad"), AssumeRolePolicyDocument="{not json")
    assert error_of(e) == ("MalformedPolicyDocument", 400, "This policy contains invalid Json")
    name = create_role(iam)["RoleName"]
    with pytest.raises(ClientError) as e:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument="[1, 2")
    assert error_of(e)[:2] == ("MalformedPolicyDocument", 400)


def test_duplicate_tag_keys(iam):
    with pytest.raises(ClientError) as e:
        create_role(iam, Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
    assert error_of(e)[:2] == ("InvalidInput", 400)


def test_unknown_and_missing_actions(daemon, iam):
    with pytest.raises(ClientError) as e:
        iam.create_user(UserName="someone")
    assert error_of(e) == ("InvalidAction", 400,
                           "Could not find operation CreateUser for version 2010-05-08")
    status, _, body = signed(daemon, "POST", {"Version": "2010-05-08"})
    assert status == 400
    error, _ = parse_error(body)
    assert error["Code"] == "MissingAction"


def test_signed_get_with_query_string(daemon, iam):
    name = create_role(iam)["RoleName"]
    status, headers, body = signed(daemon, "GET", {"Action": "GetRole", "Version": "2010-05-08",
                                                   "RoleName": name}, in_query=True)
    assert status == 200, body
    assert headers["Content-Type"] == "text/xml"
    root = ET.fromstring(body)
    assert root.tag == f"{{{IAM_NS}}}GetRoleResponse"
    role = root.find(f"{{{IAM_NS}}}GetRoleResult/{{{IAM_NS}}}Role")
    assert role.find(f"{{{IAM_NS}}}RoleName").text == name
    encoded = role.find(f"{{{IAM_NS}}}AssumeRolePolicyDocument").text
    assert encoded.startswith("%7B%22Version%22")
    assert json.loads(urllib.parse.unquote(encoded)) == LAMBDA_TRUST
    request_id = root.find(f"{{{IAM_NS}}}ResponseMetadata/{{{IAM_NS}}}RequestId").text
    assert request_id == headers["x-amzn-RequestId"]


# --- authentication ------------------------------------------------------------------------

def test_unsigned_request_is_rejected(daemon):
    status, headers, body = http_post(
        daemon, "Action=ListRoles&Version=2010-05-08",
        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    assert headers["Content-Type"] == "text/xml"
    error, request_id = parse_error(body)
    assert error["Type"] == "Sender"
    assert error["Code"] == "MissingAuthenticationToken"
    assert request_id == headers["x-amzn-RequestId"]

    status, _, body = http_post(daemon, "Action=GetCallerIdentity&Version=2011-06-15")
    assert status == 403
    assert parse_error(body, STS_NS)[0]["Code"] == "MissingAuthenticationToken"


def test_wrong_secret_and_unknown_key(daemon):
    wrong_secret = daemon.client("iam", secret_key="not-the-secret")
    with pytest.raises(ClientError) as e:
        wrong_secret.list_roles()
    assert error_of(e)[:2] == ("SignatureDoesNotMatch", 403)

    unknown_key = daemon.client("iam", access_key="AKIAUNKNOWNKEY000000")
    with pytest.raises(ClientError) as e:
        unknown_key.list_roles()
    assert error_of(e)[:2] == ("InvalidClientTokenId", 403)

    with pytest.raises(ClientError) as e:
        daemon.client("sts", secret_key="not-the-secret").get_caller_identity()
    assert error_of(e)[:2] == ("SignatureDoesNotMatch", 403)
    with pytest.raises(ClientError) as e:
        daemon.client("sts", access_key="AKIAUNKNOWNKEY000000").get_caller_identity()
    assert error_of(e)[:2] == ("InvalidClientTokenId", 403)


# --- STS -----------------------------------------------------------------------------------

def test_get_caller_identity_with_boto3(daemon):
    identity = daemon.client("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert identity["Account"] == ACCOUNT
    assert identity["UserId"]


def test_get_caller_identity_with_the_cli(daemon):
    _, out, _ = daemon.cli("sts", "get-caller-identity")
    assert out["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert out["Account"] == ACCOUNT


def test_sts_unknown_action(daemon):
    status, _, body = signed(daemon, "POST", {"Action": "GetSessionToken",
                                              "Version": "2011-06-15"}, service="sts")
    assert status == 400
    error, _ = parse_error(body, STS_NS)
    assert error["Code"] == "InvalidAction"


# --- durability ----------------------------------------------------------------------------

def test_roles_and_policies_survive_restart(daemon_factory):
    d = daemon_factory()
    iam = d.client("iam")
    role = create_role(iam, "durable", Description="kept")
    iam.put_role_policy(RoleName="durable", PolicyName="logs",
                        PolicyDocument=json.dumps(LOGS_POLICY))
    iam.attach_role_policy(RoleName="durable", PolicyArn=BASIC_EXECUTION)

    d.restart()
    iam = d.client("iam")
    got = iam.get_role(RoleName="durable")["Role"]
    assert got["RoleId"] == role["RoleId"]
    assert got["Description"] == "kept"
    assert got["CreateDate"] == role["CreateDate"]
    assert iam.get_role_policy(RoleName="durable", PolicyName="logs")["PolicyDocument"] == \
        LOGS_POLICY
    assert [p["PolicyArn"] for p in
            iam.list_attached_role_policies(RoleName="durable")["AttachedPolicies"]] == \
        [BASIC_EXECUTION]

    d.kill9()
    d.start()
    assert d.client("iam").get_role(RoleName="durable")["Role"]["RoleId"] == role["RoleId"]


def test_simulate_custom_policy_evaluates_allow_deny_and_wildcards(daemon):
    iam = daemon.client("iam")
    allow = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["lambda:Get*", "lambda:InvokeFunction"], "Resource": "*"},
        {"Effect": "Deny", "Action": "lambda:InvokeFunction",
         "Resource": "arn:aws:lambda:us-east-1:000000000000:function:secret-*"}]}
    r = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps(allow)],
        ActionNames=["lambda:GetFunction", "lambda:InvokeFunction", "lambda:DeleteFunction"],
        ResourceArns=["arn:aws:lambda:us-east-1:000000000000:function:open",
                      "arn:aws:lambda:us-east-1:000000000000:function:secret-x"])
    decisions = {(e["EvalActionName"], e["EvalResourceName"].rsplit(":", 1)[1]): e["EvalDecision"]
                 for e in r["EvaluationResults"]}
    assert decisions == {
        ("lambda:GetFunction", "open"): "allowed",
        ("lambda:GetFunction", "secret-x"): "allowed",
        ("lambda:InvokeFunction", "open"): "allowed",
        ("lambda:InvokeFunction", "secret-x"): "explicitDeny",
        ("lambda:DeleteFunction", "open"): "implicitDeny",
        ("lambda:DeleteFunction", "secret-x"): "implicitDeny",
    }
    # Conditions see the context entries.
    conditional = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": "000000000000"}}}]}
    def decide(context):
        return iam.simulate_custom_policy(
            PolicyInputList=[json.dumps(conditional)], ActionNames=["s3:GetObject"],
            ContextEntries=context)["EvaluationResults"][0]["EvalDecision"]
    assert decide([{"ContextKeyName": "aws:SourceAccount", "ContextKeyValues": ["000000000000"],
                    "ContextKeyType": "string"}]) == "allowed"
    assert decide([{"ContextKeyName": "aws:SourceAccount", "ContextKeyValues": ["111111111111"],
                    "ContextKeyType": "string"}]) == "implicitDeny"
    # A statement the evaluator cannot apply is refused, here and in PutRolePolicy.
    bad = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*"}]})
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.simulate_custom_policy(PolicyInputList=[bad], ActionNames=["s3:GetObject"])
    role = unique("sim")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.put_role_policy(RoleName=role, PolicyName="bad", PolicyDocument=bad)


def test_simulate_principal_policy_evaluates_a_roles_inline_and_managed_policies(daemon):
    iam = daemon.client("iam")
    role = unique("simrole")
    arn = iam.create_role(RoleName=role, Path="/team/",
                          AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::secret/*"}]}))
    iam.attach_role_policy(RoleName=role,
                           PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")

    def decide(action, resource="*", **kwargs):
        r = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=[action],
                                          ResourceArns=[resource], **kwargs)
        return r["EvaluationResults"][0]["EvalDecision"]

    assert decide("lambda:GetFunction") == "allowed"
    assert decide("lambda:DeleteFunction") == "implicitDeny"
    assert decide("s3:GetObject", "arn:aws:s3:::open/k") == "allowed"  # the managed policy
    assert decide("s3:GetObject", "arn:aws:s3:::secret/k") == "explicitDeny"
    # Extra documents are evaluated with the role's own.
    extra = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "lambda:DeleteFunction", "Resource": "*"}]})
    assert decide("lambda:DeleteFunction", PolicyInputList=[extra]) == "allowed"
    # A role that is not there, or not under that path, and principals Lamina does not have.
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.simulate_principal_policy(PolicySourceArn=arn.replace(role, role + "x"),
                                      ActionNames=["s3:GetObject"])
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.simulate_principal_policy(PolicySourceArn=arn.replace("/team/", "/"),
                                      ActionNames=["s3:GetObject"])
    with pytest.raises(iam.exceptions.InvalidInputException):
        iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::000000000000:user/bob",
                                      ActionNames=["s3:GetObject"])
