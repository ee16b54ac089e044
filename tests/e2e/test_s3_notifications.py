"""S3 event notifications to functions: the bucket's NotificationConfiguration (validated against
the function's resource policy, as S3 does), the S3 event records each matching object event
makes, delivered as asynchronous invocations, and the issue's end-to-end case: `aws s3 cp` into
one bucket makes a function write a derived object into another, under its execution role.
"""
import json
import os
import time
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, function_arn, make_role, make_zip, unique, wait_until

# Copies every object it is told about into the bucket named by its environment, upper-cased,
# under the role's credentials; and records each event it got as an object of its own.
THUMBNAILER_PY = r'''
import json
import os
import urllib.parse

import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])

def handler(event, context):
    out = os.environ["OUT_BUCKET"]
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        name = record["eventName"]
        seq = record["s3"]["object"]["sequencer"]
        s3.put_object(Bucket=out, Key="events/" + key + "/" + name + "/" + seq,
                      Body=json.dumps(event).encode())
        if name.startswith("ObjectCreated:"):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            s3.put_object(Bucket=out, Key="derived/" + key, Body=body.upper(),
                          ContentType="text/plain")
    return "ok"
'''


def _bucket(s3, prefix):
    name = unique(prefix).lower().replace("_", "-")[:63]
    s3.create_bucket(Bucket=name)
    return name


def _role_for(daemon, in_bucket, out_bucket):
    iam = daemon.client("iam")
    name = "thumb-" + os.urandom(4).hex()
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{in_bucket}/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{out_bucket}/*"},
    ]}
    iam.put_role_policy(RoleName=name, PolicyName="s3", PolicyDocument=json.dumps(policy))
    return arn


@pytest.fixture(scope="module")
def s3(daemon):
    return daemon.client("s3")


@pytest.fixture(scope="module")
def pipeline(daemon, lam, s3):
    """An input bucket whose object events invoke the thumbnailer, which writes to an output
    bucket."""
    in_bucket, out_bucket = _bucket(s3, "in"), _bucket(s3, "out")
    name = unique("thumb")
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Handler="handler.handler",
        Role=_role_for(daemon, in_bucket, out_bucket), Timeout=30,
        Environment={"Variables": {"OUT_BUCKET": out_bucket}},
        Code={"ZipFile": make_zip({"handler.py": THUMBNAILER_PY})})
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{in_bucket}",
                       SourceAccount=ACCOUNT)
    s3.put_bucket_notification_configuration(Bucket=in_bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "Id": "thumbs", "LambdaFunctionArn": function_arn(name),
            "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "photos/"}]}}}]})
    return {"in": in_bucket, "out": out_bucket, "function": name}


def _wait_object(s3, bucket, key, timeout=60):
    def probe():
        try:
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as e:
            if e.response["Error"]["Code"] != "NoSuchKey":
                raise
            return None
    return wait_until(probe, timeout, f"s3://{bucket}/{key}")


def _events_of(s3, bucket, key):
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="events/" + key + "/")
    out = []
    for o in listed.get("Contents", []):
        out.append(json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()))
    return out


def test_cli_cp_makes_the_function_write_a_derived_object(daemon, s3, pipeline, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"a picture of a cat\n")
    daemon.cli("s3", "cp", str(photo), f"s3://{pipeline['in']}/photos/photo.jpg")
    derived = _wait_object(s3, pipeline["out"], "derived/photos/photo.jpg")
    assert derived == b"A PICTURE OF A CAT\n"


def test_the_event_record_is_s3s(daemon, s3, pipeline):
    key = "photos/a dir/naïve+plus=.txt"
    put = s3.put_object(Bucket=pipeline["in"], Key=key, Body=b"hello")
    _wait_object(s3, pipeline["out"], "derived/" + key)
    (event,) = _events_of(s3, pipeline["out"], key)
    (record,) = event["Records"]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == REGION
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventTime"].endswith("Z")
    assert record["userIdentity"]["principalId"]
    assert record["requestParameters"]["sourceIPAddress"]
    assert record["responseElements"]["x-amz-request-id"]
    s3_part = record["s3"]
    assert s3_part["s3SchemaVersion"] == "1.0"
    assert s3_part["configurationId"] == "thumbs"
    assert s3_part["bucket"]["name"] == pipeline["in"]
    assert s3_part["bucket"]["arn"] == "arn:aws:s3:::" + pipeline["in"]
    assert s3_part["bucket"]["ownerIdentity"]["principalId"]
    obj = s3_part["object"]
    # S3 URL-encodes the key, a space as '+'.
    assert obj["key"] == urllib.parse.quote_plus(key, safe="/").replace("%2F", "/") or \
        urllib.parse.unquote_plus(obj["key"]) == key
    assert urllib.parse.unquote_plus(obj["key"]) == key
    assert " " not in obj["key"] and "+" in obj["key"]
    assert obj["size"] == 5
    assert obj["eTag"] == put["ETag"].strip('"')
    assert obj["sequencer"]


def test_only_matching_keys_and_events_invoke(daemon, s3, pipeline):
    s3.put_object(Bucket=pipeline["in"], Key="elsewhere/x.txt", Body=b"no")
    s3.put_object(Bucket=pipeline["in"], Key="photos/y.txt", Body=b"yes")
    _wait_object(s3, pipeline["out"], "derived/photos/y.txt")
    time.sleep(1)
    listed = s3.list_objects_v2(Bucket=pipeline["out"], Prefix="events/elsewhere/")
    assert listed["KeyCount"] == 0


def test_delete_copy_and_multipart_events(daemon, s3, pipeline):
    b = pipeline["in"]
    s3.put_object(Bucket=b, Key="photos/src.txt", Body=b"source")
    s3.copy_object(Bucket=b, Key="photos/copied.txt", CopySource={"Bucket": b, "Key": "photos/src.txt"})
    up = s3.create_multipart_upload(Bucket=b, Key="photos/mp.txt")
    part = s3.upload_part(Bucket=b, Key="photos/mp.txt", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"multipart")
    s3.complete_multipart_upload(Bucket=b, Key="photos/mp.txt", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1,
                                                             "ETag": part["ETag"]}]})
    s3.delete_object(Bucket=b, Key="photos/src.txt")

    def names(key):
        return sorted(r["eventName"] for e in _events_of(s3, pipeline["out"], key)
                      for r in e["Records"])
    wait_until(lambda: names("photos/src.txt") == ["ObjectCreated:Put", "ObjectRemoved:Delete"],
               60, "the put and delete events of src.txt")
    wait_until(lambda: names("photos/copied.txt") == ["ObjectCreated:Copy"], 60, "the copy event")
    wait_until(lambda: names("photos/mp.txt") == ["ObjectCreated:CompleteMultipartUpload"], 60,
               "the multipart event")
    assert _wait_object(s3, pipeline["out"], "derived/photos/mp.txt") == b"MULTIPART"
    deleted = [r for e in _events_of(s3, pipeline["out"], "photos/src.txt") for r in e["Records"]
               if r["eventName"] == "ObjectRemoved:Delete"][0]
    assert "size" not in deleted["s3"]["object"] and "eTag" not in deleted["s3"]["object"]


def test_get_returns_the_configuration(s3, pipeline):
    got = s3.get_bucket_notification_configuration(Bucket=pipeline["in"])
    (conf,) = got["LambdaFunctionConfigurations"]
    assert conf["Id"] == "thumbs"
    assert conf["LambdaFunctionArn"] == function_arn(pipeline["function"])
    assert conf["Events"] == ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
    assert conf["Filter"]["Key"]["FilterRules"] == [{"Name": "Prefix", "Value": "photos/"}] or \
        conf["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "photos/"}]


def _configure(s3, bucket, arn, events=("s3:ObjectCreated:*",), rules=None):
    conf = {"LambdaFunctionArn": arn, "Events": list(events)}
    if rules is not None:
        conf["Filter"] = {"Key": {"FilterRules": rules}}
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [conf]})


def _simple_function(daemon, lam, name):
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="handler.handler",
                        Role=make_role(daemon),
                        Code={"ZipFile": make_zip({"handler.py": "def handler(e, c):\n  return 1\n"})})


@pytest.mark.parametrize("case", ["no-function", "no-policy", "other-bucket", "other-account"])
def test_destinations_are_validated_as_s3_does(daemon, lam, s3, case):
    bucket = _bucket(s3, "val")
    name = unique("val")
    if case != "no-function":
        _simple_function(daemon, lam, name)
    if case == "other-bucket":
        lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::someone-else")
    if case == "other-account":
        lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}",
                           SourceAccount="111122223333")
    with pytest.raises(ClientError) as e:
        _configure(s3, bucket, function_arn(name))
    err = e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Code"] == "InvalidArgument"
    assert err["Message"].startswith("Unable to validate the following destination configurations")
    # Nothing was stored.
    assert "LambdaFunctionConfigurations" not in s3.get_bucket_notification_configuration(
        Bucket=bucket)


def test_bad_configurations_are_refused(daemon, lam, s3):
    bucket = _bucket(s3, "bad")
    name = unique("bad")
    _simple_function(daemon, lam, name)
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")
    with pytest.raises(ClientError) as e:
        _configure(s3, bucket, function_arn(name), events=["s3:ObjectCreated:Nope"])
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    with pytest.raises(ClientError) as e:
        _configure(s3, bucket, function_arn(name),
                   rules=[{"Name": "prefix", "Value": "a"}, {"Name": "prefix", "Value": "b"}])
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q",
                                     "Events": ["s3:ObjectCreated:*"]}]})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    # Two configurations for the same events and keys overlap.
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": function_arn(name), "Events": ["s3:ObjectCreated:*"]},
                {"LambdaFunctionArn": function_arn(name), "Events": ["s3:ObjectCreated:Put"]}]})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    # A valid one, then an empty one clears it.
    _configure(s3, bucket, function_arn(name))
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["LambdaFunctionConfigurations"]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "LambdaFunctionConfigurations" not in s3.get_bucket_notification_configuration(
        Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_notification_configuration(Bucket="no-such-bucket-" + os.urandom(4).hex())
    assert e.value.response["Error"]["Code"] == "NoSuchBucket"
