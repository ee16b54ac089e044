"""The Runtime API's HTTP behaviour, driven from inside a sandbox by a `provided` bootstrap that
speaks raw HTTP/1.1: its error codes (a wrong request id, a second answer, /init/error after
/next, an unknown path), `Expect: 100-continue`, chunked bodies, pipelined requests (several in
one write), `Connection: close` and a new connection per request. Each invocation's response
carries what the bootstrap saw, which the test checks."""

from test_invoke import create, exec_role, invoke, lam, zip_with_modes  # noqa: F401 (fixtures)

BOOTSTRAP = r'''#!/usr/bin/python3
import json, os, socket

HOST, PORT = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
API = "/2018-06-01/runtime"


class Conn:
    def __init__(self):
        self.sock = socket.create_connection((HOST, int(PORT)))
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def response(self, timeout=None):
        """(status, headers, body) of the next response; None when none came within timeout."""
        self.sock.settimeout(timeout)
        try:
            while b"\r\n\r\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    return ("closed", {}, b"")
                self.buf += data
        except socket.timeout:
            return None
        finally:
            self.sock.settimeout(None)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = {k.strip().lower(): v.strip()
                   for k, _, v in (line.partition(":") for line in lines[1:])}
        n = int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self.buf += self.sock.recv(65536)
        body, self.buf = self.buf[:n], self.buf[n:]
        return (int(lines[0].split()[1]), headers, body)


def request(method, path, body=b"", headers=""):
    return (f"{method} {API}{path} HTTP/1.1\r\nHost: {HOST}\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def error_type(r):
    return (r[0], json.loads(r[2]).get("errorType") if r[2] else None)


GET_NEXT = f"GET {API}/invocation/next HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
seen = {}
c = Conn()

# Invocation 1: the error codes, then an answer sent with Expect: 100-continue.
c.send(GET_NEXT)
status, headers, _ = c.response()
id1 = headers["lambda-runtime-aws-request-id"]
c.send(request("POST", "/invocation/not-the-id/response", b"{}"))
seen["wrong id"] = error_type(c.response())
c.send(request("POST", "/init/error", b"{}"))
seen["init error after next"] = error_type(c.response())
c.send(request("GET", "/nope"))
seen["unknown path"] = c.response()[0]
body = json.dumps(seen).encode()
c.send(f"POST {API}/invocation/{id1}/response HTTP/1.1\r\nHost: {HOST}\r\n"
       f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n".encode())
interim = c.response(timeout=5)
c.send(body)
seen = {"interim": interim and interim[0], "answer": c.response()[0]}

# The same invocation answered again; then invocation 2, answered with a chunked body and its
# /next in the same write.
c.send(request("POST", f"/invocation/{id1}/response", b"{}"))
seen["second answer"] = error_type(c.response())
c.send(request("POST", f"/invocation/{id1}/error", b"{}"))
seen["error after answer"] = error_type(c.response())
c.send(GET_NEXT)
status, headers, event = c.response()
id2 = headers["lambda-runtime-aws-request-id"]
seen["event 2"] = json.loads(event)
body = json.dumps(seen).encode()
chunks = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
c.send(f"POST {API}/invocation/{id2}/response HTTP/1.1\r\nHost: {HOST}\r\n"
       f"Transfer-Encoding: chunked\r\n\r\n".encode() + chunks + GET_NEXT)
answer = c.response()
status, headers, event = c.response()
id3 = headers["lambda-runtime-aws-request-id"]
seen = {"pipelined answer": answer[0], "event 3": json.loads(event)}

# Invocation 3 answered with Connection: close; invocation 4 on a new connection.
c.send(request("POST", f"/invocation/{id3}/response", json.dumps(seen).encode(),
               "Connection: close\r\n"))
answer = c.response()
seen = {"close answer": answer[0], "close header": answer[1].get("connection"),
        "then": c.response()[0]}
c = Conn()
c.send(GET_NEXT)
status, headers, event = c.response()
seen["event 4"] = json.loads(event)
c.send(request("POST", f"/invocation/{headers['lambda-runtime-aws-request-id']}/response",
               json.dumps(seen).encode()))
c.response()
c.send(GET_NEXT)
c.response()
'''


def test_runtime_api_http_behaviour(lam, exec_role):
    name = create(lam, exec_role, runtime="provided.al2023", handler="x", Timeout=10,
                  zip_bytes=zip_with_modes({"bootstrap": BOOTSTRAP}, executable={"bootstrap"}))
    r1 = invoke(lam, name, {"n": 1})
    assert r1.function_error is None, r1.log
    assert r1.body == {"wrong id": [400, "InvalidRequestID"],
                       "init error after next": [403, "InvalidStateTransition"],
                       "unknown path": 404}
    r2 = invoke(lam, name, {"n": 2})
    assert r2.function_error is None, r2.log
    assert r2.body == {"interim": 100, "answer": 202,
                       "second answer": [403, "InvalidStateTransition"],
                       "error after answer": [403, "InvalidStateTransition"],
                       "event 2": {"n": 2}}
    r3 = invoke(lam, name, {"n": 3})
    assert r3.body == {"pipelined answer": 202, "event 3": {"n": 3}}, r3.log
    r4 = invoke(lam, name, {"n": 4})
    assert r4.body == {"close answer": 202, "close header": "close", "then": "closed",
                       "event 4": {"n": 4}}, r4.log
    assert not r4.cold
