"""What the daemon promises across restarts and crashes, and how its command line behaves."""
import base64
import hashlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import botocore.exceptions
import pytest

from conftest import BIN, make_role, make_zip


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def download(location):
    with urllib.request.urlopen(location, timeout=10) as r:
        return r.read()


def code_for(i):
    return make_zip({"handler.py": f"def handler(event, context):\n    return {i}\n",
                     "data.bin": os.urandom(2000 + i)})


def snapshot(lam, name):
    got = lam.get_function(FunctionName=name)
    config = got["Configuration"]
    return config, got.get("Tags", {}), download(got["Code"]["Location"])


def without_metadata(d):
    return {k: v for k, v in d.items() if k != "ResponseMetadata"}


def test_functions_survive_graceful_restart(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda")
    role = make_role(d)
    codes = {}
    for i in range(5):
        codes[f"keep-{i}"] = code_for(i)
        lam.create_function(FunctionName=f"keep-{i}", Runtime="python3.12", Role=role,
                            Handler="handler.handler", Code={"ZipFile": codes[f"keep-{i}"]},
                            Environment={"Variables": {"NUM": str(i)}}, Tags={"i": str(i)})
    before = {name: snapshot(lam, name) for name in codes}
    settings = without_metadata(lam.get_account_settings())

    assert d.stop() == 0
    d.start()
    lam = d.client("lambda")
    for name, code in codes.items():
        config, tags, downloaded = snapshot(lam, name)
        assert config == before[name][0]
        assert tags == before[name][1]
        assert downloaded == code
    assert without_metadata(lam.get_account_settings()) == settings
    assert sorted(f["FunctionName"] for f in lam.list_functions()["Functions"]) == sorted(codes)


def test_acknowledged_creates_survive_kill9(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda")
    role = make_role(d)
    created = {}
    for i in range(20):
        code = code_for(i)
        r = lam.create_function(FunctionName=f"crash-{i:02d}", Runtime="python3.12", Role=role,
                                Handler="handler.handler", Code={"ZipFile": code})
        created[r["FunctionName"]] = (r["CodeSha256"], r["RevisionId"], code)
    assert d.kill9() == -signal.SIGKILL

    d.start()
    lam = d.client("lambda")
    listed = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert sorted(listed) == sorted(created)
    for name, (sha, revision, code) in created.items():
        config, _, downloaded = snapshot(lam, name)
        assert config["CodeSha256"] == sha == sha256_b64(code)
        assert config["RevisionId"] == revision
        assert downloaded == code
    # The restarted daemon keeps working on the same data.
    lam.update_function_configuration(FunctionName="crash-00", Timeout=9)
    lam.delete_function(FunctionName="crash-01")
    assert len(lam.list_functions()["Functions"]) == 19


def test_acknowledged_updates_and_deletes_survive_kill9(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda")
    role = make_role(d)
    for name in ("upd", "gone"):
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                            Handler="handler.handler", Code={"ZipFile": code_for(1)})
    new_code = code_for(2)
    lam.update_function_code(FunctionName="upd", ZipFile=new_code)
    lam.tag_resource(Resource=lam.get_function(FunctionName="upd")["Configuration"]["FunctionArn"],
                     Tags={"t": "v"})
    updated = lam.update_function_configuration(FunctionName="upd", MemorySize=640,
                                                Description="after update")
    lam.delete_function(FunctionName="gone")
    d.kill9()

    d.start()
    lam = d.client("lambda")
    config, tags, downloaded = snapshot(lam, "upd")
    assert config["MemorySize"] == 640
    assert config["Description"] == "after update"
    assert config["CodeSha256"] == sha256_b64(new_code)
    assert config["RevisionId"] == updated["RevisionId"]
    assert tags == {"t": "v"}
    assert downloaded == new_code
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function(FunctionName="gone")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert lam.get_account_settings()["AccountUsage"] == {"TotalCodeSize": len(new_code),
                                                         "FunctionCount": 1}


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    status = int(head.split(b" ")[1]) if head else 0
    return status, body


def test_sigterm_drains_requests_in_flight(daemon_factory):
    d = daemon_factory()
    role = make_role(d)
    requests = []
    for i in range(4):
        code = make_zip({"handler.py": f"def handler(event, context):\n    return {i}\n",
                         "data.bin": os.urandom(300_000)})
        body = json.dumps({"FunctionName": f"inflight-{i}", "Runtime": "python3.12",
                           "Role": role, "Handler": "handler.handler",
                           "Code": {"ZipFile": base64.b64encode(code).decode()}}).encode()
        headers = d.signed_headers("POST", "/2015-03-31/functions", body,
                                   {"Content-Type": "application/json", "Connection": "close"})
        head = "POST /2015-03-31/functions HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
            if k.lower() not in ("host", "content-length"))
        head += f"Host: 127.0.0.1:{d.port}\r\nContent-Length: {len(body)}\r\n\r\n"
        requests.append((head.encode(), body, sha256_b64(code)))

    # Each request is half sent when the daemon is told to stop.
    socks = []
    for head, body, _ in requests:
        s = socket.create_connection(("127.0.0.1", d.port), timeout=20)
        s.sendall(head + body[: len(body) // 2])
        socks.append(s)
    time.sleep(0.3)
    d.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert d.proc.poll() is None, "the daemon quit with requests in flight"
    with pytest.raises(OSError):  # no new connections while draining
        socket.create_connection(("127.0.0.1", d.port), timeout=2).close()

    for s, (head, body, _) in zip(socks, requests):
        s.sendall(body[len(body) // 2:])
    statuses = []
    for s in socks:
        status, body = read_response(s)
        s.close()
        statuses.append((status, json.loads(body).get("FunctionName", body)))
    assert statuses == [(201, f"inflight-{i}") for i in range(4)]
    assert d.proc.wait(timeout=20) == 0

    d.start()
    lam = d.client("lambda")
    for i, (_, _, sha) in enumerate(requests):
        assert lam.get_function_configuration(FunctionName=f"inflight-{i}")["CodeSha256"] == sha


def test_sigterm_when_idle_exits_zero_quickly(daemon_factory):
    d = daemon_factory()
    started = time.monotonic()
    assert d.stop() == 0
    assert time.monotonic() - started < 5


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=20)


def test_version():
    p = run("--version")
    assert p.returncode == 0
    assert p.stdout.strip().startswith("lamina ")
    assert p.stdout.strip().split()[1][0].isdigit()


def test_help():
    p = run("--help")
    assert p.returncode == 0
    assert "serve" in p.stdout and "Usage" in p.stdout
    p = run("serve", "--help")
    assert p.returncode == 0
    for flag in ("--port", "--data-dir", "--auth", "--region", "--log-level"):
        assert flag in p.stdout


@pytest.mark.parametrize("args", [
    ("--bogus",),
    ("serve", "--bogus"),
    ("serve", "--auth", "maybe"),
    ("serve", "--port", "not-a-port"),
    ("serve", "--account-id", "123"),
    ("frobnicate",),
    (),
])
def test_bad_command_lines_fail(args, tmp_path):
    p = run(*args, *(("--data-dir", str(tmp_path / "d")) if args[:1] == ("serve",) else ()))
    assert p.returncode != 0
    assert p.stderr.strip() or p.stdout.strip()
