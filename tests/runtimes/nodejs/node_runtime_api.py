"""A small test double of the platform's Lambda Runtime API (2018-06-01).

It queues events, answers the runtime's long-polling GET /invocation/next with them (and the
Lambda-Runtime-* headers), and records what the runtime posts to /response, /error and
/init/error, including chunked (streaming) bodies and their trailers.
"""
import http.server
import json
import select
import socket
import threading
import time
import uuid

PREFIX = "/2018-06-01/runtime"


class Posted:
    """One POST from the runtime: kind is "response", "error" or "init_error"."""

    def __init__(self, kind, request_id, headers, body, trailers):
        self.kind = kind
        self.request_id = request_id
        self.headers = headers  # lower-cased names
        self.body = body  # bytes
        self.trailers = trailers  # lower-cased names, {} unless chunked with trailers
        self.time = time.monotonic()

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Posted({self.kind}, {self.request_id}, {self.body[:200]!r})"


class Invocation:
    def __init__(self, request_id, body, headers):
        self.request_id = request_id
        self.body = body
        self.headers = headers
        self.delivered_at = None  # monotonic time /next answered with it


class RuntimeApi:
    def __init__(self):
        self._events = []
        self._lock = threading.Condition()
        self.posts = []  # every Posted, in arrival order
        self.next_calls = 0
        self.invocations = {}
        self._closed = False
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body meet delayed ACKs (40 ms)

            def log_message(self, *args):
                pass

            def _reply(self, status, obj, extra=None):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks, trailers = [], {}
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            break
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    while True:
                        line = self.rfile.readline()
                        if line in (b"\r\n", b"\n", b""):
                            break
                        name, _, value = line.decode("latin-1").partition(":")
                        trailers[name.strip().lower()] = value.strip()
                    return b"".join(chunks), trailers
                length = int(self.headers.get("Content-Length", "0"))
                return self.rfile.read(length), {}

            def _client_gone(self):
                readable, _, _ = select.select([self.connection], [], [], 0)
                if not readable:
                    return False
                try:
                    return self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    return self._reply(404, {"errorType": "NotFound"})
                with api._lock:
                    api.next_calls += 1
                    api._lock.notify_all()
                while True:
                    if api._closed:
                        return self._reply(500, {"errorType": "Shutdown"})
                    if self._client_gone():
                        self.close_connection = True
                        return  # a killed runtime: leave the events to the next one
                    with api._lock:
                        if api._events:
                            inv = api._events.pop(0)
                            break
                        api._lock.wait(0.05)
                body = inv.body
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in inv.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                inv.delivered_at = time.monotonic()

            def do_POST(self):
                body, trailers = self._read_body()
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path
                if path == PREFIX + "/init/error":
                    posted = Posted("init_error", None, headers, body, trailers)
                elif path.startswith(PREFIX + "/invocation/"):
                    rest = path[len(PREFIX + "/invocation/"):]
                    request_id, _, what = rest.partition("/")
                    if what not in ("response", "error"):
                        return self._reply(404, {"errorType": "NotFound"})
                    posted = Posted(what, request_id, headers, body, trailers)
                else:
                    return self._reply(404, {"errorType": "NotFound"})
                with api._lock:
                    api.posts.append(posted)
                    api._lock.notify_all()
                self._reply(202, {"status": "OK"})

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a runtime killed mid-request is expected in these tests

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()

    @property
    def address(self):
        host, port = self._server.server_address
        return f"{host}:{port}"

    def queue(self, event, request_id=None, timeout_ms=3000, headers=None, raw=None):
        """Queues one invocation; returns its request id."""
        request_id = request_id or str(uuid.uuid4())
        hdrs = {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + timeout_ms),
            "Lambda-Runtime-Invoked-Function-Arn":
                "arn:aws:lambda:us-east-1:000000000000:function:fn",
            "Lambda-Runtime-Trace-Id":
                "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
        }
        if headers is not None:
            hdrs.update(headers)
        hdrs = {k: v for k, v in hdrs.items() if v is not None}
        body = raw if raw is not None else json.dumps(event).encode()
        inv = Invocation(request_id, body, hdrs)
        with self._lock:
            self.invocations[request_id] = inv
            self._events.append(inv)
            self._lock.notify_all()
        return request_id

    def wait(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [p for p in self.posts if predicate(p)]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"nothing matched; posts so far: {self.posts}")
                self._lock.wait(left)

    def result(self, request_id, timeout=10.0):
        return self.wait(lambda p: p.request_id == request_id, timeout)

    def init_error(self, timeout=10.0):
        return self.wait(lambda p: p.kind == "init_error", timeout)

    def invoke(self, event, timeout=10.0, **kw):
        return self.result(self.queue(event, **kw), timeout)

    def wait_next_calls(self, n, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.next_calls < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"only {self.next_calls} /next calls")
                self._lock.wait(left)

    def close(self):
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
