"""Who may do what in Lamina's S3: role sessions by their identity policies and the bucket's
policy (its explicit Deny winning), unsigned requests by what the bucket policy grants "*", the
account's own keys everything; and a function writing under its execution role.
"""
import json
import os
import urllib.request

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, make_zip, unique


def _trust_root():
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole"}]})


def _session_s3(daemon, role_arn):
    creds = daemon.client("sts").assume_role(RoleArn=role_arn,
                                             RoleSessionName="s3-session")["Credentials"]
    return boto3.client("s3", endpoint_url=daemon.endpoint, region_name=REGION,
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"],
                        config=botocore.config.Config(retries={"max_attempts": 0}))


def _role(daemon, statements=None):
    iam = daemon.client("iam")
    name = unique("s3role")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust_root())["Role"]["Arn"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))
    return arn


def _bucket(s3):
    name = unique("acc").lower().replace("_", "-")[:63]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"secret")
    return name


def _code(e):
    return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def s3(daemon):
    return daemon.client("s3")


def test_a_role_may_do_what_its_policy_allows_and_nothing_else(daemon, s3):
    bucket = _bucket(s3)
    arn = _role(daemon, [{"Effect": "Allow", "Action": "s3:GetObject",
                          "Resource": f"arn:aws:s3:::{bucket}/*"}])
    client = _session_s3(daemon, arn)
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"
    for call in (lambda: client.put_object(Bucket=bucket, Key="k", Body=b"x"),
                 lambda: client.delete_object(Bucket=bucket, Key="k"),
                 lambda: client.list_objects_v2(Bucket=bucket),
                 lambda: client.create_bucket(Bucket=unique("nb").lower()[:60]),
                 lambda: client.list_buckets()):
        with pytest.raises(ClientError) as e:
            call()
        assert _code(e) == ("AccessDenied", 403)
    # Nothing was changed by the refused calls.
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"


def test_a_large_upload_is_refused_before_its_body_is_stored(daemon, s3):
    bucket = _bucket(s3)
    client = _session_s3(daemon, _role(daemon))
    with pytest.raises(ClientError) as e:
        client.put_object(Bucket=bucket, Key="big", Body=os.urandom(3 * 1024 * 1024))
    assert _code(e) == ("AccessDenied", 403)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_a_bucket_policy_grants_a_role_what_its_own_policies_do_not(daemon, s3):
    bucket = _bucket(s3)
    arn = _role(daemon)
    client = _session_s3(daemon, arn)
    with pytest.raises(ClientError):
        client.get_object(Bucket=bucket, Key="k")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": arn},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}))
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"
    assert client.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    with pytest.raises(ClientError) as e:
        client.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert _code(e) == ("AccessDenied", 403)


def test_an_explicit_deny_in_the_bucket_policy_wins(daemon, s3):
    bucket = _bucket(s3)
    arn = _role(daemon, [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])
    client = _session_s3(daemon, arn)
    client.put_object(Bucket=bucket, Key="ok", Body=b"1")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
            "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    with pytest.raises(ClientError) as e:
        client.delete_object(Bucket=bucket, Key="ok")
    assert _code(e) == ("AccessDenied", 403)
    client.put_object(Bucket=bucket, Key="ok2", Body=b"2")
    got = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    assert json.loads(got)["Statement"][0]["Effect"] == "Deny"
    s3.delete_bucket_policy(Bucket=bucket)
    client.delete_object(Bucket=bucket, Key="ok")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert _code(e) == ("NoSuchBucketPolicy", 404)


def test_unsigned_requests_get_what_the_bucket_policy_grants_everyone(daemon, s3):
    bucket = _bucket(s3)
    url = f"{daemon.endpoint}/{bucket}/k"

    def fetch(u):
        try:
            with urllib.request.urlopen(u, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
    status, body = fetch(url)
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    assert fetch(url) == (200, b"secret")
    status, body = fetch(f"{daemon.endpoint}/{bucket}")  # listing is not granted
    assert status == 403
    req = urllib.request.Request(url, data=b"overwrite", method="PUT")
    try:
        urllib.request.urlopen(req, timeout=10)
        assert False, "an unsigned PUT was accepted"
    except urllib.error.HTTPError as e:
        assert e.code == 403
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"


def test_malformed_bucket_policies_are_refused(s3):
    bucket = _bucket(s3)
    for bad in ("not json", "[]", json.dumps({"Version": "2012-10-17"})):
        with pytest.raises(ClientError) as e:
            s3.put_bucket_policy(Bucket=bucket, Policy=bad)
        assert _code(e) == ("MalformedPolicy", 400)


WRITER_PY = r'''
import os
import boto3
from botocore.exceptions import ClientError

def handler(event, context):
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    out = {}
    for bucket in event["buckets"]:
        try:
            s3.put_object(Bucket=bucket, Key="from-function", Body=b"hi")
            out[bucket] = "ok"
        except ClientError as e:
            out[bucket] = e.response["Error"]["Code"]
    return out
'''


def test_a_function_writes_only_where_its_role_allows(daemon, lam, s3):
    allowed, other = _bucket(s3), _bucket(s3)
    iam = daemon.client("iam")
    name = unique("writer-role")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]})
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{allowed}/*"}]}))
    fn = unique("writer")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="handler.handler",
                        Role=arn, Timeout=30, Code={"ZipFile": make_zip({"handler.py": WRITER_PY})})
    r = lam.invoke(FunctionName=fn, Payload=json.dumps({"buckets": [allowed, other]}))
    assert json.loads(r["Payload"].read()) == {allowed: "ok", other: "AccessDenied"}
    assert s3.get_object(Bucket=allowed, Key="from-function")["Body"].read() == b"hi"
    assert s3.list_objects_v2(Bucket=other, Prefix="from-function")["KeyCount"] == 0
