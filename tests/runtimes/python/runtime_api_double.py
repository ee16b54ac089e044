"""A Lambda Runtime API test double: a small threading HTTP/1.1 server that hands out queued
invocations on GET /2018-06-01/runtime/invocation/next (long poll) and records what the runtime
posts to /response, /error and /init/error. Stands in for lamina-init in the runtime's tests.
"""

import json
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


class Invocation(object):
    def __init__(self, body, request_id=None, headers=None, deadline_ms=None, chunked=False,
                 close=False, raw_headers=None, no_length=False):
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        self.request_id = request_id or str(uuid.uuid4())
        self.deadline_ms = deadline_ms if deadline_ms is not None else int(time.time() * 1000) + 30000
        self.headers = headers or {}
        self.raw_headers = raw_headers  # replaces all Lambda-Runtime-* headers when given
        self.chunked = chunked  # send the body with chunked transfer coding
        self.close = close  # answer with Connection: close and drop the connection
        self.no_length = no_length  # no Content-Length: the body ends when the connection closes


class Posted(object):
    def __init__(self, kind, request_id, headers, body):
        self.kind = kind  # "response" | "error" | "init_error"
        self.request_id = request_id
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "Posted(%s, %s, %r)" % (self.kind, self.request_id, self.body[:300])


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A runtime killed mid-request resets its connection: expected here, not worth a trace.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            ThreadingHTTPServer.handle_error(self, request, client_address)


class RuntimeAPIDouble(object):
    def __init__(self):
        self.invocations = queue.Queue()
        self.cond = threading.Condition()
        self.posted = []  # Posted, in arrival order
        self.requests = []  # (time, method, path, client port)
        self.next_status = 200  # set to e.g. 500 to make /next fail
        self.stopping = False
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _record(self):
                with double.cond:
                    double.requests.append(
                        (time.time(), self.command, self.path, self.client_address[1])
                    )
                    double.cond.notify_all()

            def _reply(self, status, body=b"", headers=(), close=False):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._record()
                if self.path != PREFIX + "/invocation/next":
                    return self._reply(404, b'{"errorType":"NotFound"}')
                if double.next_status != 200:
                    return self._reply(double.next_status, b'{"errorType":"Broken"}')
                while True:
                    try:
                        inv = double.invocations.get(timeout=0.1)
                        break
                    except queue.Empty:
                        # A /next already waiting fails too (the runtime may have asked early).
                        if double.next_status != 200:
                            return self._reply(double.next_status, b'{"errorType":"Broken"}')
                        if double.stopping:
                            self.close_connection = True
                            return
                if inv.raw_headers is not None:
                    headers = list(inv.raw_headers.items())
                else:
                    headers = [
                        ("Lambda-Runtime-Aws-Request-Id", inv.request_id),
                        ("Lambda-Runtime-Deadline-Ms", str(inv.deadline_ms)),
                        (
                            "Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:us-east-1:000000000000:function:fn",
                        ),
                        (
                            "Lambda-Runtime-Trace-Id",
                            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
                        ),
                        ("Content-Type", "application/json"),
                    ]
                    merged = dict(headers)
                    merged.update(inv.headers)
                    headers = [(k, v) for k, v in merged.items() if v is not None]
                if inv.chunked:
                    self.send_response(200)
                    for name, value in headers:
                        self.send_header(name, value)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    body = inv.body
                    step = max(1, len(body) // 3 + 1)
                    for i in range(0, len(body), step):
                        piece = body[i : i + step]
                        self.wfile.write(b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n")
                    self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
                    if inv.close:
                        self.close_connection = True
                    return
                if inv.no_length:
                    self.send_response(200)
                    for name, value in headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(inv.body)
                    self.close_connection = True
                    return
                self._reply(200, inv.body, headers, close=inv.close)

            def do_POST(self):
                self._record()
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                path = self.path
                if path == PREFIX + "/init/error":
                    posted = Posted("init_error", None, self.headers, body)
                elif path.startswith(PREFIX + "/invocation/") and path.endswith("/response"):
                    rid = path[len(PREFIX + "/invocation/") : -len("/response")]
                    posted = Posted("response", rid, self.headers, body)
                elif path.startswith(PREFIX + "/invocation/") and path.endswith("/error"):
                    rid = path[len(PREFIX + "/invocation/") : -len("/error")]
                    posted = Posted("error", rid, self.headers, body)
                else:
                    return self._reply(404, b"{}")
                with double.cond:
                    double.posted.append(posted)
                    double.cond.notify_all()
                self._reply(202, b'{"status":"OK"}', [("Content-Type", "application/json")])

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def invoke(self, body, **kwargs):
        inv = Invocation(body, **kwargs)
        self.invocations.put(inv)
        return inv

    def wait_posted(self, predicate, timeout=10.0):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for p in self.posted:
                    if predicate(p):
                        return p
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise AssertionError("nothing matching was posted; posted: %r" % self.posted)
                self.cond.wait(remaining)

    def wait_result(self, request_id, timeout=10.0):
        return self.wait_posted(lambda p: p.request_id == request_id, timeout)

    def wait_init_error(self, timeout=10.0):
        return self.wait_posted(lambda p: p.kind == "init_error", timeout)

    def wait_requests(self, predicate, count=1, timeout=10.0):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                found = [r for r in self.requests if predicate(r)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise AssertionError("requests: %r" % self.requests)
                self.cond.wait(remaining)

    def stop(self):
        self.stopping = True
        self.server.shutdown()
        self.server.server_close()
