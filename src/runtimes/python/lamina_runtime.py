"""Lamina's Python runtime interface client (the part bootstrap.py loads).

Speaks the Lambda Runtime API (2018-06-01) and behaves, as seen by function code, like AWS's own
Python runtime (awslambdaric + /var/runtime/bootstrap.py): same sys.path, same handler
resolution and init-error types/messages, same context object, same error bodies and stack-trace
format, same root-logger format, unbuffered stdout.

Start-up cost is a primary goal, so on the way to the first GET /next this module imports only
sys, os, site (frozen since 3.11), _socket, _json (C) and _frozen_importlib (already loaded).
json, traceback, logging and decimal are imported only when the function's behaviour needs them:
the `logging` root handler is installed by a one-shot import hook the moment function code first
imports `logging`, before that import returns -- the state awslambdaric leaves it in. Code that
only failures, logging, Decimals, chunked/close-delimited responses and the telemetry log fd need
lives in lamina_runtime_extra.py, loaded on first use, so that a cold start compiles as little as
possible when no .pyc is available.

Standard library only; Python 3.8 - 3.14.
"""

import sys
import os
import _socket
import _json
from time import time as _time

_environ = os.environ
_HERE = __file__.rpartition("/")[0] or "."

# --------------------------------------------------------------------------------- constants

_NEXT_PATH = "/2018-06-01/runtime/invocation/next"
_INVOCATION_PATH = "/2018-06-01/runtime/invocation/"
# The largest response the Runtime API accepts; a larger one is refused (413) and the runtime
# exits, so it must not have asked for the next event already.
_MAX_RESPONSE = 6291556
_INIT_ERROR_PATH = "/2018-06-01/runtime/init/error"

ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
XRAY_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"
# awslambdaric drops the X-Ray cause header at 1 MiB; we keep it far below common server header
# limits so a deep stack trace can never make the platform refuse the error report.
_XRAY_CAUSE_MAX = 64 * 1024

MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# awslambdaric emits non-ASCII JSON (ensure_ascii=False) only on these runtimes.
_ENSURE_ASCII = _environ.get("AWS_EXECUTION_ENV") not in (
    "AWS_Lambda_python3.12",
    "AWS_Lambda_python3.13",
    "AWS_Lambda_python3.14",
    "AWS_Lambda_python3.15",
)

# Advanced logging controls, read like awslambdaric reads them.
_LOG_FORMAT_JSON = (_environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"
_LOG_LEVEL = {None: "", "TRACE": "DEBUG"}.get(
    _environ.get("AWS_LAMBDA_LOG_LEVEL"), _environ.get("AWS_LAMBDA_LOG_LEVEL")
).upper()

# Files whose frames are dropped from the top of stack traces (the runtime's own).
_OWN_FILES = {__file__}

# Request currently being handled (read by the logging filter, like awslambdaric's globals).
_GLOBAL_AWS_REQUEST_ID = None
_GLOBAL_TENANT_ID = None


class FaultException(Exception):
    """A runtime-detected failure with a `Runtime.*` error type (awslambdaric's FaultException)."""

    def __init__(self, exception_type, msg, trace=None):
        Exception.__init__(self, msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


# (co_filename too: it names where a precompiled .pyc was compiled if that ever differs.)
_OWN_FILES.add(FaultException.__init__.__code__.co_filename)


def _extra():
    """The lamina_runtime_extra module (failures, logging set-up, telemetry log framing)."""
    module = sys.modules.get("lamina_runtime_extra")
    if module is None:
        sys.path.insert(0, _HERE)
        try:
            import lamina_runtime_extra as module
        finally:
            try:
                sys.path.remove(_HERE)
            except ValueError:
                pass
    return module


# -------------------------------------------------------------------------------------- JSON
#
# Importing the `json` package costs about as much as this runtime's whole start-up (it imports
# `re`, which imports `enum`, `functools`, ...), so the hot paths drive the C accelerator `_json`
# directly. Results are identical to json.loads / json.dumps; anything unusual (a BOM, UTF-16/32
# input, an error to report) falls back to the real `json` module so messages match exactly.

_WS = " \t\n\r"
_INF = float("inf")
_NAN = float("nan")


class _DecoderContext(object):
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": -_INF, "Infinity": _INF, "NaN": _NAN}.__getitem__
    memo = {}


_scan_once = _json.make_scanner(_DecoderContext)


def json_loads(s):
    """json.loads(s) for str, bytes or bytearray."""
    if not isinstance(s, str):
        head = s[:4]
        if head.count(0) or head[:1] in (b"\xef", b"\xfe", b"\xff"):
            import json  # BOMs, UTF-16/32: let json detect the encoding exactly as it does

            return json.loads(bytes(s))
        try:
            s = s.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            import json

            return json.loads(bytes(s))
    n = len(s)
    i = 0
    while i < n and s[i] in _WS:
        i += 1
    try:
        obj, end = _scan_once(s, i)
    except Exception:
        # StopIteration (no value at all) or a syntax error, which the C scanner can only report
        # once json.decoder is loaded: parse again with json for its exact error.
        import json

        return json.loads(s)
    if end != n and s[end:].strip(_WS):
        import json

        return json.loads(s)  # raises json's own "Extra data: ..."
    return obj


def json_dumps(obj, ensure_ascii=None):
    """json.dumps(obj) with awslambdaric's extras: Decimal is written exactly (str(d)), NaN
    Decimals as NaN, and non-ASCII is kept on python3.12+ runtimes."""
    if ensure_ascii is None:
        ensure_ascii = _ENSURE_ASCII
    raw = []

    def default(o):
        dec = sys.modules.get("decimal")
        if dec is not None and isinstance(o, dec.Decimal):
            return _extra().encode_decimal(o, raw)
        raise TypeError("Object of type %s is not JSON serializable" % o.__class__.__name__)

    encode = _json.make_encoder(
        {},
        default,
        _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring,
        None,
        ": ",
        ", ",
        False,
        False,
        True,
    )
    chunks = encode(obj, 0)
    if not isinstance(chunks, (list, tuple)):
        chunks = list(chunks)
    s = "".join(chunks)
    if raw:
        s = _extra().splice_decimals(s, raw)
    return s


def marshal_response(response):
    """(body bytes, content type) like awslambdaric's LambdaMarshaller.marshal_response."""
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return json_dumps(response).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultException(MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)), None)


def unmarshal_request(body, content_type):
    # awslambdaric hands the raw bytes to the handler for any non-JSON content type; a response
    # without Content-Type is treated as JSON (the Invoke API only carries JSON payloads).
    if content_type is not None and content_type != "application/json":
        return bytes(body)
    try:
        return json_loads(body)
    except Exception as e:
        raise FaultException(UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(str(e)), None)


# ------------------------------------------------------------------------- Runtime API client


class RuntimeAPIError(Exception):
    pass


class _ConnectionLost(Exception):
    def __init__(self, clean):
        Exception.__init__(self, "connection closed by the Runtime API")
        self.clean = clean  # nothing of a response had arrived


class RuntimeAPIClient(object):
    """HTTP/1.1 over one persistent socket to the Runtime API.

    Requests carry Content-Length bodies; responses may use Content-Length, chunked transfer
    coding, or close-delimited bodies. A request on a reused connection that finds it closed is
    retried once on a fresh connection. No timeouts: GET /next is a long poll and the process may
    be frozen while it waits.
    """

    _RECV = 65536

    def __init__(self, address):
        self.address = address
        host, _, port = address.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        self._host = host or "127.0.0.1"
        self._port = int(port)
        self._sock = None
        self._buf = b""
        self._next_sent = False  # a GET /next went out behind the last response (pipelined)
        self._prefix = " HTTP/1.1\r\nHost: %s\r\nUser-Agent: lamina-python/%d.%d.%d\r\n" % (
            (address,) + tuple(sys.version_info[:3])
        )
        self._next_request = ("GET " + _NEXT_PATH + self._prefix + "\r\n").encode("ascii")

    # -- connection

    def _connect(self):
        host, port = self._host, self._port
        try:
            _socket.inet_pton(_socket.AF_INET, host)
            candidates = [(_socket.AF_INET, (host, port))]
        except OSError:
            candidates = _extra().resolve(host, port)  # IPv6 literal or host name
        error = None
        for family, sockaddr in candidates:
            sock = _socket.socket(family, _socket.SOCK_STREAM)
            try:
                sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
                sock.connect(sockaddr)
            except OSError as e:
                sock.close()
                error = e
                continue
            self._sock = sock
            self._buf = b""
            return
        raise error or OSError("cannot resolve %s" % host)

    def close(self):
        self._next_sent = False
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._buf = b""

    # -- requests

    def request(self, head, body=b"", then=b""):
        """Send a prepared request head (+ body); return (status, headers, body). `then`, a
        complete request sent right behind it, is left for get_next to read the answer of."""
        for attempt in (0, 1):
            fresh = self._sock is None
            if fresh:
                self._connect()
            try:
                sock = self._sock
                if len(body) > 65536:
                    sock.sendall(head)
                    sock.sendall(body)
                    if then:
                        sock.sendall(then)
                else:
                    sock.sendall(head + body + then if body or then else head)
                response = self._read_response()
                self._next_sent = bool(then)
                return response
            except _ConnectionLost as e:
                self.close()
                if fresh or attempt or not e.clean:
                    raise RuntimeAPIError(str(e))
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as e:
                self.close()
                if fresh or attempt:
                    raise RuntimeAPIError(str(e))
            except BaseException:
                self.close()
                raise

    def get_next(self):
        if self._next_sent:
            self._next_sent = False
            try:
                return self._read_response()
            except _ConnectionLost:
                self.close()  # asked on a connection that went away: ask again below
            except BaseException:
                self.close()
                raise
        return self.request(self._next_request)

    def post(self, path, body, content_type="application/json", headers=(), then=b""):
        head = "POST " + path + self._prefix
        head += "Content-Type: %s\r\nContent-Length: %d\r\n" % (content_type, len(body))
        for name, value in headers:
            head += name + ": " + value + "\r\n"
        return self.request((head + "\r\n").encode("utf-8"), body, then)

    # -- responses

    def _read_response(self):
        while True:
            buf = self._buf
            end = buf.find(b"\r\n\r\n")
            start = 0
            while end < 0:
                data = self._sock.recv(self._RECV)
                if not data:
                    raise _ConnectionLost(not buf)
                start = max(0, len(buf) - 3)
                buf += data
                end = buf.find(b"\r\n\r\n", start)
            self._buf = buf[end + 4 :]
            lines = buf[:end].decode("utf-8", "replace").split("\r\n")
            status_line = lines[0].split(None, 2)
            try:
                version = status_line[0]
                status = int(status_line[1])
            except (IndexError, ValueError):
                self.close()
                raise RuntimeAPIError("malformed response from the Runtime API: %r" % lines[0])
            headers = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            if 100 <= status < 200:
                continue  # interim response
            break

        if status == 204 or status == 304:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = _extra().read_chunked(self)
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                self.close()
                raise RuntimeAPIError("bad Content-Length from the Runtime API")
            body = self._read_exact(length)
        else:
            body = _extra().read_to_close(self)
            self.close()
            return status, headers, body

        connection = headers.get("connection", "").lower()
        if connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive"):
            self.close()
        return status, headers, body

    def _read_exact(self, n):
        buf = self._buf
        if len(buf) >= n:
            self._buf = buf[n:]
            return buf[:n]
        out = bytearray(n)
        have = len(buf)
        out[:have] = buf
        self._buf = b""
        view = memoryview(out)
        recv_into = self._sock.recv_into
        while have < n:
            got = recv_into(view[have:], n - have)
            if not got:
                raise _ConnectionLost(False)
            have += got
        view.release()
        return out

    # -- Runtime API operations

    def post_invocation_result(self, request_id, body, content_type):
        # The response and the next GET /next go out together (HTTP/1.1 pipelining): the
        # process then sleeps once per invocation instead of twice, and so does lamina-init.
        # Only for a response the API will accept: after a refused one the runtime exits.
        pipeline = len(body) <= _MAX_RESPONSE
        status, _, resp = self.post(
            _INVOCATION_PATH + request_id + "/response", body, content_type,
            then=self._next_request if pipeline else b"",
        )
        if not 200 <= status < 300:
            self.close()
            raise RuntimeAPIError(
                "Failed to post invocation response: HTTP %d %s" % (status, _short(resp))
            )


def _short(body):
    return bytes(body[:200]).decode("utf-8", "replace")


def _header_value(value):
    return str(value).replace("\r", " ").replace("\n", " ")


# ----------------------------------------------------------------------------------- context


class LambdaContext(object):
    def __init__(
        self,
        invoke_id,
        client_context,
        cognito_identity,
        epoch_deadline_time_in_ms,
        invoked_function_arn=None,
        tenant_id=None,
    ):
        self.aws_request_id = invoke_id
        self.log_group_name = _environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = _environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = _environ.get("AWS_LAMBDA_FUNCTION_NAME")
        # A string, exactly as on AWS (awslambdaric reads it straight from the environment).
        self.memory_limit_in_mb = _environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = _environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id

        self.client_context = make_obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = make_obj_from_dict(Client, self.client_context.client)

        self.identity = make_obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")

        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self):
        epoch_now_in_ms = int(_time() * 1000)
        delta_ms = self._epoch_deadline_time_in_ms - epoch_now_in_ms
        return delta_ms if delta_ms > 0 else 0

    def log(self, msg):
        _LOG_SINK.log(str(msg))

    def __repr__(self):
        return _fields_repr(self, _CONTEXT_FIELDS)


_CONTEXT_FIELDS = (
    "aws_request_id", "log_group_name", "log_stream_name", "function_name",
    "memory_limit_in_mb", "function_version", "invoked_function_arn", "client_context",
    "identity", "tenant_id",
)


def _fields_repr(obj, fields):
    # awslambdaric's reprs: ClassName([field=value,field=value])
    return "%s([%s])" % (
        obj.__class__.__name__,
        ",".join("%s=%s" % (field, getattr(obj, field)) for field in fields),
    )


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return _fields_repr(self, self.__slots__)


class Client(object):
    __slots__ = [
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    ]

    def __repr__(self):
        return _fields_repr(self, self.__slots__)


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return _fields_repr(self, self.__slots__)


def make_obj_from_dict(_class, _dict, fields=None):
    if _dict is None:
        return None
    obj = _class()
    set_obj_from_dict(obj, _dict)
    return obj


def set_obj_from_dict(obj, _dict, fields=None):
    if fields is None:
        fields = obj.__class__.__slots__
    for field in fields:
        setattr(obj, field, _dict.get(field, None))


def _parse_json_header(value, name):
    try:
        return json_loads(value)
    except Exception as e:
        raise FaultException(
            LAMBDA_CONTEXT_UNMARSHAL_ERROR,
            "Unable to parse {} JSON: {}".format(name, str(e)),
            None,
        )


def create_lambda_context(client_context_json, cognito_identity_json, deadline_ms, invoke_id,
                          invoked_function_arn, tenant_id):
    client_context = None
    if client_context_json:
        client_context = _parse_json_header(client_context_json, "Client Context")
    cognito_identity = None
    if cognito_identity_json:
        cognito_identity = _parse_json_header(cognito_identity_json, "Cognito Identity")
    return LambdaContext(
        invoke_id,
        client_context,
        cognito_identity,
        deadline_ms,
        invoked_function_arn,
        tenant_id,
    )


# ---------------------------------------------------------------------------- stdout, logging


class Unbuffered(object):
    """sys.stdout/sys.stderr wrapper that flushes every write (as awslambdaric installs)."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        pass

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


class StandardLogSink(object):
    framed = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        pass

    def log(self, msg, frame_type=None):
        sys.stdout.write(msg)

    def log_error(self, message_lines):
        sys.stdout.write("\r".join(message_lines) + "\n")


def create_log_sink():
    if "_LAMBDA_TELEMETRY_LOG_FD" in _environ:
        return _extra().FramedTelemetryLogSink(_environ.pop("_LAMBDA_TELEMETRY_LOG_FD"))
    return StandardLogSink()


_LOG_SINK = StandardLogSink()


class _LoggingImportHook(object):
    """One-shot meta-path finder: when `logging` is first imported, let the normal finders
    locate it, and configure the root logger right after the module executes -- before the
    importing code gets it back. Saves importing logging (and re, traceback, threading, ...)
    in functions that never log."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "logging":
            return None
        try:
            sys.meta_path.remove(cls)
        except ValueError:
            pass
        spec = None
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is not None:
                spec = find_spec(name, path, target)
                if spec is not None:
                    break
        if spec is None or spec.loader is None or isinstance(spec.loader, type):
            _logging_pending.append(True)  # unusual loader: configure after the import
            return None
        loader = spec.loader
        original_exec_module = loader.exec_module

        def exec_module(module):
            original_exec_module(module)
            try:
                del loader.exec_module
            except AttributeError:
                pass
            try:
                _extra().setup_logging(module)
            except Exception as e:  # never break the function's own import
                sys.stderr.write("lamina runtime: could not configure logging: %r\n" % (e,))

        loader.exec_module = exec_module
        return spec


_logging_pending = []


def install_logging():
    if "logging" in sys.modules:
        _extra().setup_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingImportHook)


def _finish_logging_setup():
    # Only does something if the import hook met a loader it could not wrap.
    if _logging_pending and "logging" in sys.modules:
        del _logging_pending[:]
        _extra().setup_logging(sys.modules["logging"])


# ------------------------------------------------------------------------ sys.path, handler


def setup_sys_path(task_root):
    """sys.path as AWS's /var/runtime/bootstrap.py builds it: task root first, then (unless
    PYTHONPATH is set) /opt/python/lib/pythonX.Y/site-packages and /opt/python; .pth files in
    those directories are honoured. The interpreter runs with -S, so its own site-packages
    (where a host's boto3 lives, like /var/lang/lib/pythonX.Y/site-packages on AWS) are appended
    here without processing their .pth files."""
    path = sys.path
    pythonpath_set = "PYTHONPATH" in _environ
    opt_site = "/opt/python/lib/python%d.%d/site-packages" % sys.version_info[:2]
    site_dirs = [task_root]
    if not pythonpath_set:
        path.insert(0, "/opt/python")
        path.insert(0, opt_site)
        site_dirs += [opt_site, "/opt/python"]
    path.insert(0, task_root)

    site = None
    if not sys.flags.no_site:
        import site
    else:
        try:
            import site

            for d in site.getsitepackages():
                if d not in path and os.path.isdir(d):
                    path.append(d)
        except Exception:
            site = None

    for d in site_dirs:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            if name.endswith(".pth"):
                if site is None:
                    import site
                site.addsitedir(d)
                break

    if not pythonpath_set and "LAMBDA_RUNTIME_DIR" in _environ:
        _environ["PYTHONPATH"] = _environ["LAMBDA_RUNTIME_DIR"]


def get_handler(handler):
    """awslambdaric's _get_handler, with the same error types and messages."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(
            MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e))
        )

    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        m = _import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, str(e))
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '{}': {}".format(modname, str(e)),
            trace,
        )

    try:
        request_handler = getattr(m, fname)
    except AttributeError:
        raise FaultException(
            HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname), None
        )
    return request_handler


def _import_module(name):
    # importlib.import_module(name) without importing the importlib package.
    if name.startswith("."):
        raise TypeError(
            "the 'package' argument is required to perform a relative import for {!r}".format(name)
        )
    import _frozen_importlib

    return _frozen_importlib._gcd_import(name)


# ----------------------------------------------------------------------------- invoke loop


def _deadline(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def handle_event_request(client, request_handler, invoke_id, headers, body):
    failure = None
    try:
        lambda_context = create_lambda_context(
            headers.get("lambda-runtime-client-context"),
            headers.get("lambda-runtime-cognito-identity"),
            _deadline(headers.get("lambda-runtime-deadline-ms")),
            invoke_id,
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id") or None,
        )
        event = unmarshal_request(body, headers.get("content-type"))
        response = request_handler(event, lambda_context)
        result, result_content_type = marshal_response(response)
    except FaultException as e:
        failure = e
    except Exception:
        failure = sys.exc_info()

    if failure is not None:
        extra = _extra()
        error_result, xray_fault = extra.describe_failure(failure, invoke_id)
        failure = None
        extra.log_error(error_result, _LOG_SINK)
        extra.post_invocation_error(client, invoke_id, error_result, xray_fault)
    else:
        client.post_invocation_result(invoke_id, result, result_content_type)


def _fatal(message):
    sys.stderr.write("lamina runtime: %s\n" % (message,))
    sys.exit(1)


def run(handler_name, client):
    global _GLOBAL_AWS_REQUEST_ID, _GLOBAL_TENANT_ID, _LOG_SINK

    with create_log_sink() as log_sink:
        _LOG_SINK = log_sink
        failure = None
        try:
            install_logging()
            request_handler = get_handler(handler_name)
        except FaultException as e:
            failure = e
        except Exception:
            failure = sys.exc_info()
        _finish_logging_setup()
        if failure is not None:
            _extra().report_init_error(failure, client, log_sink)  # exits

        environ = _environ
        while True:
            try:
                status, headers, body = client.get_next()
            except (RuntimeAPIError, OSError) as e:
                _fatal("Failed to get next invocation: %s" % (e,))
            if status != 200:
                _fatal("Failed to get next invocation: HTTP %d %s" % (status, _short(body)))
            invoke_id = headers.get("lambda-runtime-aws-request-id")
            if not invoke_id:
                _fatal("Failed to get next invocation: no Lambda-Runtime-Aws-Request-Id header")

            _GLOBAL_AWS_REQUEST_ID = invoke_id
            _GLOBAL_TENANT_ID = headers.get("lambda-runtime-aws-tenant-id") or None
            trace_id = headers.get("lambda-runtime-trace-id")
            if trace_id:
                environ["_X_AMZN_TRACE_ID"] = trace_id
            elif "_X_AMZN_TRACE_ID" in environ:
                del environ["_X_AMZN_TRACE_ID"]

            try:
                handle_event_request(client, request_handler, invoke_id, headers, body)
            except (RuntimeAPIError, OSError) as e:
                # awslambdaric lets this escape and the process dies; so do we, with a reason.
                _fatal(str(e))


def main(own_files=()):
    _OWN_FILES.update(own_files)

    stdout = sys.stdout
    if (getattr(stdout, "encoding", None) or "").lower() in ("ascii", "ansi_x3.4-1968"):
        try:
            stdout.reconfigure(encoding="utf-8")
        except Exception:
            pass
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)

    task_root = _environ.get("LAMBDA_TASK_ROOT") or "/var/task"
    try:  # function code runs with the task root as its working directory, as on AWS
        if os.getcwd() != task_root:
            os.chdir(task_root)
    except OSError:
        pass
    setup_sys_path(task_root)
    client = RuntimeAPIClient(_environ.get("AWS_LAMBDA_RUNTIME_API") or "127.0.0.1:9001")
    run(_environ.get("_HANDLER", ""), client)
