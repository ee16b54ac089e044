"""Outbound network: off by default, opt-in per function (tag lamina:outbound-network=true) or for
all (--outbound-network all), never to the host's loopback (the daemon's port).

The tests reach a TCP server the test process opens on one of the host's own non-loopback
addresses: what a function with outbound network reaches like any other outside host, without
depending on the internet.
"""
import errno
import os
import socket
import threading
import time

import pytest

from conftest import make_role
from test_hostile import host_addresses
from test_invoke import create, invoke

CONNECT_PY = r'''
import errno, socket


def handler(event, context):
    out = {"resolv": open("/etc/resolv.conf").read()}
    for host, port in event["targets"]:
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect((host, port))
            s.sendall(b"ping")
            out[f"{host}:{port}"] = s.recv(16).decode()
        except OSError as e:
            out[f"{host}:{port}"] = e.errno if e.errno is not None else str(e)
        finally:
            s.close()
    return out
'''


def host_ipv4():
    v4, _ = host_addresses()
    v4 = [a for a in v4 if not a.startswith("127.")]
    if not v4:
        pytest.skip("this host has no non-loopback IPv4 address")
    return sorted(v4)[0]


@pytest.fixture(scope="module")
def echo_server():
    """A TCP server on all of the host's addresses that answers "pong" to anything."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", 0))
    server.listen(16)
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    conn.recv(16)
                    conn.sendall(b"pong")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def connect(lam, name, targets):
    r = invoke(lam, name, {"targets": targets})
    assert r.function_error is None, (r.body, r.log)
    return r


def deployed(d, tag=None):
    """A Lambda client of daemon `d` and a CONNECT_PY function in it, tagged
    lamina:outbound-network=`tag` when given."""
    lam = d.client("lambda", read_timeout=60)
    tags = {"Tags": {"lamina:outbound-network": tag}} if tag else {}
    return lam, create(lam, make_role(d), {"index.py": CONNECT_PY}, Timeout=30, **tags)


def test_untagged_function_cannot_reach_the_host_by_default(daemon_factory, echo_server):
    d = daemon_factory()
    lam, name = deployed(d)
    host = host_ipv4()
    out = connect(lam, name, [[host, echo_server]]).body
    assert out[f"{host}:{echo_server}"] in (errno.ENETUNREACH, errno.EHOSTUNREACH), out


def test_tagged_function_reaches_outside_hosts_but_not_the_hosts_loopback(daemon_factory,
                                                                          echo_server):
    d = daemon_factory()
    lam, name = deployed(d, "true")
    host = host_ipv4()
    targets = [[host, echo_server], ["10.0.2.2", echo_server], ["10.0.2.2", d.port],
               ["127.0.0.1", d.port]]
    out = connect(lam, name, targets).body
    # The outside world (here: the host's own address, as any other host) answers ...
    assert out[f"{host}:{echo_server}"] == "pong", out
    # ... the host's loopback, where the daemon listens, does not; nor does the sandbox's own.
    assert out[f"10.0.2.2:{echo_server}"] == errno.ENETUNREACH, out
    assert out[f"10.0.2.2:{d.port}"] == errno.ENETUNREACH, out
    assert out[f"127.0.0.1:{d.port}"] == errno.ECONNREFUSED, out
    assert "nameserver 10.0.2.3" in out["resolv"]


def test_untagging_takes_the_network_away_from_the_next_environment(daemon_factory, echo_server):
    d = daemon_factory()
    lam, name = deployed(d, "TRUE")
    host = host_ipv4()
    assert connect(lam, name, [[host, echo_server]]).body[f"{host}:{echo_server}"] == "pong"
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.untag_resource(Resource=arn, TagKeys=["lamina:outbound-network"])
    r = connect(lam, name, [[host, echo_server]])
    assert "Init Duration" in r.lines[-1], "a new environment after the tag changed"
    assert r.body[f"{host}:{echo_server}"] in (errno.ENETUNREACH, errno.EHOSTUNREACH), r.body
    lam.tag_resource(Resource=arn, Tags={"lamina:outbound-network": "true"})
    assert connect(lam, name, [[host, echo_server]]).body[f"{host}:{echo_server}"] == "pong"


def test_daemon_flag_none_refuses_the_tag_and_all_gives_everyone(daemon_factory, echo_server):
    host = host_ipv4()
    d = daemon_factory(extra_args=["--outbound-network", "none"])
    lam, name = deployed(d, "true")
    out = connect(lam, name, [[host, echo_server]]).body
    assert out[f"{host}:{echo_server}"] in (errno.ENETUNREACH, errno.EHOSTUNREACH), out

    d = daemon_factory(extra_args=["--outbound-network", "all"])
    lam, name = deployed(d)
    assert connect(lam, name, [[host, echo_server]]).body[f"{host}:{echo_server}"] == "pong"


def test_environments_network_helper_goes_with_the_environment(daemon_factory, echo_server):
    d = daemon_factory()
    lam, name = deployed(d, "true")
    host = host_ipv4()
    assert connect(lam, name, [[host, echo_server]]).body[f"{host}:{echo_server}"] == "pong"

    def helpers():
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{pid}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if ppid == d.proc.pid and comm == "slirp4netns":
                found.append(int(pid))
        return found

    assert len(helpers()) == 1
    lam.delete_function(FunctionName=name)
    deadline = time.monotonic() + 20
    while helpers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert helpers() == []


def test_function_with_outbound_network_still_reaches_its_aws_endpoint(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda", read_timeout=60)
    code = (
        "import os, urllib.request\n"
        "def handler(event, context):\n"
        "    url = os.environ['AWS_ENDPOINT_URL'] + '/_lamina/health'\n"
        "    return urllib.request.urlopen(url, timeout=5).read().decode()\n")
    name = create(lam, make_role(d), {"index.py": code}, Timeout=30,
                  Tags={"lamina:outbound-network": "true"})
    r = invoke(lam, name)
    assert r.function_error is None, (r.body, r.log)
    assert '"status":"running"' in r.body
