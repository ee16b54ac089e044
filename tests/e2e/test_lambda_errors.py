"""Every way a Lambda control-plane request can fail: code, HTTP status and, where AWS's is known,
the message. Malformed input must neither store anything nor stop the daemon."""
import datetime
import io
import json
import os
import socket
import time
import zipfile

import botocore.exceptions
import pytest

from conftest import ACCOUNT, HANDLER_ZIP_FILES, REGION, error_of, make_role, make_zip

ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
UNZIP_ERROR = "Could not unzip uploaded file. Please check your file, then try to upload again."
# The FunctionName pattern of the model's CreateFunction and the NamespacedFunctionName one of
# GetFunction/DeleteFunction.
CREATE_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?")
NAMESPACED_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?")


def unique(prefix="err"):
    return f"{prefix}-{os.urandom(4).hex()}"


def create_params(role, name=None, **kwargs):
    params = dict(FunctionName=name or unique(), Runtime="python3.12", Role=role,
                  Handler="handler.handler", Code={"ZipFile": make_zip(HANDLER_ZIP_FILES)})
    params.update(kwargs)
    return params


@pytest.fixture(scope="module")
def lam(daemon):
    return daemon.client("lambda")


@pytest.fixture(scope="module")
def raw_lam(daemon):
    """A client that sends what it is given, without botocore's own checks."""
    return daemon.client("lambda", parameter_validation=False)


@pytest.fixture(scope="module")
def module_role(daemon):
    return make_role(daemon)


def function_names(lam):
    names, marker = [], None
    while True:
        page = lam.list_functions(**({"Marker": marker} if marker else {}))
        names += [f["FunctionName"] for f in page["Functions"]]
        marker = page.get("NextMarker")
        if not marker:
            return sorted(names)


def assert_serving(daemon):
    status, _, body = daemon.request("GET", "/2015-03-31/functions?MaxItems=1")
    assert status == 200, body
    assert "Functions" in json.loads(body)


def expect_error(call, code, status, message=None):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    got_code, got_status, got_message = error_of(e)
    assert (got_code, got_status) == (code, status), got_message
    if message is not None:
        assert got_message == message
    return got_message


# --- not found, conflict -----------------------------------------------------------------------


def test_function_not_found(lam):
    message = f"Function not found: {ARN_PREFIX}x"
    expect_error(lambda: lam.get_function(FunctionName="x"), "ResourceNotFoundException", 404,
                 message)
    expect_error(lambda: lam.get_function_configuration(FunctionName="x"),
                 "ResourceNotFoundException", 404, message)
    expect_error(lambda: lam.delete_function(FunctionName="x"), "ResourceNotFoundException", 404,
                 message)
    expect_error(lambda: lam.update_function_configuration(FunctionName="x", Timeout=5),
                 "ResourceNotFoundException", 404, message)
    expect_error(lambda: lam.update_function_code(FunctionName="x",
                                                  ZipFile=make_zip(HANDLER_ZIP_FILES)),
                 "ResourceNotFoundException", 404, message)


def test_not_found_wire_shape(daemon):
    status, headers, body = daemon.request("GET", "/2015-03-31/functions/x")
    assert status == 404
    assert headers["x-amzn-errortype"] == "ResourceNotFoundException"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"Type": "User", "Message": f"Function not found: {ARN_PREFIX}x"}


def test_function_in_other_account_or_region_is_not_found(lam):
    for arn in (f"arn:aws:lambda:{REGION}:123456789012:function:x",
                f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:x"):
        expect_error(lambda: lam.get_function(FunctionName=arn), "ResourceNotFoundException", 404,
                     f"Function not found: {arn}")


def test_duplicate_create_conflicts(lam, role):
    params = create_params(role)
    lam.create_function(**params)
    revision = lam.get_function_configuration(FunctionName=params["FunctionName"])["RevisionId"]
    params["Code"] = {"ZipFile": make_zip({"other.py": "#"})}
    expect_error(lambda: lam.create_function(**params), "ResourceConflictException", 409,
                 f"Function already exist: {params['FunctionName']}")
    after = lam.get_function_configuration(FunctionName=params["FunctionName"])
    assert after["RevisionId"] == revision


# --- shape validation --------------------------------------------------------------------------


@pytest.mark.parametrize("member,value,constraint", [
    ("MemorySize", 100, "Member must have value greater than or equal to 128"),
    ("MemorySize", 20000, "Member must have value less than or equal to 10240"),
    ("Timeout", 0, "Member must have value greater than or equal to 1"),
    ("Timeout", 901, "Member must have value less than or equal to 900"),
])
def test_out_of_range_numbers(lam, raw_lam, role, member, value, constraint):
    wire = member[0].lower() + member[1:]
    message = (f"1 validation error detected: Value '{value}' at '{wire}' failed to satisfy "
               f"constraint: {constraint}")
    params = create_params(role, **{member: value})
    expect_error(lambda: raw_lam.create_function(**params), "ValidationException", 400, message)
    expect_error(lambda: lam.get_function(FunctionName=params["FunctionName"]),
                 "ResourceNotFoundException", 404)

    existing = create_params(role)
    lam.create_function(**existing)
    expect_error(lambda: raw_lam.update_function_configuration(
        FunctionName=existing["FunctionName"], **{member: value}), "ValidationException", 400,
        message)
    assert lam.get_function_configuration(
        FunctionName=existing["FunctionName"])[member] == {"MemorySize": 128, "Timeout": 3}[member]


def test_several_violations_are_reported_together(raw_lam, role):
    params = create_params(role, MemorySize=64, Timeout=1000)
    message = expect_error(lambda: raw_lam.create_function(**params), "ValidationException", 400)
    assert message.startswith("2 validation errors detected: ")
    assert "Value '1000' at 'timeout'" in message and "Value '64' at 'memorySize'" in message


@pytest.mark.parametrize("name", [
    "my-function!",
    "*",
    "invalid-account:function:my-function",
    f"arn:aws:lambda:invalid-region:{ACCOUNT}:function:my-function",
    f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance:i-1234567890abcdef0",
    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-function:1:2",
    "function:my-function:$LATEST:extra",
    f"arn:aws:lambda::{ACCOUNT}:function:my-function",
])
def test_bad_function_names(lam, raw_lam, role, name):
    before = function_names(lam)
    expect_error(lambda: raw_lam.create_function(**create_params(role, name)),
                 "ValidationException", 400,
                 f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
                 f"constraint: Member must satisfy regular expression pattern: "
                 f"{CREATE_NAME_PATTERN}")
    expect_error(lambda: raw_lam.get_function(FunctionName=name), "ValidationException", 400,
                 f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
                 f"constraint: Member must satisfy regular expression pattern: "
                 f"{NAMESPACED_NAME_PATTERN}")
    assert function_names(lam) == before


def test_function_name_longer_than_64(lam, raw_lam, role):
    name = "a" * 65
    expect_error(lambda: raw_lam.create_function(**create_params(role, name)),
                 "InvalidParameterValueException", 400,
                 f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
                 f"constraint: Member must have length less than or equal to 64")
    # No such function can exist, so looking one up finds nothing.
    expect_error(lambda: lam.get_function(FunctionName=name), "ResourceNotFoundException", 404,
                 f"Function not found: {ARN_PREFIX}{name}")
    expect_error(lambda: lam.delete_function(FunctionName=name), "ResourceNotFoundException", 404,
                 f"Function not found: {ARN_PREFIX}{name}")
    # 64 is fine.
    ok = "b" * 63 + os.urandom(1).hex()[0]
    assert lam.create_function(**create_params(role, ok))["FunctionName"] == ok


def test_function_name_longer_than_140(raw_lam, role):
    name = f"{ACCOUNT}:function:" + "a" * 130
    expect_error(lambda: raw_lam.create_function(**create_params(role, name)),
                 "ValidationException", 400,
                 f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
                 f"constraint: Member must have length less than or equal to 140")


def test_qualifier_mismatch(lam, role):
    params = create_params(role)
    lam.create_function(**params)
    expect_error(lambda: lam.get_function(FunctionName=params["FunctionName"] + ":$LATEST",
                                          Qualifier="1"),
                 "InvalidParameterValueException", 400,
                 "The derived qualifier from the function name does not match the specified "
                 "qualifier.")


# --- semantic checks ---------------------------------------------------------------------------


def test_invalid_runtime(lam, role):
    message = expect_error(
        lambda: lam.create_function(**create_params(role, Runtime="non-existent-runtime")),
        "InvalidParameterValueException", 400)
    assert message.startswith("Value non-existent-runtime at 'runtime' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [")
    assert message.endswith("] or be a valid ARN")
    assert "python3.12" in message


def test_uppercase_runtime(lam, role):
    message = expect_error(lambda: lam.create_function(**create_params(role, Runtime="PYTHON3.9")),
                           "InvalidParameterValueException", 400)
    assert message.startswith("Value PYTHON3.9 at 'runtime' failed to satisfy constraint: ")


def test_bad_architectures(lam, module_role):
    expect_error(lambda: lam.create_function(**create_params(
        module_role, Architectures=["x86_64", "arm64"])), "ValidationException", 400,
        "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to "
        "satisfy constraint: Member must have length less than or equal to 1")
    upper = ("1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy "
             "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
             "[x86_64, arm64], Member must not be null]")
    expect_error(lambda: lam.create_function(**create_params(module_role,
                                                              Architectures=["X86_64"])),
                 "ValidationException", 400, upper)
    params = create_params(module_role)
    lam.create_function(**params)
    expect_error(lambda: lam.update_function_code(FunctionName=params["FunctionName"],
                                                  ZipFile=make_zip(HANDLER_ZIP_FILES),
                                                  Architectures=["X86_64"]),
                 "ValidationException", 400, upper)
    assert lam.get_function_configuration(
        FunctionName=params["FunctionName"])["Architectures"] == ["x86_64"]


def test_deprecated_runtime(lam, role):
    expect_error(lambda: lam.create_function(**create_params(role, Runtime="python2.7")),
                 "InvalidParameterValueException", 400,
                 "The runtime parameter of python2.7 is no longer supported for creating or "
                 "updating AWS Lambda functions. We recommend you use a supported runtime while "
                 "creating or updating functions.")
    params = create_params(role)
    lam.create_function(**params)
    expect_error(lambda: lam.update_function_configuration(FunctionName=params["FunctionName"],
                                                           Runtime="nodejs12.x"),
                 "InvalidParameterValueException", 400,
                 "The runtime parameter of nodejs12.x is no longer supported for creating or "
                 "updating AWS Lambda functions. We recommend you use a supported runtime while "
                 "creating or updating functions.")
    assert lam.get_function_configuration(
        FunctionName=params["FunctionName"])["Runtime"] == "python3.12"


def test_aws_runtime_lamina_does_not_run(lam, role):
    params = create_params(role, Runtime="java21")
    message = expect_error(lambda: lam.create_function(**params),
                           "InvalidParameterValueException", 400)
    assert "java21" in message and "not supported" in message
    expect_error(lambda: lam.get_function(FunctionName=params["FunctionName"]),
                 "ResourceNotFoundException", 404)


@pytest.mark.parametrize("missing", ["Handler", "Runtime"])
def test_missing_handler_or_runtime(lam, role, missing):
    params = create_params(role)
    del params[missing]
    expect_error(lambda: lam.create_function(**params), "InvalidParameterValueException", 400,
                 "Runtime and Handler are mandatory parameters for functions created with "
                 "deployment packages.")


def test_reserved_environment_key(lam, role):
    params = create_params(role, Environment={"Variables": {"AWS_REGION": "eu-west-1",
                                                            "MINE": "ok"}})
    expect_error(lambda: lam.create_function(**params), "InvalidParameterValueException", 400,
                 "Lambda was unable to configure your environment variables because the "
                 "environment variables you have provided contains reserved keys that are "
                 "currently not supported for modification. Reserved keys used in this request: "
                 "AWS_REGION")
    expect_error(lambda: lam.get_function(FunctionName=params["FunctionName"]),
                 "ResourceNotFoundException", 404)


def test_environment_over_4kb(lam, role):
    # {"LARGE_VAR":"xxx…"} measures exactly 4096 bytes: allowed; one more byte is not.
    at_limit = {"LARGE_VAR": "x" * (4096 - len('{"LARGE_VAR":""}'))}
    assert len(json.dumps(at_limit, separators=(",", ":"))) == 4096
    ok = lam.create_function(**create_params(role, Environment={"Variables": at_limit}))
    assert ok["Environment"]["Variables"] == at_limit

    over = {"LARGE_VAR": at_limit["LARGE_VAR"] + "x"}
    params = create_params(role, Environment={"Variables": over})
    expect_error(lambda: lam.create_function(**params), "InvalidParameterValueException", 400,
                 "Lambda was unable to configure your environment variables because the "
                 "environment variables you have provided exceeded the 4KB limit. String "
                 "measured: " + json.dumps(over, separators=(",", ":")))
    expect_error(lambda: lam.update_function_configuration(FunctionName=ok["FunctionName"],
                                                           Environment={"Variables": over}),
                 "InvalidParameterValueException", 400)
    assert lam.get_function_configuration(
        FunctionName=ok["FunctionName"])["Environment"]["Variables"] == at_limit


def test_nonexistent_role(lam):
    params = create_params(f"arn:aws:iam::{ACCOUNT}:role/no-such-role-{os.urandom(3).hex()}")
    expect_error(lambda: lam.create_function(**params), "InvalidParameterValueException", 400,
                 "The role defined for the function cannot be assumed by Lambda.")
    expect_error(lambda: lam.get_function(FunctionName=params["FunctionName"]),
                 "ResourceNotFoundException", 404)


def test_role_lambda_cannot_assume(daemon, lam, role):
    ec2_role = make_role(daemon, service="ec2.amazonaws.com")
    params = create_params(ec2_role)
    expect_error(lambda: lam.create_function(**params), "InvalidParameterValueException", 400,
                 "The role defined for the function cannot be assumed by Lambda.")
    existing = create_params(role)
    lam.create_function(**existing)
    expect_error(lambda: lam.update_function_configuration(FunctionName=existing["FunctionName"],
                                                           Role=ec2_role),
                 "InvalidParameterValueException", 400,
                 "The role defined for the function cannot be assumed by Lambda.")
    assert lam.get_function_configuration(FunctionName=existing["FunctionName"])["Role"] == role


def test_malformed_role_arn(lam):
    params = create_params("r1")
    expect_error(lambda: lam.create_function(**params), "ValidationException", 400,
                 "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: "
                 r"Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}"
                 r":role/?[a-zA-Z_0-9+=,.@\-_/]+")


def test_tag_errors(lam, raw_lam, module_role):
    arn = lam.create_function(**create_params(module_role))["FunctionArn"]
    for qualified in (arn + ":$LATEST", arn + ":prod"):
        expect_error(lambda: lam.tag_resource(Resource=qualified, Tags={"a": "b"}),
                     "InvalidParameterValueException", 400,
                     "Tags on function aliases and versions are not supported. Please specify a "
                     "function ARN.")
    for bad in (f"arn:aws:lambda:{REGION}:{ACCOUNT}:foobar:x", "arn:aws:something",
                f"arn:aws:lambda:nowhere:{ACCOUNT}:function:x"):
        message = expect_error(lambda: lam.list_tags(Resource=bad), "ValidationException", 400)
        assert message.startswith(
            f"1 validation error detected: Value '{bad}' at 'resource' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "arn:(aws[a-zA-Z-]*):lambda:"), message
    expect_error(lambda: lam.tag_resource(Resource=arn, Tags={}),
                 "InvalidParameterValueException", 400,
                 "An error occurred and the request cannot be processed.")
    expect_error(lambda: raw_lam.untag_resource(Resource=arn, TagKeys=[]),
                 "ValidationException", 400,
                 "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
                 "constraint: Member must not be null")
    expect_error(lambda: lam.tag_resource(Resource=arn, Tags={"aws:reserved": "x"}),
                 "InvalidParameterValueException", 400)
    too_many = {f"{k}_key": f"{k}_value" for k in range(51)}
    expect_error(lambda: lam.tag_resource(Resource=arn, Tags=too_many),
                 "InvalidParameterValueException", 400,
                 "Number of tags exceeds resource tag limit.")
    assert lam.list_tags(Resource=arn)["Tags"] == {}
    fifty = {f"{k}_key": f"{k}_value" for k in range(50)}
    lam.tag_resource(Resource=arn, Tags=fifty)
    expect_error(lambda: lam.tag_resource(Resource=arn, Tags={"a_key": "a_value"}),
                 "InvalidParameterValueException", 400,
                 "Number of tags exceeds resource tag limit.")
    assert lam.list_tags(Resource=arn)["Tags"] == fifty
    params = create_params(module_role, Tags=too_many)
    expect_error(lambda: lam.create_function(**params), "InvalidParameterValueException", 400,
                 "Number of tags exceeds resource tag limit.")
    expect_error(lambda: lam.get_function(FunctionName=params["FunctionName"]),
                 "ResourceNotFoundException", 404)


def test_list_functions_bad_paging(raw_lam):
    for bad in (0, 10001):
        message = expect_error(lambda: raw_lam.list_functions(MaxItems=bad),
                               "ValidationException", 400)
        assert f"Value '{bad}' at 'maxItems' failed to satisfy constraint" in message
    expect_error(lambda: raw_lam.list_functions(Marker="!!not-a-marker!!"),
                 "InvalidParameterValueException", 400)


def test_delete_latest_qualifier(lam, module_role):
    params = create_params(module_role)
    lam.create_function(**params)
    expect_error(lambda: lam.delete_function(FunctionName=params["FunctionName"],
                                             Qualifier="$LATEST"),
                 "InvalidParameterValueException", 400,
                 "$LATEST version cannot be deleted without deleting the function.")
    assert lam.get_function(FunctionName=params["FunctionName"])


def test_single_letter_environment_key(lam, module_role):
    params = create_params(module_role, Environment={"Variables": {"A": "1"}})
    message = expect_error(lambda: lam.create_function(**params), "ValidationException", 400)
    assert "at 'environment.variables' failed to satisfy constraint" in message


# --- bad request bodies and paths, sent raw ----------------------------------------------------


def raw_create_body(role, **overrides):
    import base64
    body = {"FunctionName": unique(), "Runtime": "python3.12", "Role": role,
            "Handler": "handler.handler",
            "Code": {"ZipFile": base64.b64encode(make_zip(HANDLER_ZIP_FILES)).decode()}}
    body.update(overrides)
    return body


@pytest.mark.parametrize("body", [
    b'{"FunctionName": "x", ',
    b"not json at all",
    b"[1, 2, 3]",
    b'"a string"',
    b"\xff\xfe{}",
], ids=["truncated", "text", "array", "string", "bad-utf8"])
def test_unparseable_body(daemon, lam, body):
    before = function_names(lam)
    status, headers, out = daemon.request("POST", "/2015-03-31/functions", body,
                                          {"Content-Type": "application/json"})
    assert status == 400
    assert headers["x-amzn-errortype"] == "InvalidRequestContentException"
    parsed = json.loads(out)
    assert parsed["Type"] == "User"
    assert parsed["message"].startswith("Could not parse request body into json")
    assert function_names(lam) == before


@pytest.mark.parametrize("member,value", [
    ("MemorySize", "abc"),
    ("Timeout", "3"),
    ("Timeout", 3.5),
    ("FunctionName", 42),
    ("Environment", {"Variables": {"A": 1}}),
    ("Tags", ["a"]),
    ("Code", "zip"),
])
def test_wrong_member_types(daemon, lam, module_role, member, value):
    body = raw_create_body(module_role, **{member: value})
    before = function_names(lam)
    status, headers, out = daemon.request("POST", "/2015-03-31/functions", json.dumps(body),
                                          {"Content-Type": "application/json"})
    assert status == 400, out
    assert headers["x-amzn-errortype"] == "InvalidRequestContentException", out
    assert json.loads(out)["message"].startswith("Could not parse request body into json")
    assert function_names(lam) == before


def test_zip_file_not_base64(daemon, lam, module_role):
    body = raw_create_body(module_role, Code={"ZipFile": "@@@ not base64 @@@"})
    status, headers, _ = daemon.request("POST", "/2015-03-31/functions", json.dumps(body))
    assert status == 400
    assert headers["x-amzn-errortype"] == "InvalidRequestContentException"


@pytest.mark.parametrize("method,path", [
    ("GET", "/2015-03-31/nothing-here"),
    ("POST", "/2015-03-31/functions/x/unknown"),
    ("GET", "/1999-01-01/functions"),
])
def test_unknown_path(daemon, method, path):
    status, headers, body = daemon.request(method, path)
    assert status == 404
    assert headers["x-amzn-errortype"] == "UnknownOperationException"
    assert json.loads(body)["message"]


def test_wrong_method_on_known_path(daemon):
    status, headers, _ = daemon.request("PATCH", "/2015-03-31/functions")
    assert status in (404, 405)
    assert headers["x-amzn-errortype"] == "UnknownOperationException"


@pytest.mark.parametrize("path", [
    "/2015-03-31/functions/%FF",
    "/2015-03-31/functions/%FF%FE/configuration",
    "/2015-03-31/functions/ab%C3",
    "/2015-03-31/functions/%zz",
])
def test_invalid_utf8_or_escape_in_path(daemon, path):
    status, headers, body = daemon.request("GET", path)
    assert status == 400, body
    assert headers["x-amzn-errortype"] in ("ValidationException", "InvalidParameterValueException")
    json.loads(body)  # still well-formed JSON
    assert_serving(daemon)


# --- deployment packages -----------------------------------------------------------------------


def zip_of(entries):
    """entries: (ZipInfo or name, bytes) pairs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info, data)
    return buf.getvalue()


def symlink(name, target):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    return info, target


def many_entries_zip(count):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("handler.py", "def handler(e, c):\n    return 1\n")
        for i in range(count - 1):
            z.writestr(f"e/{i}", b"")
    return buf.getvalue()


def zip_bomb(size=300 * 1024 * 1024):
    """One entry of `size` zero bytes, written in chunks so memory stays low."""
    buf = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("handler.py", "def handler(e, c):\n    return 1\n")
        info = zipfile.ZipInfo("zeros.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return buf.getvalue()


def truncated_zip():
    good = make_zip({"handler.py": "x = 1\n" * 2000, "b.txt": os.urandom(5000)})
    return good[: len(good) // 2]


def bad_crc_zip():
    good = bytearray(zip_of([(zipfile.ZipInfo("handler.py"), b"print('hello world')\n" * 10)]))
    good[14] ^= 0xFF  # the local header's CRC-32
    return bytes(good)


BAD_PACKAGES = {
    "random-bytes": (lambda: os.urandom(4096), UNZIP_ERROR),
    "empty": (lambda: b"", None),
    "truncated": (truncated_zip, UNZIP_ERROR),
    "bad-crc": (bad_crc_zip, UNZIP_ERROR),
    "dotdot-entry": (lambda: zip_of([("handler.py", b"#"), ("../evil", b"x")]), UNZIP_ERROR),
    "nested-dotdot": (lambda: zip_of([("a/../../evil", b"x")]), UNZIP_ERROR),
    "absolute-entry": (lambda: zip_of([("handler.py", b"#"), ("/etc/evil", b"x")]), UNZIP_ERROR),
    "symlink-outside": (lambda: zip_of([("handler.py", b"#"),
                                        symlink("lib/link", b"../../etc/passwd")]), UNZIP_ERROR),
    "symlink-absolute": (lambda: zip_of([("handler.py", b"#"), symlink("link", b"/etc/passwd")]),
                         UNZIP_ERROR),
    "too-many-entries": (lambda: many_entries_zip(100001), None),
    "zip-bomb": (zip_bomb, "Unzipped size must be smaller than 262144000 bytes"),
}


@pytest.mark.parametrize("kind", list(BAD_PACKAGES))
def test_bad_package_is_refused_and_nothing_stored(daemon, lam, module_role, kind):
    build, message = BAD_PACKAGES[kind]
    package = build()
    before = function_names(lam)
    usage = lam.get_account_settings()["AccountUsage"]
    params = create_params(module_role, Code={"ZipFile": package})
    got = expect_error(lambda: lam.create_function(**params), "InvalidParameterValueException", 400)
    if message is not None:
        assert got.startswith(message), got
    assert function_names(lam) == before
    assert lam.get_account_settings()["AccountUsage"] == usage
    assert_serving(daemon)


@pytest.mark.parametrize("kind", ["random-bytes", "dotdot-entry", "symlink-outside"])
def test_bad_package_update_leaves_code_alone(lam, module_role, kind):
    params = create_params(module_role)
    created = lam.create_function(**params)
    package = BAD_PACKAGES[kind][0]()
    expect_error(lambda: lam.update_function_code(FunctionName=params["FunctionName"],
                                                  ZipFile=package),
                 "InvalidParameterValueException", 400)
    config = lam.get_function_configuration(FunctionName=params["FunctionName"])
    assert config["CodeSha256"] == created["CodeSha256"]
    assert config["RevisionId"] == created["RevisionId"]


def test_safe_symlink_and_many_entries_are_accepted(lam, module_role):
    package = zip_of([("handler.py", b"#"), ("lib/real.py", b"x = 1\n"),
                      symlink("lib/alias.py", b"real.py"), symlink("top.py", b"lib/real.py")])
    assert lam.create_function(**create_params(module_role, Code={"ZipFile": package}))[
        "CodeSize"] == len(package)
    package = many_entries_zip(2000)
    assert lam.create_function(**create_params(module_role, Code={"ZipFile": package}))[
        "CodeSize"] == len(package)


def test_missing_code_source(lam, module_role):
    params = create_params(module_role, Code={})
    expect_error(lambda: lam.create_function(**params), "InvalidParameterValueException", 400,
                 "Please provide a source for function code.")


# --- HTTP-level abuse --------------------------------------------------------------------------


def send_raw(daemon, data, read=True, timeout=10):
    s = socket.create_connection(("127.0.0.1", daemon.port), timeout=timeout)
    s.sendall(data)
    if not read:
        return s
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return out


def test_request_body_over_limit_is_413(daemon, lam):
    before = function_names(lam)
    head = (f"POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1:{daemon.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: 70167212\r\n\r\n").encode()
    response = send_raw(daemon, head + b'{"FunctionName": "big", "Code": {"ZipFile": "' +
                        b"A" * 65536)
    status_line, _, rest = response.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), response[:300]
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"x-amzn-errortype: requestentitytoolargeexception" in headers.lower()
    assert json.loads(body)["message"] == ("Request must be smaller than 70167211 bytes for the "
                                           "CreateFunction operation")
    assert function_names(lam) == before
    assert_serving(daemon)


def test_request_body_over_limit_from_boto3(daemon, lam, module_role):
    # 53 MB of zip base64-encodes to ~70.7 MB: over the request limit.
    params = create_params(module_role, Code={"ZipFile": b"\0" * (53 * 1024 * 1024)})
    before = function_names(lam)
    try:
        lam.create_function(**params)
        raise AssertionError("an oversized CreateFunction was accepted")
    except botocore.exceptions.ClientError as e:
        assert (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]) == (
            "RequestEntityTooLargeException", 413)
    except (botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError):
        pass  # the daemon answered 413 and closed before botocore finished sending
    assert function_names(lam) == before
    assert_serving(daemon)


def test_slow_and_truncated_clients_do_not_block_others(daemon, lam, module_role):
    head = (f"POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1:{daemon.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n").encode()
    slow_body = send_raw(daemon, head + b'{"FunctionName": "slow-', read=False)
    slow_head = send_raw(daemon, b"GET /2015-03-31/functions HTTP/1.1\r\nHo", read=False)
    idle = send_raw(daemon, b"", read=False)
    try:
        truncated = send_raw(daemon, head + b'{"Functio', read=False)
        truncated.close()
        before = function_names(lam)
        for _ in range(5):
            started = time.monotonic()
            params = create_params(module_role)
            lam.create_function(**params)
            lam.get_function(FunctionName=params["FunctionName"])
            assert time.monotonic() - started < 3
        assert len(function_names(lam)) == len(before) + 5
    finally:
        for s in (slow_body, slow_head, idle):
            s.close()
    assert not any(n.startswith("slow-") for n in function_names(lam))
    assert_serving(daemon)


def test_garbage_http_keeps_daemon_serving(daemon):
    for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"POST /2015-03-31/functions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                 b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n"):
        response = send_raw(daemon, junk)
        assert response == b"" or response.startswith(b"HTTP/1.1 4"), response[:200]
    assert_serving(daemon)


# --- authentication ----------------------------------------------------------------------------


def test_unsigned_request(daemon):
    status, headers, body = daemon.request("GET", "/2015-03-31/functions", sign=False)
    assert status == 403
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert json.loads(body)["message"] == "Missing Authentication Token"


def test_wrong_secret(daemon):
    lam = daemon.client("lambda", secret_key="not-the-secret")
    expect_error(lambda: lam.list_functions(), "InvalidSignatureException", 403,
                 "The request signature we calculated does not match the signature you provided. "
                 "Check your AWS Secret Access Key and signing method. Consult the service "
                 "documentation for details.")


def test_unknown_access_key(daemon):
    lam = daemon.client("lambda", access_key="AKIAIOSFODNN7EXAMPLE", secret_key="whatever")
    expect_error(lambda: lam.list_functions(), "UnrecognizedClientException", 403,
                 "The security token included in the request is invalid.")


def test_signature_expired(daemon):
    when = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    status, headers, body = daemon.request("GET", "/2015-03-31/functions", when=when)
    assert status == 403
    assert headers["x-amzn-errortype"] == "InvalidSignatureException"
    assert json.loads(body)["message"].startswith(
        f"Signature expired: {when.strftime('%Y%m%dT%H%M%SZ')} is now earlier than ")
    # A few minutes of skew is tolerated.
    status, _, _ = daemon.request(
        "GET", "/2015-03-31/functions",
        when=datetime.datetime.utcnow() - datetime.timedelta(minutes=3))
    assert status == 200


def test_signed_for_another_service_or_region(daemon):
    status, headers, _ = daemon.request("GET", "/2015-03-31/functions", region="eu-west-1")
    assert status == 403
    assert headers["x-amzn-errortype"] in ("InvalidSignatureException",
                                           "IncompleteSignatureException")


def test_tampered_body_is_refused(daemon, lam, module_role):
    import http.client
    body = json.dumps(raw_create_body(module_role, FunctionName="tampered"))
    headers = daemon.signed_headers("POST", "/2015-03-31/functions", body.encode())
    changed = body.replace("tampered", "tampereX").encode()
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=10)
    conn.request("POST", "/2015-03-31/functions", body=changed, headers=headers)
    r = conn.getresponse()
    r.read()
    conn.close()
    assert r.status in (400, 403)
    assert "tampereX" not in function_names(lam)


def test_auth_off_accepts_any_credentials(daemon_factory):
    d = daemon_factory(auth="off")
    lam = d.client("lambda", access_key="AKIAANYTHING", secret_key="anything-at-all")
    assert lam.list_functions()["Functions"] == []
    role = make_role(d)
    created = lam.create_function(**create_params(role, "open"))
    assert created["FunctionName"] == "open"
    other = d.client("lambda", access_key="SOMEONEELSE", secret_key="x")
    assert [f["FunctionName"] for f in other.list_functions()["Functions"]] == ["open"]
    status, headers, _ = d.request("GET", "/2015-03-31/functions", sign=False)
    assert status == 403
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
