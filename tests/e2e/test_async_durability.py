"""Asynchronous events survive kill -9: every acknowledged event runs (at least once), and retries
resume on their schedule after a restart.

The function reports each event to an HTTP server of the test on one of the host's own addresses
(it has outbound network), so what ran is known independently of the daemon and its logs.
"""
import http.server
import io
import json
import os
import sqlite3
import subprocess
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import BIN, make_role, make_zip, unique
from test_outbound_network import host_ipv4

REPORT_PY = r'''
import json, os, urllib.request


def handler(event, context):
    body = json.dumps({"id": event["id"], "request": context.aws_request_id}).encode()
    with urllib.request.urlopen(urllib.request.Request(os.environ["REPORT_URL"], data=body),
                                timeout=10) as r:
        if r.status != 200:
            raise Exception("the reporter refused this attempt")
    return event["id"]
'''


class Reporter:
    """Records every report: event id -> times it arrived. Answers 500 to the first report of an
    id in `fail_first`, which makes that attempt a function error."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = {}
        self.fail_first = set()
        reporter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with reporter.lock:
                    times = reporter.seen.setdefault(event["id"], [])
                    times.append(time.time())
                    status = 500 if event["id"] in reporter.fail_first and len(times) == 1 else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("0.0.0.0", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ids(self):
        with self.lock:
            return set(self.seen)

    def times(self, event_id):
        with self.lock:
            return list(self.seen.get(event_id, []))

    def wait_for(self, ids, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if ids <= self.ids():
                return
            time.sleep(0.2)
        missing = sorted(ids - self.ids())
        raise AssertionError(f"{len(missing)} acknowledged events never ran: {missing[:20]}")


@pytest.fixture
def reporter():
    r = Reporter()
    yield r
    r.server.shutdown()


def queued(daemon):
    db = sqlite3.connect(f"file:{daemon.data_dir}/events.db?mode=ro", uri=True)
    try:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        db.close()


def deploy(daemon, reporter):
    lam = daemon.client("lambda", read_timeout=60)
    name = unique("durable")
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=make_role(daemon),
        Code={"ZipFile": make_zip({"index.py": REPORT_PY})}, Timeout=15,
        Environment={"Variables": {
            "REPORT_URL": f"http://{host_ipv4()}:{reporter.server.server_address[1]}/"}},
        Tags={"lamina:outbound-network": "true"})
    return lam, name


def send_events(daemon, name, ids):
    """Sends one Event invoke per id from 8 threads; returns the ids acknowledged with 202."""
    local = threading.local()

    def send(i):
        if not hasattr(local, "lam"):
            local.lam = daemon.client("lambda")
        r = local.lam.invoke(FunctionName=name, InvocationType="Event",
                             Payload=json.dumps({"id": i}).encode())
        return i if r["StatusCode"] == 202 else None

    with ThreadPoolExecutor(8) as pool:
        return {i for i in pool.map(send, ids) if i is not None}


def test_kill_9_with_thousands_queued_and_in_flight_loses_none(daemon_factory, reporter):
    daemon = daemon_factory(extra_args=["--async-backoff-max", "1000"])
    lam, name = deploy(daemon, reporter)
    # Held back while they are sent, so that thousands are queued at the kill.
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    acknowledged = send_events(daemon, name, range(3000))
    assert len(acknowledged) == 3000
    assert queued(daemon) == 3000
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=4)
    deadline = time.time() + 60
    while len(reporter.ids()) < 200 and time.time() < deadline:
        time.sleep(0.05)
    assert len(reporter.ids()) >= 200, "the events did not start running"
    daemon.kill9()
    ran_before = len(reporter.ids())
    assert ran_before < 3000, "everything ran before the kill: the test proves nothing"

    daemon.start()
    reporter.wait_for(acknowledged, timeout=180)
    deadline = time.time() + 30
    while queued(daemon) and time.time() < deadline:
        time.sleep(0.2)
    assert queued(daemon) == 0, "finished events stay queued"
    # At least once: some that were in flight at the kill may have run twice, but not more
    # than the ones in flight could have.
    twice = [i for i in acknowledged if len(reporter.times(i)) > 1]
    assert len(twice) <= 8, twice


def test_retries_resume_on_schedule_after_kill_9(daemon_factory, reporter):
    daemon = daemon_factory(extra_args=["--async-retry-delays", "4000,8000"])
    lam, name = deploy(daemon, reporter)
    reporter.fail_first = {"retry-me"}
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"id": "retry-me"}')
    deadline = time.time() + 30
    while not reporter.times("retry-me") and time.time() < deadline:
        time.sleep(0.05)
    first = reporter.times("retry-me")
    assert len(first) == 1, "the first attempt did not run"
    time.sleep(0.5)  # the function error is recorded and the retry scheduled
    daemon.kill9()
    daemon.start()
    deadline = time.time() + 30
    while len(reporter.times("retry-me")) < 2 and time.time() < deadline:
        time.sleep(0.05)
    attempts = reporter.times("retry-me")
    assert len(attempts) == 2, attempts
    # Not at once on restart, and not from scratch: when the schedule said.
    assert attempts[1] - attempts[0] >= 4.0 - 0.1
    assert attempts[1] - attempts[0] < 4.0 + 10


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_100000_events_for_a_throttled_function_stay_bounded_and_all_run(daemon_factory):
    """The queue under pressure: 100,000 events of ~1 KB (100 MB, more than the payloads kept in
    memory) while the function may not run, sent by lamina-bench at full speed."""
    daemon = daemon_factory(extra_args=["--async-backoff-max", "1000"])
    build = os.path.dirname(BIN)
    lam = daemon.client("lambda", read_timeout=60)
    name = unique("pressure")
    with open(os.path.join(build, "provided-noop"), "rb") as f:
        bootstrap = f.read()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, bootstrap)
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler="bootstrap",
                        Role=make_role(daemon), Code={"ZipFile": buf.getvalue()})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    before = rss_mb(daemon.proc.pid)
    subprocess.run([os.path.join(build, "lamina-bench"), "--endpoint", f"127.0.0.1:{daemon.port}",
                    "--credentials", daemon.credentials_file, "--function", name,
                    "--mode", "async", "--clients", "8", "--requests", "100000",
                    "--payload-bytes", "1000", "--no-wait"], check=True, timeout=300)
    assert queued(daemon) == 100000
    grown = rss_mb(daemon.proc.pid) - before
    # 64 MB of payloads at most, and a few hundred bytes per event besides.
    print(f"daemon RSS grew by {grown:.0f} MB for 100,000 queued events")
    assert grown < 160, f"the daemon grew by {grown:.0f} MB"
    # Still serving everything else meanwhile.
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name
    lam.delete_function_concurrency(FunctionName=name)
    deadline = time.time() + 180
    while queued(daemon) and time.time() < deadline:
        time.sleep(0.5)
    assert queued(daemon) == 0, "not every event ran"
    assert "dropping" not in daemon.read_log()
