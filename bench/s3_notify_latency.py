"""The time from PutObject returning to the function it notifies starting, warm.

A python function records when its handler starts (time.time(), the same clock as ours) as an
object of its own; for each of N sequential PUTs we wait for that object and subtract. Usage:
  /usr/bin/python3 bench/s3_notify_latency.py ENDPOINT CREDENTIALS_FILE [N]
"""
import configparser
import io
import json
import statistics
import sys
import time
import zipfile

import boto3
import botocore.config

HANDLER = r'''
import os, time, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
def handler(event, context):
    started = time.time()
    key = event["Records"][0]["s3"]["object"]["key"]
    s3.put_object(Bucket=os.environ["OUT"], Key=key, Body=repr(started).encode())
'''


def main():
    endpoint, credentials = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    cp = configparser.ConfigParser()
    cp.read(credentials)
    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id=cp["default"]["aws_access_key_id"],
              aws_secret_access_key=cp["default"]["aws_secret_access_key"],
              config=botocore.config.Config(retries={"max_attempts": 0}))
    s3, lam, iam = (boto3.client(s, **kw) for s in ("s3", "lambda", "iam"))
    suffix = str(int(time.time()))
    src, out, fn = f"latency-in-{suffix}", f"latency-out-{suffix}", f"latency-{suffix}"
    s3.create_bucket(Bucket=src)
    s3.create_bucket(Bucket=out)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=fn, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=fn, PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", HANDLER)
    lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="handler.handler",
                        Role=role, Code={"ZipFile": buf.getvalue()},
                        Environment={"Variables": {"OUT": out}})
    lam.add_permission(FunctionName=fn, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{src}")
    arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
    s3.put_bucket_notification_configuration(Bucket=src, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn,
                                          "Events": ["s3:ObjectCreated:*"]}]})
    latencies = []
    for i in range(n + 10):  # the first 10 warm the environment up
        key = f"k{i}"
        s3.put_object(Bucket=src, Key=key, Body=b"x")
        returned = time.time()
        deadline = returned + 30
        while True:
            try:
                started = float(s3.get_object(Bucket=out, Key=key)["Body"].read())
                break
            except s3.exceptions.NoSuchKey:
                if time.time() > deadline:
                    raise SystemExit(f"no invocation for {key}")
                time.sleep(0.002)
        if i >= 10:
            latencies.append((started - returned) * 1000)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"notification -> function start (warm, n={len(latencies)}): "
          f"p50={statistics.median(latencies):.2f} ms p99={p99:.2f} ms "
          f"min={latencies[0]:.2f} ms")


if __name__ == "__main__":
    main()
