"""Resource-based policies end to end: AddPermission, GetPolicy and RemovePermission (boto3 and the
AWS CLI) on a function, a version and an alias, and their enforcement: a role session that its
own identity policies do not let invoke a function may invoke it once the function's policy
names it, through the qualifier the policy is on only, unless its identity policies explicitly
deny it. The account's own keys are never limited.
"""
import json
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, error_of, make_role, make_zip, unique, function_arn as arn
from test_execution_roles import (ROOT_ARN, allow, assume, denied_message, deny, policy,
                                  session_arn, trust)
from test_invoke import create

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NO_POLICY = "The resource you requested does not exist."
MAX_POLICY = 20480

CODE = ("import os\n"
        "def handler(event, context):\n"
        "    return {'version': os.environ['AWS_LAMBDA_FUNCTION_VERSION'], 'event': event}\n")


@pytest.fixture(scope="module")
def iam(daemon):
    return daemon.client("iam")


@pytest.fixture(scope="module")
def exec_role(daemon):
    return make_role(daemon)


@pytest.fixture
def fn(lam, exec_role):
    """A function with version 1 and alias "live" -> 1."""
    name = create(lam, exec_role, zip_bytes=make_zip({"index.py": CODE}))
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    return name


@pytest.fixture
def caller(daemon, iam):
    """A role (trusting the account) with `inline` as its policy, and a session of it:
    returns (role name, role arn, Session)."""
    made = []

    def make(inline=None, session="caller"):
        name = unique("role")
        role_arn = iam.create_role(RoleName=name,
                                   AssumeRolePolicyDocument=json.dumps(trust(ROOT_ARN)))["Role"]["Arn"]
        if inline:
            iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=inline)
        made.append(name)
        return name, role_arn, assume(daemon, role_arn, session=session)

    yield make
    for name in made:
        try:
            for p in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                iam.delete_role_policy(RoleName=name, PolicyName=p)
            iam.delete_role(RoleName=name)
        except ClientError:
            pass


def add(lam, fn, sid, principal, action="lambda:InvokeFunction", **kwargs):
    r = lam.add_permission(FunctionName=fn, StatementId=sid, Principal=principal, Action=action,
                           **kwargs)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    return json.loads(r["Statement"])


def get_policy(lam, fn, **kwargs):
    r = lam.get_policy(FunctionName=fn, **kwargs)
    return json.loads(r["Policy"]), r["RevisionId"]


def invoked(client, **kwargs):
    r = client.invoke(Payload=b'{"hi": 1}', **kwargs)
    assert r["StatusCode"] == 200 and "FunctionError" not in r, r
    return json.loads(r["Payload"].read())


def denied(client, **kwargs):
    with pytest.raises(ClientError) as e:
        client.invoke(Payload=b"{}", **kwargs)
    return error_of(e)


# --- AddPermission / GetPolicy ---------------------------------------------------------------

def test_add_permission_answers_201_with_the_statement_and_get_policy_holds_it(lam, fn):
    statement = add(lam, fn, "s3-invoke", "s3.amazonaws.com",
                    SourceArn="arn:aws:s3:::my-bucket", SourceAccount=ACCOUNT)
    assert statement == {
        "Sid": "s3-invoke", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": arn(fn),
        "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT},
                      "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"}}}
    r = lam.get_policy(FunctionName=fn)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert isinstance(r["Policy"], str)
    document = json.loads(r["Policy"])
    assert document == {"Version": "2012-10-17", "Id": "default", "Statement": [statement]}
    assert UUID_RE.match(r["RevisionId"]), r["RevisionId"]
    # By ARN too.
    assert get_policy(lam, arn(fn))[0] == document


def test_principal_forms(lam, fn):
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/some-role"
    cases = [("service", "events.amazonaws.com", {"Service": "events.amazonaws.com"}),
             ("account", "111122223333", {"AWS": "arn:aws:iam::111122223333:root"}),
             ("own-account", ACCOUNT, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
             ("arn", role_arn, {"AWS": role_arn}),
             ("root-arn", "arn:aws:iam::111122223333:root", {"AWS": "arn:aws:iam::111122223333:root"}),
             ("anyone", "*", "*")]
    for sid, principal, expected in cases:
        assert add(lam, fn, sid, principal)["Principal"] == expected, sid
    document, _ = get_policy(lam, fn)
    assert [(s["Sid"], s["Principal"]) for s in document["Statement"]] == \
        [(sid, expected) for sid, _, expected in cases]


def test_conditions_and_actions_in_the_statement(lam, fn):
    s = add(lam, fn, "url", "*", action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
    assert s["Action"] == "lambda:InvokeFunctionUrl"
    assert s["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    s = add(lam, fn, "acct", "s3.amazonaws.com", SourceAccount="111122223333")
    assert s["Condition"] == {"StringEquals": {"AWS:SourceAccount": "111122223333"}}
    s = add(lam, fn, "arnlike", "sns.amazonaws.com",
            SourceArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:topic-*")
    assert s["Condition"] == {"ArnLike": {"AWS:SourceArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic-*"}}
    s = add(lam, fn, "plain", "111122223333", action="lambda:GetFunction")
    assert "Condition" not in s and s["Action"] == "lambda:GetFunction"
    s = add(lam, fn, "all", "111122223333", action="lambda:*")
    assert s["Action"] == "lambda:*"


def test_permission_on_a_version_or_alias_is_its_own_policy(lam, fn):
    on_alias = add(lam, fn, "alias-sid", "s3.amazonaws.com", Qualifier="live")
    assert on_alias["Resource"] == arn(fn, "live")
    on_version = add(lam, fn, "version-sid", "s3.amazonaws.com", Qualifier="1")
    assert on_version["Resource"] == arn(fn, "1")
    # A qualified name is the same as a Qualifier.
    by_name = add(lam, f"{fn}:live", "alias-sid-2", "sns.amazonaws.com")
    assert by_name["Resource"] == arn(fn, "live")

    assert [s["Sid"] for s in get_policy(lam, fn, Qualifier="live")[0]["Statement"]] == \
        ["alias-sid", "alias-sid-2"]
    assert [s["Sid"] for s in get_policy(lam, f"{fn}:live")[0]["Statement"]] == \
        ["alias-sid", "alias-sid-2"]
    assert [s["Sid"] for s in get_policy(lam, fn, Qualifier="1")[0]["Statement"]] == \
        ["version-sid"]
    # The function itself has none yet.
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=fn)
    assert error_of(e) == ("ResourceNotFoundException", 404, NO_POLICY)
    # The same statement id may be used on each of them.
    assert add(lam, fn, "alias-sid", "s3.amazonaws.com")["Resource"] == arn(fn)


def test_permission_for_latest_is_refused(lam, fn):
    for kwargs in ({"FunctionName": fn, "Qualifier": "$LATEST"},
                   {"FunctionName": f"{fn}:$LATEST"}):
        with pytest.raises(ClientError) as e:
            lam.add_permission(StatementId="latest", Principal="s3.amazonaws.com",
                               Action="lambda:InvokeFunction", **kwargs)
        assert error_of(e) == ("InvalidParameterValueException", 400,
                               "We currently do not support adding policies for $LATEST."), kwargs
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=fn)
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_permission_on_a_missing_function_version_or_alias_is_not_found(lam, fn):
    missing = unique("missing")
    with pytest.raises(ClientError) as e:
        add(lam, missing, "sid", "s3.amazonaws.com")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {arn(missing)}")
    for qualifier in ("7", "nope"):
        with pytest.raises(ClientError) as e:
            add(lam, fn, "sid", "s3.amazonaws.com", Qualifier=qualifier)
        assert error_of(e)[:2] == ("ResourceNotFoundException", 404), qualifier
        assert arn(fn, qualifier) in error_of(e)[2], error_of(e)
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=missing)
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as e:
        lam.remove_permission(FunctionName=missing, StatementId="sid")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)


def test_duplicate_statement_id_is_a_conflict_and_changes_nothing(lam, fn):
    add(lam, fn, "dup", "s3.amazonaws.com")
    before, revision = get_policy(lam, fn)
    with pytest.raises(ClientError) as e:
        add(lam, fn, "dup", "sns.amazonaws.com")
    code_, status, message = error_of(e)
    assert (code_, status) == ("ResourceConflictException", 409), message
    assert "dup" in message, message
    assert get_policy(lam, fn) == (before, revision)


def test_revision_id_guards_add_and_remove_against_function_changes(lam, fn):
    """The policy's RevisionId is its function's: a stale one (the function changed since it was
    read) is refused, the current one accepted. (Policy edits themselves leave it as it is.)"""
    add(lam, fn, "one", "s3.amazonaws.com")
    _, first = get_policy(lam, fn)
    assert UUID_RE.match(first)
    add(lam, fn, "two", "s3.amazonaws.com", RevisionId=first)
    lam.update_function_configuration(FunctionName=fn, Description="changed")
    lam.get_waiter("function_updated").wait(FunctionName=fn)
    document, second = get_policy(lam, fn)
    assert second != first
    assert second == lam.get_function_configuration(FunctionName=fn)["RevisionId"]
    with pytest.raises(ClientError) as e:
        add(lam, fn, "three", "s3.amazonaws.com", RevisionId=first)
    assert error_of(e)[:2] == ("PreconditionFailedException", 412)
    with pytest.raises(ClientError) as e:
        lam.remove_permission(FunctionName=fn, StatementId="one", RevisionId=first)
    assert error_of(e)[:2] == ("PreconditionFailedException", 412)
    assert get_policy(lam, fn) == (document, second), "nothing changed"
    r = lam.remove_permission(FunctionName=fn, StatementId="one", RevisionId=second)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    document, _ = get_policy(lam, fn)
    assert [s["Sid"] for s in document["Statement"]] == ["two"]


def test_remove_permission_answers_204_and_the_last_one_leaves_no_policy(lam, fn):
    add(lam, fn, "a", "s3.amazonaws.com")
    add(lam, fn, "b", "sns.amazonaws.com")
    with pytest.raises(ClientError) as e:
        lam.remove_permission(FunctionName=fn, StatementId="c")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    r = lam.remove_permission(FunctionName=fn, StatementId="a")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [s["Sid"] for s in get_policy(lam, fn)[0]["Statement"]] == ["b"]
    with pytest.raises(ClientError) as e:
        lam.remove_permission(FunctionName=fn, StatementId="a")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    lam.remove_permission(FunctionName=fn, StatementId="b")
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=fn)
    assert error_of(e) == ("ResourceNotFoundException", 404, NO_POLICY)
    with pytest.raises(ClientError) as e:
        lam.remove_permission(FunctionName=fn, StatementId="b")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    # An alias's statements are removed through the alias.
    add(lam, fn, "on-alias", "s3.amazonaws.com", Qualifier="live")
    with pytest.raises(ClientError) as e:
        lam.remove_permission(FunctionName=fn, StatementId="on-alias")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    lam.remove_permission(FunctionName=fn, StatementId="on-alias", Qualifier="live")
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=fn, Qualifier="live")
    assert error_of(e) == ("ResourceNotFoundException", 404, NO_POLICY)


def test_get_policy_of_a_function_without_one_is_not_found(lam, fn):
    for kwargs in ({}, {"Qualifier": "1"}, {"Qualifier": "live"}):
        with pytest.raises(ClientError) as e:
            lam.get_policy(FunctionName=fn, **kwargs)
        assert error_of(e) == ("ResourceNotFoundException", 404, NO_POLICY), kwargs


def test_missing_or_malformed_members_are_validation_errors(loose, fn):
    good = {"StatementId": "sid", "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com"}
    for missing, wire in (("StatementId", "statementId"), ("Action", "action"),
                          ("Principal", "principal")):
        params = {k: v for k, v in good.items() if k != missing}
        with pytest.raises(ClientError) as e:
            loose.add_permission(FunctionName=fn, **params)
        code_, status, message = error_of(e)
        assert (code_, status) == ("ValidationException", 400), (missing, message)
        assert wire in message and "must not be null" in message, message
    for bad in ({"StatementId": "bad sid"}, {"StatementId": "x" * 101},
                {"Action": "s3:GetObject"}, {"Principal": "two words"},
                {"FunctionUrlAuthType": "SOMETIMES"}):
        with pytest.raises(ClientError) as e:
            loose.add_permission(FunctionName=fn, **{**good, **bad})
        assert error_of(e)[:2] == ("ValidationException", 400), (bad, error_of(e))
    with pytest.raises(ClientError) as e:
        loose.get_policy(FunctionName=fn)
    assert error_of(e)[0] == "ResourceNotFoundException", "nothing was added"


def test_a_policy_over_20_kb_is_refused(lam, fn):
    source = "arn:aws:s3:::" + "b" * 900
    added, statement_size, refused = 0, None, None
    for i in range(60):
        try:
            s = lam.add_permission(FunctionName=fn, StatementId=f"s{i:03d}",
                                   Principal="s3.amazonaws.com",
                                   Action="lambda:InvokeFunction", SourceArn=source)
        except ClientError as e:
            refused = e
            break
        added += 1
        statement_size = len(s["Statement"])
    assert refused is not None, "60 statements of 1 KB were all accepted"
    code_, status, message = (refused.response["Error"]["Code"],
                              refused.response["ResponseMetadata"]["HTTPStatusCode"],
                              refused.response["Error"]["Message"])
    assert (code_, status) == ("PolicyLengthExceededException", 400), message
    r = lam.get_policy(FunctionName=fn)
    document = json.loads(r["Policy"])
    assert len(document["Statement"]) == added, "the refused statement was not stored"
    # The policy as stored is within the limit and one more statement would not be.
    assert len(r["Policy"]) <= MAX_POLICY
    assert len(r["Policy"]) + 1 + statement_size > MAX_POLICY
    assert added >= 15


# --- what deletes take with them -------------------------------------------------------------

def test_deleting_an_alias_version_or_function_deletes_its_policy(lam, exec_role, fn):
    add(lam, fn, "on-alias", "s3.amazonaws.com", Qualifier="live")
    lam.delete_alias(FunctionName=fn, Name="live")
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=fn, Qualifier="live")
    assert error_of(e) == ("ResourceNotFoundException", 404, NO_POLICY)

    lam.update_function_code(FunctionName=fn, ZipFile=make_zip({"index.py": CODE + "\n# v2\n"}))
    assert lam.publish_version(FunctionName=fn)["Version"] == "2"
    add(lam, fn, "on-version", "s3.amazonaws.com", Qualifier="2")
    lam.delete_function(FunctionName=fn, Qualifier="2")
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=fn, Qualifier="2")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)

    add(lam, fn, "on-function", "s3.amazonaws.com")
    lam.delete_function(FunctionName=fn)
    create(lam, exec_role, zip_bytes=make_zip({"index.py": CODE}), name=fn)
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=fn)
    assert error_of(e) == ("ResourceNotFoundException", 404, NO_POLICY)


# --- enforcement -----------------------------------------------------------------------------

def test_role_session_may_invoke_once_the_policy_names_its_role(lam, exec_role, fn, caller):
    name, role_arn, s = caller(session="sess")
    session_lam = s.client("lambda", read_timeout=60)
    assert denied(session_lam, FunctionName=fn) == (
        "AccessDeniedException", 403,
        denied_message(session_arn(name, "sess"), "lambda:InvokeFunction", arn(fn)))

    add(lam, fn, "let-the-role", role_arn)
    assert invoked(session_lam, FunctionName=fn) == {"version": "$LATEST", "event": {"hi": 1}}
    # Asynchronously too.
    r = session_lam.invoke(FunctionName=fn, InvocationType="Event", Payload=b"{}")
    assert r["StatusCode"] == 202
    # It grants InvokeFunction, nothing else.
    with pytest.raises(ClientError) as e:
        session_lam.get_function(FunctionName=fn)
    assert error_of(e)[:2] == ("AccessDeniedException", 403)
    # Nor invoking another function.
    other = create(lam, exec_role, zip_bytes=make_zip({"index.py": CODE}))
    assert denied(session_lam, FunctionName=other)[:2] == ("AccessDeniedException", 403)

    lam.remove_permission(FunctionName=fn, StatementId="let-the-role")
    assert denied(session_lam, FunctionName=fn) == (
        "AccessDeniedException", 403,
        denied_message(session_arn(name, "sess"), "lambda:InvokeFunction", arn(fn)))


def test_policy_naming_the_session_or_anyone_grants_and_the_account_or_a_service_does_not(
        lam, fn, caller):
    name, role_arn, s = caller(session="sess")
    session_lam = s.client("lambda", read_timeout=60)
    # The account (by id or root ARN) only delegates to the identity policies, which allow
    # nothing; a service is not the role.
    add(lam, fn, "account-id", ACCOUNT)
    add(lam, fn, "account-root", ROOT_ARN)
    add(lam, fn, "service", "lambda.amazonaws.com")
    add(lam, fn, "other-role", f"arn:aws:iam::{ACCOUNT}:role/{unique('other')}")
    assert denied(session_lam, FunctionName=fn)[:2] == ("AccessDeniedException", 403)
    # A condition on a key the request does not have does not match.
    add(lam, fn, "conditional", "*", SourceArn="arn:aws:s3:::bucket")
    add(lam, fn, "conditional-account", "*", SourceAccount=ACCOUNT)
    assert denied(session_lam, FunctionName=fn)[:2] == ("AccessDeniedException", 403)
    # The session's own ARN does.
    add(lam, fn, "session", session_arn(name, "sess"))
    assert invoked(session_lam, FunctionName=fn)["version"] == "$LATEST"
    # ... but not another session of the role.
    other = assume(s.daemon, role_arn, session="another").client("lambda", read_timeout=60)
    assert denied(other, FunctionName=fn)[:2] == ("AccessDeniedException", 403)
    lam.remove_permission(FunctionName=fn, StatementId="session")
    assert denied(session_lam, FunctionName=fn)[:2] == ("AccessDeniedException", 403)
    # "*" without a condition lets anyone in.
    add(lam, fn, "anyone", "*")
    assert invoked(other, FunctionName=fn)["version"] == "$LATEST"
    assert invoked(session_lam, FunctionName=fn)["version"] == "$LATEST"


def test_policy_on_an_alias_grants_invoking_through_that_alias_only(lam, fn, caller):
    lam.create_alias(FunctionName=fn, Name="other", FunctionVersion="1")
    name, role_arn, s = caller(session="sess")
    session_lam = s.client("lambda", read_timeout=60)
    add(lam, fn, "live-only", role_arn, Qualifier="live")
    for kwargs in ({"FunctionName": fn, "Qualifier": "live"}, {"FunctionName": f"{fn}:live"},
                   {"FunctionName": arn(fn, "live")}):
        assert invoked(session_lam, **kwargs)["version"] == "1", kwargs
    for kwargs, resource in (({"FunctionName": fn}, arn(fn)),
                             ({"FunctionName": fn, "Qualifier": "1"}, arn(fn, "1")),
                             ({"FunctionName": f"{fn}:other"}, arn(fn, "other"))):
        assert denied(session_lam, **kwargs) == (
            "AccessDeniedException", 403,
            denied_message(session_arn(name, "sess"), "lambda:InvokeFunction", resource)), kwargs


def test_policy_on_a_weighted_alias_grants_whichever_version_it_routes_to(lam, fn, caller):
    lam.update_function_code(FunctionName=fn, ZipFile=make_zip({"index.py": CODE + "\n# v2\n"}))
    assert lam.publish_version(FunctionName=fn)["Version"] == "2"
    lam.update_alias(FunctionName=fn, Name="live",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    _, role_arn, s = caller()
    session_lam = s.client("lambda", read_timeout=60)
    add(lam, fn, "live", role_arn, Qualifier="live")
    seen = {invoked(session_lam, FunctionName=f"{fn}:live")["version"] for _ in range(40)}
    assert seen == {"1", "2"}, seen
    assert denied(session_lam, FunctionName=fn, Qualifier="2")[:2] == \
        ("AccessDeniedException", 403)


def test_policy_naming_a_pathed_role_grants_its_sessions(daemon, lam, iam, fn):
    name = unique("role")
    role_arn = iam.create_role(RoleName=name, Path="/team/",
                               AssumeRolePolicyDocument=json.dumps(trust(ROOT_ARN)))["Role"]["Arn"]
    assert ":role/team/" in role_arn
    session_lam = assume(daemon, role_arn).client("lambda", read_timeout=60)
    assert denied(session_lam, FunctionName=fn)[:2] == ("AccessDeniedException", 403)
    add(lam, fn, "pathed", role_arn)
    assert invoked(session_lam, FunctionName=fn)["version"] == "$LATEST"


def test_policy_on_a_version_grants_invoking_that_version_only(lam, fn, caller):
    _, role_arn, s = caller()
    session_lam = s.client("lambda", read_timeout=60)
    add(lam, fn, "version-one", role_arn, Qualifier="1")
    assert invoked(session_lam, FunctionName=fn, Qualifier="1")["version"] == "1"
    assert denied(session_lam, FunctionName=fn)[:2] == ("AccessDeniedException", 403)
    assert denied(session_lam, FunctionName=fn, Qualifier="live")[:2] == \
        ("AccessDeniedException", 403)


def test_explicit_deny_in_the_identity_policy_wins_over_the_resource_policy(lam, fn, caller):
    name, role_arn, s = caller(inline=policy(deny("lambda:InvokeFunction", arn(fn))),
                               session="sess")
    session_lam = s.client("lambda", read_timeout=60)
    add(lam, fn, "let-the-role", role_arn)
    add(lam, fn, "anyone", "*")
    assert denied(session_lam, FunctionName=fn) == (
        "AccessDeniedException", 403,
        denied_message(session_arn(name, "sess"), "lambda:InvokeFunction", arn(fn),
                       explicit=True))


def test_resource_policy_grants_other_actions_it_names(lam, fn, caller):
    _, role_arn, s = caller()
    session_lam = s.client("lambda", read_timeout=60)
    add(lam, fn, "read", role_arn, action="lambda:GetFunction")
    assert session_lam.get_function(FunctionName=fn)["Configuration"]["FunctionName"] == fn
    with pytest.raises(ClientError) as e:
        session_lam.get_function_configuration(FunctionName=fn)
    assert error_of(e)[:2] == ("AccessDeniedException", 403)
    assert denied(session_lam, FunctionName=fn)[:2] == ("AccessDeniedException", 403)
    add(lam, fn, "everything", role_arn, action="lambda:*")
    assert session_lam.get_function_configuration(FunctionName=fn)["FunctionName"] == fn
    assert invoked(session_lam, FunctionName=fn)["version"] == "$LATEST"


def test_identity_policy_alone_still_works_next_to_a_resource_policy(lam, fn, caller):
    _, _, s = caller(inline=policy(allow("lambda:InvokeFunction", arn(fn))))
    add(lam, fn, "unrelated", "s3.amazonaws.com")
    assert invoked(s.client("lambda", read_timeout=60), FunctionName=fn)["version"] == "$LATEST"


def test_the_accounts_own_keys_are_never_limited(lam, fn, caller):
    _, role_arn, _ = caller()
    add(lam, fn, "someone-else", role_arn)
    add(lam, fn, "only-alias", role_arn, Qualifier="live")
    assert invoked(lam, FunctionName=fn)["version"] == "$LATEST"
    assert invoked(lam, FunctionName=fn, Qualifier="1")["version"] == "1"
    assert invoked(lam, FunctionName=fn, Qualifier="live")["version"] == "1"
    assert lam.get_function(FunctionName=fn)["Configuration"]["FunctionName"] == fn


# A function that invokes the function its event names, asynchronously, through the platform's
# endpoint with its execution role's credentials, and answers with the outcome.
CALLER_PY = r'''
import os

import boto3
import botocore.config
from botocore.exceptions import ClientError


def handler(event, context):
    client = boto3.client("lambda", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                          region_name=os.environ["AWS_REGION"],
                          config=botocore.config.Config(retries={"max_attempts": 0}))
    try:
        r = client.invoke(FunctionName=event["target"], Payload=b'{"from": "a function"}')
        return {"status": r["StatusCode"], "payload": r["Payload"].read().decode()}
    except ClientError as e:
        return {"error": [e.response["Error"]["Code"], e.response["Error"]["Message"]]}
'''


def test_a_function_whose_role_allows_nothing_may_invoke_a_function_whose_policy_names_it(
        daemon, lam, fn):
    role_arn = make_role(daemon)  # no policies: its sessions may do nothing
    role_name = role_arn.rsplit("/", 1)[1]
    calling = create(lam, role_arn, {"index.py": CALLER_PY}, Timeout=30)

    def call():
        r = lam.invoke(FunctionName=calling, Payload=json.dumps({"target": fn}))
        assert "FunctionError" not in r, r["Payload"].read()
        return json.loads(r["Payload"].read())

    out = call()
    assert out == {"error": ["AccessDeniedException", denied_message(
        session_arn(role_name, calling), "lambda:InvokeFunction", arn(fn))]}, out
    add(lam, fn, "the-caller", role_arn)
    out = call()
    assert out.get("status") == 200, out
    assert json.loads(out["payload"]) == {"version": "$LATEST", "event": {"from": "a function"}}


# --- durability and the CLI ------------------------------------------------------------------

def test_policies_survive_a_restart_and_are_still_enforced(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda", read_timeout=60)
    fn = create(lam, make_role(d), zip_bytes=make_zip({"index.py": CODE}))
    iam = d.client("iam")
    role_name = unique("role")
    role_arn = iam.create_role(RoleName=role_name,
                               AssumeRolePolicyDocument=json.dumps(trust(ROOT_ARN)))["Role"]["Arn"]
    add(lam, fn, "let-the-role", role_arn)
    before = get_policy(lam, fn)
    d.kill9()
    d.start()
    lam = d.client("lambda", read_timeout=60)
    assert get_policy(lam, fn) == before
    session_lam = assume(d, role_arn).client("lambda", read_timeout=60)
    assert invoked(session_lam, FunctionName=fn)["version"] == "$LATEST"


def test_cli_adds_gets_and_removes_permissions(daemon, lam, fn):
    _, out, _ = daemon.cli("lambda", "add-permission", "--function-name", fn,
                           "--statement-id", "cli-sid", "--action", "lambda:InvokeFunction",
                           "--principal", "s3.amazonaws.com",
                           "--source-arn", "arn:aws:s3:::cli-bucket")
    statement = json.loads(out["Statement"])
    assert statement["Sid"] == "cli-sid" and statement["Resource"] == arn(fn)
    assert statement["Condition"] == {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::cli-bucket"}}
    _, out, _ = daemon.cli("lambda", "get-policy", "--function-name", fn)
    assert json.loads(out["Policy"])["Statement"] == [statement]
    _, out, _ = daemon.cli("lambda", "add-permission", "--function-name", fn,
                           "--statement-id", "cli-alias", "--action", "lambda:InvokeFunction",
                           "--principal", ACCOUNT, "--qualifier", "live")
    assert json.loads(out["Statement"])["Resource"] == arn(fn, "live")
    daemon.cli("lambda", "remove-permission", "--function-name", fn, "--statement-id", "cli-sid")
    code_, _, err = daemon.cli("lambda", "get-policy", "--function-name", fn, check=False)
    assert code_ != 0 and "ResourceNotFoundException" in err, err
    code_, _, err = daemon.cli("lambda", "add-permission", "--function-name", fn,
                               "--statement-id", "x", "--action", "lambda:InvokeFunction",
                               "--principal", "s3.amazonaws.com", "--qualifier", "$LATEST",
                               check=False)
    assert code_ != 0 and "InvalidParameterValueException" in err, err


# --- revision ids as AWS keeps them ----------------------------------------------------------

def test_policy_revision_is_the_functions_revision(lam, fn):
    """On AWS a policy's RevisionId is its function's (or alias's): AddPermission on a function
    without a policy accepts the RevisionId GetFunctionConfiguration gave, and GetPolicy's
    RevisionId is the function's current one."""
    revision = lam.get_function_configuration(FunctionName=fn)["RevisionId"]
    add(lam, fn, "first", "s3.amazonaws.com", RevisionId=revision)
    _, policy_revision = get_policy(lam, fn)
    assert policy_revision == lam.get_function_configuration(FunctionName=fn)["RevisionId"]
