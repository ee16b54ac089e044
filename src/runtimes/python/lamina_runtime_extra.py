"""The parts of Lamina's Python runtime a plain cold start does not need: describing, logging and
posting failures (error bodies, stack traces, X-Ray causes, init errors), less common HTTP
(chunked or close-delimited responses, IPv6 or host-name Runtime API addresses), exact Decimal
output, the telemetry log-fd framing and the root-logger set-up (text and JSON formats).
lamina_runtime loads this module the first time one of them is needed.
"""

import os
import sys
import _socket
from time import time as _time, gmtime as _gmtime, strftime as _strftime, time_ns as _time_ns

import lamina_runtime as rt

rt._OWN_FILES.add(__file__)


def _own_code_filename():
    pass


rt._OWN_FILES.add(_own_code_filename.__code__.co_filename)

ERROR_LOG_LINE_TERMINATE = "\r"
ERROR_LOG_IDENT = "\u00a0"  # NO-BREAK SPACE, like awslambdaric

UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: "
    "Unhandled exception. "
    "The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. "
    "To determine if the runtime has been updated, check the runtime version in the INIT_START log "
    "entry. "
    "If this error correlates with a change in the runtime version, you may be able to mitigate "
    "this error by temporarily rolling back to the previous runtime version. "
    "For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)

# ------------------------------------------------------------------------------------ errors


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def extract_traceback(tb):
    import traceback

    tuples = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    # Drop the runtime's own frames at the top, like awslambdaric drops "/bootstrap.py" frames.
    for i in range(len(tuples)):
        if tuples[i][0] not in rt._OWN_FILES:
            return tuples[i:]
    return tuples


def format_list(tb_tuples):
    import traceback

    return traceback.format_list(tb_tuples)


def make_xray_fault(ex_type, ex_msg, working_dir, tb_tuples):
    stack = []
    files = []
    for tb_file, tb_line, tb_method, _ in tb_tuples:
        stack.append({"label": tb_method, "path": tb_file, "line": tb_line})
        if tb_file not in files:
            files.append(tb_file)
    return {
        "working_directory": working_dir,
        "exceptions": [{"message": ex_msg, "type": ex_type, "stack": stack}],
        "paths": files,
    }


def post_error(client, path, error_result, extra_headers=()):
    headers = [(rt.ERROR_TYPE_HEADER, rt._header_value(error_result["errorType"]))]
    headers.extend(extra_headers)
    body = rt.json_dumps(error_result).encode("utf-8", "surrogatepass")
    status, _, resp = client.post(path, body, headers=headers)
    if not 200 <= status < 300:
        raise rt.RuntimeAPIError("Failed to post %s: HTTP %d %s" % (path, status, rt._short(resp)))


def post_invocation_error(client, request_id, error_result, xray_fault):
    extra_headers = []
    if xray_fault is not None:
        cause = rt.json_dumps(xray_fault, ensure_ascii=True)
        if len(cause) < rt._XRAY_CAUSE_MAX:
            extra_headers.append((rt.XRAY_CAUSE_HEADER, cause))
    post_error(client, rt._INVOCATION_PATH + request_id + "/error", error_result, extra_headers)


def _getcwd():
    try:
        return os.getcwd()
    except OSError:
        return ""


def describe_failure(failure, invoke_id):
    """(error body, X-Ray cause) for a FaultException or an exc_info triple raised while
    handling an invocation -- awslambdaric's handle_event_request error branches."""
    if isinstance(failure, rt.FaultException):
        return (
            make_error(failure.msg, failure.exception_type, failure.trace, invoke_id),
            make_xray_fault("LambdaValidationError", failure.msg, _getcwd(), []),
        )
    etype, value, tb = failure
    tb_tuples = extract_traceback(tb)
    return (
        make_error(str(value), etype.__name__, format_list(tb_tuples), invoke_id),
        make_xray_fault(etype.__name__, str(value), _getcwd(), tb_tuples),
    )


def report_init_error(failure, client, log_sink):
    """Log and post an init failure as awslambdaric does, then exit(1)."""
    if isinstance(failure, rt.FaultException):
        error_result = make_error(failure.msg, failure.exception_type, failure.trace)
    else:
        etype, value, tb = failure
        error_result = make_error(str(value), etype.__name__, format_list(extract_traceback(tb)))
    failure = None
    try:
        import logging

        rt._finish_logging_setup()
        logging.warning(UNHANDLED_EXCEPTION_WARNING)
    except Exception:
        pass
    log_error(error_result, log_sink)
    try:
        post_error(client, rt._INIT_ERROR_PATH, error_result)
    except (rt.RuntimeAPIError, OSError) as e:
        sys.stderr.write("lamina runtime: %s\n" % (e,))
    sys.exit(1)


def replace_line_indentation(line, indent_char, new_indent_char):
    ident_chars_count = 0
    for c in line:
        if c != indent_char:
            break
        ident_chars_count += 1
    return (new_indent_char * ident_chars_count) + line[ident_chars_count:]


def log_error(error_result, log_sink):
    if rt._LOG_FORMAT_JSON:
        record = {
            "timestamp": _strftime("%Y-%m-%dT%H:%M:%SZ", _gmtime(_time())),
            "log_level": "ERROR",
        }
        record.update(error_result)
        log_sink.log_error([rt.json_dumps(record)])
        return

    error_description = "[ERROR]"
    error_result_type = error_result.get("errorType")
    if error_result_type:
        error_description += " " + error_result_type
    error_result_message = error_result.get("errorMessage")
    if error_result_message:
        if error_result_type:
            error_description += ":"
        error_description += " " + error_result_message

    error_message_lines = [error_description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        error_message_lines.append("Traceback (most recent call last):")
        for trace_element in stack_trace:
            if trace_element == "":
                error_message_lines.append("")
            else:
                for trace_line in trace_element.splitlines():
                    error_message_lines.append(
                        replace_line_indentation(trace_line, " ", ERROR_LOG_IDENT)
                    )
    log_sink.log_error(error_message_lines)


# ------------------------------------------------------------------ less common HTTP paths


def resolve(host, port):
    """[(family, sockaddr)] for an IPv6 literal or a host name in AWS_LAMBDA_RUNTIME_API."""
    try:
        _socket.inet_pton(_socket.AF_INET6, host)
        return [(_socket.AF_INET6, (host, port))]
    except OSError:
        return [(ai[0], ai[4]) for ai in _socket.getaddrinfo(host, port, 0, _socket.SOCK_STREAM)]


def _read_line(client):
    while True:
        i = client._buf.find(b"\r\n")
        if i >= 0:
            line = client._buf[:i]
            client._buf = client._buf[i + 2 :]
            return line
        data = client._sock.recv(client._RECV)
        if not data:
            raise rt._ConnectionLost(False)
        client._buf += data


def read_chunked(client):
    """A chunked response body (extensions and trailers are read and ignored)."""
    parts = []
    while True:
        size_line = _read_line(client)
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            client.close()
            raise rt.RuntimeAPIError("bad chunk size from the Runtime API")
        if size == 0:
            while _read_line(client):  # trailers, up to the empty line
                pass
            return b"".join(parts)
        parts.append(client._read_exact(size))
        client._read_exact(2)  # CRLF after the chunk data


def read_to_close(client):
    """A response body delimited by the server closing the connection."""
    parts = [client._buf]
    client._buf = b""
    while True:
        data = client._sock.recv(client._RECV)
        if not data:
            return b"".join(parts)
        parts.append(data)


# ---------------------------------------------------------------------------------- Decimal

_DECIMAL_NONCE = os.urandom(12).hex()
# A Decimal is first encoded as a string no function data can contain (NUL + per-process random
# nonce) and then replaced by its exact text, as simplejson's RawJSON does for awslambdaric.
_DECIMAL_MARKER = "\x00lamina-decimal-" + _DECIMAL_NONCE + "-%d\x00"


def encode_decimal(value, raw):
    if value.is_nan():
        return float("nan")
    raw.append(str(value))
    return _DECIMAL_MARKER % (len(raw) - 1)


def splice_decimals(s, raw):
    prefix = '"\\u0000lamina-decimal-' + _DECIMAL_NONCE + "-"
    suffix = '\\u0000"'
    parts = s.split(prefix)
    out = [parts[0]]
    for part in parts[1:]:
        index, _, rest = part.partition(suffix)
        out.append(raw[int(index)])
        out.append(rest)
    return "".join(out)


# ------------------------------------------------------------------------- telemetry log fd

# Frame types of the telemetry log framing (awslambdaric lambda_runtime_log_utils), by level.
TEXT_FRAME_TYPES = {
    0: b"\xa5\x5a\x00\x03",
    10: b"\xa5\x5a\x00\x0b",
    20: b"\xa5\x5a\x00\x0f",
    30: b"\xa5\x5a\x00\x13",
    40: b"\xa5\x5a\x00\x17",
    50: b"\xa5\x5a\x00\x1b",
}
JSON_FRAME_TYPES = {
    0: b"\xa5\x5a\x00\x02",
    10: b"\xa5\x5a\x00\x0a",
    20: b"\xa5\x5a\x00\x0e",
    30: b"\xa5\x5a\x00\x12",
    40: b"\xa5\x5a\x00\x16",
    50: b"\xa5\x5a\x00\x1a",
}


class FramedTelemetryLogSink(object):
    """Length-prefixed log frames on the fd named by _LAMBDA_TELEMETRY_LOG_FD:
    type (4 bytes) | length (4) | timestamp in microseconds (8) | message, big-endian."""

    framed = True

    def __init__(self, fd):
        self.fd = int(fd)

    def __enter__(self):
        self.file = os.fdopen(self.fd, "wb", 0)
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        self.file.close()

    def log(self, msg, frame_type=None):
        encoded_msg = msg.encode("utf8")
        timestamp = _time_ns() // 1000
        self.file.write(
            (frame_type or TEXT_FRAME_TYPES[0])
            + len(encoded_msg).to_bytes(4, "big")
            + timestamp.to_bytes(8, "big")
            + encoded_msg
        )

    def log_error(self, message_lines):
        frames = JSON_FRAME_TYPES if rt._LOG_FORMAT_JSON else TEXT_FRAME_TYPES
        self.log("\n".join(message_lines), frame_type=frames[40])


# ----------------------------------------------------------------------------------- logging

TEXT_LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
JSON_RESERVED_FIELDS = frozenset(
    (
        "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module",
        "exc_info", "exc_text", "stack_info", "lineno", "funcName", "created", "msecs",
        "relativeCreated", "thread", "threadName", "processName", "process", "aws_request_id",
        "tenant_id", "_frame_type",
    )
)


def _format_log_level(record):
    return min(50, max(0, record.levelno)) // 10 * 10


def setup_logging(logging):
    """Configure the root logger exactly as awslambdaric's _setup_logging does: one handler
    writing to the log sink, "[LEVEL]\\t<UTC time>.<ms>Z\\t<request id>\\t<message>\\n" (or a JSON
    record with AWS_LAMBDA_LOG_FORMAT=JSON), level from AWS_LAMBDA_LOG_LEVEL if given (else the
    logging default, WARNING), and UTC times for every Formatter."""
    logging.Formatter.converter = _gmtime
    with_frame_type = rt._LOG_FORMAT_JSON or bool(rt._LOG_LEVEL)

    class LambdaLoggerHandler(logging.Handler):
        def __init__(self, log_sink):
            logging.Handler.__init__(self)
            self.log_sink = log_sink

        def emit(self, record):
            msg = self.format(record)
            if with_frame_type and self.log_sink.framed:
                frame_type = getattr(record, "_frame_type", None) or TEXT_FRAME_TYPES.get(
                    _format_log_level(record)
                )
                self.log_sink.log(msg, frame_type=frame_type)
            else:
                self.log_sink.log(msg)

    class LambdaLoggerFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = rt._GLOBAL_AWS_REQUEST_ID or ""
            record.tenant_id = rt._GLOBAL_TENANT_ID
            return True

    class JsonFormatter(logging.Formatter):
        def __init__(self):
            logging.Formatter.__init__(self, datefmt="%Y-%m-%dT%H:%M:%SZ")

        def format(self, record):
            record.levelno = _format_log_level(record)
            record.levelname = logging.getLevelName(record.levelno)
            record._frame_type = JSON_FRAME_TYPES.get(record.levelno, JSON_FRAME_TYPES[0])
            exc_info = record.exc_info
            if exc_info:
                import traceback

                stack_trace = traceback.format_tb(exc_info[2])
                error_type = exc_info[0].__name__
                error_message = str(exc_info[1])
                location = "%s:%s:%s" % (record.pathname, record.funcName, record.lineno)
            else:
                stack_trace = error_type = error_message = location = None
            result = {
                "timestamp": self.formatTime(record, self.datefmt),
                "level": record.levelname,
                "message": record.getMessage(),
                "logger": record.name,
                "stackTrace": stack_trace,
                "errorType": error_type,
                "errorMessage": error_message,
                "requestId": getattr(record, "aws_request_id", None),
                "location": location,
            }
            if getattr(record, "tenant_id", None) is not None:
                result["tenantId"] = record.tenant_id
            result.update(
                (key, value)
                for key, value in record.__dict__.items()
                if key not in JSON_RESERVED_FIELDS and key not in result
            )
            result = {k: v for k, v in result.items() if v is not None}
            return rt.json_dumps(result, ensure_ascii=False) + "\n"

    logger = logging.getLogger()
    handler = LambdaLoggerHandler(rt._LOG_SINK)
    if rt._LOG_FORMAT_JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_LOG_FORMAT, "%Y-%m-%dT%H:%M:%S"))
    if rt._LOG_LEVEL in logging._nameToLevel:
        logger.setLevel(rt._LOG_LEVEL)
    handler.addFilter(LambdaLoggerFilter())
    logger.addHandler(handler)
