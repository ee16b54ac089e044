"""End-to-end harness: starts the real `lamina serve` on a free port in a temp dir.

Tests drive it with the AWS CLI (`Daemon.cli`) and boto3 (`Daemon.client`). The daemon binary
comes from $LAMINA_BIN (set by `make test`), else build/lamina.
"""
import base64
import configparser
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import pytest


def _use_authoritative_lambda_model():
    """Points boto3 at the Lambda model Lamina implements (from the newest botocore installed).

    The system boto3 may predate members such as LoggingConfig; without this it would neither send
    nor parse them. Only the lambda model is replaced; the AWS CLI keeps its own.
    """
    import atexit
    import glob
    import gzip
    found = sorted(glob.glob("/root/.pyenv/versions/*/lib/python*/site-packages/botocore/data/"
                             "lambda/2015-03-31/service-2.json.gz"))
    if not found:
        return
    models = tempfile.mkdtemp(prefix="lamina-models-")
    atexit.register(shutil.rmtree, models, True)
    target = os.path.join(models, "lambda", "2015-03-31")
    os.makedirs(target)
    with gzip.open(found[-1], "rb") as src, open(os.path.join(target, "service-2.json"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    paths = [models] + [p for p in os.environ.get("AWS_DATA_PATH", "").split(os.pathsep) if p]
    os.environ["AWS_DATA_PATH"] = os.pathsep.join(paths)


_use_authoritative_lambda_model()

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("LAMINA_BIN", os.path.join(ROOT, "build", "lamina"))
# The Debian AWS CLI v2 the project installs (scripts/install-deps.sh), not whatever `aws` comes
# first on PATH (which may be an old v1).
AWS_CLI = os.environ.get("LAMINA_AWS_CLI", "/usr/bin/aws")
REGION = "us-east-1"
ACCOUNT = "000000000000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, data_dir, auth="on", extra_args=()):
        self.data_dir = data_dir
        self.auth = auth
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.proc = None
        # Next to the data dir, which need not exist yet.
        self.log_path = os.path.join(os.path.dirname(os.path.normpath(data_dir)),
                                     os.path.basename(os.path.normpath(data_dir)) + ".log")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--port", str(self.port), "--data-dir", self.data_dir,
             "--auth", self.auth, "--log-level", "debug", *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lamina exited with {self.proc.returncode}: {self.read_log()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/_lamina/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("lamina did not become healthy: " + self.read_log())
        cp = configparser.ConfigParser()
        cp.read(self.credentials_file)
        self.access_key = cp["default"]["aws_access_key_id"]
        self.secret_key = cp["default"]["aws_secret_access_key"]
        return self

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    @property
    def credentials_file(self):
        return os.path.join(self.data_dir, "credentials")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        code = self.proc.returncode if self.proc else None
        self.proc = None
        return code

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    # --- clients -------------------------------------------------------------------------
    def client(self, service, access_key=None, secret_key=None, region=REGION, **config):
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=botocore.config.Config(retries={"max_attempts": 0}, **config))

    def request(self, method, path, body=b"", headers=None, sign=True, access_key=None,
                secret_key=None, service="lambda", region=REGION, when=None, timeout=60):
        """Sends one raw HTTP request, SigV4-signed unless sign=False, whatever its body.

        `when` (a datetime in UTC) signs as of that moment. Returns (status, headers, body bytes);
        header names are lower-cased.
        """
        import http.client
        if isinstance(body, str):
            body = body.encode()
        signed = self.signed_headers(method, path, body, headers, sign, access_key, secret_key,
                                     service, region, when)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=signed)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def signed_headers(self, method, path, body=b"", headers=None, sign=True, access_key=None,
                       secret_key=None, service="lambda", region=REGION, when=None):
        """The headers a SigV4-signed request for `path` with `body` carries (see request())."""
        request = botocore.awsrequest.AWSRequest(method=method, url=self.endpoint + path,
                                                 data=body, headers=dict(headers or {}))
        if sign:
            creds = botocore.credentials.Credentials(access_key or self.access_key,
                                                     secret_key or self.secret_key)
            signer = botocore.auth.SigV4Auth(creds, service, region)
            if when is None:
                signer.add_auth(request)
            else:
                _sign_at(signer, request, when)
        return dict(request.prepare().headers.items())

    def s3_streaming_headers(self, method, path, length, headers=None):
        """The headers of an S3 request whose `length`-byte body is sent separately: signed with
        UNSIGNED-PAYLOAD, as the SDKs sign streamed uploads."""
        request = botocore.awsrequest.AWSRequest(method=method, url=self.endpoint + path,
                                                 data=b"", headers=dict(headers or {}))
        request.context["client_config"] = botocore.config.Config(
            s3={"payload_signing_enabled": False})
        creds = botocore.credentials.Credentials(self.access_key, self.secret_key)
        botocore.auth.S3SigV4Auth(creds, "s3", REGION).add_auth(request)
        out = dict(request.prepare().headers.items())
        out["Host"] = f"127.0.0.1:{self.port}"
        out["Content-Length"] = str(length)
        return out

    def cli_env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_SHARED_CREDENTIALS_FILE": self.credentials_file,
            "AWS_CONFIG_FILE": os.path.join(self.data_dir, "no-such-config"),
            "AWS_DEFAULT_REGION": REGION,
            "AWS_PAGER": "",
            "AWS_MAX_ATTEMPTS": "1",
        })
        return env

    def cli(self, *args, check=True, input=None):
        """Runs the AWS CLI against the daemon. Returns (returncode, parsed-json-or-text, stderr)."""
        cmd = [AWS_CLI, "--endpoint-url", self.endpoint, "--output", "json", *args]
        p = subprocess.run(cmd, env=self.cli_env(), capture_output=True, text=True, input=input,
                           timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr}")
        out = p.stdout
        try:
            out = json.loads(out) if out.strip() else None
        except ValueError:
            pass
        return p.returncode, out, p.stderr


def _sign_at(signer, request, when):
    """SigV4Auth.add_auth with the clock set to `when` (botocore reads utcnow() inside add_auth)."""
    if signer.credentials is None:
        raise ValueError("no credentials")
    request.context["timestamp"] = when.strftime(botocore.auth.SIGV4_TIMESTAMP)
    signer._modify_request_before_signing(request)
    canonical_request = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical_request)
    signature = signer.signature(string_to_sign, request)
    signer._inject_signature_to_request(request, signature)


@pytest.fixture
def daemon_factory():
    """Makes daemons in fresh temp dirs; every one is stopped at the end of the test."""
    made = []
    tmp = tempfile.mkdtemp(prefix="lamina-e2e-")

    def make(auth="on", data_dir=None, extra_args=()):
        d = Daemon(data_dir or tempfile.mkdtemp(dir=tmp), auth=auth, extra_args=extra_args)
        made.append(d)
        return d.start()

    yield make
    for d in made:
        try:
            d.stop()
        except Exception:  # a test may leave a daemon hung on purpose; kill it
            d.kill9()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def daemon():
    """One daemon shared by a test module."""
    tmp = tempfile.mkdtemp(prefix="lamina-e2e-")
    d = Daemon(os.path.join(tmp, "data")).start()
    yield d
    d.stop()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def lam(daemon):
    return daemon.client("lambda", read_timeout=60)


@pytest.fixture(scope="module")
def loose(daemon):
    """A Lambda client without botocore's own parameter checks, so the daemon's are exercised."""
    return daemon.client("lambda", read_timeout=60, parameter_validation=False)


@pytest.fixture(scope="module")
def logs(daemon):
    return daemon.client("logs")


def function_arn(name, qualifier=None):
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}" + (
        f":{qualifier}" if qualifier else "")


def wait_until(probe, timeout, what):
    """Polls `probe` until it returns something truthy (which is returned); fails at the deadline."""
    deadline = time.time() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"waited {timeout} s in vain for {what}")
        time.sleep(0.1)


def log_events(logs, name):
    """Every event of /aws/lambda/<name>, oldest first ([] while the group does not exist)."""
    try:
        pages = logs.get_paginator("filter_log_events").paginate(logGroupName=f"/aws/lambda/{name}")
        events = [e for page in pages for e in page["events"]]
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFoundException":
            return []
        raise
    return sorted(events, key=lambda e: e["timestamp"])


def unique(prefix="fn"):
    """A name no other test uses."""
    return f"{prefix}-{os.urandom(4).hex()}"


def error_of(excinfo):
    """(code, http status, message) of the botocore ClientError a pytest.raises caught."""
    response = excinfo.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message"))


def make_zip(files):
    """A zip held in memory: files maps names to str/bytes contents."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()


class InvokeResult:
    """One Invoke's answer, with the log tail (when asked for) split into its lines."""

    def __init__(self, response):
        self.response = response
        self.status = response["StatusCode"]
        self.function_error = response.get("FunctionError")
        self.executed_version = response.get("ExecutedVersion")
        self.request_id = response["ResponseMetadata"]["RequestId"]
        self.raw = response["Payload"].read()
        try:
            self.body = json.loads(self.raw) if self.raw else None
        except ValueError:
            self.body = None
        self.log = (base64.b64decode(response["LogResult"]).decode()
                    if "LogResult" in response else None)

    @property
    def lines(self):
        return self.log.split("\n")[:-1] if self.log is not None else []


HANDLER_ZIP_FILES = {"handler.py": "def handler(event, context):\n    return event\n"}


def make_role(daemon, service="lambda.amazonaws.com"):
    """Creates an IAM role in `daemon` whose trust policy lets `service` assume it; returns its ARN."""
    iam = daemon.client("iam")
    name = "role-" + os.urandom(4).hex()
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service},
        "Action": "sts:AssumeRole"}]}
    r = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    return r["Role"]["Arn"]


@pytest.fixture
def role(daemon):
    """An execution role Lambda may assume."""
    return make_role(daemon)
